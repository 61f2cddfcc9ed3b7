package fakes

import (
	"net/http"
	"slices"
	"strings"
)

// A ControlRoute is one route of a fake's control API, as GET ControlPrefix
// lists it.
type ControlRoute struct {
	// Method is the HTTP method the route answers (a GET route answers
	// HEAD too).
	Method string `json:"method"`
	// Path is the route's path, ControlPrefix included, in the wildcard
	// syntax of http.ServeMux: "/_chatsim/chats/{id}/messages".
	Path string `json:"path"`
	// Doc says in a line what the route takes and answers.
	Doc string `json:"doc,omitempty"`
}

// Control is a fake's control API under construction. Each route is added
// with its method and a line of documentation, and the list that GET
// ControlPrefix answers is made from the routes added, so it cannot drift
// from what is served. The zero value is ready to use; Mount serves it.
type Control struct {
	routes   []ControlRoute
	patterns []string // ServeMux path pattern of routes[i]
	handlers []http.Handler
}

// Handle adds h for method and path. path is relative to ControlPrefix
// ("chats/{id}/messages"), an exact path in http.ServeMux's wildcard
// syntax; "" is ControlPrefix itself. It panics on an empty method or a
// route added twice, as ServeMux does.
func (c *Control) Handle(method, path, doc string, h http.Handler) {
	if method == "" || strings.ContainsAny(method, " /") {
		panic("fakes: control route " + path + ": bad method " + method)
	}
	pattern := ControlPrefix + path
	if path == "" {
		pattern = ControlPrefix + "{$}"
	}
	for i, rt := range c.routes {
		if rt.Method == method && c.patterns[i] == pattern {
			panic("fakes: control route " + method + " " + pattern + " added twice")
		}
	}
	c.routes = append(c.routes, ControlRoute{Method: method, Path: ControlPrefix + path, Doc: doc})
	c.patterns = append(c.patterns, pattern)
	c.handlers = append(c.handlers, h)
}

// HandleFunc adds f for method and path, as Handle does.
func (c *Control) HandleFunc(method, path, doc string, f func(http.ResponseWriter, *http.Request)) {
	c.Handle(method, path, doc, http.HandlerFunc(f))
}

// indexRoute is the route Mount adds for the list itself.
func indexRoute() ControlRoute {
	return ControlRoute{Method: http.MethodGet, Path: ControlPrefix, Doc: "this list: {routes: [{method, path, doc}]}"}
}

// Routes returns every route, in the order added, after the list itself
// (GET ControlPrefix).
func (c *Control) Routes() []ControlRoute {
	return append([]ControlRoute{indexRoute()}, c.routes...)
}

// Mount adds the control API to rs: every route, GET ControlPrefix
// answering {"routes": [ControlRoute…]}, and for any other request under
// ControlPrefix an {"error": …} answer in the shape of every control
// error: 405 with an Allow header when the path is a route's but the
// method is not, 404 when no route has the path.
func (c *Control) Mount(rs *Routes) {
	rs.HandleFunc("GET "+ControlPrefix+"{$}", func(w http.ResponseWriter, r *http.Request) {
		WriteJSON(w, http.StatusOK, map[string]any{"routes": c.Routes()})
	})
	for i, rt := range c.routes {
		rs.Handle(rt.Method+" "+c.patterns[i], c.handlers[i])
	}
	rs.HandleFunc(ControlPrefix, func(w http.ResponseWriter, r *http.Request) {
		if allow := c.allowed(r.URL.Path); len(allow) > 0 {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			ControlError(w, http.StatusMethodNotAllowed, "method %s not allowed on %s (allowed: %s)", r.Method, r.URL.Path, strings.Join(allow, ", "))
			return
		}
		ControlError(w, http.StatusNotFound, "no control route %s %s (GET %s lists them)", r.Method, r.URL.Path, ControlPrefix)
	})
}

// allowed returns the methods of the routes whose pattern matches path,
// sorted, with HEAD wherever GET is (ServeMux serves HEAD with GET).
func (c *Control) allowed(path string) []string {
	var out []string
	add := func(m string) {
		if !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	if matchPattern(ControlPrefix+"{$}", path) {
		add(http.MethodGet)
	}
	for i, rt := range c.routes {
		if matchPattern(c.patterns[i], path) {
			add(rt.Method)
		}
	}
	if slices.Contains(out, http.MethodGet) {
		add(http.MethodHead)
	}
	slices.Sort(out)
	return out
}

// matchPattern reports whether path matches a ServeMux path pattern made of
// literal segments, {name} (one non-empty segment), {name...} (the rest)
// and a final {$} (the end, after a slash).
func matchPattern(pattern, path string) bool {
	ps := strings.Split(strings.TrimPrefix(pattern, "/"), "/")
	xs := strings.Split(strings.TrimPrefix(path, "/"), "/")
	for i, p := range ps {
		if strings.HasPrefix(p, "{") && strings.HasSuffix(p, "...}") {
			return i < len(xs)
		}
		if i >= len(xs) {
			return false
		}
		switch {
		case p == "{$}":
			return i == len(xs)-1 && xs[i] == ""
		case strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}"):
			if xs[i] == "" {
				return false
			}
		case p != xs[i]:
			return false
		}
	}
	return len(xs) == len(ps)
}
