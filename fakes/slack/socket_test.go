package slack_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chatsim/chatsim/fakes"
	"github.com/chatsim/chatsim/fakes/slack"
	"github.com/gorilla/websocket"
	slackgo "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// TestSocketMode runs slack-go's socketmode client against the fake:
// hello, events_api, interactive and slash_commands envelopes, acks (with a
// payload for the command), and a refresh disconnect.
func TestSocketMode(t *testing.T) {
	t.Parallel()
	w := newWorld(t, slack.WithPingInterval(50*time.Millisecond))
	api := slackgo.New(w.srv.BotToken(), slackgo.OptionAPIURL(w.srv.APIURL()), slackgo.OptionAppLevelToken(w.srv.AppToken()))
	client := socketmode.New(api)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go func() { _ = client.RunContext(ctx) }()

	got := make(chan string, 64)
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case evt := <-client.Events:
				switch evt.Type {
				case socketmode.EventTypeHello:
					got <- "hello"
				case socketmode.EventTypeEventsAPI:
					_ = client.Ack(*evt.Request)
					ev := evt.Data.(slackevents.EventsAPIEvent)
					got <- "events_api " + ev.InnerEvent.Type
				case socketmode.EventTypeInteractive:
					_ = client.Ack(*evt.Request)
					ic := evt.Data.(slackgo.InteractionCallback)
					got <- "interactive " + string(ic.Type) + " " + ic.ActionCallback.BlockActions[0].Value
				case socketmode.EventTypeSlashCommand:
					cmd := evt.Data.(slackgo.SlashCommand)
					_ = client.Ack(*evt.Request, map[string]any{"response_type": "in_channel", "text": "ordered " + cmd.Text})
					got <- "slash_commands " + cmd.Command
				}
			}
		}
	}()
	expect := func(want string) {
		t.Helper()
		deadline := time.NewTimer(10 * time.Second)
		defer deadline.Stop()
		for {
			select {
			case g := <-got:
				if g == want {
					return
				}
			case <-deadline.C:
				t.Fatalf("timed out waiting for %q", want)
			}
		}
	}
	expect("hello")
	if _, err := w.srv.Send(slack.Post{User: "ada", Channel: "general", Text: "hi"}); err != nil {
		t.Fatal(err)
	}
	expect("events_api message")
	if _, _, err := w.api.PostMessage("C0GENERAL", slackgo.MsgOptionText("menu", false), menuBlocks()); err != nil {
		t.Fatal(err)
	}
	if _, err := w.srv.Act(slack.Action{User: "ada", Channel: "general", Target: "Coffee"}); err != nil {
		t.Fatal(err)
	}
	expect("interactive block_actions coffee")
	if _, err := w.srv.RunCommand(slack.Command{User: "ada", Channel: "general", Command: "/order", Text: "tea"}); err != nil {
		t.Fatal(err)
	}
	expect("slash_commands /order")
	w.settle(t)
	lines := w.srv.Transcript("general")
	if last := lines[len(lines)-1]; last != "bot  ◂ ordered tea" {
		t.Errorf("last line = %q, want the command's ack payload", last)
	}

	if n := w.srv.Disconnect("refresh_requested"); n != 1 {
		t.Fatalf("disconnected %d connections, want 1", n)
	}
	expect("hello") // slack-go reconnects through apps.connections.open
	if _, err := w.srv.Send(slack.Post{User: "grace", Channel: "general", Text: "after refresh"}); err != nil {
		t.Fatal(err)
	}
	expect("events_api message")
	w.settle(t)
	for _, d := range w.srv.Deliveries() {
		if d.Via != "socket" || d.Error != "" {
			t.Errorf("delivery %+v, want an acked socket delivery", d)
		}
	}
}

// TestSocketTicketIsWorkInFlight: a Socket Mode URL handed out counts as
// work in flight until the app has connected to it (its hello journaled),
// so that a World that waits for quiet waits for the connection; closing
// the fake ends a ticket never used.
func TestSocketTicketIsWorkInFlight(t *testing.T) {
	t.Parallel()
	for _, connect := range []bool{true, false} {
		w := newWorld(t)
		app := slackgo.New(w.srv.BotToken(), slackgo.OptionAPIURL(w.srv.APIURL()), slackgo.OptionAppLevelToken(w.srv.AppToken()))
		_, u, err := app.StartSocketModeContext(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if p := strings.Join(w.activity.Pending(), ", "); !strings.Contains(p, "slack socket ticket#1") {
			t.Fatalf("pending after apps.connections.open: %q, want the ticket", p)
		}
		if connect {
			ws, _, err := websocket.DefaultDialer.Dial(u, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer ws.Close()
		} else {
			w.srv.Close()
		}
		w.settle(t)
		connected := slices.ContainsFunc(w.journal.Observations(), func(o fakes.Observation) bool { return o.Text == "connected, hello" })
		if connected != connect {
			t.Errorf("connect %v: settled with the connection journaled %v", connect, connected)
		}
	}
}
