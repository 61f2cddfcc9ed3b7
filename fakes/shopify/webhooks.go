package shopify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/chatsim/chatsim/fakes"
)

// Knobs bend webhook delivery the ways Shopify's does in the wild, so that
// an integration's handling of them can be tested.
type Knobs struct {
	// Duplicate sends every successful delivery a second time, with the
	// same body and the same X-Shopify-Webhook-Id and X-Shopify-Event-Id.
	Duplicate bool `json:"duplicate"`
	// Reverse delivers the newest ready webhook first, so the webhooks of
	// one change (orders/create then orders/paid) arrive out of order.
	Reverse bool `json:"reverse"`
}

// SetKnobs replaces the delivery knobs.
func (s *Server) SetKnobs(k Knobs) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.knobs = k
}

// Knobs returns the delivery knobs.
func (s *Server) Knobs() Knobs {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.knobs
}

// Delivery is one attempt at delivering a webhook.
type Delivery struct {
	Topic     string `json:"topic"`
	WebhookID string `json:"webhook_id"`
	EventID   string `json:"event_id"`
	// Subscription is the subscription's id; 0 for a replay to the
	// webhook target.
	Subscription int64     `json:"subscription"`
	Attempt      int       `json:"attempt"` // from 1
	Duplicate    bool      `json:"duplicate,omitempty"`
	Status       int       `json:"status,omitempty"` // the answer's status; 0 without one
	Outcome      string    `json:"outcome"`          // fakes.Reply.Outcome
	At           time.Time `json:"at"`               // virtual time of the attempt
}

// Deliveries returns the delivery attempts, in order: the last ones
// (WithHistory).
func (s *Server) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.deliveries.All()
}

// job is one webhook on its way to one address.
type job struct {
	seq         int64
	topic       string
	sub         int64
	url         string
	body        []byte
	version     string
	webhookID   string
	eventID     string
	triggeredAt string
	title       string
	attempt     int
	duplicate   bool
	due         time.Time
	ticket      *fakes.Ticket // its place in the World's line for the Turn
}

// SetWebhookTarget sets where declared subscriptions (WithTopics,
// Declare), the compliance topics and replays without a subscription
// deliver.
// Shopify sends nothing to check an address, so it never fails.
func (s *Server) SetWebhookTarget(_ context.Context, url string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.target = url
	return nil
}

// WebhookTarget returns the address SetWebhookTarget gave.
func (s *Server) WebhookTarget() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.target
}

// Declare adds a subscription to the app's configuration for topic: it
// delivers to the webhook target.
func (s *Server) Declare(topic string) (Webhook, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !knownTopic(topic) {
		return Webhook{}, fmt.Errorf("declare subscription %q: %w", topic, ErrBadTopic)
	}
	w := s.addWebhookLocked(topic, "", s.cfg.version, nil, true)
	out := *w
	return out, nil
}

// Subscribe adds a subscription as webhooks.json does: topic delivered to
// address with the given API version (empty: the app's).
func (s *Server) Subscribe(topic, address, version string) (Webhook, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if version == "" {
		version = s.cfg.version
	}
	w, err := s.subscribeLocked(topic, address, version, nil)
	if err != nil {
		return Webhook{}, fmt.Errorf("subscribe %s: %w", topic, err)
	}
	return *w, nil
}

func (s *Server) subscribeLocked(topic, address, version string, fields []string) (*Webhook, error) {
	switch {
	case topic == "":
		return nil, fieldErr("topic", "can't be blank")
	case !knownTopic(topic) || complianceTopic(topic):
		return nil, fieldErr("topic", fmt.Sprintf("Invalid topic specified: %s. Does not match the webhook topics list.", topic))
	case address == "":
		return nil, fieldErr("address", "can't be blank")
	case !strings.HasPrefix(address, "https://") && !strings.HasPrefix(address, "http://"):
		// Shopify requires https; the fake takes http too, so that a
		// loopback receiver needs no certificate.
		return nil, fieldErr("address", "protocol http:// is not supported")
	}
	for _, w := range s.webhooks {
		if !w.Declared && w.Topic == topic && w.Address == address {
			return nil, fieldErr("address", "for this topic has already been taken")
		}
	}
	return s.addWebhookLocked(topic, address, version, fields, false), nil
}

