package recorder_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chatsim/chatsim/fakes"
	"github.com/chatsim/chatsim/fakes/slack"
	"github.com/chatsim/chatsim/recorder"
	"github.com/chatsim/chatsim/recorder/cassette"
	"github.com/chatsim/chatsim/sim"
	"github.com/gorilla/websocket"
	slackgo "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// socketBot is a Slack app on Socket Mode, written with slack-go and run
// as a direct bot: "menu" gets a menu of buttons, a click on one an answer
// (both posted with chat.postMessage before the ack), and /order an ack
// whose payload is the answer. It reads SLACK_API_URL, SLACK_BOT_TOKEN and
// SLACK_APP_TOKEN.
func socketBot(ctx context.Context, getenv func(string) string) error {
	api := slackgo.New(getenv("SLACK_BOT_TOKEN"), slackgo.OptionAPIURL(strings.TrimRight(getenv("SLACK_API_URL"), "/")+"/api/"),
		slackgo.OptionAppLevelToken(getenv("SLACK_APP_TOKEN")))
	client := socketmode.New(api)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ran := make(chan error, 1)
	go func() { ran <- client.RunContext(ctx) }()
	for {
		var evt socketmode.Event
		select {
		case <-ctx.Done():
			<-ran
			return ctx.Err()
		case err := <-ran:
			return err
		case evt = <-client.Events:
		}
		var err error
		switch evt.Type {
		case socketmode.EventTypeEventsAPI:
			ev, _ := evt.Data.(slackevents.EventsAPIEvent)
			if m, ok := ev.InnerEvent.Data.(*slackevents.MessageEvent); ok && m.BotID == "" && m.Text == "menu" {
				_, _, err = api.PostMessageContext(ctx, m.Channel, slackgo.MsgOptionText("What would you like?", false), slackgo.MsgOptionBlocks(
					slackgo.NewSectionBlock(slackgo.NewTextBlockObject(slackgo.PlainTextType, "What would you like?", false, false), nil, nil),
					slackgo.NewActionBlock("order",
						slackgo.NewButtonBlockElement("tea", "tea", slackgo.NewTextBlockObject(slackgo.PlainTextType, "Tea", false, false)),
						slackgo.NewButtonBlockElement("coffee", "coffee", slackgo.NewTextBlockObject(slackgo.PlainTextType, "Coffee", false, false)))))
			}
			client.Ack(*evt.Request)
		case socketmode.EventTypeInteractive:
			ic, _ := evt.Data.(slackgo.InteractionCallback)
			if ic.Type == slackgo.InteractionTypeBlockActions && len(ic.ActionCallback.BlockActions) > 0 {
				_, _, err = api.PostMessageContext(ctx, ic.Container.ChannelID, slackgo.MsgOptionText("One "+ic.ActionCallback.BlockActions[0].Value+" coming up.", false))
			}
			client.Ack(*evt.Request)
		case socketmode.EventTypeSlashCommand:
			cmd, _ := evt.Data.(slackgo.SlashCommand)
			client.Ack(*evt.Request, map[string]any{"response_type": "in_channel", "text": "Ordered " + cmd.Text + "."})
		}
		if err != nil && ctx.Err() == nil {
			return err
		}
	}
}

// socketBotIntegration runs socketBot in a World of Slack only.
func socketBotIntegration() sim.Integration {
	return sim.Integration{Launcher: sim.Func("slack socket bot", socketBot), Platforms: []string{"slack"}}
}

