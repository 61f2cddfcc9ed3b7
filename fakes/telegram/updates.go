package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/chatsim/chatsim/fakes"
)

const (
	conflictWebhook    = "can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
	conflictTerminated = "terminated by other getUpdates request; make sure that only one bot instance is running"
	// maxPollTimeout caps getUpdates' timeout, in seconds.
	maxPollTimeout = 50
)

// allowedLocked tells whether updates of type typ are created under the
// current allowed_updates setting. s.mu must be held.
func (s *Server) allowedLocked(typ string) bool {
	if len(s.allowed) == 0 {
		return typ != "chat_member" && typ != "message_reaction" && typ != "message_reaction_count"
	}
	for _, a := range s.allowed {
		if a == typ {
			return true
		}
	}
	return false
}

// parseAllowed reads an allowed_updates parameter: a JSON array of update
// type names.
func parseAllowed(raw string) ([]string, *apiError) {
	var a []string
	if err := json.Unmarshal([]byte(raw), &a); err != nil {
		return nil, badRequest("can't parse allowed updates JSON array")
	}
	return a, nil
}

// enqueueLocked creates an update of type typ around payload, unless
// allowed_updates filters it out, and queues it. s.mu must be held.
func (s *Server) enqueueLocked(u Update) (Update, bool) {
	typ := u.Type()
	if !s.allowedLocked(typ) {
		return Update{}, false
	}
	u.UpdateID = s.nextUpdate
	s.nextUpdate++
	raw, _ := json.Marshal(u)
	s.pushLocked(u.UpdateID, typ, raw)
	return u, true
}

// pushLocked queues a ready update for getUpdates or the webhook worker.
// s.mu must be held.
func (s *Server) pushLocked(id int64, typ string, raw json.RawMessage) {
	q := &queued{id: id, typ: typ, raw: raw}
	q.ticket = s.cfg.activity.Queue(fmt.Sprintf("telegram update %d %s", id, typ))
	s.queue = append(s.queue, q)
	s.notifyLocked()
}

// removeLocked takes q out of the queue and ends its activity. s.mu must be
// held.
func (s *Server) removeLocked(q *queued) {
	for i, x := range s.queue {
		if x == q {
			s.queue = append(s.queue[:i:i], s.queue[i+1:]...)
			break
		}
	}
	q.finish()
}

// dropPendingLocked forgets every queued update. s.mu must be held.
func (s *Server) dropPendingLocked() {
	for _, q := range s.queue {
		q.finish()
	}
	s.queue = nil
}

func (s *Server) getUpdates(c *call) (result, *apiError) {
	p := c.p
	offset := p.intOr("offset", 0)
	limit := min(max(p.intOr("limit", 100), 1), 100)
	timeout := min(max(p.intOr("timeout", 0), 0), maxPollTimeout)
	var allowed []string
	if raw := strings.TrimSpace(p.str("allowed_updates")); raw != "" {
		var aerr *apiError
		if allowed, aerr = parseAllowed(raw); aerr != nil {
			return result{}, aerr
		}
	}
	deadline := time.Now().Add(time.Duration(timeout) * time.Second)
	var (
		me       *poller
		timer    *time.Timer
		idled    bool
		first    = true
		timedOut = timeout == 0
	)
	defer func() {
		if timer != nil {
			timer.Stop()
		}
		if me != nil {
			s.mu.Lock()
			if s.poller == me {
				s.poller = nil
			}
			s.mu.Unlock()
		}
	}()
	for {
		s.mu.Lock()
		if s.webhook.url != "" {
			s.mu.Unlock()
			return result{}, conflict(conflictWebhook)
		}
		if first {
			first = false
			if allowed != nil {
				s.allowed, s.webhook.allowedSet = allowed, true
			}
			s.confirmLocked(offset)
			if s.poller != nil {
				close(s.poller.kill)
				s.poller = nil
			}
		}
		out := make([]json.RawMessage, 0, limit)
		var ids []string
		for _, q := range s.queue {
			if int64(len(out)) == limit {
				break
			}
			out = append(out, q.raw)
			ids = append(ids, strconv.FormatInt(q.id, 10)+" "+q.typ)
			q.fetched = true
			q.finish()
		}
		if len(out) > 0 || timedOut || s.closed {
			s.mu.Unlock()
			if len(out) == 0 {
				c.quiet = true
			} else {
				c.summary = "updates " + strings.Join(ids, ", ")
			}
			return result{value: out}, nil
		}
		if me == nil {
			me = &poller{kill: make(chan struct{})}
			s.poller = me
		}
		wait := s.changed
		s.mu.Unlock()
		if !idled && c.r != nil {
			fakes.Idle(c.r) // a parked poll is not work in flight
			idled = true
		}
		if timer == nil {
			timer = time.NewTimer(time.Until(deadline))
		}
		select {
		case <-wait:
		case <-me.kill:
			me = nil // already cleared by the newer poll
			return result{}, conflict(conflictTerminated)
		case <-timer.C:
			timedOut = true
		case <-c.ctx.Done():
			timedOut = true
		}
	}
}

