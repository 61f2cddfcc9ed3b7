package rocketchat_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/RocketChat/Rocket.Chat.Go.SDK/models"
	rcrest "github.com/RocketChat/Rocket.Chat.Go.SDK/rest"

	"github.com/chatsim/chatsim/fakes"
	"github.com/chatsim/chatsim/fakes/rocketchat"
)

func sdkClient(tb testing.TB, s *rocketchat.Server) *rcrest.Client {
	tb.Helper()
	u, err := url.Parse(s.URL())
	if err != nil {
		tb.Fatal(err)
	}
	return rcrest.NewClient(u, false)
}

func TestSDKRESTLoginPostHistory(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	c := sdkClient(t, w.srv)
	creds := &models.UserCredentials{Email: rocketchat.DefaultBotUsername, Password: rocketchat.DefaultBotPassword}
	if err := c.Login(creds); err != nil {
		t.Fatalf("login: %v", err)
	}
	if creds.ID != w.srv.BotUser().ID || len(creds.Token) != 43 {
		t.Fatalf("login gave id %q token %q", creds.ID, creds.Token)
	}
	resp, err := c.PostMessage(&models.PostMessage{Channel: "#general", Text: "hello from the bot"})
	if err != nil {
		t.Fatalf("post: %v", err)
	}
	if resp.Message.Msg != "hello from the bot" || resp.Message.RoomID != rocketchat.GeneralID || resp.Message.Timestamp == nil {
		t.Fatalf("post answered %+v", resp.Message)
	}
	if _, err := w.srv.Send("ada", "#general", "hi bot"); err != nil {
		t.Fatal(err)
	}
	msgs, err := c.ChannelHistory(&models.Channel{ID: rocketchat.GeneralID}, true, w.clock.Now(), &models.Pagination{Count: 10})
	if err != nil {
		t.Fatalf("history: %v", err)
	}
	if len(msgs) != 2 || msgs[0].Msg != "hi bot" || msgs[0].User.UserName != "ada" || msgs[1].Msg != "hello from the bot" {
		t.Fatalf("history = %+v", msgs)
	}
	got, err := c.GetMessage(resp.Message.ID)
	if err != nil || got.Msg != "hello from the bot" {
		t.Fatalf("getMessage = %+v, %v", got, err)
	}
	if _, err := c.UpdateMessage(&models.UpdateMessage{RoomID: rocketchat.GeneralID, MsgID: resp.Message.ID, Text: "edited"}); err != nil {
		t.Fatalf("update: %v", err)
	}
	if _, err := c.DeleteMessage(&models.DeleteMessage{RoomID: rocketchat.GeneralID, MsgID: resp.Message.ID}); err != nil {
		t.Fatalf("delete: %v", err)
	}
	team := w.srv.Rooms()[1]
	if _, err := c.GroupHistory(&models.Channel{ID: team.ID}, true, w.clock.Now(), nil); err != nil {
		t.Fatalf("group history: %v", err)
	}
	room, err := c.CreateDirectMessage("ada")
	if err != nil || room.Type != "d" {
		t.Fatalf("im.create = %+v, %v", room, err)
	}
	if _, err := c.DMHistory(&models.Channel{ID: room.ID}, true, w.clock.Now(), nil); err != nil {
		t.Fatalf("dm history: %v", err)
	}
	if msg, err := c.Logout(); err != nil || msg != "You've been signed out!" {
		t.Fatalf("logout = %q, %v", msg, err)
	}
	w.hasLine(t, `chat.postMessage #general "hello from the bot"`)
	w.hasLine(t, "channels.history #general → 2 messages")
	w.hasLine(t, "login user="+rocketchat.DefaultBotUsername)
}

