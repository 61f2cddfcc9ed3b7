package rocketchat

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/chatsim/chatsim/examples/bpkit"
)

// restAPI calls Rocket.Chat's REST API, {ROCKETCHAT_URL}/api/v1/<endpoint>,
// as the bot account: every call carries X-User-Id and X-Auth-Token (a
// personal access token works like a login token, without logging in).
type restAPI struct {
	http      *http.Client
	base      string // ROCKETCHAT_URL + "/api/v1/"
	userID    string
	authToken string
	sleep     func(context.Context, time.Duration) error
}

// restError is a failed REST call. Rocket.Chat answers failures as
//
//	400 {"success":false,"error":"Not allowed [error-not-allowed]","errorType":"error-not-allowed"}
//	401 {"status":"error","message":"You must be logged in to do this."}
//
// Its text never holds the auth token.
type restError struct {
	Endpoint  string
	Status    int
	ErrorType string // "error-not-allowed", …; may be empty
	Message   string
}

func (e *restError) Error() string {
	msg := fmt.Sprintf("rocket.chat %s: %d", e.Endpoint, e.Status)
	if e.ErrorType != "" {
		msg += " " + e.ErrorType
	}
	if e.Message != "" {
		msg += ": " + e.Message
	}
	return msg
}

// maxRetries is how many times a rate-limited call is repeated.
const maxRetries = 3

// call sends one REST call: GET without a body, POST with in as JSON. The
// answer must be 200 with "success": true (or "status": "success"); out,
// if not nil, receives the whole answer. A 429 (rate limit) is retried up
// to three times, after Retry-After or one more second each time: the
// call was not carried out. Nothing else is retried, since a POST may
// have posted.
func (r *restAPI) call(ctx context.Context, method, endpoint string, in, out any) error {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return fmt.Errorf("encode rocket.chat %s: %w", endpoint, err)
		}
	}
	for attempt := 1; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, method, r.base+endpoint, bytes.NewReader(body))
		if err != nil {
			return fmt.Errorf("rocket.chat %s: %w", endpoint, err)
		}
		req.Header.Set("X-User-Id", r.userID)
		req.Header.Set("X-Auth-Token", r.authToken)
		req.Header.Set("Accept", "application/json")
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		res, err := r.http.Do(req)
		if err != nil {
			return fmt.Errorf("rocket.chat %s: %w", endpoint, err)
		}
		data, err := io.ReadAll(io.LimitReader(res.Body, bpkit.MaxBody))
		res.Body.Close()
		if err != nil {
			return fmt.Errorf("rocket.chat %s: read answer: %w", endpoint, err)
		}
		if res.StatusCode == http.StatusTooManyRequests && attempt <= maxRetries {
			if err := r.sleep(ctx, bpkit.RetryAfter(res.Header, attempt)); err != nil {
				return fmt.Errorf("rocket.chat %s: %w", endpoint, err)
			}
			continue
		}
		var env struct {
			Success   *bool  `json:"success"`
			Status    string `json:"status"`
			Error     string `json:"error"`
			ErrorType string `json:"errorType"`
			// Message is the 401's text, but the message object in
			// chat.* answers.
			Message json.RawMessage `json:"message"`
		}
		jsonErr := json.Unmarshal(data, &env)
		ok := jsonErr == nil && (env.Success != nil && *env.Success || env.Status == "success")
		if res.StatusCode != http.StatusOK || !ok {
			e := &restError{Endpoint: endpoint, Status: res.StatusCode, ErrorType: env.ErrorType, Message: env.Error}
			switch {
			case e.Message == "":
				_ = json.Unmarshal(env.Message, &e.Message)
			case e.ErrorType != "":
				// "Not allowed [error-not-allowed]": the type is already said.
				e.Message = strings.TrimSuffix(e.Message, " ["+e.ErrorType+"]")
			}
			if jsonErr != nil {
				e.Message = fmt.Sprintf("answer is not JSON: %.200q", data)
			}
			return e
		}
		if out == nil {
			return nil
		}
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("rocket.chat %s: decode answer: %w", endpoint, err)
		}
		return nil
	}
}

// rcMessage is the message object of REST answers, with the fields this
// integration reads.
type rcMessage struct {
	ID     string `json:"_id"`
	RoomID string `json:"rid"`
}
