package shopify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/chatsim/chatsim/examples/bpkit"
)

// webhook handles webhook_received: the platform forwards what Shopify
// POSTed to https://webhook.botpress.cloud/<webhookId> as
//
//	{"req":{"method":"POST","path":"/","query":"","headers":{…},"body":"<the resource as a string>"}}
//
// and passes our answer back to Shopify. The body is the REST resource of
// the topic at the top level (orders/create → the order itself, not
// {"order":…}), and the headers say what it is:
//
//	x-shopify-topic           orders/create
//	x-shopify-hmac-sha256     base64(HMAC-SHA256(API secret, raw body))
//	x-shopify-shop-domain     chatsim-demo.myshopify.com
//	x-shopify-api-version     2025-01
//	x-shopify-webhook-id      stays the same across retries of a delivery
//	x-shopify-event-id        stays the same across every delivery of an event
//	x-shopify-triggered-at    when the event happened
//
// Shopify retries a delivery that does not get a 2xx within 5 s, up to 8
// times over 4 hours, so a topic the integration does not handle still gets
// 200, and a failure (the platform is down, say) answers an error so that
// Shopify tries again later.
func (o *op) webhook(ctx context.Context) (bpkit.Response, error) {
	req, err := o.WebhookRequest()
	if err != nil {
		return bpkit.Response{}, err
	}
	if req.Method != http.MethodPost {
		return plain(http.StatusMethodNotAllowed, "webhooks are POSTed"), nil
	}

	// Anyone can POST to the webhook URL; only Shopify knows the app's
	// secret. A bad signature is an answer for the sender, not a failure
	// of the integration: 401, and nothing happens.
	if !validHMAC(o.apiSecret, []byte(req.Body), req.Headers["x-shopify-hmac-sha256"]) {
		return plain(http.StatusUnauthorized, "invalid webhook signature"), nil
	}

	topic := req.Headers["x-shopify-topic"]
	handle := handlerFor(topic)
	if handle == nil {
		// orders/updated, products/update, …: signed by Shopify but not
		// subscribed by register (someone else's subscription, or one left
		// over). Acknowledge so Shopify does not retry it.
		return bpkit.OK(), nil
	}
	id := deliveryID(req.Headers)
	if id == "" {
		return plain(http.StatusBadRequest, "missing X-Shopify-Event-Id and X-Shopify-Webhook-Id"), nil
	}

	var resource map[string]json.RawMessage
	var raw bytes.Buffer
	if err := json.Unmarshal([]byte(req.Body), &resource); err != nil || resource == nil {
		if err == nil {
			err = fmt.Errorf("want a JSON object, got %.40s", req.Body)
		}
		return bpkit.Response{}, fmt.Errorf("decode %s webhook %s: %w", topic, id, err)
	}
	if err := json.Compact(&raw, []byte(req.Body)); err != nil {
		return bpkit.Response{}, fmt.Errorf("decode %s webhook %s: %w", topic, id, err)
	}

	// The same webhook may come again (a retry after a timeout, a second
	// subscription to the topic). Fire each event once: the key is the
	// topic and the event id, remembered in the platform's state only once
	// the event exists, so a delivery that fails halfway is retried whole.
	key := topic + " " + id
	seen, err := o.loadProcessed(ctx)
	if err != nil {
		return bpkit.Response{}, fmt.Errorf("handle %s webhook %s: %w", topic, id, err)
	}
	if seen.has(key) {
		return bpkit.OK(), nil
	}
	evType, payload := handle(o, resource, raw.Bytes())
	if _, err := o.Client.CreateEvent(ctx, bpkit.EventInput{Type: evType, Payload: payload}); err != nil {
		return bpkit.Response{}, fmt.Errorf("handle %s webhook %s: %w", topic, id, err)
	}
	if err := o.saveProcessed(ctx, seen.add(key)); err != nil {
		return bpkit.Response{}, fmt.Errorf("handle %s webhook %s: %w", topic, id, err)
	}
	return bpkit.OK(), nil
}

// plain is a text answer for Shopify.
func plain(status int, text string) bpkit.Response {
	return bpkit.Response{Status: status, Header: map[string]string{"Content-Type": "text/plain; charset=utf-8"}, Body: text}
}

// validHMAC checks X-Shopify-Hmac-Sha256: the standard base64 (with
// padding) of HMAC-SHA256 keyed with the app's API secret over the raw body
// bytes. The header is compared as text, as go-shopify does: decoding it
// first would also pass other spellings of the same MAC (line breaks,
// which base64 decoders skip, or other unused low bits). The comparison
// takes constant time, so the answer's timing tells nothing about how
// close a forged signature came.
func validHMAC(secret string, body []byte, header string) bool {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	want := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	return hmac.Equal([]byte(header), []byte(want))
}

// deliveryID identifies what was delivered. Shopify's guidance is
// X-Shopify-Event-Id (the same on every delivery of one event, whichever
// subscription it came through); API versions and tools that predate it
// use X-Shopify-Webhook-Id, which stays the same across retries.
func deliveryID(h map[string]string) string {
	if id := h["x-shopify-event-id"]; id != "" {
		return id
	}
	return h["x-shopify-webhook-id"]
}

// topicHandler turns a resource (decoded one level, and its compacted
// bytes) into an event: the event type and its payload.
type topicHandler func(o *op, r map[string]json.RawMessage, raw []byte) (string, map[string]json.RawMessage)

