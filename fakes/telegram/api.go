package telegram

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/chatsim/chatsim/fakes"
)

// apiError is a Telegram error: the HTTP status equals Code.
type apiError struct {
	code       int
	desc       string
	retryAfter int
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s", e.code, e.desc) }

func badRequest(msg string) *apiError { return &apiError{code: 400, desc: "Bad Request: " + msg} }
func forbidden(msg string) *apiError  { return &apiError{code: 403, desc: "Forbidden: " + msg} }
func conflict(msg string) *apiError   { return &apiError{code: 409, desc: "Conflict: " + msg} }
func errNotFound() *apiError          { return &apiError{code: 404, desc: "Not Found"} }
func errUnauthorized() *apiError      { return &apiError{code: 401, desc: "Unauthorized"} }

func (e *apiError) response() Response {
	r := Response{OK: false, ErrorCode: e.code, Description: e.desc}
	if e.retryAfter > 0 {
		r.Parameters = &ResponseParameters{RetryAfter: e.retryAfter}
	}
	return r
}

// writeError answers with a Telegram error whose HTTP status is its code.
func writeError(w http.ResponseWriter, e *apiError) {
	writeResponse(w, e.code, e.response())
}

func writeResponse(w http.ResponseWriter, status int, r Response) {
	b, _ := json.Marshal(r)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", fmt.Sprint(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// canonicalMethod returns the canonical spelling of a Bot API method the
// fake implements (names are case-insensitive), and whether it is one.
func canonicalMethod(name string) (string, bool) {
	switch strings.ToLower(name) {
	case "getme":
		return "getMe", true
	case "getupdates":
		return "getUpdates", true
	case "setwebhook":
		return "setWebhook", true
	case "deletewebhook":
		return "deleteWebhook", true
	case "getwebhookinfo":
		return "getWebhookInfo", true
	case "sendmessage":
		return "sendMessage", true
	case "editmessagetext":
		return "editMessageText", true
	case "editmessagecaption":
		return "editMessageCaption", true
	case "editmessagereplymarkup":
		return "editMessageReplyMarkup", true
	case "deletemessage":
		return "deleteMessage", true
	case "answercallbackquery":
		return "answerCallbackQuery", true
	case "sendphoto":
		return "sendPhoto", true
	case "senddocument":
		return "sendDocument", true
	case "sendchataction":
		return "sendChatAction", true
	case "setmessagereaction":
		return "setMessageReaction", true
	case "getuserprofilephotos":
		return "getUserProfilePhotos", true
	case "getfile":
		return "getFile", true
	case "getchat":
		return "getChat", true
	case "getchatmember":
		return "getChatMember", true
	}
	return name, false
}

// result is what a method returns: a value for "result" and an optional
// "description" (setWebhook says "Webhook was set").
type result struct {
	value any
	desc  string
}

// call is one method invocation in flight.
type call struct {
	ctx    context.Context
	r      *http.Request // nil for a method from a webhook response
	method string        // canonical
	p      *params
	via    string
	// journal is false for a getUpdates that returned nothing.
	quiet bool
	// summary overrides the journal text built from the parameters.
	summary string
}

// serveAPI serves /bot<token>/<method>.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request, rest string) {
	token, name, ok := strings.Cut(rest, "/")
	if !ok || name == "" || strings.Contains(name, "/") {
		writeError(w, errNotFound())
		return
	}
	if token != s.cfg.token {
		if _, err := tokenBotID(token); err != nil {
			writeError(w, errNotFound())
			return
		}
		s.recordCall(&call{method: name, p: newParams(), via: "http"}, errUnauthorized(), true)
		writeError(w, errUnauthorized())
		return
	}
	method, known := canonicalMethod(name)
	if !known {
		s.recordCall(&call{method: name, p: newParams(), via: "http"}, errNotFound(), true)
		writeError(w, errNotFound())
		return
	}
	p, perr := parseParams(r)
	if perr != nil {
		s.recordCall(&call{method: method, p: newParams(), via: "http"}, perr, true)
		writeError(w, perr)
		return
	}
	c := &call{ctx: r.Context(), r: r, method: method, p: p, via: "http"}
	res, aerr := s.invoke(c)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	b, err := json.Marshal(res.value)
	if err != nil {
		writeError(w, &apiError{code: 500, desc: "Internal Server Error: " + err.Error()})
		return
	}
	writeResponse(w, http.StatusOK, Response{OK: true, Result: b, Description: res.desc})
}

// invoke runs a method with faults applied and records it.
func (s *Server) invoke(c *call) (result, *apiError) {
	if f, ok := s.faults.Take(c.method); ok {
		// On a virtual clock the delay moves the clock instead of waiting.
		_ = s.cfg.clock.Sleep(c.ctx, time.Duration(f.Delay))
		if f.Status != 0 {
			e := faultError(f)
			s.recordCall(c, e, false)
			return result{}, e
		}
	}
	res, aerr := s.dispatch(c)
	s.recordCall(c, aerr, false)
	return res, aerr
}

// faultError turns an injected fault into Telegram's words.
func faultError(f fakes.Fault) *apiError {
	e := &apiError{code: f.Status, desc: f.Message}
	if f.Status == http.StatusTooManyRequests {
		e.retryAfter = int(math.Ceil(f.RetryAfter))
		if e.retryAfter < 1 {
			e.retryAfter = 1
		}
		if e.desc == "" {
			e.desc = fmt.Sprintf("Too Many Requests: retry after %d", e.retryAfter)
		}
	}
	if e.desc == "" {
		switch f.Status {
		case 400:
			e.desc = "Bad Request"
		case 401:
			e.desc = "Unauthorized"
		case 403:
			e.desc = "Forbidden"
		case 404:
			e.desc = "Not Found"
		case 409:
			e.desc = "Conflict"
		default:
			e.desc = http.StatusText(f.Status)
			if e.desc == "" {
				e.desc = "Error"
			}
		}
	}
	return e
}

func (s *Server) dispatch(c *call) (result, *apiError) {
	switch c.method {
	case "getMe":
		return result{value: s.BotUser()}, nil
	case "getUpdates":
		return s.getUpdates(c)
	case "setWebhook":
		return s.setWebhook(c)
	case "deleteWebhook":
		return s.deleteWebhook(c)
	case "getWebhookInfo":
		return result{value: s.WebhookInfo()}, nil
	case "sendMessage":
		return s.sendMessage(c)
	case "editMessageText":
		return s.editMessageText(c)
	case "editMessageCaption":
		return s.editMessageCaption(c)
	case "editMessageReplyMarkup":
		return s.editMessageReplyMarkup(c)
	case "deleteMessage":
		return s.deleteMessage(c)
	case "answerCallbackQuery":
		return s.answerCallbackQuery(c)
	case "sendPhoto":
		return s.sendMedia(c, "photo")
	case "sendDocument":
		return s.sendMedia(c, "document")
	case "sendChatAction":
		return s.sendChatAction(c)
	case "setMessageReaction":
		return s.setMessageReaction(c)
	case "getUserProfilePhotos":
		return s.getUserProfilePhotos(c)
	case "getFile":
		return s.getFile(c)
	case "getChat":
		return s.getChat(c)
	case "getChatMember":
		return s.getChatMember(c)
	}
	return result{}, errNotFound()
}

// recordCall appends c to Calls and, unless it is quiet, to the journal.
func (s *Server) recordCall(c *call, aerr *apiError, unknown bool) {
	status := http.StatusOK
	desc := ""
	if aerr != nil {
		status, desc = aerr.code, aerr.desc
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls.Add(Call{
		Seq: s.calls.Total() + 1, At: s.now(), Method: c.method, Params: c.p.values(),
		Files: c.p.fileNames(), Status: status, Error: desc, Via: c.via,
	})
	if c.quiet && aerr == nil {
		return
	}
	text := c.summary
	if text == "" && !unknown {
		text = summarize(c.method, c.p)
	}
	if aerr != nil {
		text = strings.TrimSpace(text + fmt.Sprintf(" → %d %s", aerr.code, aerr.desc))
	}
	if c.via == "webhook" {
		text = strings.TrimSpace(text + " (from webhook response)")
	}
	class := fakes.ClassCall
	if strings.EqualFold(c.method, "getUpdates") {
		class = fakes.ClassNote // a long poll: a polling bot makes them all the time
	}
	s.cfg.journal.Record(fakes.Observation{At: s.now(), Source: "telegram", Kind: c.method, Text: text, Data: c.p.data(), Class: class})
}

// chatParamLocked resolves the chat_id parameter to a chat the bot can see. s.mu
// must be held.
func (s *Server) chatParamLocked(p *params) (*chatState, *apiError) {
	v := strings.TrimSpace(p.str("chat_id"))
	if v == "" {
		return nil, badRequest("chat_id is empty")
	}
	if strings.HasPrefix(v, "@") {
		for _, id := range s.chatOrder {
			cs := s.chats[id]
			if cs.chat.Type != ChatPrivate && strings.EqualFold("@"+cs.chat.Username, v) {
				return cs, nil
			}
		}
		return nil, badRequest("chat not found")
	}
	id, _, err := p.int64("chat_id")
	if err != nil {
		return nil, badRequest("chat not found")
	}
	cs := s.chats[id]
	if cs == nil {
		return nil, badRequest("chat not found")
	}
	return cs, nil
}

// messageParam resolves message_id in cs; notFound is the error text for a
// missing or deleted message. s.mu must be held.
func messageParam(p *params, cs *chatState, notFound string) (*entry, *apiError) {
	id, ok, err := p.int64("message_id")
	if !ok {
		return nil, badRequest("message identifier is not specified")
	}
	if err != nil {
		return nil, badRequest("invalid message identifier specified")
	}
	e := cs.byID[int(id)]
	if e == nil || e.deleted {
		return nil, badRequest(notFound)
	}
	return e, nil
}
