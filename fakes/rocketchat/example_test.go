package rocketchat_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"

	"github.com/RocketChat/Rocket.Chat.Go.SDK/models"
	rcrest "github.com/RocketChat/Rocket.Chat.Go.SDK/rest"

	"github.com/chatsim/chatsim/fakes"
	"github.com/chatsim/chatsim/fakes/rocketchat"
)

func Example() {
	// The bot under test: it answers every outgoing webhook in the body.
	botSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"text":"What would you like?"}`)
	}))
	defer botSrv.Close()

	activity := fakes.NewActivity()
	srv, err := rocketchat.Start(rocketchat.WithActivity(activity), rocketchat.WithWebhookTarget(botSrv.URL))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()

	if _, err := srv.Send("ada", "#general", "menu"); err != nil {
		fmt.Println(err)
		return
	}
	_ = activity.Wait(context.Background()) // the delivery and the reply are done

	u, _ := url.Parse(srv.URL())
	client := rcrest.NewClient(u, false)
	_ = client.Login(&models.UserCredentials{Email: rocketchat.DefaultBotUsername, Password: rocketchat.DefaultBotPassword})
	msgs, err := client.GetMessages(&models.Channel{ID: rocketchat.GeneralID}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	for i := len(msgs) - 1; i >= 0; i-- {
		fmt.Printf("%s: %s\n", msgs[i].User.UserName, msgs[i].Msg)
	}
	// Output:
	// ada: menu
	// chatsim.bot: What would you like?
}
