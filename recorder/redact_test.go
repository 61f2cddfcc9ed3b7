package recorder_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/chatsim/chatsim/fakes"
	"github.com/chatsim/chatsim/recorder"
	"github.com/chatsim/chatsim/recorder/cassette"
	"github.com/chatsim/chatsim/sim"
)

// canaries are secrets with the shape of each token-shaped carrier, by its
// name. A platform that adds a shape adds a canary here, or
// TestCanaryNeverReachesTheCassette fails.
func canaries() map[string]string {
	return map[string]string{
		"TELEGRAM_BOT_TOKEN":   "987654321:AAHcanaryCANARYcanaryCANARYcanary_-9",
		"SLACK_BOT_TOKEN":      "xoxb-1111111-2222222-canaryBOTcanary",
		"SLACK_USER_TOKEN":     "xoxp-1111111-2222222-canaryUSERcanary",
		"SLACK_APP_TOKEN":      "xapp-1-A0CANARY-3333-canaryAPPcanary",
		"SLACK_REFRESH_TOKEN":  "xoxe-1-canaryREFRESHcanary",
		"SLACK_TOKEN":          "xoxa-2-canaryLEGACYcanary",
		"SLACK_RESPONSE_URL":   "https://hooks.slack.com/actions/T0CANARY/123/canaryRESPONSEcanary",
		"SLACK_SOCKET_URL":     "wss://wss-primary.slack.com/link/?ticket=canary-0123-TICKET&app_id=A0CANARY",
		"SHOPIFY_ACCESS_TOKEN": "shpat_0123456789abcdef0123456789abcdef",
		"SHOPIFY_API_SECRET":   "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",
		"JWT":                  "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjYW5hcnkifQ.c2lnbmF0dXJlY2FuYXJ5",
		"BEARER_TOKEN":         "canaryBEARERtokenvalue",
	}
}

// plant returns a request and response of direction dir with secret in
// carrier c, and the secret as it must never be seen again.
func plant(t *testing.T, c fakes.Carrier, n int) (cassette.Entry, []string) {
	t.Helper()
	secret := fmt.Sprintf("canary%02dsecretVALUE%02d", n, n)
	e := cassette.Entry{Platform: "x", Direction: cassette.Outbound, Kind: "call",
		Request: cassette.Request{Method: "POST", URL: "/api/call", Headers: http.Header{"Content-Type": {"application/json"}}}}
	var body map[string]any
	switch {
	case c.Header != "":
		v := secret
		if c.Header == "Authorization" {
			v = "Bearer " + secret
		}
		e.Request.Headers.Set(c.Header, v)
	case c.Path != "":
		re := regexp.MustCompile(c.Path)
		for _, tmpl := range []string{"/bot%s/sendMessage", "/file/bot%s/photos/1.jpg", "/hooks/hookid123/%s"} {
			if m := re.FindStringSubmatch(fmt.Sprintf(tmpl, secret)); m != nil && m[1] == secret {
				e.Request.URL = fmt.Sprintf(tmpl, secret)
			}
		}
		if !strings.Contains(e.Request.URL, secret) {
			t.Fatalf("carrier %s: no sample path matches %q: add one to plant", c.Name, c.Path)
		}
	case c.Field != "":
		body = map[string]any{"ok": true, "nested": map[string]any{c.Field: secret}}
		e.Request.URL += "?" + url.Values{c.Field: {secret}}.Encode()
	case c.Shape != "":
		s, ok := canaries()[c.Name]
		if !ok || !regexp.MustCompile(c.Shape).MatchString(s) {
			t.Fatalf("carrier %s: no canary of its shape %q: add one to canaries", c.Name, c.Shape)
		}
		secret = s
		if c.Name == "BEARER_TOKEN" {
			body = map[string]any{"note": "use Bearer " + secret}
		} else {
			body = map[string]any{"text": "here it is: " + secret + " (escaped: " + url.QueryEscape(secret) + ")"}
		}
	}
	raw, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		if e.Request.Body, err = cassette.JSONBody(raw); err != nil {
			t.Fatal(err)
		}
	}
	// The answer echoes the secret, as getMe and auth.test echo what they
	// are asked with, and carries it in a form too.
	echo, err := cassette.JSONBody([]byte(`{"ok":true,"echo":` + string(mustJSON(t, secret)) + `,"url":"https:\/\/x.example\/` + secret + `"}`))
	if err != nil {
		t.Fatal(err)
	}
	e.Response = &cassette.Response{Status: 200, Headers: http.Header{"Content-Type": {"application/json"}, "Set-Cookie": {"s=" + secret}}, Body: echo}
	if c.In == fakes.Deliveries {
		e.Direction = cassette.Inbound
	}
	return e, []string{secret, url.QueryEscape(secret), base64.StdEncoding.EncodeToString([]byte(secret))}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestCanaryNeverReachesTheCassette plants a secret in every carrier of