func (s *Server) addWebhookLocked(topic, address, version string, fields []string, declared bool) *Webhook {
	now := stamp(s.now())
	id := s.nextIDLocked("webhook")
	if fields == nil {
		fields = []string{}
	}
	w := &Webhook{ID: id, Address: address, Topic: topic, CreatedAt: now, UpdatedAt: now, Format: "json",
		Fields: fields, MetafieldNamespaces: []string{}, APIVersion: version, PrivateMetafieldNamespaces: []string{},
		Declared: declared}
	s.webhooks[id] = w
	return w
}

// Unsubscribe deletes a subscription.
func (s *Server) Unsubscribe(id int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.webhooks[id] == nil {
		return fmt.Errorf("unsubscribe %d: %w", id, ErrNotFound)
	}
	delete(s.webhooks, id)
	return nil
}

// Subscriptions returns every subscription, declared ones included (their
// Declared is true), by id.
func (s *Server) Subscriptions() []Webhook {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []Webhook{}
	for _, id := range sortedIDs(s.webhooks) {
		out = append(out, *s.webhooks[id])
	}
	return out
}

// triggeredAt is X-Shopify-Triggered-At: RFC 3339 in UTC with nanoseconds.
func triggeredAt(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000000Z") }

// emitLocked sends payload on topic to every subscription for it: one
// event id for the change, one webhook id per subscription. A topic nobody
// subscribes to is not sent. s.mu must be held.
func (s *Server) emitLocked(topic string, payload any) {
	body, err := json.Marshal(payload)
	if err != nil {
		panic(fmt.Sprintf("shopify: encode %s payload: %v", topic, err)) // store types always marshal
	}
	s.emitRawLocked(topic, body, "", "", false)
}

// emitRawLocked queues body for every subscription to topic (or the
// webhook target when fallback is set and none exists, or always for the
// compliance topics). eventID and webhookID, when given, are kept (a
// replay). It returns how many deliveries were queued. s.mu must be held.
func (s *Server) emitRawLocked(topic string, body []byte, eventID, webhookID string, fallback bool) int {
	if eventID == "" {
		eventID = s.uuidLocked("event")
	}
	at := triggeredAt(s.now())
	title := describe(topic, body)
	n := 0
	queue := func(sub int64, url, version string, fields []string) {
		wid := webhookID
		if wid == "" || n > 0 {
			wid = s.uuidLocked("webhook")
		}
		b := body
		if len(fields) > 0 {
			b = onlyFields(body, fields)
		}
		s.jobSeq++
		j := &job{seq: s.jobSeq, topic: topic, sub: sub, url: url, body: b, version: version, webhookID: wid,
			eventID: eventID, triggeredAt: at, title: title, attempt: 1, due: s.now()}
		j.ticket = s.cfg.activity.Queue(fmt.Sprintf("shopify deliver %s %s", topic, wid))
		s.queue = append(s.queue, j)
		n++
	}
	for _, id := range sortedIDs(s.webhooks) {
		w := s.webhooks[id]
		if w.Topic != topic {
			continue
		}
		url := w.Address
		if w.Declared {
			url = s.target
		}
		if url == "" {
			s.record(fakes.ClassDelivery, "deliver", fmt.Sprintf("%s not sent: subscription %d has no address (SetWebhookTarget)", title, id),
				map[string]any{"topic": topic, "subscription": id})
			continue
		}
		queue(id, url, w.APIVersion, w.Fields)
	}
	if n == 0 && s.target != "" && (fallback || complianceTopic(topic)) {
		queue(0, s.target, s.cfg.version, nil)
	}
	if n > 0 {
		select {
		case s.wake <- struct{}{}:
		default:
		}
	}
	return n
}

// onlyFields keeps the top-level keys of a JSON object that fields names.
func onlyFields(body []byte, fields []string) []byte {
	var m map[string]json.RawMessage
	if json.Unmarshal(body, &m) != nil {
		return body
	}
	out := map[string]json.RawMessage{}
	for _, f := range fields {
		if v, ok := m[f]; ok {
			out[f] = v
		}
	}
	b, err := json.Marshal(out)
	if err != nil {
		return body
	}
	return b
}

// deliverLoop is the Server's webhook worker: it sends the ready
// deliveries one at a time, oldest first (newest first with
// Knobs.Reverse), and waits for the next retry on the Server's clock when
// only retries are left.
func (s *Server) deliverLoop() {
	defer close(s.workerDone)
	ctx := s.life
	for {
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			return
		}
		now := s.now()
		var next *job
		var idx int
		var wait time.Duration = -1
		for i, j := range s.queue {
			if j.due.After(now) {
				if d := j.due.Sub(now); wait < 0 || d < wait {
					wait = d
				}
				continue
			}
			if next == nil || (s.knobs.Reverse && j.seq > next.seq) || (!s.knobs.Reverse && j.seq < next.seq) {
				next, idx = j, i
			}
		}
		if next != nil {
			s.queue = append(s.queue[:idx:idx], s.queue[idx+1:]...)
		}
		s.mu.Unlock()
		if next != nil {
			release, err := next.ticket.Turn(ctx)
			if err != nil { // closing
				next.ticket.End()
				continue
			}
			s.attempt(ctx, next)
			release()
			continue
		}
		if wait < 0 {
			select {
			case <-s.wake:
			case <-s.life.Done():
				return
			}
			continue
		}
		s.sleepOrWake(wait)
	}
}

