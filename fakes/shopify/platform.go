package shopify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"github.com/chatsim/chatsim/fakes"
)

// The Server is a chat platform's fake for a World.
var _ fakes.Platform = (*Server)(nil)

// Name returns "shopify".
func (s *Server) Name() string { return "shopify" }

// Env returns what an integration needs to reach the fake:
//
//	SHOPIFY_API_URL       the base URL; the Admin API is at
//	                      SHOPIFY_API_URL + "/admin/api/2025-01/orders.json" and
//	                      OAuth at SHOPIFY_API_URL + "/admin/oauth/…" (it stands
//	                      for https://<shop>.myshopify.com)
//	SHOPIFY_SHOP_DOMAIN   chatsim-demo.myshopify.com
//	SHOPIFY_ACCESS_TOKEN  the Admin API token (X-Shopify-Access-Token)
//	SHOPIFY_API_KEY       the app's client id
//	SHOPIFY_API_SECRET    the app's client secret, which signs webhooks
//	SHOPIFY_API_VERSION   the app's API version, 2025-01
func (s *Server) Env() map[string]string {
	return map[string]string{
		"SHOPIFY_API_URL":      s.URL(),
		"SHOPIFY_SHOP_DOMAIN":  s.cfg.domain,
		"SHOPIFY_ACCESS_TOKEN": s.cfg.token,
		"SHOPIFY_API_KEY":      s.cfg.apiKey,
		"SHOPIFY_API_SECRET":   s.cfg.secret,
		"SHOPIFY_API_VERSION":  s.cfg.version,
	}
}

// Service describes the fake for `chatsim serve --json`: url, control,
// adminApiUrl, oauthAuthorizeUrl, shopDomain, accessToken, apiKey,
// apiSecret, apiVersion and, once set, webhookTarget.
func (s *Server) Service() map[string]any {
	m := map[string]any{
		"url":               s.URL(),
		"control":           s.URL() + fakes.ControlPrefix,
		"adminApiUrl":       s.URL() + "/admin/api/" + s.cfg.version,
		"oauthAuthorizeUrl": s.URL() + "/admin/oauth/authorize",
		"shopDomain":        s.cfg.domain,
		"accessToken":       s.cfg.token,
		"apiKey":            s.cfg.apiKey,
		"apiSecret":         s.cfg.secret,
		"apiVersion":        s.cfg.version,
	}
	if t := s.WebhookTarget(); t != "" {
		m["webhookTarget"] = t
	}
	return m
}

// Literals maps the fake's base URL, access token, API key and secret to
// ${SHOPIFY_API_URL}, ${SHOPIFY_ACCESS_TOKEN}, ${SHOPIFY_API_KEY} and
// ${SHOPIFY_API_SECRET}.
func (s *Server) Literals() map[string]string {
	return map[string]string{
		s.URL():      "${SHOPIFY_API_URL}",
		s.cfg.token:  "${SHOPIFY_ACCESS_TOKEN}",
		s.cfg.apiKey: "${SHOPIFY_API_KEY}",
		s.cfg.secret: "${SHOPIFY_API_SECRET}",
	}
}

// Replay delivers a recorded webhook again. Kind is its topic (else the
// recorded X-Shopify-Topic); the body is sent as recorded, re-signed with
// this fake's secret, from this fake's shop, with a fresh
// X-Shopify-Triggered-At and the recorded X-Shopify-Webhook-Id and
// X-Shopify-Event-Id (fresh ones when the recording has none). It goes to
// every subscription for the topic, or to the webhook target when there is
// none, through the usual retries. The store learns the order, customer or
// product the body carries (a products/delete removes it). The title reads
// "shopify → integration: orders/create #1001 $25.00".
func (s *Server) Replay(ctx context.Context, d fakes.Delivery) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("replay shopify delivery: %w", err)
	}
	title, err := s.replay(ctx, d)
	if err != nil {
		if d.Location != "" {
			return "", fmt.Errorf("%s: %w", d.Location, err)
		}
		return "", err
	}
	return "shopify → integration: " + title, nil
}

