package rocketchat_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/chatsim/chatsim/fakes"
	"github.com/chatsim/chatsim/fakes/rocketchat"
)

// rawDDP speaks DDP frame by frame, as gopackage/ddp does.
type rawDDP struct {
	t  *testing.T
	ws *websocket.Conn
}

func dialDDP(t *testing.T, w *world) *rawDDP {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(w.srv.URL(), "http")+"/websocket", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ws.Close() })
	return &rawDDP{t, ws}
}

func (d *rawDDP) send(v string) {
	d.t.Helper()
	if err := d.ws.WriteMessage(websocket.TextMessage, []byte(v)); err != nil {
		d.t.Fatal(err)
	}
}

func (d *rawDDP) next() map[string]any {
	d.t.Helper()
	_ = d.ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, b, err := d.ws.ReadMessage()
	if err != nil {
		d.t.Fatalf("read: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		d.t.Fatal(err)
	}
	return m
}

func TestDDPWire(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	d := dialDDP(t, w)
	if m := d.next(); m["server_id"] != "0" {
		t.Fatalf("first frame %v", m)
	}
	d.send(`{"msg":"connect","version":"1","support":["1"]}`)
	if m := d.next(); m["msg"] != "connected" || m["session"] == "" {
		t.Fatalf("connect → %v", m)
	}
	d.send(`{"msg":"ping","id":"p1"}`)
	if m := d.next(); m["msg"] != "pong" || m["id"] != "p1" {
		t.Fatalf("ping → %v", m)
	}
	d.send(`{"msg":"sub","id":"s0","name":"stream-room-messages","params":["GENERAL",true]}`)
	if m := d.next(); m["msg"] != "nosub" {
		t.Fatalf("sub before login → %v", m)
	}
	d.send(`{"msg":"method","id":"1","method":"login","params":[{"resume":"` + w.srv.BotToken() + `"}]}`)
	if m := d.next(); m["msg"] != "result" || m["result"].(map[string]any)["type"] != "resume" {
		t.Fatalf("login → %v", m)
	}
	if m := d.next(); m["msg"] != "updated" {
		t.Fatalf("after result %v", m)
	}
	d.send(`{"msg":"sub","id":"s1","name":"stream-room-messages","params":["GENERAL",true]}`)
	if m := d.next(); m["msg"] != "added" || m["id"] != "id" || m["fields"].(map[string]any)["eventName"] != rocketchat.GeneralID {
		t.Fatalf("sub → %v, want added first", m)
	}
	if m := d.next(); m["msg"] != "ready" {
		t.Fatalf("sub → %v, want ready", m)
	}
	if _, err := w.srv.Send("ada", "#general", "hello"); err != nil {
		t.Fatal(err)
	}
	m := d.next()
	args, _ := m["fields"].(map[string]any)["args"].([]any)
	if m["msg"] != "changed" || len(args) != 1 {
		t.Fatalf("stream → %v", m)
	}
	msg := args[0].(map[string]any)
	if msg["msg"] != "hello" || msg["ts"].(map[string]any)["$date"] != float64(w.clock.Now().UnixMilli()) {
		t.Fatalf("streamed message %v", msg)
	}
	d.send(`{"msg":"method","id":"2","method":"sendMessage","params":[{"_id":"x1","rid":"GENERAL","msg":"from the bot"}]}`)
	for range 3 { // the stream, the result and updated, in this order
		m := d.next()
		switch m["msg"] {
		case "changed", "updated":
		case "result":
			if m["result"].(map[string]any)["_id"] != "x1" {
				t.Fatalf("sendMessage → %v", m)
			}
		default:
			t.Fatalf("unexpected %v", m)
		}
	}
	d.send(`{"msg":"method","id":"3","method":"nope","params":[]}`)
	if m := d.next(); m["error"].(map[string]any)["reason"] != "Method 'nope' not found" {
		t.Fatalf("unknown method → %v", m)
	}
	w.settle(t)
	w.hasLine(t, "ddp login resume "+rocketchat.DefaultBotUsername)
	w.hasLine(t, `ddp sendMessage #general "from the bot"`)
}

// TestRecordWireCalls: a call is named by its REST endpoint, as the fake's
// journal names it.
func TestRecordWireCalls(t *testing.T) {
	t.Parallel()
	w := rocketchat.Kind().Wire
	if w.APIURLEnv != "ROCKETCHAT_URL" || w.APIURL != "" || w.Register != nil || w.Poll != "" {
		t.Errorf("wire %+v: want ROCKETCHAT_URL, no API URL to guess, nothing that registers or polls", w)
	}
	for _, tc := range []struct{ path, want string }{
		{"/api/v1/chat.postMessage", "chat.postMessage"},
		{"/api/v1/users.info", "users.info"},
		{"/api/v1/me", "me"},
		{"/hooks/abc/def", "hooks"},
		{"/api/apps/public/chatsim-interactions/response/tok", "response_url"},
		{"/websocket", ""},
		{"/", ""},
	} {
		if got := w.Call("POST", tc.path, nil); got != tc.want {
			t.Errorf("Call(%s) = %q, want %q", tc.path, got, tc.want)
		}
	}
}

// TestRecordWireDeliveries reads the fake's own deliveries as a recorder
// reads a live server's: an outgoing webhook is "outgoing", verified by its
// token; a click is "block_actions", which nothing signs.
func TestRecordWireDeliveries(t *testing.T) {
	t.Parallel()
	b := newBot(t, nil)
	wd := newWorld(t, rocketchat.WithWebhookTarget(b.srv.URL))
	if _, err := wd.srv.Send("ada", "general", "hi"); err != nil {
		t.Fatal(err)
	}
	blocks, _ := json.Marshal(teaCoffee)
	m, err := wd.srv.SendMessage(rocketchat.DefaultBotUsername, "general", rocketchat.Message{Text: "What would you like?", Blocks: blocks})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wd.srv.Click("ada", m.ID, "Coffee"); err != nil {
		t.Fatal(err)
	}
	wd.settle(t)
	bodies := b.bodies()
	if len(bodies) != 2 {
		t.Fatalf("the bot got %d deliveries, want the message and the click", len(bodies))
	}
	w := rocketchat.Kind().Wire
	secrets := map[string]string{"ROCKETCHAT_WEBHOOK_TOKEN": wd.srv.WebhookToken()}
	now := time.Now()
	b.mu.Lock()
	ctypes := append([]string(nil), b.ctype...)
	b.mu.Unlock()
	header := func(i int) http.Header { return http.Header{"Content-Type": {ctypes[i]}} }

	out, click := bodies[0], bodies[1]
	if k := w.Delivery("POST", "/", header(0), out); k != "outgoing" {
		t.Errorf("the message is %q, want outgoing", k)
	}
	if k := w.Delivery("POST", "/", header(1), click); k != "block_actions" {
		t.Errorf("the click is %q, want block_actions", k)
	}
	if err := w.Verify(header(0), out, secrets, now); err != nil {
		t.Errorf("the fake's outgoing webhook: %v", err)
	}
	if err := w.Verify(header(0), out, nil, now); !errors.Is(err, fakes.ErrUnverified) {
		t.Errorf("an outgoing webhook without the token to check it: %v", err)
	}
	if err := w.Verify(header(1), click, secrets, now); !errors.Is(err, fakes.ErrUnverified) {
		t.Errorf("a click, which nothing signs: %v", err)
	}

	var body map[string]any
	if err := json.Unmarshal(out, &body); err != nil {
		t.Fatal(err)
	}
	json1 := http.Header{"Content-Type": {"application/json"}}
	form := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	payload := func(v map[string]any) []byte {
		raw, _ := json.Marshal(v)
		return []byte(url.Values{"payload": {string(raw)}}.Encode())
	}
	encode := func(v map[string]any) []byte { raw, _ := json.Marshal(v); return raw }
	with := func(k string, v any) map[string]any {
		c := map[string]any{}
		for kk, vv := range body {
			c[kk] = vv
		}
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		return c
	}
	for _, tc := range []struct {
		name string
		h    http.Header
		body []byte
		kind string
		want error // nil, fakes.ErrUnverified or rocketchat.ErrBadToken
	}{
		{"a forged token", json1, encode(with("token", "forged-token-0000000000")), "outgoing", rocketchat.ErrBadToken},
		{"no token", json1, encode(with("token", nil)), "outgoing", rocketchat.ErrBadToken},
		{"a JSON click with our token", json1, encode(map[string]any{"type": "block_actions", "token": secrets["ROCKETCHAT_WEBHOOK_TOKEN"]}), "block_actions", nil},
		{"a click with a forged token", form, payload(map[string]any{"type": "block_actions", "token": "forged"}), "block_actions", rocketchat.ErrBadToken},
		{"a view submission", form, payload(map[string]any{"type": "view_submission"}), "view_submission", fakes.ErrUnverified},
		{"not JSON", json1, []byte("hello"), "outgoing", rocketchat.ErrBadToken},
	} {
		if k := w.Delivery("POST", "/", tc.h, tc.body); k != tc.kind {
			t.Errorf("%s: kind %q, want %q", tc.name, k, tc.kind)
		}
		err := w.Verify(tc.h, tc.body, secrets, now)
		if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
			t.Errorf("%s: Verify = %v, want %v", tc.name, err, tc.want)
		}
	}
}
