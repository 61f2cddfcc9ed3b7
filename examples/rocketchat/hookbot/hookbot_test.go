package hookbot_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chatsim/chatsim/examples/rocketchat/hookbot"
	"github.com/chatsim/chatsim/recorder/cassette"
)

const token = "outgoing-token-1"

func post(tb testing.TB, h http.Handler, contentType, body string) *httptest.ResponseRecorder {
	tb.Helper()
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestHandler(t *testing.T) {
	t.Parallel()
	msg := func(tok, bot, text string) string {
		return `{"token":"` + tok + `","bot":` + bot + `,"channel_id":"GENERAL","channel_name":"general","message_id":"rcmsg000000000001",` +
			`"timestamp":"2026-01-01T00:00:00.000Z","user_id":"ada0000000000000A","user_name":"ada","text":"` + text + `","siteUrl":"http://localhost:3000"}`
	}
	tests := []struct {
		name        string
		method      string
		contentType string
		body        string
		wantStatus  int
		wantBody    string
	}{
		{"echo", "POST", "application/json", msg(token, "false", "hi"), 200, `{"text":"echo: hi"}`},
		{"echo keeps <, > and &", "POST", "application/json; charset=utf-8", msg(token, "false", "a < b & c"), 200, `{"text":"echo: a < b & c"}`},
		{"bot message", "POST", "application/json", msg(token, `{"i":"integ1"}`, "hi"), 200, `{}`},
		{"bot true", "POST", "application/json", msg(token, "true", "hi"), 200, `{}`},
		{"no text", "POST", "application/json", msg(token, "false", "  "), 200, `{}`},
		{"wrong token", "POST", "application/json", msg("guess", "false", "hi"), 401, `{"error":"invalid token","success":false}`},
		{"no token", "POST", "application/json", `{"text":"hi"}`, 401, `{"error":"invalid token","success":false}`},
		{"not JSON", "POST", "application/json", `text=hi`, 400, `{"error":"the body is not an outgoing webhook's JSON","success":false}`},
		{"form", "POST", "application/x-www-form-urlencoded", `text=hi`, 415, `{"error":"want application/json","success":false}`},
		{"GET", "GET", "", ``, 405, `{"error":"POST only","success":false}`},
	}
	h, err := hookbot.New(token)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req := httptest.NewRequest(tt.method, "/", strings.NewReader(tt.body))
			if tt.contentType != "" {
				req.Header.Set("Content-Type", tt.contentType)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.wantStatus || rec.Body.String() != tt.wantBody {
				t.Errorf("answer = %d %s, want %d %s", rec.Code, rec.Body, tt.wantStatus, tt.wantBody)
			}
			// Rocket.Chat posts a reply only from a JSON answer.
			if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type = %q", ct)
			}
		})
	}
}

func TestNewWithoutToken(t *testing.T) {
	t.Parallel()
	if _, err := hookbot.New(""); !errors.Is(err, hookbot.ErrNoToken) {
		t.Errorf("New(\"\") = %v, want ErrNoToken", err)
	}
}

// The bundled cassette replays through the handler: every delivery gets
// the answer recorded with it, once the token placeholder is filled in.
func TestCassetteReplays(t *testing.T) {
	t.Parallel()
	h, err := hookbot.New(token)
	if err != nil {
		t.Fatal(err)
	}
	f, err := hookbot.Cassettes().Open("hookbot.cassette")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := cassette.NewReader(f, "hookbot.cassette")
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Header().Redactions; len(got) != 1 || got[0].Placeholder != "${ROCKETCHAT_OUTGOING_TOKEN}" {
		t.Errorf("redactions = %+v", got)
	}
	n := 0
	for e, err := range r.All() {
		if err != nil {
			t.Fatal(err)
		}
		n++
		if e.Direction != cassette.Inbound || e.Kind != "outgoing" || e.Response == nil {
			t.Fatalf("%s: %s %s, response %v", e.Location(), e.Direction, e.Kind, e.Response)
		}
		body := strings.ReplaceAll(e.Request.Body.String(), "${ROCKETCHAT_OUTGOING_TOKEN}", token)
		rec := post(t, h, e.Request.Headers.Get("Content-Type"), body)
		if rec.Code != e.Response.Status || rec.Body.String() != e.Response.Body.String() {
			t.Errorf("%s: answer %d %s, recorded %d %s", e.Location(), rec.Code, rec.Body, e.Response.Status, e.Response.Body)
		}
	}
	if n != 2 {
		t.Errorf("%d entries, want 2", n)
	}
}

