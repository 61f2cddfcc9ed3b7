// Package hookbot is the smallest Rocket.Chat bot there is: an HTTP
// handler for an outgoing webhook integration that answers each message in
// the HTTP response. Rocket.Chat posts the "text" of a 200 JSON answer into
// the room the message came from, as the integration's user. There is no
// Botpress, no REST call and no credential other than the outgoing
// integration's token.
//
//	h, err := hookbot.New(os.Getenv("ROCKETCHAT_WEBHOOK_TOKEN"))
//	if err != nil {
//		log.Fatal(err)
//	}
//	log.Fatal(http.ListenAndServe("127.0.0.1:8080", h))
//
// Ada writes "hi" in #general; Rocket.Chat POSTs
//
//	{"token":"…","bot":false,"channel_id":"GENERAL","user_name":"ada","text":"hi",…}
//
// and the handler answers 200 {"text":"echo: hi"}, which appears in
// #general. Compare the Botpress integration one directory up, which
// answers 200 {} and replies through the REST API.
package hookbot

import (
	"crypto/subtle"
	"embed"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"strings"
)

// ErrNoToken is New's error for an empty token: without one, anyone could
// make the bot talk.
var ErrNoToken = errors.New("hookbot: the outgoing integration's token is empty")

// maxBody bounds what the handler reads (1 MiB; a message is at most
// 5000 characters by default).
const maxBody = 1 << 20

// New returns the handler of the outgoing webhook integration whose token
// is token. It answers
//
//   - 200 {"text":"echo: <text>"} for a message from a person;
//   - 200 {} for a message it does not answer (from a bot, or without
//     text): a non-empty 2xx, so Rocket.Chat neither posts nor retries;
//   - 401 for a wrong token, 400 for a body that is not the JSON of an
//     outgoing webhook, 405 for anything but POST.
func New(token string) (http.Handler, error) {
	if token == "" {
		return nil, ErrNoToken
	}
	return &bot{token: token}, nil
}

type bot struct{ token string }

// message is the part of an outgoing webhook body the bot reads.
type message struct {
	Token    *string `json:"token"`
	Bot      any     `json:"bot"` // false, or {"i": <integration id>}
	UserName string  `json:"user_name"`
	Text     string  `json:"text"`
}

func (b *bot) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		answer(w, http.StatusMethodNotAllowed, map[string]any{"success": false, "error": "POST only"})
		return
	}
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct != "application/json" {
		answer(w, http.StatusUnsupportedMediaType, map[string]any{"success": false, "error": "want application/json"})
		return
	}
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		answer(w, http.StatusBadRequest, map[string]any{"success": false, "error": "read body: " + err.Error()})
		return
	}
	var m message
	if err := json.Unmarshal(raw, &m); err != nil {
		answer(w, http.StatusBadRequest, map[string]any{"success": false, "error": "the body is not an outgoing webhook's JSON"})
		return
	}
	if m.Token == nil || subtle.ConstantTimeCompare([]byte(*m.Token), []byte(b.token)) != 1 {
		answer(w, http.StatusUnauthorized, map[string]any{"success": false, "error": "invalid token"})
		return
	}
	text := strings.TrimSpace(m.Text)
	if fromBot(m.Bot) || text == "" {
		answer(w, http.StatusOK, map[string]any{})
		return
	}
	answer(w, http.StatusOK, map[string]string{"text": "echo: " + text})
}

// fromBot reports whether the bot field says a bot or an integration wrote
// the message: answering it could loop.
func fromBot(v any) bool {
	switch b := v.(type) {
	case nil:
		return false
	case bool:
		return b
	}
	return true
}

// answer writes v as JSON, with <, > and & left as they are.
func answer(w http.ResponseWriter, status int, v any) {
	var sb strings.Builder
	enc := json.NewEncoder(&sb)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // maps of strings always encode
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, strings.TrimSuffix(sb.String(), "\n"))
}

//go:embed cassettes/*.cassette cassettes/*.golden
var cassettes embed.FS

// Cassettes returns the recorded conversation bundled with the bot:
// hookbot.cassette, two outgoing webhooks (kind "outgoing") with the
// answers the bot gave, the token redacted to ${ROCKETCHAT_OUTGOING_TOKEN}.
// Beside each X.cassette is its golden journal, X.golden.
func Cassettes() fs.FS {
	sub, err := fs.Sub(cassettes, "cassettes")
	if err != nil {
		panic(err) // the directory is embedded at build time
	}
	return sub
}
