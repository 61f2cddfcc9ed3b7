package telegram_test

import (
	"fmt"
	"log"

	"github.com/chatsim/chatsim/fakes/telegram"
	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// A bot built on go-telegram-bot-api talks to the fake unchanged, while the
// Go API acts as the person in the chat.
func Example() {
	srv, err := telegram.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	bot, err := tgbotapi.NewBotAPIWithAPIEndpoint(srv.Token(), srv.URL()+"/bot%s/%s")
	if err != nil {
		log.Fatal(err)
	}

	_ = srv.AddUser(telegram.User{ID: 1001, FirstName: "Ada", Username: "ada"})
	_, _ = srv.SendText(1001, 1001, "menu")

	updates, _ := bot.GetUpdates(tgbotapi.NewUpdate(0))
	for _, u := range updates {
		fmt.Println(u.UpdateID, u.Message.From.UserName, u.Message.Text)
		reply := tgbotapi.NewMessage(u.Message.Chat.ID, "What would you like?")
		reply.ReplyMarkup = tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(
			tgbotapi.NewInlineKeyboardButtonData("Tea", "tea"),
			tgbotapi.NewInlineKeyboardButtonData("Coffee", "coffee"),
		))
		_, _ = bot.Send(reply)
	}
	q, _ := srv.Tap(1001, 1001, 2, "Coffee")
	fmt.Println("tapped:", q.Data)

	for _, e := range srv.History(1001) {
		fmt.Println(e.Line)
	}
	// Output:
	// 100000001 ada menu
	// tapped: coffee
	// @ada  ▸ menu
	// bot  ◂ What would you like?  [Tea] [Coffee]
}
