package fakes

import (
	"context"
	"net/http"
)

// Routes collects one server's routes, in the patterns of http.ServeMux,
// for a RouteTable to serve. It has ServeMux's Handle and HandleFunc, so
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

// A RouteTable routes requests for every server of one kind through a
// single http.ServeMux, registered once from the patterns of one set of
// Routes. Registering a ServeMux's patterns (parsing them, checking each
// against the others, recording the caller) costs more than the rest of a
// fake's start, and every server of a kind registers the same patterns
// with handlers of its own; a table built once and handed each server's
// handlers through the request's context makes a World's start cost no
// registration at all.
//
// A RouteTable is immutable: NewRouteTable builds it whole and nothing
// changes it after, so one computed at package init from the patterns a
// package's code adds (routes built for a zero server) is shared state
// only in the way a compiled regexp is. Routes whose patterns differ from
// the table's get a ServeMux of their own: the table is an optimisation,
// never a change of routing.
type RouteTable struct {
	patterns map[string]bool
	mux      *http.ServeMux
}

type routesKey struct{}

// NewRouteTable registers rs's patterns; rs's handlers are not kept. It
// panics, as ServeMux does, on a pattern that is malformed or conflicts
// with another.
func NewRouteTable(rs *Routes) *RouteTable {
	t := &RouteTable{patterns: make(map[string]bool, len(rs.patterns)), mux: http.NewServeMux()}
	for _, p := range rs.patterns {
		t.patterns[p] = true
		t.mux.Handle(p, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			r.Context().Value(routesKey{}).(*Routes).handlers[p].ServeHTTP(w, r)
		}))
	}
	return t
}

// Handler returns the handler serving rs: through the table when rs has
// exactly its patterns, else through a ServeMux of rs's own, which panics
// as ServeMux does on a pattern that is malformed or conflicts.
func (t *RouteTable) Handler(rs *Routes) http.Handler {
	if !t.same(rs) {
		mux := http.NewServeMux()
		for _, p := range rs.patterns {
			mux.Handle(p, rs.handlers[p])
		}
		return mux
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.mux.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), routesKey{}, rs)))
	})
}

// same reports whether rs has exactly the table's patterns, in any order.
func (t *RouteTable) same(rs *Routes) bool {
	if len(rs.patterns) != len(t.patterns) {
		return false
	}
	for _, p := range rs.patterns {
		if !t.patterns[p] {
			return false
		}
	}
	return true
}
