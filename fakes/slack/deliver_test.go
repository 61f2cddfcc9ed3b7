package slack_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chatsim/chatsim/fakes"
	"github.com/chatsim/chatsim/fakes/slack"
	slackgo "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
)

func pickerBlocks() slackgo.MsgOption {
	opt := func(t, v string) *slackgo.OptionBlockObject {
		return slackgo.NewOptionBlockObject(v, slackgo.NewTextBlockObject("plain_text", t, false, false), nil)
	}
	sel := slackgo.NewOptionsSelectBlockElement("static_select", slackgo.NewTextBlockObject("plain_text", "Pick a size", false, false), "size", opt("Small", "s"), opt("Large", "l"))
	over := slackgo.NewOverflowBlockElement("more", opt("Help", "help"), opt("Cancel", "cancel"))
	date := slackgo.NewDatePickerBlockElement("when")
	users := slackgo.NewOptionsSelectBlockElement("users_select", slackgo.NewTextBlockObject("plain_text", "Who", false, false), "who")
	boxes := slackgo.NewCheckboxGroupsBlockElement("extras", opt("Milk", "milk"), opt("Sugar", "sugar"))
	return slackgo.MsgOptionBlocks(
		slackgo.NewActionBlock("pickers", sel, over, date, users, boxes),
		slackgo.NewActionBlock("", slackgo.NewButtonBlockElement("", "go", slackgo.NewTextBlockObject("plain_text", "Go", false, false))),
	)
}

