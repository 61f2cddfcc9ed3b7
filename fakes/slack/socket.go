package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/chatsim/chatsim/fakes"
	"github.com/gorilla/websocket"
)

// socketConn is one Socket Mode WebSocket connection.
type socketConn struct {
	ws     *websocket.Conn
	wmu    sync.Mutex
	done   chan struct{}
	once   sync.Once
	serial int64
	// leaving is set (under Server.mu) once the fake has told the client to
	// disconnect: Slack sends nothing more on a connection it is closing.
	leaving bool
}

func (c *socketConn) close() {
	c.once.Do(func() {
		close(c.done)
		_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
		_ = c.ws.Close()
	})
}

func (c *socketConn) writeJSON(v any) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_ = c.ws.SetWriteDeadline(time.Now().Add(10 * time.Second))
	return c.ws.WriteJSON(v)
}

// ticketWait is how long an issued Socket Mode URL counts as work in
// flight while no app connects to it.
const ticketWait = 10 * time.Second

// ticket is an issued Socket Mode URL not used yet: work in flight until
// the app has connected to it (or ticketWait has passed), so that a step
// that ends once nothing is in flight ends with the app connected, and
// deliveries wait for it.
type ticket struct {
	end   func()
	timer *time.Timer
}

// done ends the ticket's work in flight.
func (t *ticket) done() {
	t.timer.Stop()
	t.end()
}

// connectionsOpen issues a single-use Socket Mode URL.
func (s *Server) connectionsOpen(c *call) (map[string]any, *apiErr) {
	n := s.st.nextSeq("ticket")
	ticket := clientMsgID("ticket" + strconv.FormatInt(n, 10))
	s.st.tickets[ticket] = s.newTicket("slack socket ticket#" + strconv.FormatInt(n, 10))
	s.st.socketMode = true
	c.summary = "ticket#" + strconv.FormatInt(n, 10)
	u := "ws" + s.URL()[len("http"):] + "/link/?ticket=" + ticket + "&app_id=" + s.st.ws.App.ID
	return map[string]any{"url": u}, nil
}

// serveSocket upgrades a Socket Mode connection and says hello.
func (s *Server) serveSocket(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("ticket")
	s.mu.Lock()
	t := s.st.tickets[id]
	delete(s.st.tickets, id)
	closed := s.st.closed
	s.mu.Unlock()
	if t == nil || closed {
		http.Error(w, "invalid or used ticket", http.StatusUnauthorized)
		return
	}
	defer t.done() // once the connection is journaled, or refused
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	ws, err := up.Upgrade(w, r, nil)
	if err != nil {
		return // Upgrade has answered
	}
	fakes.Idle(r) // an open socket is not work in flight
	c := &socketConn{ws: ws, done: make(chan struct{})}
	s.mu.Lock()
	if s.st.closed {
		s.mu.Unlock()
		c.close()
		return
	}
	c.serial = s.st.nextSeq("socket")
	s.st.sockets[c] = struct{}{}
	n := len(s.st.sockets)
	s.mu.Unlock()
	s.cfg.journal.Record(fakes.Observation{At: s.now(), Source: "slack", Kind: "socket", Text: "connected, hello"})
	_ = c.writeJSON(map[string]any{"type": "hello", "num_connections": n,
		"debug_info":      map[string]any{"host": "applink-chatsim-1", "build_number": 1, "approximate_connection_time": 18060},
		"connection_info": map[string]any{"app_id": s.cfg.ws.App.ID}})
	s.signalSocket()
	s.sockWG.Add(2)
	go s.pingLoop(c)
	go s.readLoop(c)
}

// newTicket begins the work in flight of an issued Socket Mode URL.
func (s *Server) newTicket(what string) *ticket {
	end := s.cfg.activity.Begin(what)
	return &ticket{end: end, timer: time.AfterFunc(ticketWait, end)}
}

