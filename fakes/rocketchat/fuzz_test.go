package rocketchat

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/chatsim/chatsim/fakes"
)

// The fuzz targets here send REST requests and webhook posts through the
// fake's own handler, and DDP frames to the frame decoder the websocket
// loop calls, so the parsing exercised is the production one.

type refuseAll struct{}

func (refuseAll) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, errors.New("fuzz: no network")
}

// fuzzWorld is a fake with the default users and rooms, a message of
// Ada's in #general with a button, and a response_url for it. Its
// placeholders stand for ids the fuzzer cannot know: $BOT, $TOKEN (the
// bot's access token), $ADA, $TEAM (a private room), $MSG, $RESPONSE (the
// response_url's path), $HOOK (the incoming webhook's path).
type fuzzWorld struct {
	s       *Server
	j       *fakes.Journal
	replace *strings.Replacer
}

func newFuzzWorld(tb testing.TB) *fuzzWorld {
	tb.Helper()
	j := fakes.NewJournal()
	s, err := Start(WithJournal(j), WithHTTPClient(&http.Client{Transport: refuseAll{}}))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	m, err := s.SendMessage("ada", "general", Message{Text: "order?", Blocks: json.RawMessage(`[{"type":"actions","blockId":"b","elements":[{"type":"button","actionId":"yes","text":{"type":"plain_text","text":"Yes"},"value":"yes"}]}]`)})
	if err != nil {
		tb.Fatal(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ada := s.userByNameLocked("ada")
	var team string
	for _, id := range s.roomOrder {
		if s.rooms[id].Name == "team" {
			team = id
		}
	}
	token := "fuzzresponsetoken"
	s.responses[token] = &responseRec{msgID: m.ID, roomID: GeneralID, userID: ada.ID, expires: s.now().Add(s.responseTTL)}
	hook := s.incoming[0]
	return &fuzzWorld{s: s, j: j, replace: strings.NewReplacer("$BOT", s.botID, "$TOKEN", s.botPAT, "$ADA", ada.ID, "$TEAM", team,
		"$MSG", m.ID, "$RESPONSE", responsePath+token, "$HOOK", "/hooks/"+hook.ID+"/"+hook.Token)}
}

var goWords = regexp.MustCompile(`\b(u?int(8|16|32|64)?|float(32|64)|uintptr)\b|interface \{\}|map\[[a-z]+\]|\[\][a-zA-Z.]+|struct \{|\bGo (struct|value)|\bjson: |\b(strconv|reflect)\.|\b(rocketchat|json|url|http)\.[A-Z]\w*`)

func checkNoGo(t *testing.T, msg string, input ...string) {
	t.Helper()
	all := strings.Join(input, "\x00")
	for _, w := range goWords.FindAllString(msg, -1) {
		if !strings.Contains(all, w) {
			t.Fatalf("error %q names Go internals (%q)", msg, w)
		}
	}
}

// checkState checks what the fake holds: every message's blocks and
// attachments are arrays of objects, as Rocket.Chat stores them, and
// every journal observation is JSON, as Observation.Data promises.
func (w *fuzzWorld) checkState(t *testing.T) {
	t.Helper()
	w.s.mu.Lock()
	for id, m := range w.s.msgs {
		for what, raw := range map[string]json.RawMessage{"blocks": m.Blocks, "attachments": m.Attachments} {
			var objs []map[string]json.RawMessage
			if len(raw) > 0 && string(raw) != "null" && json.Unmarshal(raw, &objs) != nil {
				w.s.mu.Unlock()
				t.Fatalf("message %s holds %s that are not an array of objects: %s", id, what, raw)
			}
		}
		if _, err := json.Marshal(m.wire(false)); err != nil {
			w.s.mu.Unlock()
			t.Fatalf("message %s does not render: %v", id, err)
		}
	}
	w.s.mu.Unlock()
	for _, o := range w.j.Observations() {
		if _, err := json.Marshal(o.Data); err != nil {
			t.Fatalf("journal %s %s: data is not JSON: %v", o.Kind, o.Text, err)
		}
	}
}

// FuzzREST sends arbitrary REST requests: an endpoint, the bot's
// credentials or none, a query and a body (JSON, a form or anything).
// Every answer must be JSON and never a 5xx; a failure must be
// Rocket.Chat's envelope ({"success":false,"error":…} or the 401
// {"status":"error","message":…}) without Go type names; and what the
// fake then holds must be what Rocket.Chat could store.
func FuzzREST(f *testing.F) {
	js := "application/json"
	form := "application/x-www-form-urlencoded"
	b := func(s string) []byte { return []byte(s) }
	// As the Rocket.Chat Go SDK and the REST docs send them.
	f.Add(true, "POST", "chat.postMessage", js, "", b(`{"channel":"#general","text":"Hello @ada","alias":"Bot","emoji":":robot:","attachments":[{"text":"a","color":"#ff0000"}]}`))
	f.Add(true, "POST", "chat.postMessage", js, "", b(`{"roomId":"$TEAM","text":"in the team"}`))
	f.Add(true, "POST", "chat.sendMessage", js, "", b(`{"message":{"rid":"GENERAL","msg":"hi","tmid":"$MSG","blocks":[{"type":"section","text":{"type":"mrkdwn","text":"*hi*"}}]}}`))
	f.Add(true, "POST", "chat.update", js, "", b(`{"roomId":"GENERAL","msgId":"$MSG","text":"edited"}`))
	f.Add(true, "POST", "chat.delete", js, "", b(`{"roomId":"GENERAL","msgId":"$MSG","asUser":true}`))
	f.Add(true, "POST", "chat.react", js, "", b(`{"messageId":"$MSG","emoji":"smile","shouldReact":true}`))
	f.Add(true, "GET", "chat.getMessage", "", "msgId=$MSG", []byte(nil))
	f.Add(true, "GET", "channels.history", "", "roomId=GENERAL&count=2&latest=2030-01-01T00:00:00.000Z", []byte(nil))
	f.Add(true, "GET", "rooms.info", "", "roomName=team", []byte(nil))
	f.Add(true, "GET", "users.info", "", "username=ada", []byte(nil))
	f.Add(true, "POST", "im.create", form, "", b(`username=ada`))
	f.Add(false, "POST", "login", form, "", b(`user=ada&password=ada-password`))
	f.Add(false, "POST", "login", js, "", b(`{"user":"ada@chatsim.test","password":{"digest":"00","algorithm":"sha-256"}}`))
	f.Add(false, "POST", "login", js, "", b(`{"resume":"$TOKEN"}`))
	f.Add(true, "POST", "users.create", js, "", b(`{"username":"bob","email":"bob@chatsim.test","password":"pw","name":"Bob"}`))
	f.Add(true, "GET", "me", "", "", []byte(nil))
	f.Add(false, "GET", "info", "", "", []byte(nil))
	f.Fuzz(func(t *testing.T, authed bool, verb, endpoint, ctype, query string, body []byte) {
		if verb != "GET" && verb != "POST" {
			return
		}
		if strings.ContainsAny(endpoint, "/?#% \t\r\n") || strings.ContainsAny(query, "#\r\n ") {
			return // not a request line a client can send
		}
		w := newFuzzWorld(t)
		query, body = w.replace.Replace(query), []byte(w.replace.Replace(string(body)))
		target := "/api/v1/" + endpoint
		if query != "" {
			target += "?" + query
		}
		req, err := http.NewRequest(verb, target, bytes.NewReader(body))
		if err != nil {
			return
		}
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		if authed {
			req.Header.Set("X-Auth-Token", w.s.botPAT)
			req.Header.Set("X-User-Id", w.s.botID)
		}
		rec := httptest.NewRecorder()
		w.s.serveHTTP(rec, req)
		checkREST(t, rec, endpoint, query, string(body))
		w.checkState(t)
	})
}

func checkREST(t *testing.T, rec *httptest.ResponseRecorder, input ...string) {
	t.Helper()
	if rec.Code >= 500 {
		t.Fatalf("status %d for a client's request: %s", rec.Code, rec.Body)
	}
	var body map[string]json.RawMessage
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("answer is not a JSON object: %v: %s", err, rec.Body)
	}
	var success bool
	var status, msg string
	_ = json.Unmarshal(body["success"], &success)
	_ = json.Unmarshal(body["status"], &status)
	if rec.Code == http.StatusOK {
		if !success && status != "success" {
			t.Fatalf("200 without success: %s", rec.Body)
		}
		return
	}
	if success {
		t.Fatalf("success:true with status %d", rec.Code)
	}
	if json.Unmarshal(body["error"], &msg) != nil || msg == "" {
		if json.Unmarshal(body["message"], &msg) != nil || msg == "" {
			t.Fatalf("a %d without an error or a message: %s", rec.Code, rec.Body)
		}
	}
	checkNoGo(t, msg, input...)
}

// FuzzWebhookPost feeds arbitrary bodies to the three places Rocket.Chat
// reads what a bot sends it over HTTP: an incoming webhook (JSON, or a
// form with payload=<JSON>), the response_url of a button click, and the
// answer to an outgoing webhook, which Rocket.Chat posts when it is JSON
// with text or attachments. None may answer a 5xx or panic, and what the
// fake then holds must be what Rocket.Chat could store.
func FuzzWebhookPost(f *testing.F) {
	js := "application/json"
	b := func(s string) []byte { return []byte(s) }
	f.Add(uint8(0), js, b(`{"text":"Deployed :rocket:","alias":"CI","emoji":":ghost:","attachments":[{"title":"build 7","text":"ok"}]}`))
	f.Add(uint8(0), js, b(`{"channel":"#team","text":"to the team"}`))
	f.Add(uint8(0), "application/x-www-form-urlencoded", b(`payload=%7B%22text%22%3A%22hi%22%7D`))
	f.Add(uint8(0), js, b(`{"text":"t","attachments":"not a list"}`))
	f.Add(uint8(1), js, b(`{"replace_original":true,"text":"Thanks!","blocks":[{"type":"section","text":{"type":"mrkdwn","text":"*Ordered*"}}]}`))
	f.Add(uint8(1), js, b(`{"delete_original":true}`))
	f.Add(uint8(2), js, b(`{"text":"pong","alias":"bot","attachments":[{"text":"x"}]}`))
	f.Add(uint8(2), "text/javascript", b(`{"channel":"@ada","text":"psst"}`))
	f.Fuzz(func(t *testing.T, kind uint8, ctype string, body []byte) {
		w := newFuzzWorld(t)
		body = []byte(w.replace.Replace(string(body)))
		if kind%3 == 2 {
			w.s.mu.Lock()
			o := w.s.outgoing[0]
			w.s.mu.Unlock()
			h := http.Header{}
			h.Set("Content-Type", ctype)
			j := &job{kind: "outgoing", integ: o, url: "http://bot.test/hook", roomID: GeneralID, body: []byte(`{}`), text: "outgoing fuzz"}
			w.s.outgoingResult(j, j.url, 0, fakes.Reply{Status: http.StatusOK, Header: h, Body: body})
			w.checkState(t)
			return
		}
		path := w.replace.Replace("$HOOK")
		if kind%3 == 1 {
			path = w.replace.Replace("$RESPONSE")
		}
		req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
		if !strings.ContainsAny(ctype, "\r\n") {
			req.Header.Set("Content-Type", ctype)
		}
		rec := httptest.NewRecorder()
		w.s.serveHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("status %d for a bot's post: %s", rec.Code, rec.Body)
		}
		if kind%3 == 0 {
			checkREST(t, rec, string(body))
		}
		w.checkState(t)
	})
}