func TestRESTErrors(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	c := sdkClient(t, w.srv)
	if err := c.Login(&models.UserCredentials{Email: "ada", Password: "wrong"}); err == nil || err.Error() != "Unauthorized" {
		t.Fatalf("bad password: err = %v, want Unauthorized", err)
	}
	tests := []struct {
		name       string
		method     string
		endpoint   string
		headers    map[string]string
		body       string
		wantStatus int
		wantBody   string
	}{
		{"bad password", "POST", "login", nil, `{"user":"ada","password":"nope"}`, 401, `{"error":"Unauthorized","message":"Unauthorized","status":"error"}`},
		{"bad resume token", "POST", "login", nil, `{"resume":"not-a-token"}`, 401, `{"error":"Unauthorized","message":"Unauthorized","status":"error"}`},
		{"no auth headers", "GET", "me", nil, ``, 401, `{"message":"You must be logged in to do this.","status":"error"}`},
		{"wrong user id", "GET", "me", map[string]string{"X-Auth-Token": w.srv.BotToken(), "X-User-Id": "someone"}, ``, 401, `{"message":"You must be logged in to do this.","status":"error"}`},
		{"unknown room", "GET", "channels.history?roomId=nope", botAuth(w), ``, 400,
			`{"error":"The required \"roomId\" or \"roomName\" param provided does not match any channel [error-room-not-found]","errorType":"error-room-not-found","success":false}`},
		{"react without message id", "POST", "chat.react", botAuth(w), `{"emoji":"smile"}`, 400,
			`{"error":"The required \"messageId\" param is missing. [error-messageid-param-not-provided]","errorType":"error-messageid-param-not-provided","success":false}`},
		{"update unknown message", "POST", "chat.update", botAuth(w), `{"roomId":"GENERAL","msgId":"x","text":"y"}`, 400,
			`{"error":"No message found with the id of \"x\".","success":false}`},
		{"create user without admin", "POST", "users.create", botAuth(w), `{"username":"x"}`, 403,
			`{"error":"User does not have the permissions required for this action [error-unauthorized]","success":false}`},
		{"unknown endpoint", "GET", "nope.nope", botAuth(w), ``, 404, `{"error":"API endpoint \"/api/v1/nope.nope\" does not exist","success":false}`},
		{"body an array", "POST", "chat.postMessage", botAuth(w), `[{"text":"hi"}]`, 400,
			`{"error":"Invalid JSON body: body: want an object, got an array","success":false}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req, _ := http.NewRequest(tt.method, w.srv.URL()+"/api/v1/"+tt.endpoint, strings.NewReader(tt.body))
			req.Header.Set("Content-Type", "application/json")
			for k, v := range tt.headers {
				req.Header.Set(k, v)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var raw strings.Builder
			_, _ = io.Copy(&raw, resp.Body)
			if resp.StatusCode != tt.wantStatus || fakes.CanonicalJSON([]byte(raw.String())) != tt.wantBody {
				t.Fatalf("got %d %s, want %d %s", resp.StatusCode, raw.String(), tt.wantStatus, tt.wantBody)
			}
		})
	}
}

func botAuth(w *world) map[string]string {
	return map[string]string{"X-Auth-Token": w.srv.BotToken(), "X-User-Id": w.srv.BotUser().ID}
}

func TestRESTUsersCreateAndResume(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	admin := sdkClient(t, w.srv)
	if err := admin.Login(&models.UserCredentials{Email: "admin@chatsim.test", Password: "admin-password"}); err != nil {
		t.Fatal(err)
	}
	resp, err := admin.CreateUser(&models.CreateUserRequest{Name: "New Bot", Email: "newbot@x.test", Password: "pw", Username: "newbot", Roles: []string{"bot"}})
	if err != nil || resp.User.Username != "newbot" || resp.User.Type != "bot" {
		t.Fatalf("users.create = %+v, %v", resp, err)
	}
	if _, err := admin.CreateUser(&models.CreateUserRequest{Name: "Dup", Email: "dup@x.test", Password: "pw", Username: "newbot"}); err == nil ||
		err.Error() != "newbot is already in use :( [error-field-unavailable]" {
		t.Fatalf("duplicate users.create err = %v", err)
	}
	// resume: log in with a token from an earlier login
	status, body := postJSON(t, w.srv.URL()+"/api/v1/login", map[string]string{"user": "newbot", "password": "pw"})
	if status != 200 {
		t.Fatalf("login newbot: %d %s", status, body)
	}
	tok := strings.Split(strings.Split(string(body), `"authToken":"`)[1], `"`)[0]
	status, body = postJSON(t, w.srv.URL()+"/api/v1/login", map[string]string{"resume": tok})
	if status != 200 || !strings.Contains(string(body), `"status":"success"`) {
		t.Fatalf("resume login: %d %s", status, body)
	}
	// tokens expire after 90 days
	w.clock.Advance(91 * 24 * time.Hour)
	status, _ = postJSON(t, w.srv.URL()+"/api/v1/login", map[string]string{"resume": tok})
	if status != 401 {
		t.Fatalf("expired resume login: %d, want 401", status)
	}
}

func TestRESTRichMessageAndFault(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	status, out := rest(t, w.srv, "POST", "chat.sendMessage", map[string]any{"message": map[string]any{
		"rid": rocketchat.GeneralID, "msg": "What would you like?", "blocks": teaCoffee,
	}})
	if status != 200 || out["success"] != true {
		t.Fatalf("sendMessage: %d %v", status, out)
	}
	w.hasLine(t, `chat.sendMessage #general "What would you like?" [Tea][Coffee]`)
	w.srv.Faults().Add(fakes.Fault{Op: "chat.postMessage", Status: 429, RetryAfter: 3, Times: 1})
	status, out = rest(t, w.srv, "POST", "chat.postMessage", map[string]any{"channel": "#general", "text": "x"})
	if status != 429 || out["errorType"] != "error-too-many-requests" {
		t.Fatalf("fault: %d %v", status, out)
	}
	status, _ = rest(t, w.srv, "POST", "chat.postMessage", map[string]any{"channel": "#general", "text": "x"})
	if status != 200 {
		t.Fatalf("after the fault: %d", status)
	}
}