// TestDeliveriesVerifyWithSlackGo makes every kind of delivery and checks
// that slack-go verifies and parses each.
func TestDeliveriesVerifyWithSlackGo(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	a := newApp(t, w.srv.SigningSecret(), func(n int, r received) (int, http.Header, string) {
		if r.Kind == "command" {
			return 200, http.Header{"Content-Type": {"application/json"}}, `{"response_type":"in_channel","text":"order placed"}`
		}
		return 200, nil, ""
	})
	if err := w.srv.SetWebhookTarget(context.Background(), a.srv.URL); err != nil {
		t.Fatal(err)
	}
	if got := a.requests(); len(got) != 1 || got[0].Kind != "url_verification" || got[0].VerifyErr != nil || got[0].ParseErr != nil {
		t.Fatalf("first request = %+v, want a verified url_verification", got)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	m, err := w.srv.Send(slack.Post{User: "ada", Channel: "general", Text: "hello"})
	must(err)
	_, err = w.srv.Send(slack.Post{User: "ada", Channel: "#general", Text: "hi @chatsim"})
	must(err)
	_, err = w.srv.Send(slack.Post{User: "grace", Channel: "general", Text: "reply", Thread: m.TS})
	must(err)
	_, err = w.srv.Send(slack.Post{User: "ada", Text: "in a DM"})
	must(err)
	_, err = w.srv.Edit("ada", "general", m.TS, "hello again")
	must(err)
	must(w.srv.React("grace", "general", m.TS, "tada", false))
	must(w.srv.React("grace", "general", m.TS, ":tada:", true))
	must(w.srv.Delete("ada", "general", m.TS))
	must(w.srv.Leave("grace", "general"))
	must(w.srv.Join("grace", "general", "ada"))
	_, err = w.srv.CreateChannel("ada", slack.Channel{Name: "orders"})
	must(err)
	other, err := w.srv.AddUser(slack.User{Name: "deploybot", BotID: "B0DEPLOY"})
	must(err)
	must(w.srv.Join(other.ID, "general", ""))
	_, err = w.srv.Send(slack.Post{User: other.ID, Channel: "general", Text: "deployed"})
	must(err)
	_, _, err = w.api.PostMessage("C0GENERAL", slackgo.MsgOptionText("pick", false), pickerBlocks())
	must(err)
	w.settle(t)
	for _, act := range []slack.Action{
		{User: "ada", Channel: "general", Target: "Go"},
		{User: "ada", Channel: "general", Target: "size", Value: "Large"},
		{User: "ada", Channel: "general", Target: "Cancel"},
		{User: "ada", Channel: "general", Target: "when", Value: "2026-01-02"},
		{User: "ada", Channel: "general", Target: "who", Value: "grace"},
		{User: "ada", Channel: "general", Target: "extras", Values: []string{"Milk", "sugar"}},
	} {
		_, err := w.srv.Act(act)
		must(err)
	}
	cmd, err := w.srv.RunCommand(slack.Command{User: "ada", Channel: "general", Command: "/order", Text: "tea"})
	must(err)
	w.settle(t)
	modal := slackgo.ModalViewRequest{Type: slackgo.VTModal, Title: slackgo.NewTextBlockObject("plain_text", "Order", false, false),
		CallbackID: "order", Blocks: slackgo.Blocks{BlockSet: []slackgo.Block{
			slackgo.NewInputBlock("drink", slackgo.NewTextBlockObject("plain_text", "Drink", false, false), nil,
				slackgo.NewPlainTextInputBlockElement(nil, "drink_input")),
		}}}
	v, err := w.api.OpenView(cmd.TriggerID, modal)
	must(err)
	_, err = w.srv.Submit(slack.Submission{User: "ada", Values: map[string]string{"Drink": "chai"}})
	must(err)
	w.settle(t)

	var events []string
	var actions []string
	for i, r := range a.requests() {
		if r.VerifyErr != nil || r.ParseErr != nil {
			t.Errorf("request %d (%s): verify %v, parse %v: %s", i, r.Kind, r.VerifyErr, r.ParseErr, r.Body)
		}
		switch r.Kind {
		case "event":
			typ := r.Event.InnerEvent.Type
			if me, ok := r.Event.InnerEvent.Data.(*slackevents.MessageEvent); ok && me.SubType != "" {
				typ += "/" + me.SubType
			}
			events = append(events, typ)
			if r.Event.TeamID != slack.DefaultTeamID || r.Event.APIAppID != slack.DefaultAppID {
				t.Errorf("envelope = %+v", r.Event)
			}
		case "interaction":
			ic := r.Interaction
			switch ic.Type {
			case slackgo.InteractionTypeBlockActions:
				if len(ic.ActionCallback.BlockActions) != 1 || ic.ActionCallback.BlockActions[0].BlockID == "" || ic.ResponseURL == "" || ic.TriggerID == "" {
					t.Errorf("block_actions = %+v", ic)
					continue
				}
				ba := ic.ActionCallback.BlockActions[0]
				got := string(ba.Type) + ":" + ba.ActionID
				switch {
				case ba.SelectedOption.Value != "":
					got += "=" + ba.SelectedOption.Value
				case ba.SelectedDate != "":
					got += "=" + ba.SelectedDate
				case ba.SelectedUser != "":
					got += "=" + ba.SelectedUser
				case len(ba.SelectedOptions) > 0:
					got += "=" + ba.SelectedOptions[0].Value + "," + ba.SelectedOptions[1].Value
				default:
					got += "=" + ba.Value
				}
				actions = append(actions, got)
			case slackgo.InteractionTypeViewSubmission:
				if ic.View.ID != v.ID || ic.View.State.Values["drink"]["drink_input"].Value != "chai" {
					t.Errorf("view_submission = %+v", ic.View)
				}
				actions = append(actions, "view_submission")
			}
		case "command":
			if r.Command.Command != "/order" || r.Command.Text != "tea" || r.Command.ResponseURL == "" || r.Command.TriggerID == "" || r.Command.UserName != "ada" {
				t.Errorf("command = %+v", r.Command)
			}
			actions = append(actions, "command")
		}
	}
	wantEvents := "message message app_mention message message message/message_changed reaction_added reaction_removed " +
		"message/message_deleted message/channel_leave member_left_channel member_joined_channel message/channel_join channel_created " +
		"member_joined_channel message/channel_join message/bot_message message message"
	if got := strings.Join(events, " "); got != wantEvents {
		t.Errorf("events:\n got %s\nwant %s", got, wantEvents)
	}
	wantActions := "static_select:size=l overflow:more=cancel datepicker:when=2026-01-02 users_select:who=U0GRACE " +
		"checkboxes:extras=milk,sugar command view_submission"
	if len(actions) == 0 || !strings.HasPrefix(actions[0], "button:") || !strings.HasSuffix(actions[0], "=go") ||
		strings.Join(actions[1:], " ") != wantActions {
		t.Errorf("actions:\n got %s\nwant button:…=go %s", strings.Join(actions, " "), wantActions)
	}
	// The command's in_channel answer shows in the channel.
	lines := w.srv.Transcript("general")
	if last := lines[len(lines)-1]; last != "bot  ◂ order placed" {
		t.Errorf("last line = %q", last)
	}
}

// TestRequestURLRefused checks that an app that does not echo the
// challenge keeps the Request URL unset.
func TestRequestURLRefused(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	bad := newApp(t, w.srv.SigningSecret(), nil)
	bad.srv.Config.Handler = http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) { rw.WriteHeader(200) })
	err := w.srv.SetRequestURL(context.Background(), bad.srv.URL)
	if !errors.Is(err, slack.ErrRefused) {
		t.Fatalf("err = %v, want ErrRefused", err)
	}
	if _, ok := w.srv.Service()["requestUrl"]; ok {
		t.Error("request URL set after a refused verification")
	}
}

