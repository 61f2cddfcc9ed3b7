package telegram_test

import (
	"errors"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// TestButtonTypeErrorsSpeakTelegram checks that a button field of the
// wrong type is described as the Bot API does, never with Go's types.
func TestButtonTypeErrorsSpeakTelegram(t *testing.T) {
	t.Parallel()
	w := errorWorld(t)
	bot := w.bot(t)
	tests := []struct{ name, markup, desc string }{
		{"callback_data a number", `{"inline_keyboard":[[{"text":"A","callback_data":5}]]}`,
			`Bad Request: can't parse inline keyboard button: Field "callback_data" must be of type String`},
		{"text a number", `{"inline_keyboard":[[{"text":7,"callback_data":"a"}]]}`,
			`Bad Request: can't parse inline keyboard button: Field "text" must be of type String`},
		{"pay a string", `{"inline_keyboard":[[{"text":"A","pay":"yes"}]]}`,
			`Bad Request: can't parse inline keyboard button: Field "pay" must be of type Boolean`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := bot.MakeRequest("sendMessage", tgbotapi.Params{"chat_id": "1001", "text": "x", "reply_markup": tt.markup})
			var te *tgbotapi.Error
			if !errors.As(err, &te) || te.Code != 400 || te.Message != tt.desc {
				t.Errorf("sendMessage = %v, want 400 %q", err, tt.desc)
			}
		})
	}
}
