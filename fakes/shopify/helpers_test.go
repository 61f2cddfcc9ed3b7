package shopify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatsim/chatsim/fakes"
	"github.com/chatsim/chatsim/fakes/shopify"
)

// world is a fake with a journal, an activity tracker, a virtual clock and
// a webhook receiver as its target.
type world struct {
	srv      *shopify.Server
	journal  *fakes.Journal
	activity *fakes.Activity
	clock    *fakes.VirtualClock
	recv     *receiver
}

func newWorld(tb testing.TB, opts ...shopify.Option) *world {
	tb.Helper()
	w := &world{journal: fakes.NewJournal(), activity: fakes.NewActivity(), clock: fakes.NewVirtualClock(time.Time{})}
	w.recv = newReceiver(tb)
	opts = append([]shopify.Option{shopify.WithJournal(w.journal), shopify.WithActivity(w.activity), shopify.WithClock(w.clock)}, opts...)
	w.srv = shopify.New(tb, opts...)
	if err := w.srv.SetWebhookTarget(context.Background(), w.recv.url); err != nil {
		tb.Fatal(err)
	}
	return w
}

// settle waits until every request and delivery in flight has finished.
func (w *world) settle(tb testing.TB) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := w.activity.Wait(ctx); err != nil {
		tb.Fatal(err)
	}
}

// journalText returns the journal's lines, "Kind Text".
func (w *world) journalText() []string {
	var out []string
	for _, o := range w.journal.Observations() {
		out = append(out, o.Kind+" "+o.Text)
	}
	return out
}

// got is one request the receiver saw.
type got struct {
	Header http.Header
	Body   []byte
}

func (g got) topic() string { return g.Header.Get("X-Shopify-Topic") }

func (g got) object(tb testing.TB) map[string]any {
	tb.Helper()
	var m map[string]any
	if err := json.Unmarshal(g.Body, &m); err != nil {
		tb.Fatalf("webhook body is not a JSON object: %v: %s", err, g.Body)
	}
	return m
}

// receiver is a webhook endpoint whose answers a test scripts: each request
// takes the next answer (a status, or 0 to hang until the sender gives up);
// when the script is used up it answers 200.
type receiver struct {
	url    string
	mu     sync.Mutex
	script []int
	seen   []got
}

func newReceiver(tb testing.TB) *receiver {
	rc := &receiver{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.seen = append(rc.seen, got{Header: r.Header.Clone(), Body: b})
		status := http.StatusOK
		if len(rc.script) > 0 {
			status, rc.script = rc.script[0], rc.script[1:]
		}
		rc.mu.Unlock()
		if status == 0 {
			<-r.Context().Done()
			return
		}
		w.WriteHeader(status)
	}))
	tb.Cleanup(srv.Close)
	rc.url = srv.URL + "/webhooks"
	return rc
}

func (rc *receiver) answer(statuses ...int) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.script = append(rc.script, statuses...)
}

func (rc *receiver) got() []got {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]got(nil), rc.seen...)
}

func (rc *receiver) topics() []string {
	var out []string
	for _, g := range rc.got() {
		out = append(out, g.topic())
	}
	return out
}

// api makes an Admin API request and returns the response and its body.
func api(tb testing.TB, srv *shopify.Server, method, path, token string, body any) (*http.Response, []byte) {
	tb.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			tb.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	u := path
	if !strings.HasPrefix(u, "http") {
		u = srv.URL() + path
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		tb.Fatal(err)
	}
	if token != "" {
		req.Header.Set("X-Shopify-Access-Token", token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return resp, b
}

// control calls the control API.
func control(tb testing.TB, srv *shopify.Server, method, route string, body any) (int, map[string]any) {
	tb.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, srv.URL()+fakes.ControlPrefix+route, rd)
	if err != nil {
		tb.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

// tea creates a $25.00 product and returns its first variant's id.
func tea(tb testing.TB, srv *shopify.Server) int64 {
	tb.Helper()
	p, err := srv.CreateProduct(shopify.ProductInput{Title: "Green Tea", Variants: []shopify.VariantInput{{Price: "25.00", SKU: "TEA-1", InventoryQuantity: 10}}})
	if err != nil {
		tb.Fatal(err)
	}
	return p.Variants[0].ID
}
