package slack_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chatsim/chatsim/fakes"
	"github.com/chatsim/chatsim/fakes/slack"
	slackgo "github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

// TestFaultDelayIsOnTheClock: an injected delay moves a virtual clock by
// the delay at once instead of holding the answer back in wall time.
func TestFaultDelayIsOnTheClock(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.srv.Faults().Add(fakes.Fault{Op: "auth.test", Delay: fakes.Duration(time.Hour), Times: 1})
	before := w.clock.Now()
	done := make(chan error, 1)
	go func() {
		_, err := w.api.AuthTest()
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("auth.test: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a 1h delay on the virtual clock held the call back for 5s of wall time")
	}
	if moved := w.clock.Now().Sub(before); moved != time.Hour {
		t.Errorf("the virtual clock moved %v, want the 1h delay", moved)
	}
}

// TestSocketAckTimeoutIsOnTheClock: a Socket Mode envelope waits for its ack
// on the Server's clock, as an HTTP delivery does. An ack that is slow on
// the wall clock while the virtual clock stands still is in time; an app
// that moves the clock past the timeout before acking is too late.
func TestSocketAckTimeoutIsOnTheClock(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// beforeAck runs between an envelope's arrival and its ack.
		beforeAck func(w *world, attempt int)
		want      []string // each delivery as "attempt error"
	}{
		{"slow on the wall clock", func(*world, int) {
			wall := time.NewTimer(200 * time.Millisecond) // four times the timeout, on the wall clock
			defer wall.Stop()
			<-wall.C
		}, []string{"0 "}},
		{"past the timeout on the clock", func(w *world, attempt int) {
			if attempt == 0 {
				w.clock.Advance(time.Second)
			}
		}, []string{"0 timeout", "1 "}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, slack.WithAckTimeout(50*time.Millisecond))
			api := slackgo.New(w.srv.BotToken(), slackgo.OptionAPIURL(w.srv.APIURL()), slackgo.OptionAppLevelToken(w.srv.AppToken()))
			client := socketmode.New(api)
			ctx, cancel := context.WithCancel(context.Background())
			t.Cleanup(cancel)
			go func() { _ = client.RunContext(ctx) }()
			hello := make(chan struct{}, 1)
			go func() {
				for {
					select {
					case <-ctx.Done():
						return
					case evt := <-client.Events:
						switch evt.Type {
						case socketmode.EventTypeHello:
							hello <- struct{}{}
						case socketmode.EventTypeEventsAPI:
							tt.beforeAck(w, evt.Request.RetryAttempt)
							_ = client.Ack(*evt.Request)
						}
					}
				}
			}()
			select {
			case <-hello:
			case <-time.After(10 * time.Second):
				t.Fatal("no hello within 10s")
			}
			if _, err := w.srv.Send(slack.Post{User: "ada", Channel: "general", Text: "hi"}); err != nil {
				t.Fatal(err)
			}
			w.settle(t)
			var got []string
			for _, d := range w.srv.Deliveries() {
				got = append(got, fmt.Sprintf("%d %s", d.Attempt, d.Error))
			}
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("deliveries = %q, want %q", got, tt.want)
			}
		})
	}
}
