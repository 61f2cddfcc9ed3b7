package rocketchat_test

import (
	"encoding/json"
	"io/fs"
	"net/url"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/chatsim/chatsim/examples/rocketchat"
	"github.com/chatsim/chatsim/fakes/botpress"
	"github.com/chatsim/chatsim/recorder/cassette"
)

// loadCassette reads one bundled cassette.
func loadCassette(tb testing.TB, name string) (cassette.Header, []cassette.Entry) {
	tb.Helper()
	f, err := rocketchat.Cassettes().Open(name)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	r, err := cassette.NewReader(f, name)
	if err != nil {
		tb.Fatal(err)
	}
	var es []cassette.Entry
	for e, err := range r.All() {
		if err != nil {
			tb.Fatal(err)
		}
		es = append(es, e)
	}
	return r.Header(), es
}

// interactionOf decodes the payload of a block_actions entry.
func interactionOf(tb testing.TB, e cassette.Entry) string {
	tb.Helper()
	form, err := url.ParseQuery(e.Request.Body.String())
	if err != nil || !form.Has("payload") {
		tb.Fatalf("%s: body is not a payload= form: %v", e.Location(), err)
	}
	return form.Get("payload")
}

// Every bundled cassette replays through the integration, the mock
// platform (with the cassette's bot rules and contract checks) and the
// Rocket.Chat stub: each delivery gets its recorded answer, and the
// platform and Rocket.Chat see what the conversation says.
func TestReplayCassettes(t *testing.T) {
	t.Parallel()
	const (
		choiceBlocks = `[{"block_id":"text","text":{"text":"What would you like?","type":"mrkdwn"},"type":"section"},` +
			`{"block_id":"actions","elements":[{"action_id":"choice-0","text":{"text":"Tea","type":"plain_text"},"type":"button","value":"tea"},` +
			`{"action_id":"choice-1","text":{"text":"Coffee","type":"plain_text"},"type":"button","value":"coffee"}],"type":"actions"}]`
	)
	tests := []struct {
		cassette     string
		wantMessages []string
		wantRC       []string
	}{
		{
			cassette: "exchange.cassette",
			wantMessages: []string{
				`incoming text {"text":"hello"} tags{id=rcmsg000000000001, roomId=GENERAL}`,
				`outgoing text {"text":"Hello! Say menu, sizes or book."} tags{id=rcmsg000000000002, roomId=GENERAL}`,
				`incoming text {"text":"what can you do?"} tags{id=rcmsg000000000003, roomId=GENERAL}`,
				`outgoing text {"text":"I take orders: say menu."} tags{id=rcmsg000000000004, roomId=GENERAL}`,
			},
			wantRC: []string{
				`GET users.info?userId=ada0000000000000A`,
				`POST chat.postMessage {"roomId":"GENERAL","text":"Hello! Say menu, sizes or book."}`,
				`GET users.info?userId=grace00000000000G`,
				`POST chat.postMessage {"roomId":"GENERAL","text":"I take orders: say menu."}`,
			},
		},
		{
			cassette: "button.cassette",
			wantMessages: []string{
				`incoming text {"text":"menu"} tags{id=rcmsg000000000001, roomId=GENERAL}`,
				`outgoing choice {"options":[{"label":"Tea","value":"tea"},{"label":"Coffee","value":"coffee"}],"text":"What would you like?"} tags{id=rcmsg000000000002, roomId=GENERAL}`,
				`incoming text {"text":"coffee"} tags{id=interaction:interact000000001, roomId=GENERAL}`,
				`outgoing text {"text":"One coffee coming up."} tags{id=rcmsg000000000003, roomId=GENERAL}`,
			},
			wantRC: []string{
				`GET users.info?userId=ada0000000000000A`,
				`POST chat.sendMessage {"message":{"blocks":` + choiceBlocks + `,"msg":"What would you like?","rid":"GENERAL"}}`,
				`POST response_url {"blocks":[{"block_id":"text","text":{"text":"What would you like?","type":"mrkdwn"},"type":"section"},` +
					`{"block_id":"chosen","elements":[{"text":"✓ Coffee chosen by @ada","type":"mrkdwn"}],"type":"context"}],"replace_original":true,"text":"What would you like?"}`,
				`POST chat.postMessage {"roomId":"GENERAL","text":"One coffee coming up."}`,
			},
		},
		{
			cassette: "menu.cassette",
			wantMessages: []string{
				`incoming text {"text":"sizes"} tags{id=rcmsg000000000001, roomId=GENERAL}`,
				`outgoing dropdown {"options":[{"label":"Small","value":"small"},{"label":"Medium","value":"medium"},{"label":"Large","value":"large"}],"text":"Which size?"} tags{id=rcmsg000000000002, roomId=GENERAL}`,
				`incoming text {"text":"medium"} tags{id=interaction:interact000000001, roomId=GENERAL}`,
				`outgoing text {"text":"Medium it is."} tags{id=rcmsg000000000003, roomId=GENERAL}`,
			},
			wantRC: []string{
				`GET users.info?userId=ada0000000000000A`,
				`POST chat.sendMessage {"message":{"blocks":[{"block_id":"text","text":{"text":"Which size?","type":"mrkdwn"},"type":"section"},` +
					`{"block_id":"actions","elements":[{"action_id":"dropdown","options":[{"text":{"text":"Small","type":"plain_text"},"value":"small"},` +
					`{"text":{"text":"Medium","type":"plain_text"},"value":"medium"},{"text":{"text":"Large","type":"plain_text"},"value":"large"}],` +
					`"placeholder":{"text":"Choose an option","type":"plain_text"},"type":"static_select"}],"type":"actions"}],"msg":"Which size?","rid":"GENERAL"}}`,
				`POST response_url {"blocks":[{"block_id":"text","text":{"text":"Which size?","type":"mrkdwn"},"type":"section"},` +
					`{"block_id":"chosen","elements":[{"text":"✓ Medium chosen by @ada","type":"mrkdwn"}],"type":"context"}],"replace_original":true,"text":"Which size?"}`,
				`POST chat.postMessage {"roomId":"GENERAL","text":"Medium it is."}`,
			},
		},
		{
			cassette: "datepicker.cassette",
			wantMessages: []string{
				`incoming text {"text":"book"} tags{id=rcmsg000000000001, roomId=GENERAL}`,
				`outgoing datepicker {"initialDate":"2026-01-10","placeholder":"Pick a day","text":"When would you like to come?"} tags{id=rcmsg000000000002, roomId=GENERAL}`,
				`incoming text {"text":"2026-01-15"} tags{id=interaction:interact000000001, roomId=GENERAL}`,
				`outgoing text {"text":"Booked for 2026-01-15."} tags{id=rcmsg000000000003, roomId=GENERAL}`,
			},
			wantRC: []string{
				`GET users.info?userId=ada0000000000000A`,
				`POST chat.sendMessage {"message":{"blocks":[{"block_id":"text","text":{"text":"When would you like to come?","type":"mrkdwn"},"type":"section"},` +
					`{"block_id":"actions","elements":[{"action_id":"datepicker","initial_date":"2026-01-10","placeholder":{"text":"Pick a day","type":"plain_text"},"type":"datepicker"}],"type":"actions"}],` +
					`"msg":"When would you like to come?","rid":"GENERAL"}}`,
				`POST response_url {"blocks":[{"block_id":"text","text":{"text":"When would you like to come?","type":"mrkdwn"},"type":"section"},` +
					`{"block_id":"chosen","elements":[{"text":"✓ 2026-01-15 chosen by @ada","type":"mrkdwn"}],"type":"context"}],"replace_original":true,"text":"When would you like to come?"}`,
				`POST chat.postMessage {"roomId":"GENERAL","text":"Booked for 2026-01-15."}`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.cassette, func(t *testing.T) {
			t.Parallel()
			h, entries := loadCassette(t, tt.cassette)
			rules, err := botpress.ParseBotRules(h.Bot, tt.cassette)
			if err != nil {
				t.Fatal(err)
			}
			// The stub numbers the bot's messages as the recording
			// server did: right after the message they answer.
			w := newWorld(t, worldConfig{rules: rules, config: string(h.Configuration), firstMsg: 2})
			for _, e := range entries {
				if e.Kind == "outgoing" {
					// A person's message takes a number too: the bot's
					// next message comes after it.
					var m struct {
						MessageID string `json:"message_id"`
					}
					_ = json.Unmarshal(e.Request.Body.Bytes(), &m)
					w.rc.seen(m.MessageID)
				}
				body := strings.ReplaceAll(e.Request.Body.String(), "${ROCKETCHAT_OUTGOING_TOKEN}", secret)
				body = strings.ReplaceAll(body, "${ROCKETCHAT_RESPONSE_URL}", url.QueryEscape(w.rc.responseURL()))
				status, answer := w.deliver(t, e.Request.Headers.Get("Content-Type"), body)
				if status != e.Response.Status || answer != e.Response.Body.String() {
					t.Errorf("%s: answer %d %s, recorded %d %s", e.Location(), status, answer, e.Response.Status, e.Response.Body)
				}
			}
			diff(t, "platform messages", w.messages(), tt.wantMessages)
			diff(t, "Rocket.Chat calls", w.rc.recorded(), tt.wantRC)
			w.noViolations(t)
			if t.Failed() {
				t.Logf("journal:\n%s", w.journalText())
			}

			// What the integration sent Rocket.Chat parses as Block Kit.
			for _, c := range w.rc.all() {
				var blocks json.RawMessage
				switch c.Endpoint {
				case "chat.sendMessage":
					var p struct {
						Message struct {
							Blocks json.RawMessage `json:"blocks"`
						} `json:"message"`
					}
					_ = json.Unmarshal([]byte(c.Body), &p)
					blocks = p.Message.Blocks
				case "response_url":
					var p struct {
						Blocks json.RawMessage `json:"blocks"`
					}
					_ = json.Unmarshal([]byte(c.Body), &p)
					blocks = p.Blocks
				default:
					continue
				}
				checkBlockKit(t, blocks)
			}
		})
	}
}

// checkBlockKit fails tb unless slack-go reads raw as blocks it knows,
// every one with a block_id.
func checkBlockKit(tb testing.TB, raw json.RawMessage) {
	tb.Helper()
	var bs slack.Blocks
	if err := json.Unmarshal(raw, &bs); err != nil {
		tb.Fatalf("slack-go cannot read the blocks %s: %v", raw, err)
	}
	if len(bs.BlockSet) == 0 {
		tb.Fatalf("no blocks in %s", raw)
	}
	for i, b := range bs.BlockSet {
		if _, unknown := b.(*slack.UnknownBlock); unknown {
			tb.Errorf("block %d of %s: unknown to slack-go", i, raw)
		}
		if b.ID() == "" {
			tb.Errorf("block %d of %s: no block_id", i, raw)
		}
	}
}

// The bundled cassettes are what chatsim replays: deliveries as Rocket.Chat
// sends them, with the secrets redacted, and interaction payloads that
// slack-go's InteractionCallback reads as block actions.
func TestCassettes(t *testing.T) {
	t.Parallel()
	names, err := fs.Glob(rocketchat.Cassettes(), "*.cassette")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"button.cassette", "datepicker.cassette", "exchange.cassette", "menu.cassette"}
	diff(t, "cassettes", names, want)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			h, entries := loadCassette(t, name)
			if h.Platform != "rocketchat" || h.Integration != "examples/rocketchat" {
				t.Errorf("header platform %q, integration %q", h.Platform, h.Integration)
			}
			if _, err := botpress.ParseBotRules(h.Bot, name); err != nil {
				t.Error(err)
			}
			for _, e := range entries {
				body := e.Request.Body.String()
				if e.Direction != cassette.Inbound {
					t.Errorf("%s: direction %s", e.Location(), e.Direction)
				}
				if strings.Contains(body, secret) {
					t.Errorf("%s: the outgoing token is not redacted", e.Location())
				}
				switch e.Kind {
				case "outgoing":
					var m struct{ Token string }
					if err := json.Unmarshal(e.Request.Body.Bytes(), &m); err != nil || m.Token != "${ROCKETCHAT_OUTGOING_TOKEN}" {
						t.Errorf("%s: token %q (%v), want the placeholder", e.Location(), m.Token, err)
					}
				case "block_actions":
					if ct := e.Request.Headers.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
						t.Errorf("%s: Content-Type %q", e.Location(), ct)
					}
					var cb slack.InteractionCallback
					if err := json.Unmarshal([]byte(interactionOf(t, e)), &cb); err != nil {
						t.Fatalf("%s: slack-go: %v", e.Location(), err)
					}
					if cb.Type != slack.InteractionTypeBlockActions || cb.ResponseURL != "${ROCKETCHAT_RESPONSE_URL}" ||
						cb.User.ID != "ada0000000000000A" || cb.Channel.ID != "GENERAL" {
						t.Errorf("%s: slack-go read type %q, response_url %q, user %q, channel %q", e.Location(), cb.Type, cb.ResponseURL, cb.User.ID, cb.Channel.ID)
					}
					if n := len(cb.ActionCallback.BlockActions); n != 1 || cb.ActionCallback.BlockActions[0].BlockID != "actions" {
						t.Errorf("%s: slack-go read %d block actions: %+v", e.Location(), n, cb.ActionCallback)
					}
				default:
					t.Errorf("%s: kind %q, want outgoing or block_actions", e.Location(), e.Kind)
				}
			}
		})
	}
}
