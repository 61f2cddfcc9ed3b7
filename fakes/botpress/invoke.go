package botpress

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"

	"github.com/chatsim/chatsim/contracts"
	"github.com/chatsim/chatsim/fakes"
)

// answer is the integration's raw HTTP answer to an operation.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// call POSTs one operation to the integration with every header the SDK
// requires. It fails only when there is no answer at all; any status is
// returned as is. The call counts as activity, and the scripted bot waits
// for it to finish before it replies (so its replies never interleave with
// what the integration does inside the call).
func (s *Server) call(ctx context.Context, op string, body any) (*answer, error) {
	if s.closed() {
		return nil, &InvocationError{Operation: op, Message: ErrClosed.Error(), Err: ErrClosed}
	}
	target := s.IntegrationURL()
	if target == "" {
		return nil, &InvocationError{Operation: op, Message: "no integration URL set (call SetIntegrationURL)", Err: ErrNoIntegration}
	}
	end := s.activity.Begin("platform → integration " + op)
	defer end()
	release := s.bot.hold()
	defer release()

	b, err := json.Marshal(body)
	if err != nil {
		return nil, &InvocationError{Operation: op, Message: "encode request body: " + err.Error(), Err: err}
	}
	ctx, stop := mergeCancel(ctx, s.ctx)
	defer stop()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(target, "/")+"/", bytes.NewReader(b))
	if err != nil {
		return nil, &InvocationError{Operation: op, Message: "build request: " + err.Error(), Err: err}
	}
	h := req.Header
	h.Set("Content-Type", "application/json")
	h.Set("x-bp-operation", op)
	h.Set("x-bot-id", s.botID)
	h.Set("x-bot-user-id", s.botUserID)
	h.Set("x-integration-id", s.integrationID)
	h.Set("x-integration-alias", s.alias)
	h.Set("x-webhook-id", s.webhookID)
	cfg, cfgType := s.configuration()
	h.Set("x-bp-configuration", base64.StdEncoding.EncodeToString(cfg))
	if cfgType != "" {
		h.Set("x-bp-configuration-type", cfgType)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, &InvocationError{Operation: op, Message: "integration unreachable at " + target + ": " + err.Error(), Err: err}
	}
	defer resp.Body.Close()
	rb, err := io.ReadAll(io.LimitReader(resp.Body, fakes.MaxBody))
	if err != nil {
		return nil, &InvocationError{Operation: op, Status: resp.StatusCode, Message: "read answer: " + err.Error(), Err: err}
	}
	return &answer{status: resp.StatusCode, header: resp.Header, body: rb}, nil
}

// mergeCancel returns a context done when either parent is.
func mergeCancel(ctx, other context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(other, cancel)
	return ctx, func() { stop(); cancel() }
}

// asError turns a non-2xx answer into an InvocationError, reading the API
// error body ({"type","message"}) or the SDK's context error ({"error"}).
func asError(op string, a *answer) *InvocationError {
	if a.status >= 200 && a.status < 300 {
		return nil
	}
	e := &InvocationError{Operation: op, Status: a.status, Body: string(a.body)}
	var body struct {
		Type    string `json:"type"`
		Message string `json:"message"`
		Error   string `json:"error"`
	}
	if json.Unmarshal(a.body, &body) == nil {
		e.Type, e.Message = body.Type, body.Message
		if e.Message == "" {
			e.Message = body.Error
		}
	}
	if e.Message == "" {
		e.Message = strings.TrimSpace(string(a.body))
		if e.Message == "" {
			e.Message = http.StatusText(a.status)
		}
	}
	return e
}

// invoke records the operation in the journal, calls the integration and
// turns a failure into an InvocationError, which it records too.
func (s *Server) invoke(ctx context.Context, op, line string, body any) (*answer, error) {
	s.record(fakes.ClassDelivery, "platform", "→ integration", line, map[string]any{"operation": op})
	a, err := s.call(ctx, op, body)
	if err == nil {
		if ie := asError(op, a); ie != nil {
			err = ie
		}
	}
	if err != nil {
		s.recordFailure(line, err)
		return a, err
	}
	return a, nil
}

