package shopify_test

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chatsim/chatsim/fakes/shopify"
)

// TestProductTagLimit holds products to Shopify's 250 tags: the Admin API
// answers 423 with Shopify's messages, the control API 400.
func TestProductTagLimit(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	tok := w.srv.AccessToken()
	tags := func(n int) string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("tag%d", i)
		}
		return strings.Join(out, ", ")
	}
	resp, body := api(t, w.srv, "POST", "/admin/api/2025-01/products.json", tok, map[string]any{"product": map[string]any{"title": "Tea", "tags": tags(250)}})
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("250 tags: %d %s", resp.StatusCode, body)
	}
	resp, body = api(t, w.srv, "POST", "/admin/api/2025-01/products.json", tok, map[string]any{"product": map[string]any{"title": "Tea", "tags": tags(251)}})
	if resp.StatusCode != http.StatusLocked || string(body) != `{"errors":"Tags cannot be more than 250."}` {
		t.Errorf("create with 251 tags: %d %s", resp.StatusCode, body)
	}
	p, err := w.srv.CreateProduct(shopify.ProductInput{Title: "Coffee"})
	if err != nil {
		t.Fatal(err)
	}
	resp, body = api(t, w.srv, "PUT", fmt.Sprintf("/admin/api/2025-01/products/%d.json", p.ID), tok, map[string]any{"product": map[string]any{"tags": tags(251)}})
	if resp.StatusCode != http.StatusLocked || string(body) != `{"errors":"Tags cannot be added as the product already exceeds the new limit of 250 tags."}` {
		t.Errorf("update to 251 tags: %d %s", resp.StatusCode, body)
	}
	if _, err := w.srv.CreateProduct(shopify.ProductInput{Title: "Cocoa", Tags: tags(251)}); !errors.Is(err, shopify.ErrTooManyTags) {
		t.Errorf("CreateProduct with 251 tags = %v, want ErrTooManyTags", err)
	}
	if code, m := control(t, w.srv, "POST", "products", map[string]any{"title": "Cocoa", "tags": tags(251)}); code != 400 || !strings.Contains(fmt.Sprint(m["error"]), "Tags cannot be more than 250.") {
		t.Errorf("control with 251 tags: %d %v", code, m)
	}
	// Repeated tags count once (case-insensitively).
	if _, err := w.srv.CreateProduct(shopify.ProductInput{Title: "Mate", Tags: tags(250) + ", tag0, TAG1"}); err != nil {
		t.Errorf("250 distinct tags with repeats: %v", err)
	}
}
