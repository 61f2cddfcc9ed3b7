package telegram_test

import (
	"strings"
	"testing"

	"github.com/chatsim/chatsim/fakes/telegram"
)

func TestReplyKeyboardsCaptionsReactionsAndChats(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	if _, err := w.srv.SendText(ada, ada, "/start"); err != nil {
		t.Fatal(err)
	}
	var m telegram.Message
	status, r := w.api(t, "sendMessage", map[string]any{"chat_id": ada, "text": "Size?",
		"reply_markup": map[string]any{"keyboard": [][]any{{"Small", map[string]string{"text": "Large"}}}, "one_time_keyboard": true}})
	mustOK(t, status, r, &m)
	if m.ReplyMarkup != nil {
		t.Errorf("Telegram does not echo reply keyboards in the Message: %+v", m.ReplyMarkup)
	}
	h := w.srv.History(ada)
	if kb := h[1].ReplyKeyboard; kb == nil || !kb.OneTimeKeyboard || kb.Keyboard[0][1].Text != "Large" || h[1].Line != "bot  ◂ Size?  keyboard [Small] [Large]" {
		t.Errorf("reply keyboard entry: %+v", h[1])
	}
	status, r = w.api(t, "sendMessage", map[string]any{"chat_id": ada, "text": "Thanks", "reply_markup": map[string]bool{"remove_keyboard": true}})
	mustOK(t, status, r, nil)
	if !w.srv.History(ada)[2].RemoveKeyboard {
		t.Error("remove_keyboard not recorded")
	}

	status, r = w.api(t, "sendPhoto", map[string]any{"chat_id": ada, "photo": "https://example.com/tea.jpg", "caption": "<b>Tea</b>", "parse_mode": "HTML"})
	mustOK(t, status, r, &m)
	if m.Caption != "Tea" || len(m.CaptionEntities) != 1 || m.Photo[len(m.Photo)-1].Width != 1280 {
		t.Errorf("photo by URL: %+v", m)
	}
	status, r = w.api(t, "editMessageCaption", map[string]any{"chat_id": ada, "message_id": m.MessageID, "caption": "Green tea"})
	mustOK(t, status, r, &m)
	if m.Caption != "Green tea" || m.EditDate == 0 {
		t.Errorf("edited caption: %+v", m)
	}
	status, r = w.api(t, "editMessageText", map[string]any{"chat_id": ada, "message_id": m.MessageID, "text": "x"})
	if status != 400 || r.Description != "Bad Request: there is no text in the message to edit" {
		t.Errorf("editing the text of a photo: %d %q", status, r.Description)
	}
	// The URL was never fetched: getFile works, the download does not.
	status, r = w.api(t, "getFile", map[string]any{"file_id": m.Photo[0].FileID})
	mustOK(t, status, r, nil)

	status, r = w.api(t, "setMessageReaction", map[string]any{"chat_id": ada, "message_id": 1, "reaction": `[{"type":"emoji","emoji":"👍"}]`})
	mustOK(t, status, r, nil)
	status, r = w.api(t, "setMessageReaction", map[string]any{"chat_id": ada, "message_id": 1, "reaction": []map[string]string{{"type": "emoji", "emoji": "👍"}, {"type": "emoji", "emoji": "🔥"}}})
	if status != 400 || r.Description != "Bad Request: REACTIONS_TOO_MANY" {
		t.Errorf("two reactions: %d %q", status, r.Description)
	}
	if e := w.srv.History(ada)[0]; len(e.Reactions) != 1 || e.Reactions[0].Reactions[0].Emoji != "👍" || !strings.HasSuffix(e.Line, "👍") {
		t.Errorf("reaction entry: %+v", e)
	}

	var c telegram.Chat
	status, r = w.api(t, "getChat", map[string]any{"chat_id": ada})
	mustOK(t, status, r, &c)
	if c.Type != "private" || c.Username != "ada" {
		t.Errorf("getChat: %+v", c)
	}
	var cm telegram.ChatMember
	status, r = w.api(t, "getChatMember", map[string]any{"chat_id": ada, "user_id": ada})
	mustOK(t, status, r, &cm)
	if cm.Status != "member" || cm.User.ID != ada {
		t.Errorf("getChatMember: %+v", cm)
	}
}

func TestWebhookSettingsPersist(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	status, r := w.api(t, "setWebhook", map[string]any{"url": "https://example.com/a", "allowed_updates": []string{"callback_query"}, "max_connections": 500})
	mustOK(t, status, r, nil)
	status, r = w.api(t, "setWebhook", map[string]any{"url": "https://example.com/b"})
	mustOK(t, status, r, nil)
	info := w.srv.WebhookInfo()
	if strings.Join(info.AllowedUpdates, ",") != "callback_query" || info.URL != "https://example.com/b" || info.MaxConnections != 40 {
		t.Errorf("info: %+v", info)
	}
	// Messages are not created under allowed_updates=[callback_query].
	if _, err := w.srv.SendText(ada, ada, "hi"); err != nil {
		t.Fatal(err)
	}
	if n := w.srv.WebhookInfo().PendingUpdateCount; n != 0 {
		t.Errorf("pending %d, want 0", n)
	}
	// An empty list restores the default.
	status, r = w.api(t, "deleteWebhook", map[string]any{"drop_pending_updates": true})
	mustOK(t, status, r, nil)
	status, r = w.api(t, "getUpdates", map[string]any{"allowed_updates": []string{}})
	mustOK(t, status, r, nil)
	if _, err := w.srv.SendText(ada, ada, "again"); err != nil {
		t.Fatal(err)
	}
	if n := w.srv.WebhookInfo().PendingUpdateCount; n != 1 {
		t.Errorf("pending %d, want 1", n)
	}
}