func (s *Server) pingLoop(c *socketConn) {
	defer s.sockWG.Done()
	t := time.NewTicker(s.cfg.ping)
	defer t.Stop()
	for {
		select {
		case <-c.done:
			return
		case <-t.C:
			if err := c.ws.WriteControl(websocket.PingMessage, []byte("ping"), time.Now().Add(5*time.Second)); err != nil {
				s.dropSocket(c)
				return
			}
		}
	}
}

func (s *Server) readLoop(c *socketConn) {
	defer s.sockWG.Done()
	defer s.dropSocket(c)
	for {
		_, data, err := c.ws.ReadMessage()
		if err != nil {
			return
		}
		var ack struct {
			EnvelopeID string          `json:"envelope_id"`
			Payload    json.RawMessage `json:"payload"`
		}
		if json.Unmarshal(data, &ack) != nil || ack.EnvelopeID == "" {
			continue
		}
		s.mu.Lock()
		ch := s.st.envelopes[ack.EnvelopeID]
		delete(s.st.envelopes, ack.EnvelopeID)
		s.mu.Unlock()
		if ch != nil {
			ch <- socketAck{payload: ack.Payload, at: s.cfg.clock.Now()}
		}
	}
}

func (s *Server) dropSocket(c *socketConn) {
	s.mu.Lock()
	_, had := s.st.sockets[c]
	delete(s.st.sockets, c)
	s.mu.Unlock()
	c.close()
	if had {
		s.cfg.journal.Record(fakes.Observation{At: s.now(), Source: "slack", Kind: "socket", Text: "disconnected"})
	}
}

// signalSocket wakes deliveries waiting for a connection.
func (s *Server) signalSocket() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st.sockWait != nil {
		close(s.st.sockWait)
		s.st.sockWait = nil
	}
}

// hasSocket reports whether deliveries go over Socket Mode: once the app
// has opened a connection, Slack sends it everything that way.
func (s *Server) hasSocket() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.socketMode
}

// pickSocket returns the oldest open connection that is not being closed,
// waiting up to d for one.
func (s *Server) pickSocket(ctx context.Context, d time.Duration) *socketConn {
	deadline := time.NewTimer(d)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		var best *socketConn
		for c := range s.st.sockets {
			if c.leaving {
				continue
			}
			if best == nil || c.serial < best.serial {
				best = c
			}
		}
		if best != nil {
			s.mu.Unlock()
			return best
		}
		if s.st.sockWait == nil {
			s.st.sockWait = make(chan struct{})
		}
		wait := s.st.sockWait
		s.mu.Unlock()
		select {
		case <-wait:
		case <-deadline.C:
			return nil
		case <-ctx.Done():
			return nil
		}
	}
}

// socketAck is a Socket Mode ack: its payload and the Server's clock when
// it arrived.
type socketAck struct {
	payload []byte
	at      time.Time
}

