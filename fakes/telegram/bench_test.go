package telegram_test

import (
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// BenchmarkSendMessage measures go-telegram-bot-api sending a text with an
// inline keyboard to the fake, journal and activity tracking included.
func BenchmarkSendMessage(b *testing.B) {
	w := newWorld(b)
	if _, err := w.srv.SendText(ada, ada, "/start"); err != nil {
		b.Fatal(err)
	}
	bot := w.bot(b)
	msg := tgbotapi.NewMessage(ada, "What would you like?")
	msg.ReplyMarkup = inlineKB([]string{"Tea", "Coffee"})
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := bot.Send(msg); err != nil {
			b.Fatal(err)
		}
	}
}
