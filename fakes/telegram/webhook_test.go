package telegram_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatsim/chatsim/fakes"
	"github.com/chatsim/chatsim/fakes/telegram"
	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// receiver is a webhook endpoint for tests: it checks the secret header,
// reports each update on a channel and answers with respond.
type receiver struct {
	url     string
	updates chan telegram.Update
	secret  string
	respond func(w http.ResponseWriter, u telegram.Update, n int)

	mu sync.Mutex
	n  int
}

func newReceiver(tb testing.TB, secret string, respond func(w http.ResponseWriter, u telegram.Update, n int)) *receiver {
	tb.Helper()
	rc := &receiver{updates: make(chan telegram.Update, 16), secret: secret, respond: respond}
	srv, err := fakes.Listen("", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if got := r.Header.Get("X-Telegram-Bot-Api-Secret-Token"); got != rc.secret {
			tb.Errorf("X-Telegram-Bot-Api-Secret-Token = %q, want %q", got, rc.secret)
		}
		if ct := r.Header.Get("Content-Type"); ct != "application/json" {
			tb.Errorf("Content-Type = %q, want application/json", ct)
		}
		var u telegram.Update
		if err := json.NewDecoder(r.Body).Decode(&u); err != nil || r.Method != http.MethodPost {
			tb.Errorf("webhook got %s with undecodable body: %v", r.Method, err)
		}
		rc.mu.Lock()
		rc.n++
		n := rc.n
		rc.mu.Unlock()
		if rc.respond != nil {
			rc.respond(w, u, n)
		}
		rc.updates <- u
	}))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = srv.Close() })
	rc.url = srv.URL + "/telegram/hook"
	return rc
}

func (rc *receiver) next(tb testing.TB) telegram.Update {
	tb.Helper()
	select {
	case u := <-rc.updates:
		return u
	case <-time.After(5 * time.Second):
		tb.Fatal("no webhook delivery within 5s")
	}
	return telegram.Update{}
}

func TestWebhookWithTgbotapiAndResponseMethod(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	bot := w.bot(t)
	rc := newReceiver(t, "s3cr3t-Token_1", func(rw http.ResponseWriter, u telegram.Update, _ int) {
		if u.Message == nil {
			return
		}
		// Answer through the webhook response body, as tgbotapi documents.
		if err := tgbotapi.WriteToHTTPResponse(rw, tgbotapi.NewMessage(u.Message.Chat.ID, "pong")); err != nil {
			t.Errorf("write response: %v", err)
		}
	})
	// tgbotapi v5.5.1's WebhookConfig has no secret_token: call it by hand.
	resp, err := bot.MakeRequest("setWebhook", tgbotapi.Params{"url": rc.url, "secret_token": rc.secret})
	if err != nil || resp.Description != "Webhook was set" {
		t.Fatalf("setWebhook: %v %+v", err, resp)
	}
	info, err := bot.GetWebhookInfo()
	if err != nil || info.URL != rc.url || !info.IsSet() || info.MaxConnections != 40 {
		t.Fatalf("getWebhookInfo: %v %+v", err, info)
	}
	if _, err := w.srv.SendText(ada, ada, "ping"); err != nil {
		t.Fatal(err)
	}
	if u := rc.next(t); u.UpdateID != telegram.FirstUpdateID || u.Message.Text != "ping" || u.Message.From.Username != "ada" {
		t.Fatalf("delivered %+v", u)
	}
	w.waitFor(t, "the pong from the webhook response", func() bool {
		tr := w.srv.Transcript(ada)
		return len(tr) == 2 && tr[1].Text == "pong"
	})
	deliveries := w.observations("deliver")
	if len(deliveries) != 1 || deliveries[0] != `update 100000001 message "ping" from @ada in chat 1001` {
		t.Errorf("deliver observations: %q", deliveries)
	}
	if d := w.srv.Deliveries(); len(d) != 1 || d[0].Status != 200 || d[0].Attempt != 1 || d[0].UpdateID != telegram.FirstUpdateID {
		t.Errorf("deliveries: %+v", d)
	}
	sends := w.observations("sendMessage")
	if len(sends) != 1 || sends[0] != `chat=1001 "pong" (from webhook response)` {
		t.Errorf("sendMessage observations: %q", sends)
	}
	calls := w.srv.Calls()
	if last := calls[len(calls)-1]; last.Method != "sendMessage" || last.Via != "webhook" || last.Status != 200 {
		t.Errorf("last call: %+v", last)
	}
}

