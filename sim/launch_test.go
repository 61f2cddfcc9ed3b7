package sim_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	tgexample "github.com/chatsim/chatsim/examples/telegram"
	"github.com/chatsim/chatsim/fakes"
	"github.com/chatsim/chatsim/recorder/cassette"
	"github.com/chatsim/chatsim/sim"
)

// lateEnv is an environment filled in after the integration started: a
// person starts their integration, then chatsim, then tells the
// integration where the platform is.
type lateEnv struct {
	mu  sync.Mutex
	env sim.Env
}

func (e *lateEnv) getenv(k string) string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.env[k]
}

// TestReplayURL replays through an integration that was already running
// at a URL: the World neither starts nor stops it, and the journal is the
// same as in process.
func TestReplayURL(t *testing.T) {
	t.Parallel()
	env := &lateEnv{}
	var handler http.Handler
	var once sync.Once
	srv, err := fakes.Listen("", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/health" {
			w.Write([]byte("ok"))
			return
		}
		once.Do(func() {
			h, err := tgexample.New(env.getenv)
			if err != nil {
				panic(err)
			}
			handler = h
		})
		handler.ServeHTTP(w, r)
	}))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()

	r, err := cassette.Open("../examples/telegram/cassettes/order.cassette")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	opts, err := sim.SetupFromHeader(r.Header(), sim.Options{Integration: sim.Integration{Launcher: sim.URL(srv.URL + "/"), Definition: telegramDefinition(t), Secrets: map[string]string{"WEBHOOK_SECRET": "chatsim-test-webhook-secret"}}, NoRegister: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	w, err := sim.Start(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if got := w.Integration().URL(); got != srv.URL {
		t.Errorf("integration URL = %q, want %q (trailing slash trimmed)", got, srv.URL)
	}
	env.mu.Lock()
	env.env = w.Env
	env.mu.Unlock()
	if err := w.Step(ctx, "setup  platform → integration: register", w.Platform.Register); err != nil {
		t.Fatal(err)
	}
	res, err := sim.Replay(ctx, w, r, sim.ReplayOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := replayCassette(t, "order.cassette").Journal
	got := strings.Replace(res.Journal, "# setup  chat platforms → platform: webhooks\n\n", "", 1)
	if got != want {
		t.Fatalf("URL journal differs from in process:\n--- url ---\n%s\n--- in process ---\n%s", got, want)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if resp, err := http.Get(srv.URL + "/health"); err != nil {
		t.Errorf("the World stopped an integration it did not start: %v", err)
	} else {
		resp.Body.Close()
	}
}

// TestURLUnreachable names the URL when nothing answers there.
func TestURLUnreachable(t *testing.T) {
	t.Parallel()
	url := fakes.RefusedURL(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_, err := sim.Start(ctx, sim.Options{Integration: sim.Integration{Launcher: sim.URL(url)}})
	if err == nil || !strings.Contains(err.Error(), url) {
		t.Fatalf("Start with nothing at %s: %v, want an error naming the URL", url, err)
	}
}

// TestInProcessOnClock: an in-process integration's sleep moves the
// World's virtual clock instead of waiting, so an hour's Retry-After costs
// nothing.
func TestInProcessOnClock(t *testing.T) {
	t.Parallel()
	launcher := sim.InProcessOnClock("sleepy", func(getenv func(string) string, sleep sim.Sleep) (http.Handler, error) {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if err := sleep(r.Context(), time.Hour); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			w.Write([]byte("{}"))
		}), nil
	})
	w, err := sim.Start(context.Background(), sim.Options{Integration: sim.Integration{Launcher: launcher, Platforms: []string{"telegram"}}, NoRegister: true})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	before := w.Clock.Now()
	resp, err := http.Get(w.Integration().URL() + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := w.Clock.Now().Sub(before); got != time.Hour {
		t.Fatalf("the virtual clock moved %s, want 1h", got)
	}
}
