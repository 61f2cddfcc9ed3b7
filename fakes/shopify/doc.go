// Package shopify is a fake Shopify store with one app installed, for tests
// and simulations: the Admin REST API, webhooks, the OAuth install flow,
// and a control API that acts as the merchant and the shoppers.
//
//	srv := shopify.New(t) // or shopify.Start(opts...) and Close
//	srv.SetWebhookTarget(integrationURL)
//	_, _ = srv.Declare("orders/create") // or the app POSTs webhooks.json
//	p, _ := srv.CreateProduct(shopify.ProductInput{Title: "Tea",
//		Variants: []shopify.VariantInput{{Price: "25.00"}}})
//	o, _ := srv.CreateOrder(shopify.OrderInput{Email: "ada@example.com",
//		FinancialStatus: "paid",
//		LineItems: []shopify.LineItemInput{{VariantID: p.Variants[0].ID}}})
//	// the integration gets orders/create (and orders/paid if it subscribed)
//	// and reads srv.URL()+"/admin/api/2025-01/orders/<id>.json" with
//	// X-Shopify-Access-Token: srv.AccessToken()
//
// # Store model
//
// Shop, customers, products with variants, orders with line items, taxes
// (WithTaxRate or an order's tax_rate), discount codes allocated across
// lines, shipping lines, addresses and fulfilments. Every payload is
// consistent: money is a decimal string with two places beside a *_set
// object, total_price = subtotal_price + total_tax + shipping,
// subtotal_price = total_line_items_price − total_discounts. Ids count up
// per kind from fixed bases; timestamps come from the injected fakes.Clock.
//
// # Webhooks
//
// Subscriptions decide what is delivered: made through webhooks.json (they
// carry their own address and API version) or declared in the app's
// configuration (WithTopics, Declare; they deliver to SetWebhookTarget's
// address). The compliance topics always go to the webhook target. The
// body is the REST resource at the top level; the headers are Shopify's:
// X-Shopify-Topic, X-Shopify-Hmac-Sha256 (standard base64 HMAC-SHA256 of
// the raw body under the app's secret), X-Shopify-Shop-Domain,
// X-Shopify-API-Version, X-Shopify-Webhook-Id (one per subscription and
// event), X-Shopify-Triggered-At and X-Shopify-Event-Id (one per event);
// both ids stay the same on every retry. The answer is awaited
// DefaultDeliveryTimeout (WithDeliveryTimeout); anything but a 2xx is
// retried on DefaultRetrySchedule (8 retries over 4 hours), taken on the
// Server's clock: a fakes.VirtualClock is moved, not waited for. Knobs add
// duplicates and out-of-order delivery. Deliveries are made one at a time,
// in the order the changes happened.
//
// What each change sends, in order: a new customer customers/create; a
// new order customers/create (new buyer), orders/create, orders/paid (if
// paid); paying orders/paid, orders/updated; fulfilling orders/fulfilled,
// orders/updated; cancelling orders/cancelled, orders/updated; closing
// orders/updated; products products/create, products/update,
// products/delete ({"id":…}); uninstalling app/uninstalled (the shop).
//
// # Admin REST API
//
// /admin/api/<version>/ with X-Shopify-Access-Token: shop.json; orders
// (list, get, count, create, update, close, open, cancel); customers and
// products (list, get, count, create, update; products delete);
// webhooks.json (create, list, get, count, update, delete). Lists page
// with cursors: limit (default 50, at most 250), page_info (with nothing
// beside it but limit and fields: 400 otherwise), Link headers with
// rel="previous" and rel="next"; orders filter by status (default open),
// financial_status, fulfillment_status, ids, since_id and created/updated
// bounds. Every response carries X-Shopify-API-Version and, once
// authenticated, X-Shopify-Shop-Api-Call-Limit from a leaky bucket per
// token (BucketSize 40, leaking LeakRate 2 a second on the Server's clock);
// over the limit it answers 429 with Retry-After: 2.0. Errors have
// Shopify's shapes: 401 {"errors":"[API] Invalid API key or access token
// (unrecognized login or wrong password)"}, 403 for a missing scope, 404
// {"errors":"Not Found"}, 422 {"errors":{"field":["message"]}}, 423
// {"errors":"Tags cannot be more than 250."} for a product with more than
// MaxProductTags tags (and Shopify's other message on update). A
// quarterly version that is not supported is served as the oldest
// supported one (the response's X-Shopify-API-Version says which); a path
// segment that is no version at all is 404.
//
// # OAuth
//
// GET /admin/oauth/authorize checks client_id, scope and redirect_uri
// (WithRedirectURIs), approves at once as the merchant would, and
// redirects to redirect_uri with code, hmac, host, shop, state and
// timestamp; hmac is the hex HMAC-SHA256 of SignedQuery under the app's
// secret. POST /admin/oauth/access_token (JSON or form: client_id,
// client_secret, code) exchanges a code once for a token with the granted
// scopes, and reinstalls the app after Uninstall.
//
// # Control API
//
// It lives under fakes.ControlPrefix; Server.ControlRoutes lists it:
//
//	GET    /_chatsim/                     this list
//	GET    /_chatsim/shop                 {shop, api_key, access_token, api_version, webhook_target, installed}
//	GET    /_chatsim/customers            {customers}
//	POST   /_chatsim/customers            CustomerInput → 201 {customer}
//	POST   /_chatsim/customers/{id}       CustomerInput → {customer}
//	GET    /_chatsim/products             {products}
//	POST   /_chatsim/products             ProductInput → 201 {product}
//	POST   /_chatsim/products/{id}        ProductInput → {product}
//	DELETE /_chatsim/products/{id}        → {}
//	GET    /_chatsim/orders               {orders}
//	GET    /_chatsim/orders/{id}          {order}
//	POST   /_chatsim/orders               OrderInput → 201 {order}
//	POST   /_chatsim/orders/{id}/pay      → {order}
//	POST   /_chatsim/orders/{id}/fulfil   FulfillInput → {order}
//	POST   /_chatsim/orders/{id}/fulfill  the same
//	POST   /_chatsim/orders/{id}/cancel   {reason} → {order}
//	POST   /_chatsim/orders/{id}/close    → {order}
//	POST   /_chatsim/uninstall            → {installed: false}
//	POST   /_chatsim/compliance           {topic, customer_id} → {}
//	GET    /_chatsim/subscriptions        {subscriptions}
//	POST   /_chatsim/subscriptions        {topic, address} → 201 {subscription}
//	DELETE /_chatsim/subscriptions/{id}   → {}
//	GET    /_chatsim/webhook-target       {url}
//	POST   /_chatsim/webhook-target       {url} → {url}
//	GET    /_chatsim/deliveries           {deliveries}
//	GET    /_chatsim/knobs                Knobs
//	POST   /_chatsim/knobs                Knobs → Knobs
//	GET|POST|DELETE /_chatsim/faults      fakes.Faults
//
// Errors are {"error": "…"}: 400 bad input, 404 unknown id, 405 another
// method (Allow lists the route's), 409 not allowed in the order's state.
// A fault's Op is an Admin API call as the journal names it ("GET
// orders.json"), a resource ("orders") or "*".
//
// # Journal
//
// Observations have Source "shopify". Each Admin API call is one, Kind
// "<METHOD> <path after the version>" ("GET orders/5001000001.json",
// "POST webhooks.json"), Text the sorted query, the canonical body and
// "→ <status> <summary>". Each delivery attempt is Kind "deliver", Text
// "<topic> <what> webhook=<id>" (with "attempt n of 9" on retries), and a
// failed attempt adds "<topic> webhook=<id> → <outcome> (retry in …)".
// Requests and queued deliveries count as work in flight in the
// fakes.Activity.
//
// The store remembers the last fakes.DefaultHistory (1,000) orders and
// webhook deliveries, so that a long replay's memory stays flat
// (WithHistory changes the bound); an order it has forgotten is 404 Not
// Found, as one Shopify no longer has. Customers and products are kept.
package shopify