func (s *Server) recordFailure(line string, err error) {
	text := line + ": " + err.Error()
	op, _, _ := strings.Cut(line, " ")
	answered := true
	var ie *InvocationError
	if errors.As(err, &ie) {
		op = ie.Operation
		switch {
		case errors.Is(err, ErrNoIntegration) || errors.Is(err, ErrClosed):
			text = line + ": " + ie.Message
			answered = false
		case ie.Status == 0:
			// The transport error names ports; the journal stays deterministic.
			text = line + ": " + noAnswer(ie.Err)
			answered = false
		case ie.Type != "":
			text = fmt.Sprintf("%s: %d %s: %s", line, ie.Status, ie.Type, ie.Message)
		default:
			text = fmt.Sprintf("%s: %d %s", line, ie.Status, ie.Message)
		}
	}
	s.record(fakes.ClassNote, "platform", "integration error", text, err)
	// A webhook's answer is the chat platform's business (a 401 to a bad
	// signature, a 500 that makes Shopify retry): the fake that sent it
	// reports how the delivery ended. No answer at all is the integration's
	// failure, whatever the operation.
	if op == "webhook_received" && answered {
		return
	}
	o := fakes.Outcome{Kind: fakes.IntegrationFailed, Source: "platform", What: line, Detail: strings.TrimPrefix(text, line+": "), Err: err}
	if ie != nil {
		o.Status = ie.Status
	}
	s.journal.Outcome(o)
}

// noAnswer says in words why a call got no answer: nothing listened (the
// integration is down), or it listened and did not answer in time (hung).
func noAnswer(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "integration unreachable (connection refused)"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "integration not answering (no answer in time)"
	case errors.Is(err, context.Canceled):
		return "integration not answering (the wait was cancelled)"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET):
		return "integration closed the connection without an answer"
	}
	return "integration unreachable"
}

// Ping invokes ping.
func (s *Server) Ping(ctx context.Context) error {
	_, err := s.invoke(ctx, "ping", "ping", struct{}{})
	return err
}

// Register checks the install's configuration against the definition — a
// violation is recorded and fails Register with an error wrapping
// ErrInvalidConfiguration, without calling the integration — then invokes
// register with {"webhookUrl": WebhookURL()}.
func (s *Server) Register(ctx context.Context) error {
	if s.validator != nil {
		cfg, cfgType := s.configuration()
		vs := s.validator.CheckConfiguration(cfgType, cfg)
		if len(vs) > 0 {
			s.mu.Lock()
			s.violate(vs)
			s.mu.Unlock()
			errs := make([]error, len(vs))
			for i, v := range vs {
				errs[i] = v
			}
			return fmt.Errorf("register: %w: %w", ErrInvalidConfiguration, errors.Join(errs...))
		}
	}
	_, err := s.invoke(ctx, "register", "register", map[string]string{"webhookUrl": s.WebhookURL()})
	return err
}

// Unregister invokes unregister with {"webhookUrl": WebhookURL()}.
func (s *Server) Unregister(ctx context.Context) error {
	_, err := s.invoke(ctx, "unregister", "unregister", map[string]string{"webhookUrl": s.WebhookURL()})
	return err
}

