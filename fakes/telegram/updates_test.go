package telegram_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/chatsim/chatsim/fakes/telegram"
	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

func TestLongPollingWithTgbotapi(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	bot := w.bot(t)
	u := tgbotapi.NewUpdate(0)
	u.Timeout = 30
	updates := bot.GetUpdatesChan(u)
	t.Cleanup(bot.StopReceivingUpdates)

	replied := make(chan struct{})
	go func() {
		defer close(replied)
		for up := range updates {
			if up.Message == nil {
				continue
			}
			reply := tgbotapi.NewMessage(up.Message.Chat.ID, "You said: "+up.Message.Text)
			reply.ReplyToMessageID = up.Message.MessageID
			if _, err := bot.Send(reply); err != nil {
				t.Errorf("reply: %v", err)
			}
			return
		}
	}()
	if _, err := w.srv.SendText(ada, ada, "hello"); err != nil {
		t.Fatal(err)
	}
	select {
	case <-replied:
	case <-time.After(5 * time.Second):
		t.Fatalf("the bot never replied; journal:\n%s", w.journalText())
	}
	tr := w.srv.Transcript(ada)
	if len(tr) != 2 || tr[1].Text != "You said: hello" || tr[1].ReplyToMessage == nil || tr[1].ReplyToMessage.MessageID != 1 {
		t.Fatalf("transcript: %+v", tr)
	}
	got := w.observations("getUpdates")
	if len(got) != 1 || got[0] != "updates 100000001 message" {
		t.Errorf("getUpdates observations: %q (empty polls must not be journaled)", got)
	}
}

func TestGetUpdatesOffsetLimitAndConfirmation(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	for _, text := range []string{"one", "two", "three", "four"} {
		if _, err := w.srv.SendText(ada, ada, text); err != nil {
			t.Fatal(err)
		}
	}
	ids := func(params map[string]any) []int64 {
		t.Helper()
		var ups []telegram.Update
		status, r := w.api(t, "getUpdates", params)
		mustOK(t, status, r, &ups)
		var out []int64
		for _, u := range ups {
			out = append(out, u.UpdateID)
		}
		return out
	}
	cases := []struct {
		name   string
		params map[string]any
		want   []int64
	}{
		{"all unconfirmed", nil, []int64{100000001, 100000002, 100000003, 100000004}},
		{"limit", map[string]any{"limit": 2}, []int64{100000001, 100000002}},
		{"limit clamped to 1", map[string]any{"limit": 0}, []int64{100000001}},
		{"offset confirms earlier", map[string]any{"offset": 100000002}, []int64{100000002, 100000003, 100000004}},
		{"confirmed ones are gone", nil, []int64{100000002, 100000003, 100000004}},
		{"negative offset keeps the last", map[string]any{"offset": -1}, []int64{100000004}},
		{"the rest is forgotten", nil, []int64{100000004}},
		{"offset past the last confirms all", map[string]any{"offset": 100000005}, nil},
	}
	for _, c := range cases { // sequential: each case depends on the previous
		if got := ids(c.params); !equalIDs(got, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
	if n := w.srv.WebhookInfo().PendingUpdateCount; n != 0 {
		t.Errorf("pending_update_count %d, want 0", n)
	}
}

func equalIDs(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestLongPollReturnsWhenAnUpdateArrives(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	type answer struct {
		status int
		r      telegram.Response
	}
	done := make(chan answer, 1)
	go func() {
		s, r := w.api(t, "getUpdates", map[string]any{"timeout": 30})
		done <- answer{s, r}
	}()
	w.waitParked(t)
	// A parked poll is not work in flight.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := w.activity.Wait(ctx); err != nil {
		t.Fatalf("a parked poll counts as activity: %v", err)
	}
	start := time.Now()
	if _, err := w.srv.SendText(ada, ada, "wake up"); err != nil {
		t.Fatal(err)
	}
	a := <-done
	var ups []telegram.Update
	mustOK(t, a.status, a.r, &ups)
	if len(ups) != 1 || ups[0].Message.Text != "wake up" {
		t.Fatalf("got %+v", ups)
	}
	if time.Since(start) > 3*time.Second {
		t.Errorf("the poll waited for its timeout instead of returning at once")
	}
}

// waitParked waits until a getUpdates long poll is parked.
func (w *world) waitParked(tb testing.TB) {
	tb.Helper()
	deadline := time.Now().Add(5 * time.Second)
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for !w.srv.Parked() {
		if time.Now().After(deadline) {
			tb.Fatal("no getUpdates poll parked within 5s")
		}
		<-tick.C
	}
}

func TestGetUpdatesConflicts(t *testing.T) {
	t.Parallel()
	t.Run("webhook set", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t)
		status, r := w.api(t, "setWebhook", map[string]any{"url": "http://127.0.0.1:9/hook"})
		mustOK(t, status, r, nil)
		status, r = w.api(t, "getUpdates", nil)
		want := "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
		if status != 409 || r.ErrorCode != 409 || r.Description != want {
			t.Fatalf("got %d %+v", status, r)
		}
		bot := w.bot(t)
		if _, err := bot.GetUpdates(tgbotapi.NewUpdate(0)); err == nil || !strings.Contains(err.Error(), "webhook is active") {
			t.Errorf("tgbotapi GetUpdates: %v", err)
		}
	})
	t.Run("second poller terminates the first", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t)
		first := make(chan telegram.Response, 1)
		go func() {
			status, r := w.api(t, "getUpdates", map[string]any{"timeout": 30})
			if status != 409 {
				t.Errorf("first poll: status %d", status)
			}
			first <- r
		}()
		w.waitParked(t)
		second := make(chan []telegram.Update, 1)
		go func() {
			var ups []telegram.Update
			status, r := w.api(t, "getUpdates", map[string]any{"timeout": 30})
			mustOK(t, status, r, &ups)
			second <- ups
		}()
		r := <-first
		if r.Description != "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running" {
			t.Fatalf("first poll: %+v", r)
		}
		w.waitParked(t)
		if _, err := w.srv.SendText(ada, ada, "hi"); err != nil {
			t.Fatal(err)
		}
		if ups := <-second; len(ups) != 1 {
			t.Fatalf("second poll got %+v", ups)
		}
	})
}