func (s *Server) replay(ctx context.Context, d fakes.Delivery) (string, error) {
	topic := d.Kind
	if topic == "" && d.Header != nil {
		topic = d.Header.Get("X-Shopify-Topic")
	}
	if !knownTopic(topic) {
		return "", fmt.Errorf("replay %q: %w: %w", topic, fakes.ErrBadDelivery, ErrBadTopic)
	}
	body := bytes.TrimSpace(d.Body)
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(body, &obj); err != nil {
		return "", fmt.Errorf("replay %s: %w: body: want a JSON object: %w", topic, fakes.ErrBadDelivery, fakes.JSONError(err))
	}
	var eventID, webhookID string
	if d.Header != nil {
		eventID, webhookID = d.Header.Get("X-Shopify-Event-Id"), d.Header.Get("X-Shopify-Webhook-Id")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("replay shopify delivery: %w", err)
	}
	if err := s.ingestLocked(topic, body); err != nil {
		// The recording is delivered as it is, however wrong (a price as a
		// number is what a contract check must catch); the store only
		// does not learn from it, which the journal says.
		s.record(fakes.ClassNote, "replay", fmt.Sprintf("%s not learned by the store: %v", topic, err), map[string]any{"topic": topic, "error": err.Error()})
	}
	if s.emitRawLocked(topic, body, eventID, webhookID, true) == 0 {
		return "", fmt.Errorf("replay %s: no subscription for the topic and no webhook target: %w", topic, ErrNoTarget)
	}
	return describe(topic, body), nil
}

// ingestLocked teaches the store what a recorded payload carries. s.mu
// must be held.
func (s *Server) ingestLocked(topic string, body []byte) error {
	switch topic {
	case "orders/create", "orders/updated", "orders/paid", "orders/cancelled", "orders/fulfilled":
		var o Order
		if err := json.Unmarshal(body, &o); err != nil {
			return fmt.Errorf("decode order: %w", err)
		}
		if o.ID == 0 {
			return fmt.Errorf("order has no id: %w", ErrInvalid)
		}
		s.putOrderLocked(&o)
		s.orderNumber = max(s.orderNumber, o.OrderNumber)
		if o.Customer != nil && o.Customer.ID != 0 && s.customers[o.Customer.ID] == nil {
			c := *o.Customer
			s.customers[c.ID] = &c
		}
	case "customers/create", "customers/update":
		var c Customer
		if err := json.Unmarshal(body, &c); err != nil {
			return fmt.Errorf("decode customer: %w", err)
		}
		if c.ID == 0 {
			return fmt.Errorf("customer has no id: %w", ErrInvalid)
		}
		s.customers[c.ID] = &c
	case "products/create", "products/update":
		var p Product
		if err := json.Unmarshal(body, &p); err != nil {
			return fmt.Errorf("decode product: %w", err)
		}
		if p.ID == 0 {
			return fmt.Errorf("product has no id: %w", ErrInvalid)
		}
		s.products[p.ID] = &p
	case "products/delete":
		var p struct {
			ID int64 `json:"id"`
		}
		if err := json.Unmarshal(body, &p); err != nil {
			return fmt.Errorf("decode product: %w", err)
		}
		delete(s.products, p.ID)
	}
	return nil
}

// Kind returns Shopify as the registry (package sim) lists it: its fake
// started on a World's wiring, its own steps, and where its secrets travel:
// the Admin API access token (X-Shopify-Access-Token, and access_token in
// the OAuth exchange's answer), the webhooks' and the OAuth callback's
// HMACs, and the OAuth exchange's client_secret (not its code, which is
// spent once exchanged, while "code" is also the field of every discount
// code in an order, which a recording must keep); and how its live traffic
// reads, for a recorder (wire).
func Kind() fakes.Kind {
	return fakes.Kind{
		Name:       "shopify",
		Title:      "Shopify",
		Start:      func(w fakes.Wiring) (fakes.Platform, error) { return Start(WithWiring(w)) },
		Steps:      steps,
		PersonStep: "Given a Shopify customer %q",
		Carriers: []fakes.Carrier{
			{Name: "SHOPIFY_ACCESS_TOKEN", Header: "X-Shopify-Access-Token", In: fakes.Calls},
			{Name: "SHOPIFY_ACCESS_TOKEN", Field: "access_token", In: fakes.Calls},
			{Name: "SHOPIFY_API_SECRET", Header: "X-Shopify-Hmac-Sha256", Signature: true, In: fakes.Deliveries},
			{Name: "SHOPIFY_API_SECRET", Field: "hmac", Signature: true, In: fakes.Deliveries},
			{Name: "SHOPIFY_API_SECRET", Field: "client_secret", In: fakes.Calls},
			{Name: "SHOPIFY_ACCESS_TOKEN", Shape: `shp(?:at|ca|pa|ua)_[0-9a-fA-F]{32}`},
			{Name: "SHOPIFY_API_SECRET", Shape: `shpss_[0-9a-fA-F]{32}`},
		},
		Wire: wire(),
	}
}
