package recorder

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/jarcoal/httpmock"

	"github.com/chatsim/chatsim/fakes"
)

// ErrEscaped is returned by a Transport for a request to a host it does not
// route: a call that would leave the simulation for the internet.
var ErrEscaped = errors.New("a call escapes the simulation")

// Transport returns an http.RoundTripper for a Go client whose base URL is
// fixed (an SDK that always calls https://api.telegram.org): a request
// whose URL begins with one of routes' keys ("https://api.telegram.org") is
// sent to the same path and query under its value (a fake's URL, or a
// Proxy's), and any other request fails with ErrEscaped, so that a test
// never talks to the internet by accident. Give it to the client
// (http.Client{Transport: t}); nothing global changes. It is built on
// httpmock's NewMockTransport.
func Transport(routes map[string]string) (http.RoundTripper, error) {
	mt := httpmock.NewMockTransport()
	forward := &http.Transport{Proxy: nil}
	keys := make([]string, 0, len(routes))
	for k := range routes {
		keys = append(keys, k)
	}
	// The longest prefix is registered first, so that it wins.
	slices.SortFunc(keys, func(a, b string) int { return len(b) - len(a) })
	for _, from := range keys {
		to := strings.TrimRight(routes[from], "/")
		if err := fakes.CheckURL(to); err != nil {
			return nil, fmt.Errorf("transport: route %s: %w", from, err)
		}
		if _, err := url.Parse(from); err != nil {
			return nil, fmt.Errorf("transport: route %s: %w", from, err)
		}
		base := strings.TrimRight(from, "/")
		rx := regexp.MustCompile("^" + regexp.QuoteMeta(base) + `(/|\?|$)`)
		for _, method := range []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions} {
			mt.RegisterRegexpResponder(method, rx, redirect(forward, base, to))
		}
	}
	mt.RegisterNoResponder(func(req *http.Request) (*http.Response, error) {
		return nil, fmt.Errorf("%s %s: %w (route its host to a fake or a recorder)", req.Method, req.URL.Redacted(), ErrEscaped)
	})
	return mt, nil
}

// redirect is a responder that sends the request to the same path under to.
func redirect(rt http.RoundTripper, from, to string) httpmock.Responder {
	return func(req *http.Request) (*http.Response, error) {
		rest := strings.TrimPrefix(req.URL.String(), from)
		u, err := url.Parse(to + rest)
		if err != nil {
			return nil, err
		}
		out := req.Clone(req.Context())
		out.URL, out.Host, out.RequestURI = u, u.Host, ""
		if req.Body != nil {
			// The clone shares the body; read it once, here.
			b, err := io.ReadAll(req.Body)
			if err != nil {
				return nil, err
			}
			out.Body = io.NopCloser(strings.NewReader(string(b)))
			out.ContentLength = int64(len(b))
		}
		return rt.RoundTrip(out)
	}
}

// Transport returns a RoundTripper that sends what a Go client addresses
// to the platform's real API (its Wire's APIURL) through the proxy, and
// fails any other host with ErrEscaped.
func (p *Proxy) Transport() (http.RoundTripper, error) {
	if p.wire.APIURL == "" {
		return nil, fmt.Errorf("transport: %s has no one API URL: use Transport with its host", p.opts.Kind.Title)
	}
	return Transport(map[string]string{p.wire.APIURL: p.URL()})
}

// New returns a Proxy started on its own, outside a World, on the wall
// clock: for a user's own test that records what a Go client does through
// Transport, or points a platform at InboundURL. Close it when done.
func New(opts Options) (*Proxy, error) {
	p, err := NewProxy(opts)
	if err != nil {
		return nil, err
	}
	if _, err := p.Start(fakes.Wiring{}); err != nil {
		return nil, err
	}
	return p, nil
}