// every platform of the registry, in the request and in an answer that
// echoes it, records the exchanges and checks that the cassette's bytes
// hold none of them, raw, URL-encoded or in base64, and that each became a
// placeholder.
func TestCanaryNeverReachesTheCassette(t *testing.T) {
	t.Parallel()
	for _, k := range sim.Registry() {
		t.Run(k.Name, func(t *testing.T) {
			t.Parallel()
			red, err := recorder.NewRedactor(k.Carriers, recorder.Rules{})
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			w, err := cassette.NewWriter(&buf, cassette.Header{Platform: k.Name})
			if err != nil {
				t.Fatal(err)
			}
			var secrets []string
			for i, c := range k.Carriers {
				if c.Signature {
					continue // a signature is dropped, see TestSignaturesAreDropped
				}
				e, s := plant(t, c, i)
				dir := fakes.Calls
				if e.Direction == cassette.Inbound {
					dir = fakes.Deliveries
				}
				red.Redact(&e, dir)
				if err := w.Write(e); err != nil {
					t.Fatalf("carrier %s: the redacted entry is not a valid cassette entry: %v", c.Name, err)
				}
				secrets = append(secrets, s...)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			out := buf.String()
			for _, s := range secrets {
				if strings.Contains(out, s) {
					t.Errorf("the cassette holds %q:\n%s", s, out)
				}
			}
			if !strings.Contains(out, "${") || len(red.Redactions()) == 0 {
				t.Errorf("no placeholder in the cassette:\n%s", out)
			}
			if strings.Contains(out, "Set-Cookie") {
				t.Errorf("a header outside the allowlist was kept:\n%s", out)
			}
		})
	}
}

// TestSignaturesAreDropped: a signature header is never recorded, not even
// as a placeholder: a replayer computes it anew.
func TestSignaturesAreDropped(t *testing.T) {
	t.Parallel()
	for _, k := range sim.Registry() {
		for _, c := range k.Carriers {
			if !c.Signature || c.Header == "" {
				continue
			}
			red, err := recorder.NewRedactor(k.Carriers, recorder.Rules{})
			if err != nil {
				t.Fatal(err)
			}
			e := cassette.Entry{Request: cassette.Request{Method: "POST", URL: "/hook", Headers: http.Header{http.CanonicalHeaderKey(c.Header): {"v0=abcdef0123456789"}}}}
			red.Redact(&e, fakes.Deliveries)
			if len(e.Request.Headers) != 0 {
				t.Errorf("%s: %s kept: %v", k.Name, c.Header, e.Request.Headers)
			}
		}
	}
}

// TestOneValueOnePlaceholder: a value is one placeholder wherever it is
// found, whoever finds it; a second value under the same name gets NAME_2;
// a person's rules add secrets the platforms do not know.
func TestOneValueOnePlaceholder(t *testing.T) {
	t.Parallel()
	red, err := recorder.NewRedactor([]fakes.Carrier{
		{Name: "TELEGRAM_BOT_TOKEN", Path: `^/bot([^/]+)/`},
		{Name: "TELEGRAM_BOT_TOKEN", Shape: `[0-9]{5,16}:[A-Za-z0-9_-]{30,}`},
		{Name: "SLACK_RESPONSE_URL", Field: "response_url"},
	}, recorder.Rules{Patterns: []string{`order-secret-[0-9]+`}, Pointers: []string{"/customer/email"}})
	if err != nil {
		t.Fatal(err)
	}
	token := "123456789:AAE-chatsim-canary-token-000000000000"
	e := cassette.Entry{Request: cassette.Request{Method: "POST", URL: "/bot" + token + "/sendMessage",
		Body: mustBody(t, `{"text":"token `+token+` order-secret-42","response_url":"https://r.example/1","customer":{"email":"ada@example.com"}}`)},
		Response: &cassette.Response{Status: 200, Body: mustBody(t, `{"ok":true,"result":{"response_url":"https://r.example/2"}}`)}}
	red.Redact(&e, fakes.Calls)
	want := `{"text":"token ${TELEGRAM_BOT_TOKEN} ${REDACTED_1}","response_url":"${SLACK_RESPONSE_URL}","customer":{"email":"${REDACTED_CUSTOMER_EMAIL}"}}`
	if e.Request.URL != "/bot${TELEGRAM_BOT_TOKEN}/sendMessage" || string(e.Request.Body.Bytes()) != want {
		t.Errorf("redacted to %s %s, want /bot${TELEGRAM_BOT_TOKEN}/sendMessage %s", e.Request.URL, e.Request.Body.Bytes(), want)
	}
	if got := string(e.Response.Body.Bytes()); got != `{"ok":true,"result":{"response_url":"${SLACK_RESPONSE_URL_2}"}}` {
		t.Errorf("response redacted to %s", got)
	}
	if _, err := recorder.NewRedactor(nil, recorder.Rules{Patterns: []string{"("}}); err == nil || !strings.Contains(err.Error(), `--redact "("`) {
		t.Errorf("a bad --redact: %v", err)
	}
	if _, err := recorder.NewRedactor(nil, recorder.Rules{Pointers: []string{"customer"}}); err == nil || !strings.Contains(err.Error(), "starts with /") {
		t.Errorf("a bad --redact-pointer: %v", err)
	}
}

func mustBody(t *testing.T, s string) cassette.Body {
	t.Helper()
	b, err := cassette.JSONBody([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
