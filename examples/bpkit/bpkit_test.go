package bpkit_test

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatsim/chatsim/examples/bpkit"
)

// headers are the seven the platform sends with every operation.
func headers(op string) http.Header {
	h := http.Header{}
	h.Set("x-bot-id", "bot_1")
	h.Set("x-bot-user-id", "user_bot")
	h.Set("x-integration-id", "intver_1")
	h.Set("x-integration-alias", "demo")
	h.Set("x-webhook-id", "wh_1")
	h.Set("x-bp-operation", op)
	h.Set("x-bp-configuration", base64.StdEncoding.EncodeToString([]byte(`{"shopName":"demo"}`)))
	return h
}

func TestServe(t *testing.T) {
	t.Parallel()
	h := bpkit.Serve(bpkit.Env{APIURL: "http://127.0.0.1:1"}, func(ctx context.Context, op *bpkit.Operation) (bpkit.Response, error) {
		var cfg struct{ ShopName string }
		if err := op.Config(&cfg); err != nil {
			return bpkit.Response{}, err
		}
		switch op.Name {
		case bpkit.OpActionTriggered:
			return bpkit.ActionOutput(map[string]string{"shop": cfg.ShopName, "alias": op.IntegrationAlias})
		case bpkit.OpWebhookReceived:
			req, err := op.WebhookRequest()
			if err != nil {
				return bpkit.Response{}, err
			}
			return bpkit.Response{Status: http.StatusTeapot, Header: map[string]string{"Content-Type": "text/plain"}, Body: req.Headers["x-demo"] + req.Body}, nil
		}
		return bpkit.Response{}, errors.New("no such operation")
	})
	tests := []struct {
		name       string
		path       string
		header     http.Header
		body       string
		wantStatus int
		wantBody   string
	}{
		{"health", "/health", http.Header{}, "", 200, "ok"},
		{"action output", "/", headers("action_triggered"), `{}`, 200, `{"output":{"alias":"demo","shop":"demo"},"meta":{"cost":0}}`},
		{"webhook passthrough", "/", headers("webhook_received"), `{"req":{"method":"POST","path":"/","headers":{"x-demo":"a"},"body":"b"}}`, 418, "ab"},
		{"malformed webhook body", "/", headers("webhook_received"), `{`, 400, `"message":"decode request body: unexpected end of JSON input"`},
		{"error is a RuntimeError", "/", headers("ping"), `{}`, 400, `"code":400,"type":"Runtime","message":"no such operation"`},
		{"missing header", "/", func() http.Header { h := headers("ping"); h.Del("x-webhook-id"); return h }(), `{}`, 500, `{"error":"Missing webhook header"}`},
		{"bad configuration", "/", func() http.Header { h := headers("ping"); h.Set("x-bp-configuration", "!!"); return h }(), `{}`, 500, `Invalid configuration header`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req := httptest.NewRequest(http.MethodPost, tt.path, strings.NewReader(tt.body))
			req.Header = tt.header
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.wantStatus || !strings.Contains(rec.Body.String(), tt.wantBody) {
				t.Errorf("got %d %s, want %d containing %s", rec.Code, rec.Body, tt.wantStatus, tt.wantBody)
			}
		})
	}
}

// client builds a Client the way Serve does, by serving one operation.
func client(t testing.TB, apiURL string, sleep func(context.Context, time.Duration) error) *bpkit.Client {
	t.Helper()
	var c *bpkit.Client
	h := bpkit.Serve(bpkit.Env{APIURL: apiURL, Token: "tok", Sleep: sleep}, func(ctx context.Context, op *bpkit.Operation) (bpkit.Response, error) {
		c = op.Client
		return bpkit.OK(), nil
	})
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader("{}"))
	req.Header = headers("ping")
	h.ServeHTTP(httptest.NewRecorder(), req)
	return c
}

func TestClientRetriesAndErrors(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	calls := 0
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls++
		n := calls
		mu.Unlock()
		if r.Header.Get("Authorization") != "Bearer tok" || r.Header.Get("x-bot-id") != "bot_1" || r.Header.Get("x-integration-alias") != "demo" {
			http.Error(w, "headers", http.StatusUnauthorized)
			return
		}
		switch {
		case r.URL.Path == "/v1/chat/events" && n == 1:
			w.Header().Set("Retry-After", "2.5")
			w.WriteHeader(http.StatusTooManyRequests)
		case r.URL.Path == "/v1/chat/events":
			if body, _ := io.ReadAll(r.Body); string(body) != `{"payload":{"n":1},"type":"orderPaid"}` {
				http.Error(w, "body "+string(body), http.StatusBadRequest)
				return
			}
			io.WriteString(w, `{"event":{"id":"evt_1","type":"orderPaid","payload":{"n":1}}}`)
		default:
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `{"id":"err_1","code":404,"type":"ResourceNotFound","message":"State not found"}`)
		}
	}))
	defer api.Close()
	var slept []time.Duration
	c := client(t, api.URL, func(_ context.Context, d time.Duration) error { slept = append(slept, d); return nil })
	ev, err := c.CreateEvent(context.Background(), bpkit.EventInput{Type: "orderPaid", Payload: map[string]int{"n": 1}})
	if err != nil || ev.ID != "evt_1" {
		t.Fatalf("CreateEvent = %+v, %v", ev, err)
	}
	if len(slept) != 1 || slept[0] != 2500*time.Millisecond {
		t.Errorf("slept %v, want [2.5s] from Retry-After", slept)
	}
	found, err := c.GetState(context.Background(), "integration", "intver_1", "seen", nil)
	if err != nil || found {
		t.Errorf("GetState of a missing state = %v, %v; want false, nil", found, err)
	}
	err = c.UpdateMessage(context.Background(), "msg_1", nil, map[string]string{"id": "1"})
	var apiErr *bpkit.APIError
	if !errors.As(err, &apiErr) || apiErr.Type != "ResourceNotFound" || !bpkit.IsNotFound(err) {
		t.Errorf("UpdateMessage error = %v, want a ResourceNotFound APIError", err)
	}
}