// sleepOrWake waits d on the Server's clock, ending early when a delivery
// is queued (s.wake) or the Server closes. On a VirtualClock the wait
// moves the clock to the next retry at once: nothing else would.
func (s *Server) sleepOrWake(d time.Duration) {
	ctx, cancel := context.WithCancel(s.life)
	woken := make(chan struct{})
	go func() {
		defer close(woken)
		select {
		case <-s.wake:
			cancel()
		case <-ctx.Done():
		}
	}()
	_ = s.cfg.clock.Sleep(ctx, d)
	cancel()
	// Joined before the loop looks at the queue again, so a wake taken
	// here is never one for a delivery that look misses.
	<-woken
}

// attempt makes one delivery attempt and decides what follows: done,
// retried on the schedule, or dropped.
func (s *Server) attempt(ctx context.Context, j *job) {
	s.mu.Lock()
	text := fmt.Sprintf("%s webhook=%s", j.title, j.webhookID)
	if j.attempt > 1 {
		text += fmt.Sprintf(" attempt %d of %d", j.attempt, len(s.cfg.schedule)+1)
	}
	if j.duplicate {
		text += " (duplicate)"
	}
	s.record(fakes.ClassDelivery, "deliver", text, map[string]any{"topic": j.topic, "webhook_id": j.webhookID, "event_id": j.eventID,
		"subscription": j.sub, "attempt": j.attempt, "duplicate": j.duplicate})
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", "Shopify-Captain-Hook")
	h.Set("X-Shopify-Topic", j.topic)
	h.Set("X-Shopify-Hmac-Sha256", fakes.HMACSHA256Base64([]byte(s.cfg.secret), j.body))
	h.Set("X-Shopify-Shop-Domain", s.cfg.domain)
	h.Set("X-Shopify-API-Version", j.version)
	h.Set("X-Shopify-Webhook-Id", j.webhookID)
	h.Set("X-Shopify-Triggered-At", j.triggeredAt)
	h.Set("X-Shopify-Event-Id", j.eventID)
	client, timeout := s.cfg.client, s.cfg.timeout
	s.mu.Unlock()

	rep := fakes.Send(ctx, client, fakes.Outgoing{URL: j.url, Header: h, Body: j.body, Timeout: timeout, Clock: s.cfg.clock})

	s.mu.Lock()
	defer s.mu.Unlock()
	if ctx.Err() != nil {
		j.ticket.End()
		return
	}
	s.deliveries.Add(Delivery{Topic: j.topic, WebhookID: j.webhookID, EventID: j.eventID,
		Subscription: j.sub, Attempt: j.attempt, Duplicate: j.duplicate, Status: rep.Status, Outcome: rep.Outcome(), At: s.now()})
	data := map[string]any{"topic": j.topic, "webhook_id": j.webhookID, "attempt": j.attempt, "status": rep.Status, "outcome": rep.Outcome()}
	if !j.duplicate && (rep.OK() || j.attempt > len(s.cfg.schedule)) {
		s.cfg.journal.Outcome(fakes.DeliveryOutcome("shopify", j.topic+" "+j.webhookID, rep))
	}
	switch {
	case rep.OK():
		if s.knobs.Duplicate && !j.duplicate {
			s.jobSeq++
			d := *j
			d.seq, d.duplicate, d.due = s.jobSeq, true, s.now()
			d.ticket = s.cfg.activity.Queue(fmt.Sprintf("shopify deliver %s %s duplicate", j.topic, j.webhookID))
			s.queue = append(s.queue, &d)
		}
		j.ticket.End()
	case j.duplicate:
		s.record(fakes.ClassDelivery, "deliver", fmt.Sprintf("%s webhook=%s → %s (duplicate not retried)", j.topic, j.webhookID, rep.Outcome()), data)
		j.ticket.End()
	case j.attempt > len(s.cfg.schedule):
		s.record(fakes.ClassDelivery, "deliver", fmt.Sprintf("%s webhook=%s → %s (dropped after %d attempts)", j.topic, j.webhookID, rep.Outcome(), j.attempt), data)
		j.ticket.End()
	default:
		pause := s.cfg.schedule[j.attempt-1]
		s.record(fakes.ClassDelivery, "deliver", fmt.Sprintf("%s webhook=%s → %s (retry in %s)", j.topic, j.webhookID, rep.Outcome(), pause), data)
		j.attempt++
		j.due = s.now().Add(pause)
		s.queue = append(s.queue, j)
	}
}