// confirmLocked applies getUpdates' offset: a positive offset forgets every
// update before it, a negative one keeps only the last -offset updates. s.mu
// must be held.
func (s *Server) confirmLocked(offset int64) {
	switch {
	case offset > 0:
		keep := s.queue[:0:0]
		for _, q := range s.queue {
			if q.id < offset {
				q.finish()
				continue
			}
			keep = append(keep, q)
		}
		s.queue = keep
	case offset < 0:
		// -offset overflows for the smallest int64; any offset at or
		// below -len keeps every update.
		if offset <= -int64(len(s.queue)) {
			return
		}
		n := int(-offset)
		for _, q := range s.queue[:len(s.queue)-n] {
			q.finish()
		}
		s.queue = append([]*queued(nil), s.queue[len(s.queue)-n:]...)
	}
}

// validSecret checks a webhook secret_token: 1–256 characters of
// [A-Za-z0-9_-].
func validSecret(secret string) *apiError {
	if len(secret) > 256 {
		return badRequest("secret token is too long")
	}
	for _, r := range secret {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return badRequest("secret token contains unallowed characters")
		}
	}
	return nil
}

func (s *Server) setWebhook(c *call) (result, *apiError) {
	p := c.p
	raw := strings.TrimSpace(p.str("url"))
	secret := p.str("secret_token")
	if secret != "" {
		if aerr := validSecret(secret); aerr != nil {
			return result{}, aerr
		}
	}
	var allowed []string
	if a := strings.TrimSpace(p.str("allowed_updates")); a != "" {
		var aerr *apiError
		if allowed, aerr = parseAllowed(a); aerr != nil {
			return result{}, aerr
		}
	}
	if raw != "" {
		u, err := url.Parse(raw)
		switch {
		case err != nil || u.Host == "":
			return result{}, badRequest("bad webhook: invalid webhook URL specified")
		case u.Scheme != "https" && u.Scheme != "http":
			// Telegram requires HTTPS; the fake accepts http so that
			// loopback receivers need no certificate.
			return result{}, badRequest("bad webhook: An HTTPS URL must be provided for webhook")
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if allowed != nil {
		s.allowed, s.webhook.allowedSet = allowed, true
	}
	if p.bool("drop_pending_updates") {
		s.dropPendingLocked()
	}
	if raw == "" {
		return s.removeWebhookLocked(), nil
	}
	desc := "Webhook was set"
	if s.webhook.url == raw {
		desc = "Webhook is already set"
	} else {
		s.webhook.lastErrorDate, s.webhook.lastErrorMsg = 0, ""
	}
	s.webhook.url, s.webhook.secret = raw, secret
	s.webhook.maxConnections = int(min(max(p.intOr("max_connections", 40), 1), 100))
	s.webhook.ipAddress = p.str("ip_address")
	if s.webhook.ipAddress == "" {
		s.webhook.ipAddress = "127.0.0.1"
	}
	s.notifyLocked()
	return result{value: true, desc: desc}, nil
}

func (s *Server) removeWebhookLocked() result {
	desc := "Webhook was deleted"
	if s.webhook.url == "" {
		desc = "Webhook is already deleted"
	}
	allowedSet := s.webhook.allowedSet
	s.webhook = webhook{maxConnections: 40, allowedSet: allowedSet}
	s.notifyLocked()
	return result{value: true, desc: desc}
}

func (s *Server) deleteWebhook(c *call) (result, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.p.bool("drop_pending_updates") {
		s.dropPendingLocked()
	}
	return s.removeWebhookLocked(), nil
}

// WebhookInfo returns what getWebhookInfo would.
func (s *Server) WebhookInfo() WebhookInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	info := WebhookInfo{URL: s.webhook.url, PendingUpdateCount: len(s.queue)}
	if s.webhook.url != "" {
		info.IPAddress = s.webhook.ipAddress
		info.MaxConnections = s.webhook.maxConnections
		info.LastErrorDate = s.webhook.lastErrorDate
		info.LastErrorMessage = s.webhook.lastErrorMsg
	}
	if s.webhook.allowedSet && len(s.allowed) > 0 {
		info.AllowedUpdates = append([]string(nil), s.allowed...)
	}
	return info
}

// deliverLoop is the Server's one webhook worker: it posts queued updates
// to the webhook in order while one is set.
func (s *Server) deliverLoop() {
	defer close(s.workerDone)
	for {
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			return
		}
		var q *queued
		var ticket *fakes.Ticket
		hook := s.webhook
		if hook.url != "" && len(s.queue) > 0 {
			q = s.queue[0]
			if q.ticket == nil { // fetched by getUpdates before the webhook was set
				q.ticket = s.cfg.activity.Queue(fmt.Sprintf("telegram update %d %s", q.id, q.typ))
			}
			ticket = q.ticket
		}
		wait := s.changed
		s.mu.Unlock()
		if q == nil {
			select {
			case <-wait:
			case <-s.life.Done():
				return
			}
			continue
		}
		release, err := ticket.Turn(s.life)
		if err != nil { // closing
			return
		}
		s.deliver(q, hook)
		release()
	}
}

