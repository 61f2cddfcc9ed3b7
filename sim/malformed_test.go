package sim_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	tgexample "github.com/chatsim/chatsim/examples/telegram"
	"github.com/chatsim/chatsim/recorder/cassette"
	"github.com/chatsim/chatsim/sim"
)

// misbehaving is an integration that answers one operation badly and every
// other one with 200 {}.
func misbehaving(op string, status int, body string) sim.Launcher {
	return sim.InProcess("misbehaving", func(func(string) string) (http.Handler, error) {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/health" {
				return
			}
			if r.Header.Get("x-bp-operation") == op {
				w.WriteHeader(status)
				w.Write([]byte(body))
				return
			}
			w.Write([]byte("{}"))
		}), nil
	})
}

// TestMalformedIntegrationResponses: an integration that answers with
// something the platform cannot use gets an error naming the operation,
// the status and what came back, never a hang or a silent success.
func TestMalformedIntegrationResponses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		op     string
		status int
		body   string
		act    func(ctx context.Context, w *sim.World) error
		want   []string
	}{
		{
			name: "register answers HTML", op: "register", status: 502, body: "<html>Bad Gateway</html>",
			want: []string{"register", "502", "<html>Bad Gateway</html>"},
		},
		{
			name: "action output is not JSON", op: "action_triggered", status: 200, body: "output: 1",
			act: func(ctx context.Context, w *sim.World) error {
				_, err := w.Platform.TriggerAction(ctx, "startTypingIndicator", json.RawMessage(`{"conversationId":"conv_x","messageId":"msg_x"}`))
				return err
			},
			want: []string{"action_triggered", "not a JSON object", "output: 1"},
		},
		{
			name: "action answers without output", op: "action_triggered", status: 200, body: `{"result":{}}`,
			act: func(ctx context.Context, w *sim.World) error {
				_, err := w.Platform.TriggerAction(ctx, "startTypingIndicator", json.RawMessage(`{"conversationId":"conv_x","messageId":"msg_x"}`))
				return err
			},
			want: []string{"action_triggered", `without an "output" field`},
		},
		{
			name: "runtime error body", op: "ping", status: 400, body: `{"id":"err_1","code":400,"type":"Runtime","message":"bot token rejected"}`,
			act:  func(ctx context.Context, w *sim.World) error { return w.Platform.Ping(ctx) },
			want: []string{"ping", "400 Runtime", "bot token rejected"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			w, err := sim.Start(ctx, sim.Options{Integration: sim.Integration{Launcher: misbehaving(tt.op, tt.status, tt.body), Definition: telegramDefinition(t), Platforms: []string{"telegram"}, Configuration: json.RawMessage(`{"botToken":"${TELEGRAM_BOT_TOKEN}"}`)}})
			if err == nil {
				defer w.Close()
				if tt.act == nil {
					t.Fatal("Start succeeded, want an error")
				}
				err = tt.act(ctx, w)
			}
			if err == nil {
				t.Fatal("no error")
			}
			for _, s := range tt.want {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error lacks %q:\n%v", s, err)
				}
			}
		})
	}
}

// TestReplayStepFailsOnBadAnswer: when the integration fails the bot's
// message (message_created answered 500 with a stack trace), the replay
// fails, naming the operation, the message and what the integration said.
func TestReplayStepFailsOnBadAnswer(t *testing.T) {
	t.Parallel()
	launcher := sim.InProcess("examples/telegram (failing message_created)", func(getenv func(string) string) (http.Handler, error) {
		h, err := tgexample.New(getenv)
		if err != nil {
			return nil, err
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("x-bp-operation") == "message_created" {
				http.Error(w, "panic: assignment to entry in nil map", http.StatusInternalServerError)
				return
			}
			h.ServeHTTP(w, r)
		}), nil
	})
	r, err := cassette.Open("../examples/telegram/cassettes/text.cassette")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	res, err := sim.ReplayCassette(context.Background(), r, sim.Options{Integration: sim.Integration{Launcher: launcher, Definition: telegramDefinition(t)}})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Failed() || len(res.Failures) != res.Deliveries {
		t.Fatalf("replay of %d deliveries has failures %q, want one per bot reply", res.Deliveries, res.Failures)
	}
	want := "integration error: message_created msg#2: 500 panic: assignment to entry in nil map"
	if res.Failures[0] != want {
		t.Errorf("first failure = %q, want %q", res.Failures[0], want)
	}
}

// dying is the Telegram example until its first webhook: then it drops the
// connection, as a process that crashes does, and shows its exit only
// later, as the reaping of a process lags behind its closed sockets.
type dying struct {
	exited chan struct{}
	once   sync.Once
}

func (d *dying) String() string { return "dying" }

func (d *dying) Launch(ctx context.Context, env sim.Env, opts sim.LaunchOptions) (sim.Running, error) {
	inner := sim.InProcess("dying", func(getenv func(string) string) (http.Handler, error) {
		h, err := tgexample.New(getenv)
		if err != nil {
			return nil, err
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("x-bp-operation") != "webhook_received" {
				h.ServeHTTP(w, r)
				return
			}
			d.once.Do(func() { time.AfterFunc(300*time.Millisecond, func() { close(d.exited) }) })
			if c, _, err := http.NewResponseController(w).Hijack(); err == nil {
				c.Close()
			}
		}), nil
	})
	r, err := inner.Launch(ctx, env, opts)
	if err != nil {
		return nil, err
	}
	return dyingRunning{r, d}, nil
}

type dyingRunning struct {
	sim.Running
	d *dying
}

func (r dyingRunning) Exited() <-chan struct{} { return r.d.exited }
func (r dyingRunning) Err() error {
	select {
	case <-r.d.exited:
		return &sim.ExitError{Name: "dying", Code: 7, Output: "panic: cannot handle this webhook"}
	default:
		return nil
	}
}

// TestReplayNoticesALateExit: an integration that drops its first webhook
// and is seen to exit only afterwards fails the replay with its exit, at
// the delivery it died on, not after trying every delivery on a dead port.
func TestReplayNoticesALateExit(t *testing.T) {
	t.Parallel()
	r, err := cassette.Open("../examples/telegram/cassettes/order.cassette")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	res, err := sim.ReplayCassette(context.Background(), r, sim.Options{Integration: sim.Integration{
		Launcher: &dying{exited: make(chan struct{})}, Definition: telegramDefinition(t),
	}})
	if !errors.Is(err, sim.ErrExited) {
		t.Fatalf("replay error = %v, want the integration's exit", err)
	}
	if !strings.Contains(err.Error(), "exited with code 7") {
		t.Errorf("%v does not say how it exited", err)
	}
	if res.Deliveries != 1 {
		t.Errorf("%d deliveries tried, want 1: the replay went on past the exit", res.Deliveries)
	}
}
