package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/chatsim/chatsim/examples/bpkit"
)

// webAPI calls the Slack Web API with one install's bot token.
//
// Every method is POST {SLACK_API_URL}/api/{method} with the token in an
// "Authorization: Bearer" header. Write methods (chat.postMessage,
// reactions.add, reactions.remove) take a JSON body; read methods
// (auth.test, users.info) a form, because Slack ignores JSON bodies on
// some read methods. Slack answers HTTP 200 with {"ok": false, "error":
// "…"} for API errors, and 429 with an integer Retry-After when rate
// limited.
type webAPI struct {
	http  *http.Client
	base  string // SLACK_API_URL, without a trailing slash
	token string // the install's botToken
	sleep func(context.Context, time.Duration) error
}

// ErrSlack is wrapped by every {"ok": false} answer of the Web API.
var ErrSlack = errors.New("slack web api error")

// slackError is an {"ok": false} answer.
type slackError struct {
	Method string
	Code   string // "channel_not_found", "invalid_auth", …
}

func (e *slackError) Error() string { return fmt.Sprintf("slack %s: %s", e.Method, e.Code) }

func (e *slackError) Unwrap() error { return ErrSlack }

// isSlackError reports whether err is an {"ok": false} answer with one of
// the codes.
func isSlackError(err error, codes ...string) bool {
	var se *slackError
	if !errors.As(err, &se) {
		return false
	}
	for _, c := range codes {
		if se.Code == c {
			return true
		}
	}
	return false
}

// maxRateLimitRetries bounds how often a 429 is retried.
const maxRateLimitRetries = 3

// call invokes a Web API method and decodes the whole answer into out (if
// not nil). params is url.Values for a form body, anything else is sent as
// JSON.
func (w *webAPI) call(ctx context.Context, method string, params, out any) error {
	if w.token == "" {
		return fmt.Errorf("slack %s: the botToken configuration is empty", method)
	}
	var (
		body        []byte
		contentType string
	)
	switch p := params.(type) {
	case url.Values:
		body, contentType = []byte(p.Encode()), "application/x-www-form-urlencoded"
	default:
		// Slack reads <, > and & in text as markup; keep them as they
		// are rather than \u003c, so that the request reads as sent.
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(p); err != nil {
			return fmt.Errorf("slack %s: encode parameters: %w", method, err)
		}
		body = bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
		contentType = "application/json; charset=utf-8"
	}
	for attempt := 1; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.base+"/api/"+method, bytes.NewReader(body))
		if err != nil {
			return fmt.Errorf("slack %s: %w", method, err)
		}
		req.Header.Set("Content-Type", contentType)
		req.Header.Set("Authorization", "Bearer "+w.token)
		res, err := w.http.Do(req)
		if err != nil {
			return fmt.Errorf("slack %s: %w", method, w.scrub(err))
		}
		data, err := io.ReadAll(io.LimitReader(res.Body, bpkit.MaxBody))
		res.Body.Close()
		if err != nil {
			return fmt.Errorf("slack %s: read answer: %w", method, err)
		}
		if res.StatusCode == http.StatusTooManyRequests && attempt <= maxRateLimitRetries {
			wait := time.Second
			if s, err := strconv.Atoi(res.Header.Get("Retry-After")); err == nil && s >= 0 {
				wait = time.Duration(s) * time.Second
			}
			if err := w.sleep(ctx, wait); err != nil {
				return fmt.Errorf("slack %s: %w", method, err)
			}
			continue
		}
		if res.StatusCode != http.StatusOK {
			return fmt.Errorf("slack %s: HTTP %d: %.200s", method, res.StatusCode, data)
		}
		var env struct {
			OK    bool   `json:"ok"`
			Error string `json:"error"`
		}
		if err := json.Unmarshal(data, &env); err != nil {
			return fmt.Errorf("slack %s: decode answer: %w", method, err)
		}
		if !env.OK {
			if env.Error == "" {
				env.Error = "unknown_error"
			}
			return &slackError{Method: method, Code: env.Error}
		}
		if out != nil {
			if err := json.Unmarshal(data, out); err != nil {
				return fmt.Errorf("slack %s: decode answer: %w", method, err)
			}
		}
		return nil
	}
}

// respond POSTs answer as JSON to an interaction's response_url. The URL
// is its own credential (valid 30 minutes, five uses), so the bot token is
// not sent. Only Slack's own URLs are used: https://hooks.slack.com, or
// SLACK_API_URL's scheme and host (a simulator's); the payload is signed,
// but a URL elsewhere is refused all the same. Slack answers 200 with
// {"ok":true} (or the text "ok"); anything else is an error that names the
// status and Slack's text (no_text, expired_url, used_url…).
func (w *webAPI) respond(ctx context.Context, responseURL string, answer any) error {
	u, err := url.Parse(responseURL)
	base, berr := url.Parse(w.base)
	switch {
	case err != nil || berr != nil:
		return errors.New("post response_url: not a URL")
	case u.Scheme == "https" && u.Host == "hooks.slack.com", u.Scheme == base.Scheme && u.Host == base.Host:
	default:
		return fmt.Errorf("post response_url: %s://%s is not Slack's", u.Scheme, u.Host)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(answer); err != nil {
		return fmt.Errorf("post response_url: encode: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, responseURL, bytes.NewReader(bytes.TrimSuffix(buf.Bytes(), []byte("\n"))))
	if err != nil {
		return fmt.Errorf("post response_url: %w", err)
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	res, err := w.http.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) { // the URL is a credential: say where, not what
			err = fmt.Errorf("%s %s://%s: %w", ue.Op, u.Scheme, u.Host, ue.Err)
		}
		return fmt.Errorf("post response_url: %w", err)
	}
	data, _ := io.ReadAll(io.LimitReader(res.Body, 4096))
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("post response_url: HTTP %d: %.200s", res.StatusCode, data)
	}
	return nil
}

// scrub keeps the bot token out of an error that may quote a URL or a
// header.
func (w *webAPI) scrub(err error) error {
	if w.token == "" || !strings.Contains(err.Error(), w.token) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), w.token, "<token>"))
}

// authTest is auth.test's answer for a bot token.
type authTest struct {
	TeamID string `json:"team_id"`
	Team   string `json:"team"`
	UserID string `json:"user_id"` // the bot user: U…
	BotID  string `json:"bot_id"`  // B…
}

// slackUser is the part of users.info's user this integration reads.
type slackUser struct {
	ID       string `json:"id"`
	Name     string `json:"name"` // the handle: "ada"
	RealName string `json:"real_name"`
	IsBot    bool   `json:"is_bot"`
	Profile  struct {
		RealName    string `json:"real_name"`
		DisplayName string `json:"display_name"`
	} `json:"profile"`
}

// displayName is the name a person reads: the real name, else the display
// name, else the handle.
func (u slackUser) displayName() string {
	for _, n := range []string{u.Profile.RealName, u.RealName, u.Profile.DisplayName, u.Name} {
		if n != "" {
			return n
		}
	}
	return u.ID
}

// postMessageAnswer is chat.postMessage's answer.
type postMessageAnswer struct {
	Channel string `json:"channel"`
	TS      string `json:"ts"`
}
