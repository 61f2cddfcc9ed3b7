package rocketchat_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

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