// describe renders a webhook payload for a journal line or a step title:
// "orders/create #1001 $25.00", "customers/create 7001000001 ada@example.com".
func describe(topic string, body []byte) string {
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if dec.Decode(&m) != nil {
		return topic
	}
	str := func(k string) string {
		switch v := m[k].(type) {
		case string:
			return v
		case json.Number:
			return v.String()
		}
		return ""
	}
	switch {
	case strings.HasPrefix(topic, "orders/"):
		out := topic
		if n := str("name"); n != "" {
			out += " " + n
		} else if id := str("id"); id != "" {
			out += " order " + id
		}
		if p := str("total_price"); p != "" {
			if c := str("currency"); c == "" || c == "USD" {
				out += " $" + p
			} else {
				out += " " + p + " " + c
			}
		}
		return out
	case strings.HasPrefix(topic, "customers/") && !complianceTopic(topic):
		return strings.TrimSpace(topic + " " + str("id") + " " + str("email"))
	case topic == "products/delete":
		return topic + " " + str("id")
	case strings.HasPrefix(topic, "products/"):
		return fmt.Sprintf("%s %s %q", topic, str("id"), str("title"))
	case topic == "app/uninstalled":
		return topic + " " + str("myshopify_domain")
	case topic == "customers/redact", topic == "customers/data_request":
		if c, ok := m["customer"].(map[string]any); ok {
			if id, ok := c["id"].(json.Number); ok {
				return topic + " customer " + id.String()
			}
		}
	case topic == "shop/redact":
		return topic + " " + str("shop_domain")
	}
	return topic
}