// deliverSocket sends q as a Socket Mode envelope and waits for its ack,
// retrying Events API envelopes on Slack's schedule.
func (s *Server) deliverSocket(ctx context.Context, q *outgoing) {
	accepts := q.socket == "slash_commands" || q.kind == "view_submission"
	reason := ""
	for attempt := 0; ; attempt++ {
		if attempt > 0 {
			if err := s.cfg.clock.Sleep(ctx, s.cfg.schedule[attempt-1]); err != nil {
				return
			}
		}
		s.mu.Lock()
		env := clientMsgID("envelope" + strconv.FormatInt(s.st.nextSeq("envelope"), 10))
		ackc := make(chan socketAck, 1)
		s.st.envelopes[env] = ackc
		s.mu.Unlock()
		text := q.text + " (socket)"
		if attempt > 0 {
			text += fmt.Sprintf(" (retry %d, %s)", attempt, reason)
		}
		s.journal(text, map[string]any{"kind": q.kind, "id": q.id, "attempt": attempt, "reason": reason, "via": "socket"})
		outcome := "acked"
		var payload []byte
		c := s.pickSocket(ctx, s.cfg.ackTimeout)
		if c == nil {
			outcome = "no connection"
		} else {
			// The ack timeout is on the Server's clock, as an HTTP
			// delivery's is (fakes.Send): virtual time on a VirtualClock,
			// with the same wall backstop. It starts before the envelope
			// is written, so an app that moves the clock as soon as the
			// envelope arrives moves it past a deadline already set.
			due := s.cfg.clock.Now().Add(s.cfg.ackTimeout)
			actx, stop := fakes.WithTimeout(ctx, s.cfg.clock, s.cfg.ackTimeout)
			if err := c.writeJSON(map[string]any{"envelope_id": env, "payload": q.socketPayload(), "type": q.socket,
				"accepts_response_payload": accepts, "retry_attempt": attempt, "retry_reason": reason}); err != nil {
				outcome = "connection failed"
			} else {
				select {
				case ack := <-ackc:
					// An ack that arrives once the clock reads the
					// deadline is late, even if it won the race with the
					// timer.
					payload = ack.payload
					if !ack.at.Before(due) {
						outcome = "timeout"
					}
				case <-actx.Done():
					if ctx.Err() != nil {
						stop()
						return
					}
					outcome = "timeout"
				}
			}
			stop()
		}
		s.mu.Lock()
		delete(s.st.envelopes, env)
		rec := DeliveryRecord{Kind: q.kind, ID: q.id, Via: "socket", Attempt: attempt, Reason: reason, At: s.now()}
		if outcome != "acked" {
			rec.Error = outcome
		}
		s.st.deliveries.Add(rec)
		s.mu.Unlock()
		if outcome == "acked" {
			s.cfg.journal.Outcome(fakes.Outcome{Kind: fakes.Delivered, Source: "slack", What: q.kind + " " + q.id, Detail: outcome})
			if q.answer != nil && len(payload) > 0 && string(payload) != "null" {
				q.answer("application/json", payload)
			}
			return
		}
		reason = "timeout"
		if !q.retries || attempt >= len(s.cfg.schedule) {
			s.cfg.journal.Outcome(fakes.Outcome{Kind: fakes.Undelivered, Source: "slack", What: q.kind + " " + q.id, Detail: outcome})
			s.journal(fmt.Sprintf("%s → %s (dropped)", q.id, outcome), map[string]any{"kind": q.kind, "id": q.id, "attempt": attempt, "error": outcome})
			return
		}
		s.journal(fmt.Sprintf("%s → %s (retrying in %s)", q.id, outcome, fmtPause(s.cfg.schedule[attempt])),
			map[string]any{"kind": q.kind, "id": q.id, "attempt": attempt, "error": outcome})
	}
}

// Disconnect sends every Socket Mode connection a disconnect message with
// reason ("warning", "refresh_requested", "too_many_websockets", …). For
// any reason but "warning" the fake then closes the connection, as Slack
// does, once the client has closed it or after a second.
func (s *Server) Disconnect(reason string) int {
	s.mu.Lock()
	var conns []*socketConn
	for c := range s.st.sockets {
		conns = append(conns, c)
		if reason != "warning" {
			c.leaving = true
		}
	}
	s.mu.Unlock()
	for _, c := range conns {
		_ = c.writeJSON(map[string]any{"type": "disconnect", "reason": reason,
			"debug_info": map[string]any{"host": "applink-chatsim-1"}})
		if reason != "warning" {
			s.sockWG.Add(1)
			go func(c *socketConn) {
				defer s.sockWG.Done()
				t := time.NewTimer(time.Second)
				defer t.Stop()
				select {
				case <-c.done:
				case <-t.C:
				}
				s.dropSocket(c)
			}(c)
		}
	}
	s.cfg.journal.Record(fakes.Observation{At: s.now(), Source: "slack", Kind: "socket", Text: "disconnect " + reason})
	return len(conns)
}

// SocketConnections returns how many Socket Mode connections are open.
func (s *Server) SocketConnections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.st.sockets)
}