// Delivery is one attempt at posting an update to the webhook.
type Delivery struct {
	UpdateID int64     `json:"update_id"`
	Type     string    `json:"type"`
	Attempt  int       `json:"attempt"`          // from 1
	Status   int       `json:"status,omitempty"` // the webhook's HTTP status; 0 on a network error
	Error    string    `json:"error,omitempty"`  // the network error, in Telegram's words
	At       time.Time `json:"at"`               // virtual time
}

// Deliveries returns the webhook delivery attempts, in order: the last ones
// (WithHistory).
func (s *Server) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.deliveries.All()
}

// deliver posts one update, retrying with a capped backoff, then executes
// the method the response carries, if any.
func (s *Server) deliver(q *queued, hook webhook) {
	backoff := s.cfg.backoff
	for attempt := 1; ; attempt++ {
		// The delivery is journaled before the POST: whatever the
		// integration does while handling it comes after, in every run.
		text := Describe(q.raw)
		if attempt > 1 {
			text += fmt.Sprintf(" (attempt %d of %d)", attempt, s.cfg.attempts)
		}
		s.mu.Lock()
		s.cfg.journal.Record(fakes.Observation{At: s.now(), Source: "telegram", Kind: "deliver", Class: fakes.ClassDelivery, Text: text,
			Data: map[string]any{"update_id": q.id, "type": q.typ, "attempt": attempt}})
		s.mu.Unlock()
		status, ctype, body, err := s.post(hook, q.raw)
		ok := err == nil && status >= 200 && status < 300
		var outcome string
		switch {
		case err != nil:
			outcome = networkError(err)
		case ok:
			outcome = strconv.Itoa(status)
		default:
			outcome = fmt.Sprintf("%d %s", status, http.StatusText(status))
		}
		last := attempt >= s.cfg.attempts
		s.mu.Lock()
		if s.closed && err != nil {
			s.mu.Unlock()
			return
		}
		d := Delivery{UpdateID: q.id, Type: q.typ, Attempt: attempt, Status: status, At: s.now()}
		if err != nil {
			d.Error = outcome
		}
		s.deliveries.Add(d)
		if !ok {
			s.webhook.lastErrorDate = s.unix()
			if err != nil {
				s.webhook.lastErrorMsg = outcome
			} else {
				s.webhook.lastErrorMsg = "Wrong response from the webhook: " + outcome
			}
			next := "retrying"
			if last {
				next = fmt.Sprintf("dropped after %d attempts", attempt)
			}
			s.cfg.journal.Record(fakes.Observation{At: s.now(), Source: "telegram", Kind: "deliver", Class: fakes.ClassDelivery,
				Text: fmt.Sprintf("update %d → %s (%s)", q.id, outcome, next),
				Data: map[string]any{"update_id": q.id, "type": q.typ, "attempt": attempt, "status": status, "error": outcome}})
		}
		s.mu.Unlock()
		if ok || last {
			rep := fakes.Reply{Status: status, Err: err}
			o := fakes.DeliveryOutcome("telegram", fmt.Sprintf("update %d %s", q.id, q.typ), rep)
			o.Detail = outcome
			s.cfg.journal.Outcome(o)
		}
		if ok {
			s.executeReply(ctype, body)
			s.mu.Lock()
			s.removeLocked(q)
			s.mu.Unlock()
			return
		}
		if last {
			s.mu.Lock()
			s.removeLocked(q)
			s.mu.Unlock()
			return
		}
		// On a virtual clock the backoff moves the clock instead of waiting.
		if err := s.cfg.clock.Sleep(s.life, backoff); err != nil {
			return
		}
		backoff = min(backoff*2, 500*time.Millisecond)
		s.mu.Lock()
		still := s.webhook.url == hook.url && len(s.queue) > 0 && s.queue[0] == q
		hook = s.webhook
		s.mu.Unlock()
		if !still {
			return // the webhook changed or the update was dropped; the loop decides again
		}
	}
}

