package telegram_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/chatsim/chatsim/fakes/telegram"
	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// TestTextLimitCountsAfterEntities sends through go-telegram-bot-api: 4096
// characters once the HTML tags are parsed out is not too long, 4097 is.
func TestTextLimitCountsAfterEntities(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	if _, err := w.srv.SendText(ada, ada, "/start"); err != nil {
		t.Fatal(err)
	}
	bot := w.bot(t)
	// go-telegram-bot-api sends entities=null beside parse_mode: the
	// markup is still parsed.
	short := tgbotapi.NewMessage(ada, "<b>hi</b>")
	short.ParseMode = tgbotapi.ModeHTML
	if m, err := bot.Send(short); err != nil || m.Text != "hi" || len(m.Entities) != 1 || m.Entities[0].Type != "bold" {
		t.Errorf("<b>hi</b> as HTML = %q %+v (%v), want \"hi\" in bold", m.Text, m.Entities, err)
	}
	for _, n := range []int{telegram.MaxTextLength, telegram.MaxTextLength + 1} {
		msg := tgbotapi.NewMessage(ada, "<b>"+strings.Repeat("a", n)+"</b>")
		msg.ParseMode = tgbotapi.ModeHTML
		_, err := bot.Send(msg)
		var te *tgbotapi.Error
		switch {
		case n == telegram.MaxTextLength && err != nil:
			t.Errorf("%d characters in <b>: %v", n, err)
		case n > telegram.MaxTextLength && (!errors.As(err, &te) || te.Code != http.StatusBadRequest || te.Message != "Bad Request: message is too long"):
			t.Errorf("%d characters in <b>: %v, want 400 Bad Request: message is too long", n, err)
		}
	}
}
