package main

import (
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chatsim/chatsim/fakes"
	"github.com/chatsim/chatsim/fakes/shopify"
)

// TestRecordCommandShopify runs `chatsim record --platform shopify` with a
// fake Shopify as the real shop: the bundled integration subscribes
// through the recorder, Ada places a paid order, Ctrl-C ends the
// recording, and the cassette replays through `chatsim replay` with no
// secret in it.
func TestRecordCommandShopify(t *testing.T) {
	t.Parallel()
	up, err := shopify.Start(shopify.WithClock(fakes.RealClock{}))
	if err != nil {
		t.Fatal(err)
	}
	defer up.Close()
	out := filepath.Join(t.TempDir(), "order.cassette")
	rec := startRecord(t, "--platform", "shopify", "-o", out, "--upstream", up.URL(), "--listen", "127.0.0.1:0",
		"--secret", "SHOPIFY_ACCESS_TOKEN="+up.AccessToken(), "--secret", "SHOPIFY_API_SECRET="+up.APISecret())
	waitFor(t, 30*time.Second, "the integration's subscriptions on the upstream", func() bool { return len(up.Subscriptions()) == 6 })
	if _, err := up.CreateOrder(shopify.OrderInput{Email: "ada@example.com", FinancialStatus: "paid",
		LineItems: []shopify.LineItemInput{{Title: "Sencha", Price: "12.50"}}}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "the integration's 200 to customers/create, orders/create and orders/paid", func() bool {
		ds := up.Deliveries()
		return len(ds) == 3 && !slices.ContainsFunc(ds, func(d shopify.Delivery) bool { return d.Status != http.StatusOK })
	})
	stdout := rec.stop()
	for _, want := range []string{"recording shopify ⇄ examples/shopify (in process)", "shopify     ▸ orders/create  (signature verified)  200",
		"integration ◂ POST webhooks.json  201", "wrote " + out + ": 3 deliveries · 7 API calls · ", "(${SHOPIFY_ACCESS_TOKEN}"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("record's output lacks %q:\n%s", want, stdout)
		}
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), up.AccessToken()) || strings.Contains(string(raw), up.APISecret()) {
		t.Error("the cassette holds a secret")
	}
	if replayed := replayRecorded(t, out); !strings.Contains(replayed, "3 deliveries") {
		t.Errorf("the replay's output lacks 3 deliveries:\n%s", replayed)
	}
}
