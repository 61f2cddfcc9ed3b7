package telegram_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/chatsim/chatsim/fakes/telegram"
	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

const recordedMessage = `{"update_id": 734000123, "message": {"message_id": 57, "from": {"id": 9001, "is_bot": false,
 "first_name": "Grace", "username": "grace", "language_code": "en"}, "chat": {"id": 9001, "first_name": "Grace",
 "username": "grace", "type": "private"}, "date": 1700000000, "text": "menu", "sticker_like_field": {"kept": true}}}`

const recordedCallback = `{"update_id": 734000125, "callback_query": {"id": "3959127361083947", "from": {"id": 9001,
 "is_bot": false, "first_name": "Grace", "username": "grace"}, "message": {"message_id": 58, "from": {"id": 7000000001,
 "is_bot": true, "first_name": "Recorded", "username": "recorded_bot"}, "chat": {"id": 9001, "first_name": "Grace",
 "type": "private"}, "date": 1700000001, "text": "What would you like?", "reply_markup": {"inline_keyboard":
 [[{"text": "Tea", "callback_data": "tea"}]]}}, "chat_instance": "-1234", "data": "tea"}}`

func TestInjectUpdate(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	u, err := w.srv.InjectUpdate(json.RawMessage(recordedMessage))
	if err != nil {
		t.Fatal(err)
	}
	if u.UpdateID != 734000123 || u.Message.Text != "menu" {
		t.Fatalf("update: %+v", u)
	}
	// The bot can answer into the recorded chat; ids continue after it.
	var m telegram.Message
	status, r := w.api(t, "sendMessage", map[string]any{"chat_id": 9001, "text": "What would you like?", "reply_to_message_id": 57})
	mustOK(t, status, r, &m)
	if m.MessageID != 58 || m.ReplyToMessage == nil || m.ReplyToMessage.Text != "menu" {
		t.Fatalf("reply: %+v", m)
	}
	// A callback on a message the recording's bot sent: answerable and
	// editable; the update id is kept since it is higher.
	u, err = w.srv.InjectUpdate(json.RawMessage(recordedCallback))
	if err != nil || u.UpdateID != 734000125 {
		t.Fatalf("inject callback: %v %+v", err, u)
	}
	status, r = w.api(t, "answerCallbackQuery", map[string]any{"callback_query_id": "3959127361083947", "text": "Tea it is"})
	mustOK(t, status, r, nil)
	status, r = w.api(t, "editMessageText", map[string]any{"chat_id": 9001, "message_id": 58, "text": "Tea it is"})
	mustOK(t, status, r, nil)
	// Replaying the first update again renumbers it.
	u, err = w.srv.InjectUpdate(json.RawMessage(recordedMessage))
	if err != nil || u.UpdateID != 734000126 {
		t.Fatalf("renumbered: %v %d", err, u.UpdateID)
	}
	var raws []json.RawMessage
	status, r = w.api(t, "getUpdates", nil)
	mustOK(t, status, r, &raws)
	if len(raws) != 3 {
		t.Fatalf("got %d updates", len(raws))
	}
	if !strings.Contains(string(raws[0]), `"sticker_like_field":{"kept":true}`) || !strings.Contains(string(raws[2]), `"update_id":734000126`) {
		t.Errorf("recorded fields must survive, ids be renumbered:\n%s\n%s", raws[0], raws[2])
	}
	// Sanity: the state knows Grace.
	if _, err := w.srv.SendText(9001, 9001, "thanks"); err != nil {
		t.Errorf("grace should be a known user: %v", err)
	}
}

