package telegram_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/chatsim/chatsim/fakes/telegram"
	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

func TestTgbotapiSending(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	bot := w.bot(t)
	if bot.Self.UserName != telegram.DefaultBotUsername || !bot.Self.IsBot || bot.Self.ID != 123456789 {
		t.Fatalf("getMe: got %+v", bot.Self)
	}
	if _, err := w.srv.SendText(ada, ada, "/start"); err != nil {
		t.Fatal(err)
	}

	msg := tgbotapi.NewMessage(ada, "What would you like?")
	msg.ReplyMarkup = inlineKB([]string{"Tea", "Coffee"})
	sent, err := bot.Send(msg)
	if err != nil {
		t.Fatalf("sendMessage: %v", err)
	}
	if sent.MessageID != 2 || sent.Chat.ID != ada || sent.From.ID != bot.Self.ID || sent.Date != 1767225600 {
		t.Errorf("sendMessage result: %+v", sent)
	}
	if sent.ReplyMarkup == nil || len(sent.ReplyMarkup.InlineKeyboard[0]) != 2 {
		t.Errorf("reply_markup not echoed: %+v", sent.ReplyMarkup)
	}

	if _, err := bot.Request(tgbotapi.NewChatAction(ada, tgbotapi.ChatTyping)); err != nil {
		t.Fatalf("sendChatAction: %v", err)
	}

	q, err := w.srv.Tap(ada, ada, sent.MessageID, "Coffee")
	if err != nil {
		t.Fatalf("tap: %v", err)
	}
	if q.Data != "coffee" || q.Message.MessageID != sent.MessageID || q.ID == "" {
		t.Errorf("callback query: %+v", q)
	}
	if _, err := bot.Request(tgbotapi.NewCallback(q.ID, "One coffee")); err != nil {
		t.Fatalf("answerCallbackQuery: %v", err)
	}

	edited, err := bot.Send(tgbotapi.NewEditMessageText(ada, sent.MessageID, "One coffee coming up."))
	if err != nil {
		t.Fatalf("editMessageText: %v", err)
	}
	if edited.Text != "One coffee coming up." || edited.EditDate == 0 || edited.ReplyMarkup != nil {
		t.Errorf("edited: %+v", edited)
	}
	if _, err := bot.Send(tgbotapi.NewEditMessageReplyMarkup(ada, sent.MessageID, inlineKB([]string{"Again"}))); err != nil {
		t.Fatalf("editMessageReplyMarkup: %v", err)
	}

	img := pngBytes(t, 1000, 500)
	photo := tgbotapi.NewPhoto(ada, tgbotapi.FileBytes{Name: "cup.png", Bytes: img})
	photo.Caption = "Your cup"
	pm, err := bot.Send(photo)
	if err != nil {
		t.Fatalf("sendPhoto upload: %v", err)
	}
	if n := len(pm.Photo); n != 4 || pm.Photo[n-1].Width != 1000 || pm.Photo[n-1].Height != 500 || pm.Caption != "Your cup" {
		t.Fatalf("photo sizes: %+v", pm.Photo)
	}
	largest := pm.Photo[len(pm.Photo)-1]
	f, err := bot.GetFile(tgbotapi.FileConfig{FileID: largest.FileID})
	if err != nil {
		t.Fatalf("getFile: %v", err)
	}
	resp, err := http.Get(w.srv.URL() + "/file/bot" + w.srv.Token() + "/" + f.FilePath)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(got) != string(img) {
		t.Errorf("download: status %d, %d bytes, want %d", resp.StatusCode, len(got), len(img))
	}

	again, err := bot.Send(tgbotapi.NewPhoto(ada, tgbotapi.FileID(largest.FileID)))
	if err != nil || again.Photo[len(again.Photo)-1].FileID != largest.FileID {
		t.Fatalf("sendPhoto by file_id: %v %+v", err, again.Photo)
	}
	byURL, err := bot.Send(tgbotapi.NewPhoto(ada, tgbotapi.FileURL("https://example.com/cat.jpg")))
	if err != nil || len(byURL.Photo) == 0 {
		t.Fatalf("sendPhoto by URL: %v %+v", err, byURL)
	}

	doc, err := bot.Send(tgbotapi.NewDocument(ada, tgbotapi.FileBytes{Name: "menu.txt", Bytes: []byte("tea, coffee")}))
	if err != nil || doc.Document == nil || doc.Document.FileName != "menu.txt" || doc.Document.MimeType != "text/plain" {
		t.Fatalf("sendDocument: %v %+v", err, doc.Document)
	}

	if _, err := bot.Request(tgbotapi.NewDeleteMessage(ada, byURL.MessageID)); err != nil {
		t.Fatalf("deleteMessage: %v", err)
	}
	photos, err := bot.GetUserProfilePhotos(tgbotapi.NewUserProfilePhotos(ada))
	if err != nil || photos.TotalCount != 0 {
		t.Fatalf("getUserProfilePhotos: %v %+v", err, photos)
	}

	var lines []string
	for _, e := range w.srv.History(ada) {
		lines = append(lines, e.Line)
	}
	want := []string{
		"@ada  ▸ /start",
		"bot  ◂ One coffee coming up.  [Again]  (edited)",
		"bot  ◂ (photo) Your cup",
		"bot  ◂ (photo)",
		"bot  ◂ (photo)  (deleted)",
		"bot  ◂ (document menu.txt)",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("history:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	if n := len(w.srv.Transcript(ada)); n != 5 {
		t.Errorf("transcript has %d messages, want 5 (one deleted)", n)
	}
	h := w.srv.History(ada)
	if tap := h[1].Taps; len(tap) != 1 || !tap[0].Answered || tap[0].AnswerText != "One coffee" {
		t.Errorf("taps: %+v", tap)
	}
}
