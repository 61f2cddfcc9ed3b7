package telegram

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/chatsim/chatsim/fakes"
)

// wire is how the Bot API's live traffic reads, for a recorder: every
// webhook POST is an update, signed (when the bot asked for it) with the
// secret_token it gave setWebhook; calls are named by their method; setWebhook
// says where updates go; getUpdates answers carry them.
func wire() fakes.Wire {
	return fakes.Wire{
		APIURLEnv: "TELEGRAM_API_URL",
		APIURL:    "https://api.telegram.org",
		Delivery:  func(string, string, http.Header, []byte) string { return "update" },
		Verify:    verifyDelivery,
		Call:      callKind,
		Register:  registerWebhook,
		Poll:      "getUpdates",
		Seed:      learnSeed,
		Pulled:    pulledUpdates,
	}
}

// ErrBadSecret is a delivery whose X-Telegram-Bot-Api-Secret-Token is not
// the webhook's secret_token.
var ErrBadSecret = errors.New("X-Telegram-Bot-Api-Secret-Token is not the webhook's secret_token")

// verifyDelivery checks the secret token Telegram sends with every update
// once setWebhook was given one (TELEGRAM_WEBHOOK_SECRET).
func verifyDelivery(h http.Header, _ []byte, secrets map[string]string, _ time.Time) error {
	want := secrets["TELEGRAM_WEBHOOK_SECRET"]
	got := h.Get("X-Telegram-Bot-Api-Secret-Token")
	switch {
	case want == "" && got == "":
		return fmt.Errorf("the update carries no X-Telegram-Bot-Api-Secret-Token (the bot set its webhook without a secret_token): %w", fakes.ErrUnverified)
	case want == "":
		return fmt.Errorf("the update's secret token: %w", fakes.ErrUnverified)
	case subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1:
		return ErrBadSecret
	}
	return nil
}

// callKind names a Bot API call by its method ("sendMessage"); a file
// download is "file".
func callKind(_, path string, _ []byte) string {
	rest, ok := strings.CutPrefix(path, "/")
	if !ok {
		return ""
	}
	if f, ok := strings.CutPrefix(rest, "file/bot"); ok && strings.Contains(f, "/") {
		return "file"
	}
	if b, ok := strings.CutPrefix(rest, "bot"); ok {
		if _, method, ok := strings.Cut(b, "/"); ok && method != "" && !strings.Contains(method, "/") {
			return method
		}
	}
	return ""
}

// registerWebhook rewrites setWebhook's url (in the query, a JSON, form or
// multipart body) to inbound and returns the url the bot asked for.
func registerWebhook(method, target string, h http.Header, body []byte, inbound string) (string, []byte, string, bool) {
	u, err := url.Parse(target)
	if err != nil || !strings.EqualFold(callKind(method, u.Path, body), "setWebhook") {
		return target, body, "", false
	}
	asked := ""
	if q := u.Query(); q.Get("url") != "" {
		asked = q.Get("url")
		q.Set("url", inbound)
		u.RawQuery = q.Encode()
		target = u.RequestURI()
	}
	ct, params, _ := mime.ParseMediaType(h.Get("Content-Type"))
	switch {
	case len(bytes.TrimSpace(body)) == 0:
	case ct == "application/json":
		var obj map[string]json.RawMessage
		if json.Unmarshal(body, &obj) != nil {
			return target, body, asked, asked != ""
		}
		var s string
		if raw, ok := obj["url"]; ok && json.Unmarshal(raw, &s) == nil {
			asked = s
			enc, _ := json.Marshal(inbound)
			obj["url"] = enc
			if b, err := json.Marshal(obj); err == nil {
				body = b
			}
		}
	case ct == "multipart/form-data":
		if nb, got, ok := rewriteMultipart(body, params["boundary"], inbound); ok {
			body, asked = nb, got
		}
	default:
		vs, err := url.ParseQuery(string(body))
		if err == nil && vs.Get("url") != "" {
			asked = vs.Get("url")
			vs.Set("url", inbound)
			body = []byte(vs.Encode())
		}
	}
	return target, body, asked, asked != ""
}

// rewriteMultipart replaces the url part of a multipart body, keeping the
// other parts (a certificate) and the boundary.
func rewriteMultipart(body []byte, boundary, inbound string) ([]byte, string, bool) {
	mr := multipart.NewReader(bytes.NewReader(body), boundary)
	var out bytes.Buffer
	mw := multipart.NewWriter(&out)
	if mw.SetBoundary(boundary) != nil {
		return nil, "", false
	}
	asked := ""
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, "", false
		}
		data, err := io.ReadAll(part)
		if err != nil {
			return nil, "", false
		}
		if part.FormName() == "url" && part.FileName() == "" {
			asked, data = string(data), []byte(inbound)
		}
		w, err := mw.CreatePart(part.Header)
		if err != nil {
			return nil, "", false
		}
		if _, err := w.Write(data); err != nil {
			return nil, "", false
		}
	}
	if mw.Close() != nil || asked == "" {
		return nil, "", false
	}
	return out.Bytes(), asked, true
}

// learnSeed keeps the bot's identity from a getMe answer: a replay's fake
// is that bot.
func learnSeed(kind string, status int, answer []byte, seed map[string]json.RawMessage) {
	if kind != "getMe" || status != http.StatusOK {
		return
	}
	var resp struct {
		OK     bool            `json:"ok"`
		Result json.RawMessage `json:"result"`
	}
	if json.Unmarshal(answer, &resp) == nil && resp.OK && len(resp.Result) > 0 {
		seed["bot"] = resp.Result
	}
}

// seededBot reads the bot a recording's seed names, nil if none.
func seededBot(raw json.RawMessage) (*User, error) {
	var seed struct {
		Bot *User `json:"bot"`
	}
	if err := json.Unmarshal(raw, &seed); err != nil {
		return nil, fmt.Errorf("the cassette's seed: %w", fakes.JSONError(err))
	}
	if seed.Bot == nil {
		return nil, nil
	}
	if seed.Bot.ID <= 0 || seed.Bot.FirstName == "" {
		return nil, fmt.Errorf("the cassette's seed: bot: want an id and a first_name, got %+v", *seed.Bot)
	}
	seed.Bot.IsBot = true
	return seed.Bot, nil
}

// pulledUpdates returns the updates of a getUpdates answer.
func pulledUpdates(method, path string, status int, body []byte) (string, [][]byte) {
	if status != http.StatusOK || callKind(method, path, nil) != "getUpdates" {
		return "", nil
	}
	var resp struct {
		OK     bool              `json:"ok"`
		Result []json.RawMessage `json:"result"`
	}
	if json.Unmarshal(body, &resp) != nil || !resp.OK {
		return "", nil
	}
	out := make([][]byte, 0, len(resp.Result))
	for _, u := range resp.Result {
		out = append(out, []byte(u))
	}
	return "update", out
}