func TestAllowedUpdates(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	if err := w.srv.AddChat(telegram.Chat{ID: -100, Type: telegram.ChatGroup, Title: "Tea lovers"}); err != nil {
		t.Fatal(err)
	}
	if err := w.srv.AddMember(-100, ada, telegram.StatusCreator); err != nil {
		t.Fatal(err)
	}
	types := func(params map[string]any) []string {
		var ups []json.RawMessage
		status, r := w.api(t, "getUpdates", params)
		mustOK(t, status, r, &ups)
		var out []string
		for _, raw := range ups {
			var m map[string]json.RawMessage
			_ = json.Unmarshal(raw, &m)
			for k := range m {
				if k != "update_id" {
					out = append(out, k)
				}
			}
		}
		return out
	}
	// Default: chat_member is not created.
	if err := w.srv.Join(bob, -100); err != nil {
		t.Fatal(err)
	}
	if got := types(nil); strings.Join(got, ",") != "message" {
		t.Errorf("default allowed_updates: got %v, want [message]", got)
	}
	// Asking for chat_member persists for later calls.
	if got := types(map[string]any{"offset": -1, "allowed_updates": []string{"chat_member"}}); len(got) != 1 {
		t.Fatalf("got %v", got)
	}
	if err := w.srv.Leave(bob, -100); err != nil {
		t.Fatal(err)
	}
	if err := w.srv.React(ada, -100, 1, "👍"); err != nil {
		t.Fatal(err)
	}
	if got := types(map[string]any{"offset": 100000002}); strings.Join(got, ",") != "chat_member" {
		t.Errorf("after allowed_updates=[chat_member]: got %v", got)
	}
	if got := w.srv.WebhookInfo().AllowedUpdates; strings.Join(got, ",") != "chat_member" {
		t.Errorf("getWebhookInfo allowed_updates: %v", got)
	}
}

func TestActivityCoversTheDelivery(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	// With no poller and no webhook, an update waits for getUpdates and
	// counts as work in flight until it is handed out.
	if _, err := w.srv.SendText(ada, ada, "hi"); err != nil {
		t.Fatal(err)
	}
	if p := w.activity.Pending(); len(p) != 1 || p[0] != "telegram update 100000001 message" {
		t.Fatalf("pending: %v", p)
	}
	var ups []telegram.Update
	status, r := w.api(t, "getUpdates", nil)
	mustOK(t, status, r, &ups)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := w.activity.Wait(ctx); err != nil {
		t.Fatal(err)
	}
}