// recordSocket records Ada ordering from socketBot over Socket Mode, with
// a fake Slack standing in for the real one and no Request URL: no tunnel.
// It returns the cassette's path and every secret the upstream held.
func recordSocket(t *testing.T) (string, []string) {
	t.Helper()
	up, err := slack.Start(slack.WithClock(fakes.NewVirtualClock(time.Time{})))
	if err != nil {
		t.Fatal(err)
	}
	defer up.Close()
	path := filepath.Join(t.TempDir(), "socket.cassette")
	f, err := recorder.CreateFile(path, cassette.Header{Name: "recorded-socket-mode", Platform: "slack"})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Abort()
	proxy, err := recorder.NewProxy(recorder.Options{Kind: slack.Kind(), Upstream: up.URL(),
		Secrets: map[string]string{"SLACK_BOT_TOKEN": up.BotToken(), "SLACK_APP_TOKEN": up.AppToken()}, Sink: f.Write})
	if err != nil {
		t.Fatal(err)
	}
	clock := fakes.NewVirtualClock(time.Time{})
	ctx := context.Background()
	w, err := sim.Start(ctx, sim.Options{Integration: socketBotIntegration(), Clock: clock,
		Starters: map[string]func(fakes.Wiring) (fakes.Platform, error){"slack": proxy.Start}})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	waitFor(t, "the bot's Socket Mode connection", func() bool { return up.SocketConnections() == 1 })

	clock.Advance(time.Second)
	if _, err := up.Send(slack.Post{User: "ada", Channel: "general", Text: "menu"}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the menu from the bot", func() bool { return slackBotSaid(up, "general", "What would you like?", "") })
	clock.Advance(time.Second)
	act, err := up.Act(slack.Action{User: "ada", Channel: "general", Target: "Coffee"})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the coffee from the bot", func() bool { return slackBotSaid(up, "general", "One coffee coming up.", "") })
	clock.Advance(time.Second)
	cmd, err := up.RunCommand(slack.Command{User: "ada", Channel: "general", Command: "/order", Text: "tea"})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the command's answer", func() bool { return slackBotSaid(up, "general", "Ordered tea.", "") })
	if err := w.Settle(ctx); err != nil {
		t.Fatal(err)
	}
	secrets := []string{act.ResponseURL, cmd.ResponseURL}
	for k, v := range up.Env() {
		if strings.Contains(k, "TOKEN") || strings.Contains(k, "SECRET") {
			secrets = append(secrets, v)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the relay to close the upstream's socket", func() bool { return up.SocketConnections() == 0 })
	if c := proxy.Counts(); c.Deliveries != 3 || c.Refused != 0 {
		t.Errorf("recorded %+v, want 3 deliveries and none refused", c)
	}
	if err := f.Commit(proxy.Redactor().Redactions()); err != nil {
		t.Fatal(err)
	}
	return path, secrets
}

// TestRecordSlackSocketMode records a Socket Mode app's conversation: the
// envelopes that came down the socket are the cassette's deliveries, each
// opening a turn with the calls the app made for it and its ack's payload
// as the answer; apps.connections.open is recorded with its URL redacted;
// no secret is in it, Lint finds nothing, and it replays through a fake
// Slack to the same app on Socket Mode to the golden journal, 20 times
// byte for byte.
func TestRecordSlackSocketMode(t *testing.T) {
	t.Parallel()
	path, secrets := recordSocket(t)
	checkRecorded(t, path, secrets, []string{"ticket=", "envelope_id", `"kind":"event_callback","turn":4`, `"type":"hello"`}, []string{
		`"direction":"outbound","kind":"apps.connections.open"`, `${SLACK_APP_TOKEN}`, `${SLACK_SOCKET_URL}`,
		`"direction":"inbound","kind":"event_callback","turn":1,"verified":true`, `"kind":"chat.postMessage","turn":1`,
		`"direction":"inbound","kind":"block_actions","turn":2,"verified":true`, `"kind":"chat.postMessage","turn":2`,
		`"direction":"inbound","kind":"slash_command","turn":3,"verified":true`, `${SLACK_BOT_TOKEN}`, `${SLACK_RESPONSE_URL}`,
	})
	r, err := cassette.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	answers := map[string]string{}
	for {
		e, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if e.Direction != cassette.Inbound {
			continue
		}
		if e.Response == nil || e.Response.Status != http.StatusOK {
			t.Errorf("%s %s: answer %+v, want the ack as 200", e.Location(), e.Kind, e.Response)
			continue
		}
		answers[e.Kind] = string(e.Response.Body.Bytes())
	}
	r.Close()
	if want := `{"response_type":"in_channel","text":"Ordered tea."}`; answers["slash_command"] != want || answers["event_callback"] != "" {
		t.Errorf("the acks' payloads recorded: %q, want the command's %s and none for the event", answers, want)
	}
	checkGolden(t, "slack-socket.golden", replayDirect(t, path, socketBotIntegration(), 3))
}

// replayDirect returns a function that replays the cassette at path to a
// direct bot, checks that it replayed deliveries and did not fail, and
// returns the journal.
func replayDirect(t *testing.T, path string, bot sim.Integration, deliveries int) func() string {
	return func() string {
		r, err := cassette.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		ctx := context.Background()
		w, err := sim.Start(ctx, sim.Options{Integration: bot})
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		res, err := sim.Replay(ctx, w, r, sim.ReplayOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if res.Failed() || res.Deliveries != deliveries {
			t.Fatalf("replay: %d deliveries, failed %v: %v %v %v\n%s", res.Deliveries, res.Failed(), res.ViolationLines, res.Failures, res.Unanswered, res.Journal)
		}
		return res.Journal
	}
}

// TestRecordSocketCloses: closing the proxy ends a relay whose app keeps
// its socket open, at once: the app's read ends, the upstream's socket
// closes, and an envelope the app never acked is recorded unanswered in
// its turn. Closing a World ends its bot's relay too.
func TestRecordSocketCloses(t *testing.T) {
	t.Parallel()
	deadline := func(what string, fn func()) {
		t.Helper()
		done := make(chan struct{})
		go func() { defer close(done); fn() }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("%s did not return within 10s", what)
		}
	}
	t.Run("an app that stays", func(t *testing.T) {
		t.Parallel()
		up, err := slack.Start(slack.WithClock(fakes.NewVirtualClock(time.Time{})))
		if err != nil {
			t.Fatal(err)
		}
		defer up.Close()
		var got []cassette.Entry
		proxy, err := recorder.NewProxy(recorder.Options{Kind: slack.Kind(), Upstream: up.URL(),
			Secrets: map[string]string{"SLACK_APP_TOKEN": up.AppToken()}, Sink: func(e cassette.Entry) error { got = append(got, e); return nil }})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := proxy.Start(fakes.Wiring{Clock: fakes.NewVirtualClock(time.Time{})}); err != nil {
			t.Fatal(err)
		}
		defer proxy.Close()
		req, _ := http.NewRequest("POST", proxy.URL()+"/api/apps.connections.open", nil)
		req.Header.Set("Authorization", "Bearer "+up.AppToken())
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var open struct {
			OK  bool   `json:"ok"`
			URL string `json:"url"`
		}
		err = json.NewDecoder(resp.Body).Decode(&open)
		resp.Body.Close()
		if err != nil || !open.OK || !strings.HasPrefix(open.URL, "ws"+strings.TrimPrefix(proxy.URL(), "http")+"/") {
			t.Fatalf("apps.connections.open through the proxy: %+v %v: want the proxy's ws:// URL", open, err)
		}
		app, _, err := websocket.DefaultDialer.Dial(open.URL, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer app.Close()
		_ = app.SetReadDeadline(time.Now().Add(10 * time.Second))
		var hello struct{ Type string }
		if err := app.ReadJSON(&hello); err != nil || hello.Type != "hello" {
			t.Fatalf("first frame %+v %v, want hello relayed", hello, err)
		}
		if _, err := up.Send(slack.Post{User: "ada", Channel: "general", Text: "hi"}); err != nil {
			t.Fatal(err)
		}
		var env struct {
			Type       string `json:"type"`
			EnvelopeID string `json:"envelope_id"`
		}
		if err := app.ReadJSON(&env); err != nil || env.Type != "events_api" || env.EnvelopeID == "" {
			t.Fatalf("second frame %+v %v, want the event's envelope relayed as it came", env, err)
		}
		deadline("the proxy's Close", func() { proxy.Close() })
		if _, _, err := app.ReadMessage(); err == nil {
			t.Error("the app's socket is still open after Close")
		}
		waitFor(t, "the upstream's socket to close", func() bool { return up.SocketConnections() == 0 })
		if len(got) != 2 || got[1].Kind != "event_callback" || got[1].Turn != 1 || got[1].Response != nil {
			t.Errorf("recorded %d entries %+v, want apps.connections.open and the unacked event with no answer", len(got), got)
		}
	})
	t.Run("a World that closes", func(t *testing.T) {
		t.Parallel()
		up, err := slack.Start(slack.WithClock(fakes.NewVirtualClock(time.Time{})))
		if err != nil {
			t.Fatal(err)
		}
		defer up.Close()
		proxy, err := recorder.NewProxy(recorder.Options{Kind: slack.Kind(), Upstream: up.URL(),
			Secrets: map[string]string{"SLACK_BOT_TOKEN": up.BotToken(), "SLACK_APP_TOKEN": up.AppToken()}})
		if err != nil {
			t.Fatal(err)
		}
		w, err := sim.Start(context.Background(), sim.Options{Integration: socketBotIntegration(),
			Starters: map[string]func(fakes.Wiring) (fakes.Platform, error){"slack": proxy.Start}})
		if err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the bot's Socket Mode connection", func() bool { return up.SocketConnections() == 1 })
		var cerr error
		deadline("the World's Close", func() { cerr = w.Close() })
		if cerr != nil && !errors.Is(cerr, context.Canceled) {
			t.Errorf("close: %v", cerr)
		}
		waitFor(t, "the upstream's socket to close", func() bool { return up.SocketConnections() == 0 })
	})
}
