package fakes

import (
	"context"
	"net/http"
	"sync"
)

// Routes collects one server's routes, in the patterns of http.ServeMux,
// for a SharedMux to serve. It has ServeMux's Handle and HandleFunc, so
// code that built a ServeMux builds Routes unchanged.
type Routes struct {
	patterns []string
	handlers map[string]http.Handler
}

// Handle adds h for pattern. A pattern added twice panics, as ServeMux does.
func (rs *Routes) Handle(pattern string, h http.Handler) {
	if _, dup := rs.handlers[pattern]; dup {
		panic("fakes: pattern " + pattern + " added twice")
	}
	if rs.handlers == nil {
		rs.handlers = map[string]http.Handler{}
	}
	rs.patterns = append(rs.patterns, pattern)
	rs.handlers[pattern] = h
}

// HandleFunc adds f for pattern.
func (rs *Routes) HandleFunc(pattern string, f func(http.ResponseWriter, *http.Request)) {
	rs.Handle(pattern, http.HandlerFunc(f))
}

// A SharedMux routes requests for every server of one kind through a
// single http.ServeMux, built from the first server's Routes. Registering
// a ServeMux's patterns (parsing them, checking each against the others,
// recording the caller) costs more than the rest of a fake's start, and
// every server of a kind registers the same patterns with handlers of its
// own; sharing the mux and handing it the server's handlers through the
// request's context makes a World's start cost no registration at all.
// Routes whose patterns differ from the shared ones get a ServeMux of
// their own: sharing is an optimisation, never a change of routing.
// The zero value is ready to use.
type SharedMux struct {
	once     sync.Once
	patterns map[string]bool
	mux      *http.ServeMux
}

type routesKey struct{}

// Handler returns the handler serving rs. It panics, as ServeMux does, on
// a pattern that is malformed or conflicts with another.
func (m *SharedMux) Handler(rs *Routes) http.Handler {
	m.once.Do(func() {
		m.patterns = make(map[string]bool, len(rs.patterns))
		m.mux = http.NewServeMux()
		for _, p := range rs.patterns {
			m.patterns[p] = true
			m.mux.Handle(p, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				r.Context().Value(routesKey{}).(*Routes).handlers[p].ServeHTTP(w, r)
			}))
		}
	})
	if !m.same(rs) {
		mux := http.NewServeMux()
		for _, p := range rs.patterns {
			mux.Handle(p, rs.handlers[p])
		}
		return mux
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.mux.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), routesKey{}, rs)))
	})
}

// same reports whether rs has exactly the shared patterns, in any order.
func (m *SharedMux) same(rs *Routes) bool {
	if len(rs.patterns) != len(m.patterns) {
		return false
	}
	for _, p := range rs.patterns {
		if !m.patterns[p] {
			return false
		}
	}
	return true
}