func TestSetWebhookEncodings(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		set  func(w *world, url string) (int, telegram.Response)
	}{
		{"form", func(w *world, u string) (int, telegram.Response) {
			return w.form(t, "setWebhook", url.Values{"url": {u}, "secret_token": {"form-secret"}, "allowed_updates": {`["message","callback_query"]`}})
		}},
		{"json", func(w *world, u string) (int, telegram.Response) {
			return w.api(t, "setWebhook", map[string]any{"url": u, "secret_token": "form-secret", "allowed_updates": []string{"message", "callback_query"}})
		}},
		{"query string", func(w *world, u string) (int, telegram.Response) {
			q := url.Values{"url": {u}, "secret_token": {"form-secret"}, "allowed_updates": {`["message","callback_query"]`}}
			req, _ := http.NewRequest(http.MethodGet, w.srv.URL()+"/bot"+w.srv.Token()+"/SETWEBHOOK?"+q.Encode(), nil)
			return do(t, req)
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			rc := newReceiver(t, "form-secret", nil)
			status, r := c.set(w, rc.url)
			mustOK(t, status, r, nil)
			info := w.srv.WebhookInfo()
			if info.URL != rc.url || strings.Join(info.AllowedUpdates, ",") != "message,callback_query" {
				t.Fatalf("webhook info: %+v", info)
			}
			if _, err := w.srv.SendText(ada, ada, "hi"); err != nil {
				t.Fatal(err)
			}
			if u := rc.next(t); u.Message == nil || u.Message.Text != "hi" {
				t.Fatalf("delivered %+v", u)
			}
		})
	}
}