// TestCassetteIsGenerated keeps hookbot.cassette what the code below
// writes; regenerate with
//
//	ROCKETCHAT_WRITE_CASSETTES=1 go test ./examples/rocketchat/hookbot -run TestCassetteIsGenerated
func TestCassetteIsGenerated(t *testing.T) {
	t.Parallel()
	h, err := hookbot.New("${ROCKETCHAT_OUTGOING_TOKEN}")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w, err := cassette.NewWriter(&buf, cassette.Header{
		Name: "rocketchat-hookbot", Platform: "rocketchat", Integration: "examples/rocketchat/hookbot",
		Description: "Ada and Grace write in #general; the outgoing webhook's answer carries the bot's reply, which Rocket.Chat posts.",
		Redactions:  []cassette.Redaction{{Placeholder: "${ROCKETCHAT_OUTGOING_TOKEN}", Kind: cassette.RedactBody, Pointer: "/token"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range []struct {
		at         time.Duration
		id, user   string
		text, when string
	}{
		{0, "ada0000000000000A", "ada", "hi", "2026-01-01T00:00:00.000Z"},
		{2 * time.Second, "grace00000000000G", "grace", "ping", "2026-01-01T00:00:02.000Z"},
	} {
		body := fmt.Sprintf(`{"token":"${ROCKETCHAT_OUTGOING_TOKEN}","bot":false,"channel_id":"GENERAL","channel_name":"general","message_id":"rcmsg%012d","timestamp":%q,"user_id":%q,"user_name":%q,"text":%q,"siteUrl":"http://localhost:3000"}`,
			2*i+1, m.when, m.id, m.user, m.text)
		rec := post(t, h, "application/json", body)
		reqBody, err := cassette.JSONBody([]byte(body))
		if err != nil {
			t.Fatal(err)
		}
		resBody, err := cassette.JSONBody(rec.Body.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		err = w.Write(cassette.Entry{
			At: cassette.Offset(m.at), Platform: "rocketchat", Direction: cassette.Inbound, Kind: "outgoing",
			Request: cassette.Request{Method: http.MethodPost, URL: "/", Body: reqBody, Headers: http.Header{
				"Content-Type": {"application/json"},
				"User-Agent":   {"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/41.0.2227.0 Safari/537.36"},
			}},
			Response: &cassette.Response{Status: rec.Code, Headers: http.Header{"Content-Type": {rec.Header().Get("Content-Type")}}, Body: resBody},
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("cassettes", "hookbot.cassette")
	if os.Getenv("ROCKETCHAT_WRITE_CASSETTES") == "1" {
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := fs.ReadFile(hookbot.Cassettes(), "hookbot.cassette")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, buf.Bytes()) {
		t.Errorf("%s differs from what the generator writes; regenerate with ROCKETCHAT_WRITE_CASSETTES=1", path)
	}
}

// Rocket.Chat POSTs a message; the answer is the reply it posts.
func ExampleNew() {
	h, err := hookbot.New("s3cret")
	if err != nil {
		fmt.Println(err)
		return
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	res, err := http.Post(srv.URL, "application/json", strings.NewReader(
		`{"token":"s3cret","bot":false,"channel_id":"GENERAL","channel_name":"general","message_id":"rcmsg000000000001","user_id":"ada0000000000000A","user_name":"ada","text":"hi"}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	fmt.Println(res.StatusCode, res.Header.Get("Content-Type"), string(body))
	// Output: 200 application/json {"text":"echo: hi"}
}
