package shopify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/chatsim/chatsim/examples/bpkit"
)

// adminAPI calls the Shopify Admin REST API of one shop:
//
//	<base>/admin/api/<version>/<resource>.json   X-Shopify-Access-Token: <token>
//
// Shopify rate-limits each app per shop with a leaky bucket: 40 calls that
// drain at 2 a second (Plus shops: 400 at 20). Every answer says how full
// the bucket is in X-Shopify-Shop-Api-Call-Limit ("32/40"); a call over
// the limit gets 429 with Retry-After in seconds, as a float ("2.0").
type adminAPI struct {
	http    *http.Client
	base    string // SHOPIFY_API_URL, or https://<shop>.myshopify.com
	version string // SHOPIFY_API_VERSION
	token   string // SECRET_SHOPIFY_ACCESS_TOKEN
	sleep   func(context.Context, time.Duration) error

	// wait is how long to pause before the next call, because the last
	// answer said the bucket is (nearly) full. An adminAPI lives for one
	// operation, which makes its calls one after another.
	wait time.Duration
}

// maxRetries is how many times a call Shopify answered 429 is retried.
const maxRetries = 3

// shopifyError is a failed Admin API call.
type shopifyError struct {
	Method   string
	Resource string // "orders/450789469.json"
	Status   int
	// Message flattens Shopify's error body: {"errors":"Not Found"},
	// {"errors":{"address":["has already been taken"]}} or {"error":"…"}.
	Message string
	// CallLimit is X-Shopify-Shop-Api-Call-Limit, when the answer had it.
	CallLimit string
}

func (e *shopifyError) Error() string {
	s := fmt.Sprintf("shopify %s %s: %d %s", e.Method, e.Resource, e.Status, e.Message)
	if e.Status == http.StatusTooManyRequests && e.CallLimit != "" {
		s += " (call limit " + e.CallLimit + ")"
	}
	return s
}

// isStatus reports whether err is a Shopify answer with that status.
func isStatus(err error, status int) bool {
	se, ok := errors.AsType[*shopifyError](err)
	return ok && se.Status == status
}

// do calls the Admin API: method on /admin/api/<version>/<resource>, with in
// as the JSON body (nil for none), decoding the answer into out (if not
// nil). A 429 is retried after Retry-After, at most maxRetries times; a 503
// too, for the methods that can be repeated safely.
func (a *adminAPI) do(ctx context.Context, method, resource string, in, out any) error {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return fmt.Errorf("encode shopify %s %s: %w", method, resource, err)
		}
	}
	url := a.base + "/admin/api/" + a.version + "/" + resource
	for attempt := 1; ; attempt++ {
		if a.wait > 0 {
			if err := a.sleep(ctx, a.wait); err != nil {
				return fmt.Errorf("shopify %s %s: %w", method, resource, err)
			}
			a.wait = 0
		}
		req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
		if err != nil {
			return fmt.Errorf("shopify %s %s: %w", method, resource, err)
		}
		req.Header.Set("X-Shopify-Access-Token", a.token)
		req.Header.Set("Accept", "application/json")
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		res, err := a.http.Do(req)
		if err != nil {
			return fmt.Errorf("shopify %s %s: %w", method, resource, err)
		}
		data, err := io.ReadAll(io.LimitReader(res.Body, bpkit.MaxBody))
		res.Body.Close()
		if err != nil {
			return fmt.Errorf("shopify %s %s: read answer: %w", method, resource, err)
		}
		limit := res.Header.Get("X-Shopify-Shop-Api-Call-Limit")
		a.wait = bucketWait(limit)

		if res.StatusCode >= 200 && res.StatusCode < 300 {
			if out == nil {
				return nil
			}
			if err := json.Unmarshal(data, out); err != nil {
				return fmt.Errorf("shopify %s %s: decode answer: %w", method, resource, err)
			}
			return nil
		}
		retry := res.StatusCode == http.StatusTooManyRequests ||
			(res.StatusCode == http.StatusServiceUnavailable && slices.Contains([]string{http.MethodGet, http.MethodDelete}, method))
		if retry && attempt <= maxRetries {
			if err := a.sleep(ctx, retryAfter(res.Header)); err != nil {
				return fmt.Errorf("shopify %s %s: %w", method, resource, err)
			}
			a.wait = 0 // Retry-After already covers it
			continue
		}
		return &shopifyError{Method: method, Resource: resource, Status: res.StatusCode, Message: errorMessage(res.StatusCode, data), CallLimit: limit}
	}
}

// listWebhooks lists the app's webhook subscriptions in this shop. An app
// sees only its own, a handful, so the first page (50) holds them all.
func (a *adminAPI) listWebhooks(ctx context.Context) ([]webhook, error) {
	var out struct {
		Webhooks []webhook `json:"webhooks"`
	}
	err := a.do(ctx, http.MethodGet, "webhooks.json", nil, &out)
	return out.Webhooks, err
}

// retryAfter is a 429's Retry-After, seconds as a float ("2.0"); Shopify
// always sends it, 2 seconds (one drained call's worth, and then some) when
// it does not.
func retryAfter(h http.Header) time.Duration {
	if s, err := strconv.ParseFloat(strings.TrimSpace(h.Get("Retry-After")), 64); err == nil && s >= 0 && s < 3600 {
		return time.Duration(s * float64(time.Second))
	}
	return 2 * time.Second
}

// bucketWait reads X-Shopify-Shop-Api-Call-Limit ("used/size") and says how
// long to wait before the next call so that it does not hit a 429: nothing
// while two or more calls are left, else the time the bucket takes to drain
// one call. The bucket drains size/20 calls a second (40 → 2/s, Plus's
// 400 → 20/s), so one call takes 20 s / size.
func bucketWait(limit string) time.Duration {
	usedS, sizeS, ok := strings.Cut(limit, "/")
	if !ok {
		return 0
	}
	used, err1 := strconv.Atoi(strings.TrimSpace(usedS))
	size, err2 := strconv.Atoi(strings.TrimSpace(sizeS))
	if err1 != nil || err2 != nil || size <= 0 || size-used >= 2 {
		return 0
	}
	return 20 * time.Second / time.Duration(size)
}

// errorMessage flattens Shopify's error bodies into one line:
//
//	{"errors":"Not Found"}                          → Not Found
//	{"errors":{"address":["has already been taken"]}} → address has already been taken
//	{"errors":["a","b"]}                            → a; b
//	{"error":"invalid_request"}                     → invalid_request
//
// Anything else is the status text.
func errorMessage(status int, data []byte) string {
	var body struct {
		Errors json.RawMessage `json:"errors"`
		Error  string          `json:"error"`
	}
	if json.Unmarshal(data, &body) != nil {
		return http.StatusText(status)
	}
	var s string
	if json.Unmarshal(body.Errors, &s) == nil && s != "" {
		return s
	}
	var list []string
	if json.Unmarshal(body.Errors, &list) == nil && len(list) > 0 {
		return strings.Join(list, "; ")
	}
	var fields map[string][]string
	if json.Unmarshal(body.Errors, &fields) == nil && len(fields) > 0 {
		keys := make([]string, 0, len(fields))
		for k := range fields {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		parts := make([]string, 0, len(keys))
		for _, k := range keys {
			parts = append(parts, k+" "+strings.Join(fields[k], ", "))
		}
		return strings.Join(parts, "; ")
	}
	if body.Error != "" {
		return body.Error
	}
	return http.StatusText(status)
}
