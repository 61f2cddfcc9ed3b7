// Package telegrampoll is an example of a bot that talks to Telegram
// directly, with no bot platform in between: it long-polls getUpdates with
// go-telegram-bot-api and answers every text message. Under chatsim it runs
// in the same World as platform integrations; its journal is what the
// Telegram fake observed.
//
//	err := telegrampoll.Run(ctx, os.Getenv) // TELEGRAM_API_URL, TELEGRAM_BOT_TOKEN
package telegrampoll

import (
	"context"
	"errors"
	"fmt"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// Run polls for updates until ctx is cancelled. It reads TELEGRAM_BOT_TOKEN
// (required) and TELEGRAM_API_URL (default https://api.telegram.org).
func Run(ctx context.Context, getenv func(string) string) error {
	token := getenv("TELEGRAM_BOT_TOKEN")
	if token == "" {
		return errors.New("run bot: TELEGRAM_BOT_TOKEN is not set")
	}
	base := strings.TrimRight(getenv("TELEGRAM_API_URL"), "/")
	if base == "" {
		base = "https://api.telegram.org"
	}
	bot, err := tgbotapi.NewBotAPIWithAPIEndpoint(token, base+"/bot%s/%s")
	if err != nil {
		return fmt.Errorf("run bot: %w", err)
	}
	u := tgbotapi.NewUpdate(0)
	u.Timeout = 30
	updates := bot.GetUpdatesChan(u)
	defer bot.StopReceivingUpdates()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case up := <-updates:
			if err := handle(bot, up); err != nil {
				return err
			}
		}
	}
}

// handle answers one update: /start with a greeting, any other text with an
// echo. Other updates are ignored.
func handle(bot *tgbotapi.BotAPI, up tgbotapi.Update) error {
	m := up.Message
	if m == nil || m.Text == "" {
		return nil
	}
	text := "You said: " + m.Text
	if m.IsCommand() && m.Command() == "start" {
		text = "Hello " + m.From.FirstName + "! Send me anything and I will say it back."
	}
	reply := tgbotapi.NewMessage(m.Chat.ID, text)
	reply.ReplyToMessageID = m.MessageID
	if _, err := bot.Send(reply); err != nil {
		return fmt.Errorf("answer update %d: %w", up.UpdateID, err)
	}
	return nil
}
