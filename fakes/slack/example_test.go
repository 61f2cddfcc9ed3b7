package slack_test

import (
	"fmt"
	"log"

	"github.com/chatsim/chatsim/fakes/slack"
	slackgo "github.com/slack-go/slack"
)

// A bot built on slack-go talks to the fake unchanged, while the Go API
// acts as the people in the workspace.
func Example() {
	srv, err := slack.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	api := slackgo.New(srv.BotToken(), slackgo.OptionAPIURL(srv.APIURL()))

	m, _ := srv.Send(slack.Post{User: "ada", Channel: "general", Text: "@chatsim menu"})
	fmt.Println(m.TS, m.Text)

	_, _, err = api.PostMessage("C0GENERAL", slackgo.MsgOptionText("What would you like?", false),
		slackgo.MsgOptionBlocks(slackgo.NewActionBlock("menu",
			slackgo.NewButtonBlockElement("tea", "tea", slackgo.NewTextBlockObject("plain_text", "Tea", false, false)),
			slackgo.NewButtonBlockElement("coffee", "coffee", slackgo.NewTextBlockObject("plain_text", "Coffee", false, false)),
		)))
	if err != nil {
		log.Fatal(err)
	}
	res, _ := srv.Act(slack.Action{User: "ada", Channel: "general", Target: "Coffee"})
	fmt.Println("clicked:", res.Type, res.ActionID)

	for _, line := range srv.Transcript("general") {
		fmt.Println(line)
	}
	// Output:
	// 1767225600.000100 <@U0CHATBOT> menu
	// clicked: button coffee
	// @ada  ▸ @chatsim menu
	// bot  ◂ What would you like?  [Tea] [Coffee]
}