func TestInjectUpdateRejectsMalformedUpdates(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		raw  string
		want string
	}{
		{"not JSON", `{"update_id":`, "not a JSON object"},
		{"an array", `[1]`, "not a JSON object"},
		{"no payload", `{"update_id": 1}`, "/: an Update needs exactly one payload field"},
		{"two payloads", `{"update_id": 1, "message": {}, "edited_message": {}}`, "/message: an Update has exactly one payload field, found edited_message and message"},
		{"unknown field", `{"update_id": 1, "mesage": {}}`, "/mesage: not a field of Update"},
		{"payload not an object", `{"update_id": 1, "message": "hi"}`, "/message: want an object"},
		{"update_id a string", `{"update_id": "1", "message": {}}`, "/update_id: want an integer"},
		{"chat id a string", `{"update_id": 1, "message": {"message_id": 1, "chat": {"id": "x", "type": "private"}}}`, "/message/chat/id: want Integer"},
		{"no message_id", `{"update_id": 1, "message": {"chat": {"id": 5, "type": "private"}}}`, "/message/message_id: missing"},
		{"no chat type", `{"update_id": 1, "message": {"message_id": 1, "chat": {"id": 5}}}`, "/message/chat/type: missing"},
		{"callback without id", `{"update_id": 1, "callback_query": {"from": {"id": 5}}}`, "/callback_query/id: missing"},
		{"member update without status", `{"update_id": 1, "my_chat_member": {"chat": {"id": 5}, "from": {"id": 5}, "new_chat_member": {"user": {"id": 7}}}}`, "/my_chat_member/new_chat_member/status: missing"},
	}
	w := newWorld(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := w.srv.InjectUpdate(json.RawMessage(c.raw))
			if err == nil || !strings.Contains(err.Error(), c.want) || !errors.Is(err, telegram.ErrInvalid) {
				t.Errorf("got %v, want an ErrInvalid containing %q", err, c.want)
			}
		})
	}
	if n := w.srv.WebhookInfo().PendingUpdateCount; n != 0 {
		t.Errorf("a rejected update was queued (%d pending)", n)
	}
}

func TestInjectMembershipUpdates(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	blocked := `{"update_id": 5, "my_chat_member": {"chat": {"id": 9001, "first_name": "Grace", "type": "private"},
	 "from": {"id": 9001, "is_bot": false, "first_name": "Grace"}, "date": 1700000000,
	 "old_chat_member": {"user": {"id": 7000000001, "is_bot": true, "first_name": "Recorded"}, "status": "member"},
	 "new_chat_member": {"user": {"id": 7000000001, "is_bot": true, "first_name": "Recorded"}, "status": "kicked", "until_date": 0}}}`
	if _, err := w.srv.InjectUpdate(json.RawMessage(blocked)); err != nil {
		t.Fatal(err)
	}
	status, r := w.api(t, "sendMessage", map[string]any{"chat_id": 9001, "text": "hello?"})
	if status != 403 || r.Description != "Forbidden: bot was blocked by the user" {
		t.Errorf("got %d %q", status, r.Description)
	}
	// A low recorded id is renumbered; the next update follows it.
	if _, err := w.srv.SendText(ada, ada, "hi"); err != nil {
		t.Fatal(err)
	}
	var ups []telegram.Update
	status, r = w.api(t, "getUpdates", nil)
	mustOK(t, status, r, &ups)
	if len(ups) != 2 || ups[0].UpdateID != telegram.FirstUpdateID || ups[1].UpdateID != telegram.FirstUpdateID+1 {
		t.Errorf("ids: %+v", ups)
	}
}

// TestInjectedPhotoDownloads: the files a recorded update carries are known
// under their recorded ids, so an integration's getFile and download work
// in a replay as they did when it was recorded.
func TestInjectedPhotoDownloads(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	const photo = `{"update_id": 1, "message": {"message_id": 1, "from": {"id": 9001, "is_bot": false, "first_name": "Grace"},
 "chat": {"id": 9001, "first_name": "Grace", "type": "private"}, "date": 1700000000, "caption": "cat",
 "photo": [{"file_id": "AgAC-small", "file_unique_id": "AQAD-s", "file_size": 120, "width": 90, "height": 67},
           {"file_id": "AgAC-large", "file_unique_id": "AQAD-l", "file_size": 4800, "width": 800, "height": 600}]}}`
	if _, err := w.srv.InjectUpdate(json.RawMessage(photo)); err != nil {
		t.Fatal(err)
	}
	bot := w.bot(t)
	f, err := bot.GetFile(tgbotapi.FileConfig{FileID: "AgAC-large"})
	if err != nil {
		t.Fatalf("getFile of a recorded photo: %v", err)
	}
	if f.FileUniqueID != "AQAD-l" || f.FileSize != 4800 || f.FilePath == "" {
		t.Fatalf("getFile = %+v", f)
	}
	resp, err := http.Get(w.srv.URL() + "/file/bot" + bot.Token + "/" + f.FilePath)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || len(body) != 4800 || resp.Header.Get("Content-Type") != "image/jpeg" {
		t.Fatalf("download: %s, %d bytes, %s", resp.Status, len(body), resp.Header.Get("Content-Type"))
	}
	if _, err := bot.GetFile(tgbotapi.FileConfig{FileID: "AgAC-never-recorded"}); err == nil || !strings.Contains(err.Error(), "invalid file_id") {
		t.Errorf("getFile of an unknown id: %v, want invalid file_id", err)
	}
}
