package recorder

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/chatsim/chatsim/fakes"
	"github.com/chatsim/chatsim/recorder/cassette"
)

// Finding is one thing Lint found wrong with a cassette, where it is.
type Finding struct {
	File  string
	Line  int    // 0 for the file as a whole
	Field string // "entry.request.headers", or ""
	Msg   string
}

// String renders the finding as "file:line: field: message".
func (f Finding) String() string {
	loc := f.File
	if f.Line > 0 {
		loc = fmt.Sprintf("%s:%d", f.File, f.Line)
	}
	if f.Field != "" {
		return loc + ": " + f.Field + ": " + f.Msg
	}
	return loc + ": " + f.Msg
}

// placeholderRE is a placeholder a recorder wrote, ${NAME}.
var placeholderRE = regexp.MustCompile(`\$\{[A-Z][A-Z0-9_]*\}`)

// Lint reads a cassette and reports what would leak or break: a line that
// is not a valid entry (and nothing after it), a string of a secret's shape
// that is not a placeholder (the platforms' token shapes, a JWT, a Bearer
// token), a signature header recorded, and an inbound entry its platform's
// fake cannot replay (a platform kinds does not have, a body the platform
// could not have sent). It returns no findings for a clean cassette; the
// error is for a cassette it cannot read at all.
func Lint(r io.Reader, name string, kinds []fakes.Kind) ([]Finding, error) {
	cr, err := cassette.NewReader(r, name)
	if err != nil {
		var ce *cassette.Error
		if errors.As(err, &ce) {
			return []Finding{{File: ce.File, Line: ce.Line, Msg: ce.Err.Error()}}, nil
		}
		return nil, err
	}
	var carriers []fakes.Carrier
	for _, k := range kinds {
		carriers = append(carriers, k.Carriers...)
	}
	red, err := NewRedactor(carriers, Rules{})
	if err != nil {
		return nil, err
	}
	fakesByName := map[string]fakes.Platform{}
	defer func() {
		for _, f := range fakesByName {
			f.Close()
		}
	}()
	var out []Finding
	line := 1
	for {
		e, err := cr.Next()
		if err == io.EOF {
			break
		}
		line++
		if err != nil {
			var ce *cassette.Error
			if errors.As(err, &ce) {
				return append(out, Finding{File: ce.File, Line: ce.Line, Msg: ce.Err.Error()}), nil
			}
			return out, err
		}
		at := func(field, format string, args ...any) {
			out = append(out, Finding{File: name, Line: line, Field: field, Msg: fmt.Sprintf(format, args...)})
		}
		for _, s := range red.secretsIn(e) {
			at(s.field, "%s is not redacted (%s)", s.what, elide(s.value))
		}
		for _, c := range carriers {
			if !c.Signature || c.Header == "" {
				continue
			}
			for _, h := range []http.Header{e.Request.Headers, responseHeaders(e)} {
				if v := h.Get(c.Header); v != "" && placeholderRE.ReplaceAllString(v, "") != "" {
					at("entry.request.headers", "%s holds a signature: it is never stored (a placeholder may stand for it), a replayer signs anew", http.CanonicalHeaderKey(c.Header))
				}
			}
		}
		if e.Direction != cassette.Inbound {
			continue
		}
		f, ok := fakesByName[e.Platform]
		if !ok {
			for _, k := range kinds {
				if k.Name == e.Platform {
					if f, err = k.Start(fakes.Wiring{Clock: fakes.NewVirtualClock(time.Time{})}); err != nil {
						return out, err
					}
					fakesByName[e.Platform] = f
				}
			}
		}
		if f == nil {
			names := make([]string, len(kinds))
			for i, k := range kinds {
				names[i] = k.Name
			}
			at("entry.platform", "%q is not a platform chatsim can replay (have: %s)", e.Platform, strings.Join(names, ", "))
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, err = f.Replay(ctx, fakes.Delivery{Kind: e.Kind, Method: e.Request.Method, URL: e.Request.URL, Header: e.Request.Headers, Body: e.Request.Body.Bytes()})
		cancel()
		if errors.Is(err, fakes.ErrBadDelivery) {
			at("entry.request", "%s cannot replay it: %v", f.Name(), err)
		}
	}
	return out, nil
}

func responseHeaders(e cassette.Entry) http.Header {
	if e.Response == nil {
		return nil
	}
	return e.Response.Headers
}

// elide shows the start of a secret only.
func elide(s string) string {
	if len(s) > 12 {
		return s[:8] + "…"
	}
	return s[:min(len(s), 4)] + "…"
}

// found is a secret-shaped string and where.
type found struct{ field, what, value string }

// secretsIn returns the strings of e that have a secret's shape and are
// not placeholders.
func (r *Redactor) secretsIn(e cassette.Entry) []found {
	var out []found
	check := func(field, s string) {
		s = placeholderRE.ReplaceAllString(s, "")
		for _, sh := range r.shapes {
			for _, m := range sh.re.FindAllStringSubmatch(s, -1) {
				v := m[0]
				if len(m) > 1 && m[1] != "" {
					v = m[1]
				}
				if len(v) >= MinSecret {
					out = append(out, found{field: field, what: "a " + sh.name + " shape", value: v})
				}
			}
		}
	}
	strs := func(field string, b cassette.Body) {
		switch b.Kind() {
		case cassette.BodyText:
			check(field, string(b.Bytes()))
		case cassette.BodyJSON:
			var v any
			if json.Unmarshal(b.Bytes(), &v) == nil {
				walkJSON(v, "", func(_, _, s string) { check(field, s) })
			}
		}
	}
	check("entry.request.url", e.Request.URL)
	for _, vs := range e.Request.Headers {
		for _, v := range vs {
			check("entry.request.headers", v)
		}
	}
	strs("entry.request.body", e.Request.Body)
	if e.Response != nil {
		for _, vs := range e.Response.Headers {
			for _, v := range vs {
				check("entry.response.headers", v)
			}
		}
		strs("entry.response.body", e.Response.Body)
	}
	return out
}