func TestWebhookRetriesAndRecordsErrors(t *testing.T) {
	t.Parallel()
	w := newWorld(t, telegram.WithDeliveryRetry(3, time.Millisecond))
	rc := newReceiver(t, "", func(rw http.ResponseWriter, u telegram.Update, n int) {
		if n == 1 {
			rw.WriteHeader(http.StatusInternalServerError)
			return
		}
		rw.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(rw, `{"method":"sendMessage","chat_id":1001,"text":"sorry for the wait"}`)
	})
	status, r := w.api(t, "setWebhook", map[string]any{"url": rc.url})
	mustOK(t, status, r, nil)
	if _, err := w.srv.SendText(ada, ada, "hi"); err != nil {
		t.Fatal(err)
	}
	rc.next(t)
	if u := rc.next(t); u.UpdateID != telegram.FirstUpdateID {
		t.Fatalf("the retry delivered update %d", u.UpdateID)
	}
	w.waitFor(t, "the reply from the webhook response", func() bool { return len(w.srv.Transcript(ada)) == 2 })
	want := []string{
		`update 100000001 message "hi" from @ada in chat 1001`,
		`update 100000001 → 500 Internal Server Error (retrying)`,
		`update 100000001 message "hi" from @ada in chat 1001 (attempt 2 of 3)`,
	}
	if got := w.observations("deliver"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("deliveries:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	info := w.srv.WebhookInfo()
	if info.LastErrorMessage != "Wrong response from the webhook: 500 Internal Server Error" || info.LastErrorDate != 1767225600 {
		t.Errorf("webhook info: %+v", info)
	}
}

func TestWebhookGivesUpOnAnUnreachableURL(t *testing.T) {
	t.Parallel()
	w := newWorld(t, telegram.WithDeliveryRetry(2, time.Millisecond))
	hook := fakes.RefusedURL(t) + "/hook"
	status, r := w.api(t, "setWebhook", map[string]any{"url": hook})
	mustOK(t, status, r, nil)
	if _, err := w.srv.SendText(ada, ada, "anyone?"); err != nil {
		t.Fatal(err)
	}
	w.waitFor(t, "the update to be dropped", func() bool { return len(w.observations("deliver")) == 4 })
	want := []string{
		`update 100000001 message "anyone?" from @ada in chat 1001`,
		`update 100000001 → Connection refused (retrying)`,
		`update 100000001 message "anyone?" from @ada in chat 1001 (attempt 2 of 2)`,
		`update 100000001 → Connection refused (dropped after 2 attempts)`,
	}
	if got := w.observations("deliver"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("deliveries:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	w.waitFor(t, "the queue to empty", func() bool { return w.srv.WebhookInfo().PendingUpdateCount == 0 })
	if info := w.srv.WebhookInfo(); info.LastErrorMessage != "Connection refused" {
		t.Errorf("webhook info: %+v", info)
	}
}

func TestWebhookLifecycle(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	rc := newReceiver(t, "", nil)
	// Updates queued before the webhook is set are delivered once it is,
	// unless drop_pending_updates says otherwise.
	for _, text := range []string{"one", "two"} {
		if _, err := w.srv.SendText(ada, ada, text); err != nil {
			t.Fatal(err)
		}
	}
	if n := w.srv.WebhookInfo().PendingUpdateCount; n != 2 {
		t.Fatalf("pending %d, want 2", n)
	}
	status, r := w.api(t, "setWebhook", map[string]any{"url": rc.url, "drop_pending_updates": true})
	mustOK(t, status, r, nil)
	if n := w.srv.WebhookInfo().PendingUpdateCount; n != 0 {
		t.Fatalf("pending after drop %d, want 0", n)
	}
	status, r = w.api(t, "setWebhook", map[string]any{"url": rc.url})
	if mustOK(t, status, r, nil); r.Description != "Webhook is already set" {
		t.Errorf("description %q", r.Description)
	}
	status, r = w.api(t, "deleteWebhook", nil)
	if mustOK(t, status, r, nil); r.Description != "Webhook was deleted" {
		t.Errorf("description %q", r.Description)
	}
	status, r = w.api(t, "deleteWebhook", nil)
	if mustOK(t, status, r, nil); r.Description != "Webhook is already deleted" {
		t.Errorf("description %q", r.Description)
	}
	if _, err := w.srv.SendText(ada, ada, "three"); err != nil {
		t.Fatal(err)
	}
	status, r = w.api(t, "setWebhook", map[string]any{"url": rc.url})
	mustOK(t, status, r, nil)
	if u := rc.next(t); u.Message.Text != "three" {
		t.Fatalf("delivered %+v", u)
	}
}

// TestCloseEndsAHangingDelivery checks that Close cancels a webhook
// delivery the bot never answers, instead of waiting for it.
func TestCloseEndsAHangingDelivery(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	arrived, cancelled := make(chan struct{}), make(chan struct{})
	hook := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body) // the server notices a hang-up only once the body is read
		close(arrived)
		<-r.Context().Done() // never answers; only the fake hanging up ends this
		close(cancelled)
	}))
	t.Cleanup(hook.Close)
	status, r := w.api(t, "setWebhook", map[string]any{"url": hook.URL})
	mustOK(t, status, r, nil)
	if _, err := w.srv.SendText(ada, ada, "hi"); err != nil {
		t.Fatal(err)
	}
	<-arrived // the test's deadline bounds every wait here
	if err := w.srv.Close(); err != nil {
		t.Fatal(err)
	}
	<-cancelled
}
