package botpress

import (
	"fmt"

	"github.com/chatsim/chatsim/contracts"
	"github.com/chatsim/chatsim/fakes"
)

// record appends an observation of class to the journal at the current
// virtual time.
func (s *Server) record(class fakes.Class, source, kind, text string, data any) {
	s.journal.Record(fakes.Observation{At: s.clock.Now(), Source: source, Kind: kind, Text: text, Data: data, Class: class})
}

// captureClass is the class of a write journaled under source: a ClassCapture
// when the integration made it ("platform"), a ClassNote when the scripted bot
// did ("bot").
func captureClass(source string) fakes.Class {
	if source == "platform" {
		return fakes.ClassCapture
	}
	return fakes.ClassNote
}

// violate keeps vs and records each as a contract violation. Captures are
// stored all the same: the platform reports, it does not block. Callers
// hold s.mu, so a capture and its violations stay together in the journal.
func (s *Server) violate(vs []contracts.Violation) {
	for _, v := range vs {
		s.st.violationCount++
		if len(s.st.violations) < MaxViolations {
			s.st.violations = append(s.st.violations, v)
		}
		p := v.Pointer
		if p == "" {
			p = "/"
		}
		s.record(fakes.ClassNote, "contract", "violation", fmt.Sprintf("%s at %s: %s", v.Capture, p, v.Message), v)
	}
}

// The check helpers run the validator when there is a definition.

func (s *Server) checkUser(kind string, u *user) {
	if s.validator != nil {
		s.violate(s.validator.CheckUser(kind+" "+u.id, u.capture()))
	}
}

func (s *Server) checkConversation(kind string, c *conversation) {
	if s.validator != nil {
		s.violate(s.validator.CheckConversation(kind+" "+c.id, c.capture()))
	}
}

func (s *Server) checkMessage(kind string, m *message) {
	if s.validator != nil {
		s.violate(s.validator.CheckMessage(kind+" "+m.id, m.capture(s.channelOf(m.convID))))
	}
}

func (s *Server) checkEvent(kind string, e *event) {
	if s.validator != nil {
		s.violate(s.validator.CheckEvent(kind+" "+e.id, e.capture()))
	}
}

func (s *Server) checkState(kind string, st *state) {
	if s.validator != nil {
		s.violate(s.validator.CheckState(fmt.Sprintf("%s %s %s %q", kind, st.key.typ, st.key.id, st.key.name), st.capture()))
	}
}
