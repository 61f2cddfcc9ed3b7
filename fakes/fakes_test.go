package fakes_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatsim/chatsim/fakes"
)

func TestActivityWaitNamesWhatIsPending(t *testing.T) {
	t.Parallel()
	a := fakes.NewActivity()
	end := a.Begin("telegram sendMessage")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	err := a.Wait(ctx)
	if err == nil || !strings.Contains(err.Error(), "telegram sendMessage") {
		t.Fatalf("Wait = %v, want a deadline error naming the pending work", err)
	}
	end()
	end() // harmless twice
	if err := a.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestActivityPendingNamesEachOnce: a queued delivery whose worker holds
// its Turn is one piece of work, named once in what is pending.
func TestActivityPendingNamesEachOnce(t *testing.T) {
	t.Parallel()
	a := fakes.NewActivity()
	ticket := a.Queue("telegram update 1 message")
	release, err := ticket.Turn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	end := a.Begin("platform → integration webhook_received")
	want := []string{"platform → integration webhook_received", "telegram update 1 message"}
	if got := a.Pending(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("Pending() = %q, want %q", got, want)
	}
	end()
	release()
	ticket.End()
	if got := a.Pending(); len(got) != 0 {
		t.Errorf("Pending() = %q after everything ended, want nothing", got)
	}
}

func TestTrackAndIdle(t *testing.T) {
	t.Parallel()
	a := fakes.NewActivity()
	parked := make(chan struct{})
	release := make(chan struct{})
	srv, err := fakes.Listen("", fakes.Track(a, "fake", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fakes.Idle(r)
		close(parked)
		<-release
	})))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	done := make(chan error, 1)
	go func() {
		resp, err := http.Get(srv.URL + "/poll")
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	<-parked
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := a.Wait(ctx); err != nil {
		t.Fatalf("a parked request still counts: %v", err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestFaultsTakeCountsDown(t *testing.T) {
	t.Parallel()
	var fs fakes.Faults
	fs.Add(fakes.Fault{Op: "sendMessage", Status: 429, RetryAfter: 3, Times: 2})
	for i, want := range []bool{true, true, false} {
		if _, ok := fs.Take("SENDMESSAGE"); ok != want {
			t.Fatalf("take %d = %v, want %v", i, ok, want)
		}
	}
}

func TestJournalAndClock(t *testing.T) {
	t.Parallel()
	c := fakes.NewVirtualClock(time.Time{})
	if c.Now().Unix() != fakes.EpochUnix {
		t.Fatalf("clock starts at %v", c.Now())
	}
	c.Set(c.Now().Add(-time.Hour))
	if c.Now().Unix() != fakes.EpochUnix {
		t.Fatal("virtual time went backwards")
	}
	j := fakes.NewJournal()
	changed := j.Changed()
	o := j.Record(fakes.Observation{Source: "telegram", Kind: "getMe"})
	<-changed
	if o.Seq != 1 || len(j.Since(0)) != 1 || len(j.Since(1)) != 0 {
		t.Fatalf("seq %d, since(0) %d", o.Seq, len(j.Since(0)))
	}
	if got := fakes.FormatTags(map[string]string{"b": "x y", "a": "1"}); got != `tags{a=1, b="x y"}` {
		t.Fatalf("FormatTags = %s", got)
	}
	if got := fakes.CanonicalJSON([]byte(`{"b":1, "a":[2]}`)); got != `{"a":[2],"b":1}` {
		t.Fatalf("CanonicalJSON = %s", got)
	}
}

// TestCloseDoesNotWaitForIdleNewConnections opens a connection that never
// sends a request; Close must not wait its five-second timeout for it.
func TestCloseDoesNotWaitForIdleNewConnections(t *testing.T) {
	t.Parallel()
	srv, err := fakes.Listen("", http.NotFoundHandler())
	if err != nil {
		t.Fatal(err)
	}
	c, err := net.Dial("tcp", srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// The server must have seen the connection before Close for the case to
	// matter: a request on another connection proves the accept loop ran.
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if err := srv.Close(); err != nil {
		t.Fatalf("Close = %v, want nil without waiting out the timeout", err)
	}
}

// A Turn is granted only when nothing is busy and no other Turn is held;
// queued work keeps Wait waiting but holds no Turn back.
func TestActivityTurn(t *testing.T) {
	t.Parallel()
	a := fakes.NewActivity()
	queued := a.Queue("slack deliver message")
	busy := a.Begin("platform → integration message_created")
	granted := make(chan func(), 1)
	go func() {
		release, err := queued.Turn(context.Background())
		if err != nil {
			t.Error(err)
			return
		}
		granted <- release
	}()
	reply := a.Queue("bot reply")
	short, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := reply.Turn(short); err == nil || !strings.Contains(err.Error(), "message_created") {
		t.Fatalf("Turn while busy = %v, want a deadline error naming the busy work", err)
	}
	select {
	case <-granted:
		t.Fatal("a Turn was granted while an invocation was busy")
	default:
	}
	busy()
	release := <-granted // the deadline of the test is the wait's bound
	second := make(chan struct{})
	go func() {
		r, err := reply.Turn(context.Background())
		if err == nil {
			r()
		}
		reply.End()
		close(second)
	}()
	short2, cancel2 := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel2()
	if err := a.Wait(short2); err == nil {
		t.Fatal("Wait returned while queued work and a Turn were pending")
	}
	select {
	case <-second:
		t.Fatal("a second Turn was granted while the first was held")
	default:
	}
	release()
	<-second
	queued.End()
	queued.End() // harmless
	if err := a.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	var nilActivity *fakes.Activity
	nilTicket := nilActivity.Queue("x")
	nilTicket.Ready()
	if r, err := nilTicket.Turn(context.Background()); err != nil {
		t.Fatal(err)
	} else {
		r()
	}
	nilTicket.End()
}

// Tickets in line (Ready) take the Turn in the order they were queued,
// whichever worker asks first, and hold later tickets back before their
// worker asks; a ticket that joins the line only when it asks (third, as
// Telegram's do) waits behind them.
func TestActivityTurnOrder(t *testing.T) {
	t.Parallel()
	for range 50 {
		a := fakes.NewActivity()
		call := a.Begin("slack POST /api/chat.postMessage")
		first := a.Queue("slack deliver event_callback")
		first.Ready()
		second := a.Queue("bot reply to msg#3")
		second.Ready() // as the bot's queue does
		third := a.Queue("telegram update 7 message")
		order := make(chan string, 3)
		var wg sync.WaitGroup
		for _, tk := range []*fakes.Ticket{third, second} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				release, err := tk.Turn(context.Background())
				if err != nil {
					t.Error(err)
					return
				}
				order <- fmt.Sprint(tk == second)
				release()
				tk.End()
			}()
		}
		// Both workers are waiting or about to; neither may go before first,
		// which is in line though its worker has not asked yet.
		call()
		short, cancel := context.WithTimeout(context.Background(), 5*time.Millisecond)
		err := a.Wait(short)
		cancel()
		if err == nil {
			t.Fatal("Wait returned with three tickets pending")
		}
		select {
		case o := <-order:
			t.Fatalf("a later ticket (second=%s) took the Turn while an earlier one was in line", o)
		default:
		}
		release, err := first.Turn(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		release()
		first.End()
		wg.Wait()
		close(order)
		var got []string
		for o := range order {
			got = append(got, o)
		}
		if strings.Join(got, " ") != "true false" {
			t.Fatalf("second ticket first = %v, want [true false]: the Turn goes in queue order", got)
		}
	}
}

// A ticket in line that is dropped unsent (End) no longer holds the line.
func TestActivityTicketEndLeavesTheLine(t *testing.T) {
	t.Parallel()
	a := fakes.NewActivity()
	dropped := a.Queue("rocketchat deliver outgoing")
	dropped.Ready()
	later := a.Queue("bot reply")
	done := make(chan error, 1)
	go func() {
		release, err := later.Turn(context.Background())
		if err == nil {
			release()
		}
		later.End()
		done <- err
	}()
	select {
	case err := <-done:
		t.Fatalf("Turn = %v while an earlier ticket was in line", err)
	case <-time.After(10 * time.Millisecond):
	}
	dropped.End()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := a.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
}
