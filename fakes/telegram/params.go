package telegram

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/chatsim/chatsim/fakes"
)

// params are a method's parameters however they arrived: query string, form,
// JSON or multipart. JSON-valued parameters (reply_markup, entities,
// allowed_updates…) are kept as JSON text, as they arrive in form fields.
type params struct {
	vals  map[string]string
	files map[string]*upload
}

// upload is a file sent as a multipart part.
type upload struct {
	name        string
	contentType string
	data        []byte
}

func newParams() *params { return &params{vals: map[string]string{}} }

// parseParams reads r's parameters. Body parameters override the query
// string. A body that cannot be read as its content type, or a parameter
// that is not UTF-8, is an apiError.
func parseParams(r *http.Request) (*params, *apiError) {
	p, aerr := readParams(r)
	if aerr != nil {
		return nil, aerr
	}
	for _, v := range p.vals {
		if !utf8.ValidString(v) {
			return nil, badRequest("strings must be encoded in UTF-8")
		}
	}
	return p, nil
}

func readParams(r *http.Request) (*params, *apiError) {
	p := newParams()
	for k, v := range r.URL.Query() {
		if len(v) > 0 {
			p.vals[k] = v[0]
		}
	}
	if r.Body == nil || r.Method == http.MethodGet || r.Method == http.MethodHead {
		return p, nil
	}
	ct, ctParams, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	body := http.MaxBytesReader(nil, r.Body, fakes.MaxBody)
	switch ct {
	case "application/json":
		b, err := io.ReadAll(body)
		if err != nil {
			return nil, badRequest("can't read request body")
		}
		if len(bytes.TrimSpace(b)) == 0 {
			return p, nil
		}
		if err := p.addJSON(b); err != nil {
			return nil, badRequest("can't parse JSON object")
		}
	case "multipart/form-data":
		mr := multipart.NewReader(body, ctParams["boundary"])
		for {
			part, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, badRequest("can't parse multipart/form-data request")
			}
			data, err := io.ReadAll(part)
			if err != nil {
				return nil, badRequest("can't parse multipart/form-data request")
			}
			name := part.FormName()
			if part.FileName() != "" {
				if p.files == nil {
					p.files = map[string]*upload{}
				}
				// The part's headers are the client's: a media type that
				// does not parse is left for the content to tell, and the
				// name is kept as UTF-8, as Telegram stores it.
				ctype, _, err := mime.ParseMediaType(part.Header.Get("Content-Type"))
				if err != nil {
					ctype = ""
				}
				p.files[name] = &upload{name: strings.ToValidUTF8(part.FileName(), "\uFFFD"), contentType: ctype, data: data}
				continue
			}
			p.vals[name] = string(data)
		}
	default: // form-urlencoded, or no content type: Telegram reads it as a form
		b, err := io.ReadAll(body)
		if err != nil {
			return nil, badRequest("can't read request body")
		}
		vs, err := url.ParseQuery(string(b))
		if err != nil {
			return nil, badRequest("can't parse request body")
		}
		for k, v := range vs {
			if len(v) > 0 {
				p.vals[k] = v[0]
			}
		}
	}
	return p, nil
}

// addJSON adds the members of a JSON object: strings as their value, other
// values as JSON text; nulls are left out.
func (p *params) addJSON(b []byte) error {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(b, &obj); err != nil {
		return err
	}
	for k, raw := range obj {
		raw = bytes.TrimSpace(raw)
		switch {
		case string(raw) == "null":
		case len(raw) > 0 && raw[0] == '"':
			var s string
			if err := json.Unmarshal(raw, &s); err != nil {
				return err
			}
			p.vals[k] = s
		default:
			p.vals[k] = string(raw)
		}
	}
	return nil
}

func (p *params) str(name string) string { return p.vals[name] }

// int64 reads an integer parameter; ok is false when it is missing, err set
// when it is not an integer.
func (p *params) int64(name string) (n int64, ok bool, err error) {
	v, ok := p.vals[name]
	if !ok || strings.TrimSpace(v) == "" {
		return 0, false, nil
	}
	n, err = strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil {
		return 0, true, fmt.Errorf("parameter %q: want an integer, got %q", name, v)
	}
	return n, true, nil
}

// intOr reads an integer parameter, with def when it is missing or invalid,
// as the Bot API does for optional numbers.
func (p *params) intOr(name string, def int64) int64 {
	n, ok, err := p.int64(name)
	if !ok || err != nil {
		return def
	}
	return n
}

// bool reads a boolean parameter: "true", "1" (any case) are true.
func (p *params) bool(name string) bool {
	switch strings.ToLower(strings.TrimSpace(p.vals[name])) {
	case "true", "1":
		return true
	}
	return false
}

// values returns a copy of the parameters for Calls.
func (p *params) values() map[string]string {
	out := make(map[string]string, len(p.vals))
	for k, v := range p.vals {
		out[k] = v
	}
	return out
}

// fileNames describes the uploaded parts for Calls.
func (p *params) fileNames() map[string]string {
	if len(p.files) == 0 {
		return nil
	}
	out := make(map[string]string, len(p.files))
	for k, f := range p.files {
		out[k] = fmt.Sprintf("%s (%d bytes)", f.name, len(f.data))
	}
	return out
}

// data renders the parameters for Observation.Data: JSON-valued parameters
// decoded, uploads described.
func (p *params) data() map[string]any {
	out := make(map[string]any, len(p.vals)+len(p.files))
	keys := make([]string, 0, len(p.vals))
	for k := range p.vals {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := p.vals[k]
		t := strings.TrimSpace(v)
		if len(t) > 0 && (t[0] == '{' || t[0] == '[') {
			var x any
			if json.Unmarshal([]byte(t), &x) == nil {
				out[k] = x
				continue
			}
		}
		out[k] = v
	}
	for k, f := range p.files {
		out[k] = map[string]any{"upload": f.name, "bytes": len(f.data)}
	}
	return out
}
