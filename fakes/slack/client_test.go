package slack_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chatsim/chatsim/fakes/slack"
	slackgo "github.com/slack-go/slack"
)

func menuBlocks() slackgo.MsgOption {
	return slackgo.MsgOptionBlocks(
		slackgo.NewSectionBlock(slackgo.NewTextBlockObject("mrkdwn", "What would you like?", false, false), nil, nil),
		slackgo.NewActionBlock("menu",
			slackgo.NewButtonBlockElement("tea", "tea", slackgo.NewTextBlockObject("plain_text", "Tea", false, false)),
			slackgo.NewButtonBlockElement("coffee", "coffee", slackgo.NewTextBlockObject("plain_text", "Coffee", false, false)),
		),
	)
}

// TestSlackGoMethods calls every Web API method the fake implements through
// slack-go and checks the answer and the fake's state.
func TestSlackGoMethods(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		run  func(t *testing.T, w *world)
	}{
		{"auth.test", func(t *testing.T, w *world) {
			r, err := w.api.AuthTest()
			if err != nil {
				t.Fatal(err)
			}
			if r.TeamID != slack.DefaultTeamID || r.UserID != slack.DefaultBotUserID || r.BotID != slack.DefaultBotID || r.URL != "https://chatsim.slack.com/" {
				t.Errorf("auth.test = %+v", r)
			}
		}},
		{"chat.postMessage with blocks, thread and history", func(t *testing.T, w *world) {
			ch, ts, err := w.api.PostMessage("C0GENERAL", slackgo.MsgOptionText("menu", false), menuBlocks())
			if err != nil {
				t.Fatal(err)
			}
			if ch != "C0GENERAL" || ts != "1767225600.000100" {
				t.Errorf("post = %s %s, want C0GENERAL 1767225600.000100", ch, ts)
			}
			_, reply, err := w.api.PostMessage("general", slackgo.MsgOptionText("in thread", false), slackgo.MsgOptionTS(ts))
			if err != nil {
				t.Fatal(err)
			}
			h, err := w.api.GetConversationHistory(&slackgo.GetConversationHistoryParameters{ChannelID: "C0GENERAL"})
			if err != nil {
				t.Fatal(err)
			}
			if len(h.Messages) != 1 || h.Messages[0].Timestamp != ts || h.Messages[0].ReplyCount != 1 || len(h.Messages[0].Blocks.BlockSet) != 2 {
				t.Fatalf("history = %+v", h.Messages)
			}
			if h.Messages[0].BotID != slack.DefaultBotID {
				t.Errorf("bot_id = %q", h.Messages[0].BotID)
			}
			msgs, _, _, err := w.api.GetConversationReplies(&slackgo.GetConversationRepliesParameters{ChannelID: "C0GENERAL", Timestamp: ts})
			if err != nil {
				t.Fatal(err)
			}
			if len(msgs) != 2 || msgs[1].Timestamp != reply || msgs[1].ThreadTimestamp != ts {
				t.Fatalf("replies = %+v", msgs)
			}
			want := `chat.postMessage channel=C0GENERAL "menu" blocks[section, actions[Tea][Coffee]]`
			if got := w.lines()[0]; got != want {
				t.Errorf("journal = %q, want %q", got, want)
			}
		}},
		{"chat.postMessage errors", func(t *testing.T, w *world) {
			for ch, want := range map[string]string{"C0NOPE": "channel_not_found", "C0RANDOM": "not_in_channel", "": "channel_not_found"} {
				_, _, err := w.api.PostMessage(ch, slackgo.MsgOptionText("x", false))
				if err == nil || err.Error() != want {
					t.Errorf("post to %q: err = %v, want %s", ch, err, want)
				}
			}
			if _, _, err := w.api.PostMessage("C0GENERAL"); err == nil || err.Error() != "no_text" {
				t.Errorf("empty post: err = %v, want no_text", err)
			}
			bad := slackgo.New("xoxb-nope", slackgo.OptionAPIURL(w.srv.APIURL()))
			if _, err := bad.AuthTest(); err == nil || err.Error() != "invalid_auth" {
				t.Errorf("bad token: err = %v, want invalid_auth", err)
			}
			none := slackgo.New("", slackgo.OptionAPIURL(w.srv.APIURL()))
			if _, err := none.AuthTest(); err == nil || err.Error() != "not_authed" {
				t.Errorf("no token: err = %v, want not_authed", err)
			}
		}},
		{"chat.postMessage to a user opens the DM", func(t *testing.T, w *world) {
			ch, _, err := w.api.PostMessage("U0GRACE", slackgo.MsgOptionText("hello grace", false))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(ch, "D") {
				t.Errorf("channel = %q, want a D… id", ch)
			}
			msgs, _ := w.srv.Messages(ch)
			if len(msgs) != 1 || msgs[0].Text != "hello grace" {
				t.Errorf("DM = %+v", msgs)
			}
		}},
		{"chat.update and chat.delete", func(t *testing.T, w *world) {
			_, ts, err := w.api.PostMessage("C0GENERAL", slackgo.MsgOptionText("v1", false))
			if err != nil {
				t.Fatal(err)
			}
			_, _, text, err := w.api.UpdateMessage("C0GENERAL", ts, slackgo.MsgOptionText("v2", false))
			if err != nil || text != "v2" {
				t.Fatalf("update = %q, %v", text, err)
			}
			user, err := w.srv.Send(slack.Post{User: "ada", Channel: "general", Text: "mine"})
			if err != nil {
				t.Fatal(err)
			}
			if _, _, _, err := w.api.UpdateMessage("C0GENERAL", user.TS, slackgo.MsgOptionText("x", false)); err == nil || err.Error() != "cant_update_message" {
				t.Errorf("update someone else's: %v, want cant_update_message", err)
			}
			if _, _, _, err := w.api.UpdateMessage("C0GENERAL", "1.000000", slackgo.MsgOptionText("x", false)); err == nil || err.Error() != "message_not_found" {
				t.Errorf("update missing: %v, want message_not_found", err)
			}
			if _, _, err := w.api.DeleteMessage("C0GENERAL", ts); err != nil {
				t.Fatal(err)
			}
			if _, _, err := w.api.DeleteMessage("C0GENERAL", ts); err == nil || err.Error() != "message_not_found" {
				t.Errorf("delete twice: %v, want message_not_found", err)
			}
			msgs, _ := w.srv.Messages("general")
			if len(msgs) != 1 || msgs[0].Text != "mine" {
				t.Errorf("messages = %+v", msgs)
			}
		}},
		{"chat.postEphemeral and chat.getPermalink", func(t *testing.T, w *world) {
			ts, err := w.api.PostEphemeral("C0GENERAL", "U0ADA", slackgo.MsgOptionText("psst", false))
			if err != nil || ts == "" {
				t.Fatalf("ephemeral = %q, %v", ts, err)
			}
			h, _ := w.api.GetConversationHistory(&slackgo.GetConversationHistoryParameters{ChannelID: "C0GENERAL"})
			if len(h.Messages) != 0 {
				t.Errorf("ephemeral shows in history: %+v", h.Messages)
			}
			_, ts, _ = w.api.PostMessage("C0GENERAL", slackgo.MsgOptionText("hi", false))
			link, err := w.api.GetPermalink(&slackgo.PermalinkParameters{Channel: "C0GENERAL", Ts: ts})
			if err != nil {
				t.Fatal(err)
			}
			if want := "https://chatsim.slack.com/archives/C0GENERAL/p" + strings.Replace(ts, ".", "", 1); link != want {
				t.Errorf("permalink = %q, want %q", link, want)
			}
		}},
		{"reactions.add and reactions.remove", func(t *testing.T, w *world) {
			m, _ := w.srv.Send(slack.Post{User: "ada", Channel: "general", Text: "hi"})
			ref := slackgo.NewRefToMessage("C0GENERAL", m.TS)
			if err := w.api.AddReaction("thumbsup", ref); err != nil {
				t.Fatal(err)
			}
			if err := w.api.AddReaction("thumbsup", ref); err == nil || err.Error() != "already_reacted" {
				t.Errorf("twice: %v, want already_reacted", err)
			}
			msgs, _ := w.srv.Messages("general")
			if len(msgs[0].Reactions) != 1 || msgs[0].Reactions[0].Users[0] != slack.DefaultBotUserID {
				t.Errorf("reactions = %+v", msgs[0].Reactions)
			}
			if err := w.api.RemoveReaction("thumbsup", ref); err != nil {
				t.Fatal(err)
			}
			if err := w.api.RemoveReaction("thumbsup", ref); err == nil || err.Error() != "no_reaction" {
				t.Errorf("remove twice: %v, want no_reaction", err)
			}
		}},
		{"conversations.info, members, list, join", func(t *testing.T, w *world) {
			ch, err := w.api.GetConversationInfo(&slackgo.GetConversationInfoInput{ChannelID: "C0GENERAL", IncludeNumMembers: true})
			if err != nil {
				t.Fatal(err)
			}
			if ch.Name != "general" || !ch.IsMember || !ch.IsGeneral || ch.NumMembers != 3 {
				t.Errorf("info = %+v", ch)
			}
			members, _, err := w.api.GetUsersInConversation(&slackgo.GetUsersInConversationParameters{ChannelID: "C0GENERAL"})
			if err != nil || strings.Join(members, ",") != "U0ADA,U0GRACE,U0CHATBOT" {
				t.Errorf("members = %v, %v", members, err)
			}
			list, _, err := w.api.GetConversations(&slackgo.GetConversationsParameters{Types: []string{"public_channel", "im"}})
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, c := range list {
				ids = append(ids, c.ID)
			}
			if strings.Join(ids, ",") != "C0GENERAL,C0RANDOM,D0ADA" {
				t.Errorf("list = %v", ids)
			}
			if _, warn, _, err := w.api.JoinConversation("C0RANDOM"); err != nil || warn != "" {
				t.Fatalf("join = %q, %v", warn, err)
			}
			if _, warn, _, err := w.api.JoinConversation("C0RANDOM"); err != nil || warn != "already_in_channel" {
				t.Errorf("join twice = %q, %v", warn, err)
			}
			if _, err := w.api.GetConversationInfo(&slackgo.GetConversationInfoInput{ChannelID: "C0NOPE"}); err == nil || err.Error() != "channel_not_found" {
				t.Errorf("missing: %v", err)
			}
		}},
		{"conversations.open", func(t *testing.T, w *world) {
			ch, noOp, already, err := w.api.OpenConversation(&slackgo.OpenConversationParameters{Users: []string{"U0ADA"}})
			if err != nil || ch.ID != "D0ADA" || !noOp || !already {
				t.Errorf("open ada = %+v %v %v %v", ch, noOp, already, err)
			}
			ch, noOp, _, err = w.api.OpenConversation(&slackgo.OpenConversationParameters{Users: []string{"U0GRACE"}, ReturnIM: true})
			if err != nil || !strings.HasPrefix(ch.ID, "D") || noOp || !ch.IsIM {
				t.Errorf("open grace = %+v %v %v", ch, noOp, err)
			}
			ch, _, _, err = w.api.OpenConversation(&slackgo.OpenConversationParameters{Users: []string{"U0GRACE", "U0ADA"}})
			if err != nil || !strings.HasPrefix(ch.ID, "G") {
				t.Errorf("open mpim = %+v %v", ch, err)
			}
			if _, _, _, err := w.api.OpenConversation(&slackgo.OpenConversationParameters{Users: []string{"U0NOPE"}}); err == nil || err.Error() != "user_not_found" {
				t.Errorf("unknown user: %v", err)
			}
		}},
		{"users.info, users.list, users.lookupByEmail", func(t *testing.T, w *world) {
			u, err := w.api.GetUserInfo("U0ADA")
			if err != nil || u.Name != "ada" || u.RealName != "Ada Lovelace" || u.Profile.Email != "ada@example.com" || u.TZ != "Europe/London" {
				t.Errorf("info = %+v %v", u, err)
			}
			users, err := w.api.GetUsers()
			if err != nil || len(users) != 3 || !users[0].IsBot {
				t.Errorf("list = %d %v", len(users), err)
			}
			u, err = w.api.GetUserByEmail("grace@example.com")
			if err != nil || u.ID != "U0GRACE" {
				t.Errorf("lookup = %+v %v", u, err)
			}
			if _, err := w.api.GetUserByEmail("nobody@example.com"); err == nil || err.Error() != "users_not_found" {
				t.Errorf("lookup nobody: %v", err)
			}
			if _, err := w.api.GetUserInfo("U0NOPE"); err == nil || err.Error() != "user_not_found" {
				t.Errorf("info nobody: %v", err)
			}
		}},
		{"team.info and bots.info", func(t *testing.T, w *world) {
			team, err := w.api.GetTeamInfo()
			if err != nil || team.ID != slack.DefaultTeamID || team.Domain != "chatsim" {
				t.Errorf("team = %+v %v", team, err)
			}
			bot, err := w.api.GetBotInfo(slackgo.GetBotInfoParameters{Bot: slack.DefaultBotID})
			if err != nil || bot.AppID != slack.DefaultAppID || bot.UserID != slack.DefaultBotUserID {
				t.Errorf("bot = %+v %v", bot, err)
			}
		}},
		{"views.open, views.update, views.publish", func(t *testing.T, w *world) {
			res, err := w.srv.RunCommand(slack.Command{User: "ada", Channel: "general", Command: "/order"})
			if err != nil {
				t.Fatal(err)
			}
			modal := slackgo.ModalViewRequest{Type: slackgo.VTModal, Title: slackgo.NewTextBlockObject("plain_text", "Order", false, false),
				CallbackID: "order", Blocks: slackgo.Blocks{BlockSet: []slackgo.Block{
					slackgo.NewInputBlock("drink", slackgo.NewTextBlockObject("plain_text", "Drink", false, false), nil,
						slackgo.NewPlainTextInputBlockElement(nil, "drink_input")),
				}}}
			v, err := w.api.OpenView(res.TriggerID, modal)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(v.ID, "V") || v.CallbackID != "order" || v.TeamID != slack.DefaultTeamID {
				t.Errorf("view = %+v", v.View)
			}
			if _, err := w.api.OpenView(res.TriggerID, modal); err == nil || err.Error() != "exchanged_trigger_id" {
				t.Errorf("reused trigger: %v", err)
			}
			modal.Title = slackgo.NewTextBlockObject("plain_text", "Order 2", false, false)
			u, err := w.api.UpdateView(modal, "", v.Hash, v.ID)
			if err != nil || u.Title.Text != "Order 2" {
				t.Errorf("update = %+v %v", u, err)
			}
			if _, err := w.api.UpdateView(modal, "", "stale-hash", v.ID); err == nil || err.Error() != "hash_conflict" {
				t.Errorf("stale hash: %v", err)
			}
			home := slackgo.HomeTabViewRequest{Type: slackgo.VTHomeTab, Blocks: slackgo.Blocks{BlockSet: []slackgo.Block{
				slackgo.NewSectionBlock(slackgo.NewTextBlockObject("mrkdwn", "Welcome", false, false), nil, nil)}}}
			p, err := w.api.PublishView("U0ADA", home, "")
			if err != nil || p.Type != slackgo.VTHomeTab {
				t.Errorf("publish = %+v %v", p, err)
			}
		}},
		{"views.open with an expired trigger", func(t *testing.T, w *world) {
			res, _ := w.srv.RunCommand(slack.Command{User: "ada", Channel: "general", Command: "/order"})
			w.clock.Advance(4e9)
			modal := slackgo.ModalViewRequest{Type: slackgo.VTModal, Title: slackgo.NewTextBlockObject("plain_text", "Order", false, false)}
			if _, err := w.api.OpenView(res.TriggerID, modal); err == nil || err.Error() != "expired_trigger_id" {
				t.Errorf("expired: %v, want expired_trigger_id", err)
			}
		}},
		{"files upload v2", func(t *testing.T, w *world) {
			f, err := w.api.UploadFile(slackgo.UploadFileParameters{Filename: "menu.txt", FileSize: 9, Content: "tea, cafe", Channel: "C0GENERAL", Title: "Menu"})
			if err != nil {
				t.Fatal(err)
			}
			if data, ok := w.srv.FileContent(f.ID); !ok || string(data) != "tea, cafe" {
				t.Errorf("content = %q %v", data, ok)
			}
			msgs, _ := w.srv.Messages("general")
			if len(msgs) != 1 || len(msgs[0].Files) != 1 || msgs[0].Files[0].Title != "Menu" {
				t.Errorf("messages = %+v", msgs)
			}
		}},
		{"apps.connections.open needs the app token", func(t *testing.T, w *world) {
			app := slackgo.New(w.srv.BotToken(), slackgo.OptionAPIURL(w.srv.APIURL()), slackgo.OptionAppLevelToken(w.srv.AppToken()))
			_, u, err := app.StartSocketModeContext(context.Background())
			if err != nil || !strings.HasPrefix(u, "ws://127.0.0.1:") {
				t.Errorf("open = %q %v", u, err)
			}
			bad := slackgo.New(w.srv.BotToken(), slackgo.OptionAPIURL(w.srv.APIURL()), slackgo.OptionAppLevelToken(w.srv.BotToken()))
			if _, _, err := bad.StartSocketModeContext(context.Background()); err == nil || err.Error() != "not_allowed_token_type" {
				t.Errorf("bot token: %v", err)
			}
		}},
		{"JSON body with a Bearer header and a token in the form", func(t *testing.T, w *world) {
			req, _ := http.NewRequest(http.MethodPost, w.srv.APIURL()+"chat.postMessage",
				strings.NewReader(`{"channel":"C0GENERAL","text":"json","blocks":[{"type":"divider"}]}`))
			req.Header.Set("Content-Type", "application/json; charset=utf-8")
			req.Header.Set("Authorization", "Bearer "+w.srv.BotToken())
			resp, err := http.DefaultClient.Do(req)
			if err != nil || resp.StatusCode != 200 {
				t.Fatalf("json post: %v %v", resp, err)
			}
			resp.Body.Close()
			form := url.Values{"token": {w.srv.BotToken()}, "channel": {"C0GENERAL"}, "text": {"form"}, "blocks": {`[{"type":"divider"}]`}}
			resp, err = http.PostForm(w.srv.APIURL()+"chat.postMessage", form)
			if err != nil || resp.StatusCode != 200 {
				t.Fatalf("form post: %v %v", resp, err)
			}
			resp.Body.Close()
			msgs, _ := w.srv.Messages("general")
			if len(msgs) != 2 || msgs[0].Text != "json" || msgs[1].Text != "form" || len(msgs[1].Blocks) == 0 {
				t.Errorf("messages = %+v", msgs)
			}
		}},
		{"faults answer ratelimited and API errors", func(t *testing.T, w *world) {
			w.srv.Faults().Add(fakesFault("chat.postMessage", 429, "", 2))
			_, _, err := w.api.PostMessage("C0GENERAL", slackgo.MsgOptionText("x", false))
			var rl *slackgo.RateLimitedError
			if !errors.As(err, &rl) || rl.RetryAfter.Seconds() != 2 {
				t.Errorf("429 fault: %v", err)
			}
			w.srv.Faults().Add(fakesFault("chat.postMessage", 0, "is_archived", 0))
			if _, _, err := w.api.PostMessage("C0GENERAL", slackgo.MsgOptionText("x", false)); err == nil || err.Error() != "is_archived" {
				t.Errorf("api error fault: %v", err)
			}
			// A 4xx fault is an API error as Slack sends them: HTTP 200.
			w.srv.Faults().Add(fakesFault("chat.postMessage", 400, "channel_not_found", 0))
			if _, _, err := w.api.PostMessage("C0GENERAL", slackgo.MsgOptionText("x", false)); err == nil || err.Error() != "channel_not_found" {
				t.Errorf("4xx fault: %v", err)
			}
			w.srv.Faults().Add(fakesFault("chat.postMessage", 503, "", 0))
			var se slackgo.StatusCodeError
			if _, _, err := w.api.PostMessage("C0GENERAL", slackgo.MsgOptionText("x", false)); !errors.As(err, &se) || se.Code != 503 {
				t.Errorf("5xx fault: %v", err)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t, newWorld(t))
		})
	}
}