// handlerFor returns the handler of a subscribed topic, nil for the others.
func handlerFor(topic string) topicHandler {
	switch topic {
	case "orders/create":
		return (*op).newOrderCreated
	case "orders/paid":
		return (*op).orderPaid
	case "orders/fulfilled":
		return (*op).orderFulfilled
	case "orders/cancelled":
		return (*op).orderCancelled
	case "customers/create":
		return (*op).customerCreated
	case "app/uninstalled":
		return (*op).appUninstalled
	}
	return nil
}

// Event payloads copy Shopify's fields as Shopify sent them, raw: money is
// a decimal string ("67.81"), times are ISO 8601 with the shop's offset.
// Nothing is converted or defaulted, so a field with the wrong type or a
// missing one reaches the platform as it is, and the definition's schema
// (checked by the platform, and by chatsim) says what is wrong with it.
//
// The one exception is the resource's id. Shopify's ids are 64-bit integers
// (820982911946154508) that a JavaScript bot would round to the nearest
// double, so order_id and customer_id are their decimal strings, as tags
// and ids are everywhere in Botpress. An id that is not an integer is
// passed as it is, for the schema to catch.

// newOrderCreated: orders/create → newOrderCreated, with the whole order,
// as Shopify sent it, as fullBody.
func (o *op) newOrderCreated(order map[string]json.RawMessage, raw []byte) (string, map[string]json.RawMessage) {
	p := pick(order, "confirmation_number", "created_at", "currency",
		"current_subtotal_price", "current_total_discounts", "current_total_price", "current_total_tax",
		"customer_locale", "order_status_url")
	o.common(p, order, "order_id")
	p["fullBody"] = raw
	return "newOrderCreated", p
}

// orderPaid: orders/paid → orderPaid. The REST order has no payment time;
// its updated_at is when Shopify marked it paid, which is when this webhook
// fires, so that is paid_at.
func (o *op) orderPaid(order map[string]json.RawMessage, _ []byte) (string, map[string]json.RawMessage) {
	p := pick(order, "financial_status", "current_total_price", "currency", "total_outstanding")
	if v, ok := order["name"]; ok {
		p["order_name"] = v
	}
	if v, ok := order["updated_at"]; ok {
		p["paid_at"] = v
	}
	o.common(p, order, "order_id")
	return "orderPaid", p
}

// orderFulfilled: orders/fulfilled → orderFulfilled. The REST order has no
// fulfilment time either; its updated_at is when the last line shipped.
// tracking_numbers gathers every fulfilment's, in order.
func (o *op) orderFulfilled(order map[string]json.RawMessage, _ []byte) (string, map[string]json.RawMessage) {
	p := pick(order, "fulfillment_status", "financial_status")
	if v, ok := order["name"]; ok {
		p["order_name"] = v
	}
	if v, ok := order["updated_at"]; ok {
		p["fulfilled_at"] = v
	}
	var fs []struct {
		TrackingNumbers []string `json:"tracking_numbers"`
	}
	if raw, ok := order["fulfillments"]; ok && json.Unmarshal(raw, &fs) == nil {
		numbers := []string{}
		for _, f := range fs {
			numbers = append(numbers, f.TrackingNumbers...)
		}
		b, _ := json.Marshal(numbers) // strings always marshal
		p["tracking_numbers"] = b
	}
	o.common(p, order, "order_id")
	return "orderFulfilled", p
}

// orderCancelled: orders/cancelled → orderCancelled, with why and when,
// and what became of the payment (voided, refunded).
func (o *op) orderCancelled(order map[string]json.RawMessage, _ []byte) (string, map[string]json.RawMessage) {
	p := pick(order, "cancel_reason", "cancelled_at", "financial_status", "currency")
	if v, ok := order["name"]; ok {
		p["order_name"] = v
	}
	o.common(p, order, "order_id")
	return "orderCancelled", p
}

// appUninstalled: app/uninstalled → appUninstalled. The body is the shop;
// once it arrives the access token no longer works and Shopify has
// deleted the app's subscriptions, so the bot should stop calling the
// Admin API for this shop.
func (o *op) appUninstalled(shop map[string]json.RawMessage, _ []byte) (string, map[string]json.RawMessage) {
	p := pick(shop, "myshopify_domain")
	o.common(p, shop, "shop_id")
	return "appUninstalled", p
}

// customerCreated: customers/create → customerCreated.
func (o *op) customerCreated(c map[string]json.RawMessage, _ []byte) (string, map[string]json.RawMessage) {
	p := pick(c, "email", "first_name", "last_name", "phone", "created_at", "verified_email")
	o.common(p, c, "customer_id")
	return "customerCreated", p
}

// common adds the resource's id under idField and the shop's name.
func (o *op) common(p, resource map[string]json.RawMessage, idField string) {
	if raw, ok := resource["id"]; ok {
		p[idField] = idString(raw)
	}
	p["shopName"] = jsonString(o.shop)
}

// pick copies the named fields that are present, as they are.
func pick(r map[string]json.RawMessage, names ...string) map[string]json.RawMessage {
	p := make(map[string]json.RawMessage, len(names)+3)
	for _, n := range names {
		if v, ok := r[n]; ok {
			p[n] = v
		}
	}
	return p
}

// idString turns a JSON integer into its decimal string, exactly (no
// float64 on the way); anything else is returned unchanged.
func idString(raw json.RawMessage) json.RawMessage {
	var n json.Number
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if dec.Decode(&n) != nil {
		return raw
	}
	if _, err := n.Int64(); err != nil {
		return raw
	}
	return jsonString(n.String())
}

// jsonString encodes s as a JSON string.
func jsonString(s string) json.RawMessage {
	b, _ := json.Marshal(s) // a string always marshals
	return b
}