// Replayed interactivity and slash commands are re-signed and carry this
// fake's token and response_url: slack-go verifies and parses them.
func TestReplayedInteractionsParseWithSlackGo(t *testing.T) {
	t.Parallel()
	click := `{"type":"block_actions","user":{"id":"U0ADA","username":"ada","name":"ada","team_id":"T0CHATSIM"},"api_app_id":"A0CHATSIM","token":"OLD",` +
		`"container":{"type":"message","message_ts":"1700000000.000100","channel_id":"C0GENERAL","is_ephemeral":false},"trigger_id":"1700000000.1.abc",` +
		`"team":{"id":"T0CHATSIM","domain":"chatsim"},"channel":{"id":"C0GENERAL","name":"general"},` +
		`"message":{"type":"message","user":"U0CHATBOT","bot_id":"B0CHATBOT","ts":"1700000000.000100","text":"pick","blocks":[{"type":"actions","block_id":"b","elements":[{"type":"button","action_id":"go","text":{"type":"plain_text","text":"Go"},"value":"go"}]}]},` +
		`"state":{"values":{}},"response_url":"https://hooks.slack.com/actions/T0CHATSIM/1/x",` +
		`"actions":[{"action_id":"go","block_id":"b","type":"button","value":"go","text":{"type":"plain_text","text":"Go"},"action_ts":"1700000001.000200"}]}`
	command := url.Values{"token": {"OLD"}, "team_id": {"T0CHATSIM"}, "team_domain": {"chatsim"}, "channel_id": {"C0GENERAL"}, "channel_name": {"general"},
		"user_id": {"U0ADA"}, "user_name": {"ada"}, "command": {"/order"}, "text": {"tea"}, "api_app_id": {"A0CHATSIM"},
		"is_enterprise_install": {"false"}, "response_url": {"https://hooks.slack.com/commands/T0CHATSIM/1/x"}, "trigger_id": {"1700000000.2.def"}}
	w := newWorld(t)
	a := newApp(t, w.srv.SigningSecret(), nil)
	if err := w.srv.SetWebhookTarget(context.Background(), a.srv.URL); err != nil {
		t.Fatal(err)
	}
	for _, d := range []fakes.Delivery{
		{Kind: "block_actions", Body: []byte(url.Values{"payload": {click}}.Encode())},
		{Kind: "slash_command", Body: []byte(command.Encode())},
	} {
		if _, err := w.srv.Replay(context.Background(), d); err != nil {
			t.Fatal(err)
		}
	}
	w.settle(t)
	rs := a.requests()
	if len(rs) != 3 {
		t.Fatalf("requests = %d, want url_verification, block_actions and the command", len(rs))
	}
	for _, r := range rs[1:] {
		if r.VerifyErr != nil || r.ParseErr != nil {
			t.Errorf("%s: verify %v, parse %v", r.Kind, r.VerifyErr, r.ParseErr)
		}
	}
	ic, cmd := rs[1].Interaction, rs[2].Command
	if ic.Token != slack.DefaultVerificationToken || !strings.HasPrefix(ic.ResponseURL, w.srv.URL()+"/hooks/") ||
		len(ic.ActionCallback.BlockActions) != 1 || ic.ActionCallback.BlockActions[0].Value != "go" {
		t.Errorf("block_actions = token %q, response_url %q, actions %+v", ic.Token, ic.ResponseURL, ic.ActionCallback.BlockActions)
	}
	if cmd.Token != slack.DefaultVerificationToken || !strings.HasPrefix(cmd.ResponseURL, w.srv.URL()+"/hooks/") || cmd.Text != "tea" {
		t.Errorf("command = %+v", cmd)
	}
	// The replayed response_url works: the click's message is replaced.
	if err := slackgo.PostWebhookContext(context.Background(), ic.ResponseURL, &slackgo.WebhookMessage{Text: "chosen", ReplaceOriginal: true}); err != nil {
		t.Fatalf("response_url: %v", err)
	}
	if got := w.srv.Transcript("general"); len(got) == 0 || got[0] != "bot  ◂ chosen (edited)" {
		t.Errorf("transcript = %q", got)
	}
}

// A replayed event's id is not handed out again: the events the fake sends
// after it get later ids, even when the recording came from a fake whose
// ids have the same form.
func TestReplayedEventIDIsNotReused(t *testing.T) {
	t.Parallel()
	recorded := `{"type":"event_callback","event_id":"Ev0000000002","event":{"type":"message","user":"U0ADA","text":"hi","ts":"1700000000.000100","channel":"C0GENERAL"}}`
	w := newWorld(t)
	a := newApp(t, w.srv.SigningSecret(), nil)
	if err := w.srv.SetWebhookTarget(context.Background(), a.srv.URL); err != nil {
		t.Fatal(err)
	}
	if _, err := w.srv.Replay(context.Background(), fakes.Delivery{Kind: "event_callback", Body: []byte(recorded)}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.srv.Send(slack.Post{User: "grace", Channel: "general", Text: "later"}); err != nil {
		t.Fatal(err)
	}
	w.settle(t)
	var ids []string
	for _, e := range w.srv.Events() {
		ids = append(ids, e.ID)
	}
	if strings.Join(ids, " ") != "Ev0000000002 Ev0000000003" {
		t.Errorf("event ids = %v, want the replayed one, then a later one", ids)
	}
}
