package fakes

import (
	"net/http"
	"strings"
	"sync"
	"time"
)

// Fault is a failure a fake injects into its own API, in that platform's own
// words: each fake turns Status, Message and RetryAfter into its wire format
// (Telegram's {"ok":false,"error_code":429,…}, Slack's ratelimited, …).
type Fault struct {
	// Op is the operation it applies to, matched case-insensitively (a
	// Telegram method such as "sendMessage", a Slack method such as
	// "chat.postMessage", a platform route such as "message.create"), or "*"
	// for every operation.
	Op string `json:"op"`
	// Status is the HTTP status to answer with; 0 means no error (only Delay).
	Status int `json:"status,omitempty"`
	// Message is the error text; empty means the platform's usual text.
	Message string `json:"message,omitempty"`
	// RetryAfter is the retry hint in seconds, for rate limits.
	RetryAfter float64 `json:"retry_after,omitempty"`
	// Delay holds the answer back this long on the fake's clock: a
	// VirtualClock moves by Delay at once (so a delay past a timeout the
	// other side measures on the same clock fires it), a RealClock waits.
	Delay Duration `json:"delay,omitempty"`
	// Times is how many calls it applies to; 0 means every call until cleared.
	Times int `json:"times,omitempty"`
}

// Duration is a time.Duration that reads and writes JSON as a Go duration
// string ("1.5s") or a number of seconds.
type Duration time.Duration

// Faults is a fake's list of injected faults. The zero value is ready; it is
// safe for concurrent use.
type Faults struct {
	mu    sync.Mutex
	rules []*faultRule
}

type faultRule struct {
	Fault
	used int
}

// Add appends f; faults are tried in the order they were added.
func (fs *Faults) Add(f Fault) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.rules = append(fs.rules, &faultRule{Fault: f})
}

// Clear removes every fault.
func (fs *Faults) Clear() {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.rules = nil
}

// List returns the faults still armed.
func (fs *Faults) List() []Fault {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	out := make([]Fault, 0, len(fs.rules))
	for _, r := range fs.rules {
		out = append(out, r.Fault)
	}
	return out
}

// Take returns the first armed fault matching op and uses it up once.
func (fs *Faults) Take(op string) (Fault, bool) {
	if fs == nil {
		return Fault{}, false
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for i, r := range fs.rules {
		if r.Op != "*" && !strings.EqualFold(r.Op, op) {
			continue
		}
		r.used++
		if r.Times > 0 && r.used >= r.Times {
			fs.rules = append(fs.rules[:i:i], fs.rules[i+1:]...)
		}
		return r.Fault, true
	}
	return Fault{}, false
}

// ServeHTTP is the control API for faults, mounted by each fake at
// ControlPrefix+"faults": GET lists the armed faults, POST adds one (a Fault
// as JSON), DELETE clears them all.
func (fs *Faults) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		WriteJSON(w, http.StatusOK, map[string]any{"faults": fs.List()})
	case http.MethodPost:
		var f Fault
		if err := DecodeJSON(r, &f); err != nil {
			ControlError(w, http.StatusBadRequest, "add fault: %v", err)
			return
		}
		if f.Op == "" {
			ControlError(w, http.StatusBadRequest, "add fault: field \"op\" is required (an operation name or \"*\")")
			return
		}
		if f.Status != 0 && (f.Status < 400 || f.Status > 599) {
			ControlError(w, http.StatusBadRequest, "add fault: field \"status\" must be 0 or 400–599, got %d", f.Status)
			return
		}
		fs.Add(f)
		WriteJSON(w, http.StatusOK, map[string]any{"faults": fs.List()})
	case http.MethodDelete:
		fs.Clear()
		WriteJSON(w, http.StatusOK, map[string]any{"faults": []Fault{}})
	default:
		w.Header().Set("Allow", "GET, POST, DELETE")
		ControlError(w, http.StatusMethodNotAllowed, "method %s not allowed on faults", r.Method)
	}
}
