package shopify

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/chatsim/chatsim/fakes"
)

// ControlRoutes lists the control API, as GET fakes.ControlPrefix answers
// it: made from the routes the server serves. Each answers JSON; errors
// are {"error": "…"} with 400 (bad input), 404 (unknown order, customer,
// product or subscription, or no such route), 405 (another method; Allow
// lists the route's) or 409 (not allowed in the order's state, app not
// installed).
func (s *Server) ControlRoutes() []fakes.ControlRoute { return s.control.Routes() }

// decodeOptional decodes a body if there is one.
func decodeOptional(w http.ResponseWriter, r *http.Request, v any) bool {
	if r.ContentLength == 0 {
		return true
	}
	return fakes.DecodeControl(w, r, v)
}

func controlFail(w http.ResponseWriter, err error) {
	status := http.StatusBadRequest
	switch {
	case errors.Is(err, ErrNotFound):
		status = http.StatusNotFound
	case errors.Is(err, ErrConflict), errors.Is(err, ErrUninstall):
		status = http.StatusConflict
	}
	fakes.ControlError(w, status, "%v", err)
}

func pathID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		fakes.ControlError(w, http.StatusBadRequest, "path id %q: want a number", r.PathValue("id"))
		return 0, false
	}
	return id, true
}

type subscriptionView struct {
	Webhook
	Declared bool `json:"declared"`
}

// buildControl builds the control API's router: this server's routes,
// served through controlTable.
func (s *Server) buildControl() http.Handler {
	var rs fakes.Routes
	s.controlRoutes(&rs)
	return controlTable.Handler(&rs)
}