// networkError names a failed delivery in Telegram's words, without ports
// or other run-dependent detail.
func networkError(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "Connection refused"
	case errors.As(err, &ne) && ne.Timeout():
		return "Read timeout expired"
	case errors.Is(err, context.Canceled):
		return "Connection closed"
	}
	return "Failed to connect"
}

// post sends one update to the webhook.
func (s *Server) post(hook webhook, raw json.RawMessage) (status int, ctype string, body []byte, err error) {
	ctx := s.life
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, hook.url, bytes.NewReader(raw))
	if err != nil {
		return 0, "", nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if hook.secret != "" {
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", hook.secret)
	}
	resp, err := s.cfg.client.Do(req)
	if err != nil {
		return 0, "", nil, err
	}
	defer resp.Body.Close()
	body, err = io.ReadAll(io.LimitReader(resp.Body, fakes.MaxBody))
	if err != nil {
		return 0, "", nil, err
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), body, nil
}

// executeReply runs the method a webhook response body carries (JSON or
// form, with "method"), as Telegram does; its result goes nowhere.
func (s *Server) executeReply(ctype string, body []byte) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return
	}
	p := newParams()
	if strings.Contains(ctype, "json") || body[0] == '{' {
		if p.addJSON(body) != nil {
			return
		}
	} else {
		vs, err := url.ParseQuery(string(body))
		if err != nil {
			return
		}
		for k, v := range vs {
			if len(v) > 0 {
				p.vals[k] = v[0]
			}
		}
	}
	name := p.vals["method"]
	if name == "" {
		return
	}
	delete(p.vals, "method")
	method, known := canonicalMethod(name)
	c := &call{ctx: context.Background(), method: method, p: p, via: "webhook"}
	if !known {
		s.recordCall(c, errNotFound(), true)
		return
	}
	ctx := s.life
	c.ctx = ctx
	_, _ = s.invoke(c)
}