// FuzzDDPFrames feeds a sequence of realtime (DDP) frames, one per line,
// to the frame handler of a connection. Every frame the fake sends back
// must be JSON with a msg; a method must be answered with a result of its
// id, then updated with it; a sub with ready or nosub of its id; a frame
// that is not DDP with an error; and Meteor errors must carry a reason
// and no Go.
func FuzzDDPFrames(f *testing.F) {
	f.Add([]byte(`{"msg":"connect","version":"1","support":["1"]}
{"msg":"method","id":"1","method":"login","params":[{"resume":"$TOKEN"}]}
{"msg":"sub","id":"s1","name":"stream-room-messages","params":["GENERAL",true]}
{"msg":"method","id":"2","method":"sendMessage","params":[{"_id":"fuzzmsg","rid":"GENERAL","msg":"hello"}]}`))
	f.Add([]byte(`{"msg":"method","id":"1","method":"login","params":[{"user":{"username":"ada"},"password":{"digest":"4a5d5c5e1a","algorithm":"sha-256"}}]}
{"msg":"ping","id":"p"}
{"msg":"pong"}`))
	f.Add([]byte(`{"msg":"method","id":"1","method":"login","params":[{"resume":"$TOKEN"}]}
{"msg":"method","id":"2","method":"loadHistory","params":["GENERAL",null,50,{"$date":0}]}
{"msg":"method","id":"3","method":"setReaction","params":[":smile:","$MSG",true]}
{"msg":"method","id":"4","method":"updateMessage","params":[{"_id":"$MSG","rid":"GENERAL","msg":"x","blocks":[{"type":"divider"}]}]}
{"msg":"method","id":"5","method":"deleteMessage","params":[{"_id":"$MSG"}]}
{"msg":"method","id":"6","method":"getRoomIdByNameOrId","params":["team"]}
{"msg":"unsub","id":"s1"}`))
	f.Add([]byte(`{"msg":"method","id":"1","method":"login","params":[{"resume":"$TOKEN"}]}
{"msg":"method","id":"2","method":"sendMessage","params":[{"rid":"GENERAL","msg":"x","blocks":"nope"}]}
{"msg":"method","id":3,"method":"x"}
not json
{"msg":"sub","id":"s2","name":"stream-notify-user","params":["$BOT/message"]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		w := newFuzzWorld(t)
		c := &ddpConn{out: make(chan frame, 4096), done: make(chan struct{}), subs: map[string]string{}}
		w.s.mu.Lock()
		w.s.ddp[c] = struct{}{}
		w.s.mu.Unlock()
		defer func() {
			w.s.mu.Lock()
			delete(w.s.ddp, c)
			w.s.mu.Unlock()
		}()
		frames := bytes.Split([]byte(w.replace.Replace(string(data))), []byte("\n"))
		if len(frames) > 64 {
			frames = frames[:64] // a connection's worth, well under its 4096-frame queue
		}
		for _, in := range frames {
			w.s.ddpFrame(c, in)
			checkDDP(t, in, drain(c))
		}
		w.checkState(t)
	})
}

func drain(c *ddpConn) [][]byte {
	var out [][]byte
	for {
		select {
		case f := <-c.out:
			f.end()
			out = append(out, f.b)
		default:
			return out
		}
	}
}

// checkDDP checks the frames sent back for one frame in.
func checkDDP(t *testing.T, in []byte, out [][]byte) {
	t.Helper()
	type msg struct {
		Msg     string         `json:"msg"`
		ID      *string        `json:"id"`
		Subs    []string       `json:"subs"`
		Methods []string       `json:"methods"`
		Reason  string         `json:"reason"`
		Error   map[string]any `json:"error"`
	}
	var got []msg
	for _, b := range out {
		var m msg
		if err := json.Unmarshal(b, &m); err != nil || m.Msg == "" {
			t.Fatalf("sent %s for %s: not a DDP message", b, in)
		}
		if m.Error != nil {
			reason, _ := m.Error["reason"].(string)
			text, _ := m.Error["message"].(string)
			if reason == "" || m.Error["error"] == nil {
				t.Fatalf("Meteor error %s without a reason or an error", b)
			}
			checkNoGo(t, text, string(in))
		}
		got = append(got, m)
	}
	var req ddpMsg // a frame is DDP if it has the fields' types
	if json.Unmarshal(in, &req) != nil {
		if len(got) != 1 || got[0].Msg != "error" || got[0].Reason == "" {
			t.Fatalf("frame %s that is not DDP answered %q", in, out)
		}
		return
	}
	id := ""
	if req.ID != nil {
		id = *req.ID
	}
	switch req.Msg {
	case "method":
		if len(got) < 2 || got[len(got)-2].Msg != "result" || got[len(got)-2].ID == nil || *got[len(got)-2].ID != id ||
			got[len(got)-1].Msg != "updated" || len(got[len(got)-1].Methods) != 1 || got[len(got)-1].Methods[0] != id {
			t.Fatalf("method %s answered %q, want a result and updated for id %q", in, out, id)
		}
	case "sub":
		if len(got) == 0 {
			t.Fatalf("sub %s answered nothing", in)
		}
		last := got[len(got)-1]
		ok := last.Msg == "ready" && len(last.Subs) == 1 && last.Subs[0] == id || last.Msg == "nosub" && last.ID != nil && *last.ID == id
		if !ok {
			t.Fatalf("sub %s answered %q, want ready or nosub for id %q", in, out, id)
		}
	}
}