// controlRoutes adds the control API to rs.
func (s *Server) controlRoutes(rs *fakes.Routes) {
	m := &s.control
	m.HandleFunc("GET", "shop", "{shop, api_key, access_token, api_version, webhook_target, installed}", func(w http.ResponseWriter, r *http.Request) {
		fakes.WriteJSON(w, http.StatusOK, map[string]any{"shop": s.Shop(), "api_key": s.APIKey(), "access_token": s.AccessToken(),
			"api_version": s.APIVersion(), "webhook_target": s.WebhookTarget(), "installed": s.Installed()})
	})
	m.HandleFunc("GET", "customers", "{customers}", func(w http.ResponseWriter, r *http.Request) {
		fakes.WriteJSON(w, http.StatusOK, map[string]any{"customers": s.Customers()})
	})
	m.HandleFunc("POST", "customers", "CustomerInput → 201 {customer} (customers/create)", func(w http.ResponseWriter, r *http.Request) {
		var in CustomerInput
		if !fakes.DecodeControl(w, r, &in) {
			return
		}
		c, err := s.CreateCustomer(in)
		if err != nil {
			controlFail(w, err)
			return
		}
		fakes.WriteJSON(w, http.StatusCreated, map[string]any{"customer": c})
	})
	m.HandleFunc("POST", "customers/{id}", "CustomerInput → {customer} (customers/update)", func(w http.ResponseWriter, r *http.Request) {
		id, ok := pathID(w, r)
		var in CustomerInput
		if !ok || !fakes.DecodeControl(w, r, &in) {
			return
		}
		c, err := s.UpdateCustomer(id, in)
		if err != nil {
			controlFail(w, err)
			return
		}
		fakes.WriteJSON(w, http.StatusOK, map[string]any{"customer": c})
	})
	m.HandleFunc("GET", "products", "{products}", func(w http.ResponseWriter, r *http.Request) {
		fakes.WriteJSON(w, http.StatusOK, map[string]any{"products": s.Products()})
	})
	m.HandleFunc("POST", "products", "ProductInput → 201 {product} (products/create)", func(w http.ResponseWriter, r *http.Request) {
		var in ProductInput
		if !fakes.DecodeControl(w, r, &in) {
			return
		}
		pr, err := s.CreateProduct(in)
		if err != nil {
			controlFail(w, err)
			return
		}
		fakes.WriteJSON(w, http.StatusCreated, map[string]any{"product": pr})
	})
	m.HandleFunc("POST", "products/{id}", "ProductInput → {product} (products/update)", func(w http.ResponseWriter, r *http.Request) {
		id, ok := pathID(w, r)
		var in ProductInput
		if !ok || !fakes.DecodeControl(w, r, &in) {
			return
		}
		pr, err := s.UpdateProduct(id, in)
		if err != nil {
			controlFail(w, err)
			return
		}
		fakes.WriteJSON(w, http.StatusOK, map[string]any{"product": pr})
	})
	m.HandleFunc("DELETE", "products/{id}", "→ {} (products/delete)", func(w http.ResponseWriter, r *http.Request) {
		id, ok := pathID(w, r)
		if !ok {
			return
		}
		if err := s.DeleteProduct(id); err != nil {
			controlFail(w, err)
			return
		}
		fakes.WriteJSON(w, http.StatusOK, map[string]any{})
	})
	m.HandleFunc("GET", "orders", "{orders}", func(w http.ResponseWriter, r *http.Request) {
		fakes.WriteJSON(w, http.StatusOK, map[string]any{"orders": s.Orders()})
	})
	m.HandleFunc("GET", "orders/{id}", "{order}", func(w http.ResponseWriter, r *http.Request) {
		id, ok := pathID(w, r)
		if !ok {
			return
		}
		o, found := s.Order(id)
		if !found {
			fakes.ControlError(w, http.StatusNotFound, "order %d: %v", id, ErrNotFound)
			return
		}
		fakes.WriteJSON(w, http.StatusOK, map[string]any{"order": o})
	})
	m.HandleFunc("POST", "orders", "OrderInput → 201 {order} (customers/create if new, orders/create, orders/paid if paid)", func(w http.ResponseWriter, r *http.Request) {
		var in OrderInput
		if !fakes.DecodeControl(w, r, &in) {
			return
		}
		o, err := s.CreateOrder(in)
		if err != nil {
			controlFail(w, err)
			return
		}
		fakes.WriteJSON(w, http.StatusCreated, map[string]any{"order": o})
	})
	for _, action := range []struct{ name, doc string }{
		{"pay", "→ {order} (orders/paid, orders/updated)"},
		{"fulfil", "FulfillInput → {order} (orders/fulfilled, orders/updated)"},
		{"fulfill", "the same, spelled as Shopify spells it"},
		{"cancel", "{reason} → {order} (orders/cancelled, orders/updated)"},
		{"close", "→ {order} (orders/updated)"},
	} {
		m.HandleFunc("POST", "orders/{id}/"+action.name, action.doc, func(w http.ResponseWriter, r *http.Request) {
			id, ok := pathID(w, r)
			if !ok {
				return
			}
			var (
				o   Order
				err error
			)
			switch action.name {
			case "pay":
				o, err = s.PayOrder(id)
			case "fulfil", "fulfill":
				var in FulfillInput
				if !decodeOptional(w, r, &in) {
					return
				}
				o, err = s.FulfillOrder(id, in)
			case "cancel":
				var in struct {
					Reason string `json:"reason"`
				}
				if !decodeOptional(w, r, &in) {
					return
				}
				o, err = s.CancelOrder(id, in.Reason)
			case "close":
				o, err = s.CloseOrder(id)
			}
			if err != nil {
				controlFail(w, err)
				return
			}
			fakes.WriteJSON(w, http.StatusOK, map[string]any{"order": o})
		})
	}
	m.HandleFunc("POST", "uninstall", "→ {installed: false} (app/uninstalled)", func(w http.ResponseWriter, r *http.Request) {
		if err := s.Uninstall(); err != nil {
			controlFail(w, err)
			return
		}
		fakes.WriteJSON(w, http.StatusOK, map[string]any{"installed": false})
	})
	m.HandleFunc("POST", "compliance", "{topic, customer_id} → {} (customers/data_request, customers/redact, shop/redact)", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Topic      string `json:"topic"`
			CustomerID int64  `json:"customer_id"`
		}
		if !fakes.DecodeControl(w, r, &in) {
			return
		}
		if err := s.RequestCompliance(in.Topic, in.CustomerID); err != nil {
			controlFail(w, err)
			return
		}
		fakes.WriteJSON(w, http.StatusOK, map[string]any{})
	})
	m.HandleFunc("GET", "subscriptions", "{subscriptions} (declared ones have declared: true)", func(w http.ResponseWriter, r *http.Request) {
		out := []subscriptionView{}
		for _, wh := range s.Subscriptions() {
			out = append(out, subscriptionView{Webhook: wh, Declared: wh.Declared})
		}
		fakes.WriteJSON(w, http.StatusOK, map[string]any{"subscriptions": out})
	})
	m.HandleFunc("POST", "subscriptions", "{topic, address} → 201 {subscription} (no address: declared, to the webhook target)", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Topic   string `json:"topic"`
			Address string `json:"address"`
		}
		if !fakes.DecodeControl(w, r, &in) {
			return
		}
		if in.Address != "" {
			if err := fakes.CheckURL(in.Address); err != nil {
				fakes.ControlError(w, http.StatusBadRequest, "subscribe %s: field \"address\": %v", in.Topic, err)
				return
			}
		}
		var (
			wh  Webhook
			err error
		)
		if in.Address == "" {
			wh, err = s.Declare(in.Topic)
		} else {
			wh, err = s.Subscribe(in.Topic, in.Address, "")
		}
		if err != nil {
			controlFail(w, err)
			return
		}
		fakes.WriteJSON(w, http.StatusCreated, map[string]any{"subscription": subscriptionView{Webhook: wh, Declared: wh.Declared}})
	})
	m.HandleFunc("DELETE", "subscriptions/{id}", "→ {}", func(w http.ResponseWriter, r *http.Request) {
		id, ok := pathID(w, r)
		if !ok {
			return
		}
		if err := s.Unsubscribe(id); err != nil {
			controlFail(w, err)
			return
		}
		fakes.WriteJSON(w, http.StatusOK, map[string]any{})
	})
	m.HandleFunc("GET", "webhook-target", "{url}", func(w http.ResponseWriter, r *http.Request) {
		fakes.WriteJSON(w, http.StatusOK, map[string]any{"url": s.WebhookTarget()})
	})
	m.HandleFunc("POST", "webhook-target", "{url} → {url} (\"\" for none)", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			URL string `json:"url"`
		}
		if !fakes.DecodeControl(w, r, &in) {
			return
		}
		if in.URL != "" {
			if err := fakes.CheckURL(in.URL); err != nil {
				fakes.ControlError(w, http.StatusBadRequest, "set webhook target: field \"url\": %v", err)
				return
			}
		}
		_ = s.SetWebhookTarget(r.Context(), in.URL)
		fakes.WriteJSON(w, http.StatusOK, map[string]any{"url": in.URL})
	})
	m.HandleFunc("GET", "deliveries", "{deliveries: [Delivery]}", func(w http.ResponseWriter, r *http.Request) {
		fakes.WriteJSON(w, http.StatusOK, map[string]any{"deliveries": s.Deliveries()})
	})
	m.HandleFunc("GET", "knobs", "Knobs {duplicate, reverse}", func(w http.ResponseWriter, r *http.Request) {
		fakes.WriteJSON(w, http.StatusOK, s.Knobs())
	})
	m.HandleFunc("POST", "knobs", "Knobs → Knobs", func(w http.ResponseWriter, r *http.Request) {
		var k Knobs
		if !fakes.DecodeControl(w, r, &k) {
			return
		}
		s.SetKnobs(k)
		fakes.WriteJSON(w, http.StatusOK, k)
	})
	m.Handle("GET", "faults", "{faults: [fakes.Fault]}", &s.faults)
	m.Handle("POST", "faults", "fakes.Fault (op = \"GET orders.json\", a resource such as \"orders\", or \"*\") → {faults}", &s.faults)
	m.Handle("DELETE", "faults", "clears every fault → {faults: []}", &s.faults)
	m.Mount(rs)
}

// controlTable routes every server's control API: the patterns are the
// same for each, so they are registered once, from a zero Server's
// routes, and the table is never changed after.
var controlTable = func() *fakes.RouteTable {
	var rs fakes.Routes
	new(Server).controlRoutes(&rs)
	return fakes.NewRouteTable(&rs)
}()