// TriggerAction invokes action_triggered with {"type": action, "input":
// input} and returns the output the integration answered with ({"output":
// …, "meta": …}). Input and output are checked against the definition;
// violations are recorded, not fatal. An empty input means {}.
func (s *Server) TriggerAction(ctx context.Context, action string, input json.RawMessage) (json.RawMessage, error) {
	if len(bytes.TrimSpace(input)) == 0 {
		input = json.RawMessage(`{}`)
	}
	if !json.Valid(input) {
		return nil, fmt.Errorf("trigger action %s: input is not valid JSON: %.80s", action, input)
	}
	input = compactJSON(input)
	callRec := contracts.ActionCall{Type: action, Input: cloneRaw(input)}
	capture := "action_triggered " + action
	if s.validator != nil {
		vs := s.validator.CheckActionInput(capture, callRec)
		s.mu.Lock()
		s.violate(vs)
		s.mu.Unlock()
	}
	line := "action_triggered " + action + " " + fakes.CanonicalJSON(input)
	a, err := s.invoke(ctx, "action_triggered", line, map[string]any{"type": action, "input": input})
	if err == nil {
		var out struct {
			Output *json.RawMessage `json:"output"`
		}
		var obj map[string]json.RawMessage
		switch {
		case json.Unmarshal(a.body, &obj) != nil || obj == nil:
			err = &InvocationError{Operation: "action_triggered", Status: a.status, Body: string(a.body), Err: ErrMalformedResponse,
				Message: fmt.Sprintf("%v: action %s answered a body that is not a JSON object {\"output\": …}: %.200q", ErrMalformedResponse, action, a.body)}
		case json.Unmarshal(a.body, &out) != nil || out.Output == nil:
			err = &InvocationError{Operation: "action_triggered", Status: a.status, Body: string(a.body), Err: ErrMalformedResponse,
				Message: fmt.Sprintf("%v: action %s answered without an \"output\" field: %.200s", ErrMalformedResponse, action, a.body)}
		default:
			callRec.Output = compactJSON(*out.Output)
		}
		if err != nil {
			s.recordFailure(line, err)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		callRec.Error = err.Error()
		s.st.actions.Add(callRec)
		return nil, err
	}
	s.st.actions.Add(callRec)
	s.record(fakes.ClassCapture, "platform", "← integration", "action_triggered "+action+" output "+fakes.CanonicalJSON(callRec.Output), callRec)
	if s.validator != nil {
		s.violate(s.validator.CheckActionOutput(capture, callRec))
	}
	return cloneRaw(callRec.Output), nil
}

// messageCreated is the body of message_created: the message's type and
// payload, and the conversation, message and user (the bot's) as the
// Runtime API returns them, tags bare.
type messageCreated struct {
	Type         string           `json:"type"`
	Payload      json.RawMessage  `json:"payload"`
	Conversation conversationJSON `json:"conversation"`
	Message      messageJSON      `json:"message"`
	User         userJSON         `json:"user"`
}

// deliver invokes message_created for a stored outgoing message.
func (s *Server) deliver(ctx context.Context, messageID string) error {
	s.mu.Lock()
	m := s.st.msgsBy[messageID]
	if m == nil {
		s.mu.Unlock()
		return fmt.Errorf("deliver message %s: %w", messageID, ErrNotFound)
	}
	c := s.st.convsBy[m.convID]
	u := s.st.usersBy[m.userID]
	if c == nil || u == nil {
		s.mu.Unlock()
		return fmt.Errorf("deliver message %s: its conversation or user: %w", messageID, ErrNotFound)
	}
	body := messageCreated{Type: m.typ, Payload: cloneRaw(m.payload), Conversation: c.json(), Message: m.json(), User: u.json()}
	s.mu.Unlock()
	_, err := s.invoke(ctx, "message_created", "message_created "+m.id, body)
	return err
}

// SendMessage makes the bot send a message into a conversation: the
// outgoing message is created first (so the integration's ack, a PUT on it,
// succeeds), then message_created is invoked. It returns the message, and
// the invocation's error if the integration failed.
func (s *Server) SendMessage(ctx context.Context, conversationID, typ string, payload json.RawMessage) (contracts.Message, error) {
	if s.closed() {
		return contracts.Message{}, fmt.Errorf("send message: %w", ErrClosed)
	}
	if typ == "" {
		return contracts.Message{}, errors.New("send message: empty message type")
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(payload, &obj); err != nil || obj == nil {
		return contracts.Message{}, fmt.Errorf("send message: payload must be a JSON object, got %.80s", payload)
	}
	s.mu.Lock()
	if s.st.convsBy[conversationID] == nil {
		s.mu.Unlock()
		return contracts.Message{}, fmt.Errorf("send message: conversation %q: %w", conversationID, ErrNotFound)
	}
	m := s.botMessage("send", conversationID, typ, payload)
	capt := m.capture(s.channelOf(m.convID))
	s.mu.Unlock()
	return capt, s.deliver(ctx, m.id)
}

// botMessage stores an outgoing message of the bot user and journals it as
// bot <kind>. Callers hold s.mu.
func (s *Server) botMessage(kind, convID, typ string, payload json.RawMessage) *message {
	m := s.storeMessage(messageBody{Type: typ, Payload: payload, UserID: s.botUserID, ConversationID: convID}, "outgoing")
	s.record(fakes.ClassNote, "bot", kind, describe(m.id, "outgoing "+m.typ+" "+fakes.CanonicalJSON(m.payload)), m.capture(s.channelOf(m.convID)))
	s.checkMessage("bot."+kind, m)
	return m
}
