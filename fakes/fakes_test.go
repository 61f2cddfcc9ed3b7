package fakes_test

import (
	"context"
	"net"
	"net/http"
	"strings"
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
		release, err := a.Turn(context.Background(), "slack deliver message")
		if err != nil {
			t.Error(err)
			return
		}
		granted <- release
	}()
	short, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := a.Turn(short, "bot reply"); err == nil || !strings.Contains(err.Error(), "message_created") {
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
		r, err := a.Turn(context.Background(), "bot reply")
		if err == nil {
			r()
		}
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
	queued()
	if err := a.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	var nilActivity *fakes.Activity
	if r, err := nilActivity.Turn(context.Background(), "x"); err != nil {
		t.Fatal(err)
	} else {
		r()
	}
}
