package shopify

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/chatsim/chatsim/fakes"
)

// ControlRoutes lists the control API, relative to fakes.ControlPrefix.
// Each answers JSON; errors are {"error": "…"} with 400 (bad input), 404
// (unknown order, customer, product or subscription) or 409 (not allowed
// in the order's state, app not installed).
func ControlRoutes() []string {
	return []string{
		"GET    /_chatsim/                          this list",
		"GET    /_chatsim/shop                      {shop, api_key, access_token, api_version, webhook_target, installed}",
		"GET    /_chatsim/customers                 {customers}",
		"POST   /_chatsim/customers                 CustomerInput → 201 {customer}   (customers/create)",
		"POST   /_chatsim/customers/{id}            CustomerInput → {customer}       (customers/update)",
		"GET    /_chatsim/products                  {products}",
		"POST   /_chatsim/products                  ProductInput → 201 {product}     (products/create)",
		"POST   /_chatsim/products/{id}             ProductInput → {product}         (products/update)",
		"DELETE /_chatsim/products/{id}             → {}                             (products/delete)",
		"GET    /_chatsim/orders                    {orders}",
		"GET    /_chatsim/orders/{id}               {order}",
		"POST   /_chatsim/orders                    OrderInput → 201 {order}         (customers/create if new, orders/create, orders/paid if paid)",
		"POST   /_chatsim/orders/{id}/pay           → {order}                        (orders/paid, orders/updated)",
		"POST   /_chatsim/orders/{id}/fulfil        FulfillInput → {order}           (orders/fulfilled, orders/updated)",
		"POST   /_chatsim/orders/{id}/cancel        {reason} → {order}               (orders/cancelled, orders/updated)",
		"POST   /_chatsim/orders/{id}/close         → {order}                        (orders/updated)",
		"POST   /_chatsim/uninstall                 → {installed: false}             (app/uninstalled)",
		"POST   /_chatsim/compliance                {topic, customer_id} → {}        (customers/data_request, customers/redact, shop/redact)",
		"GET    /_chatsim/subscriptions             {subscriptions} (declared ones have declared: true)",
		"POST   /_chatsim/subscriptions             {topic, address} → 201 {subscription} (no address: declared, to the webhook target)",
		"DELETE /_chatsim/subscriptions/{id}        → {}",
		"GET    /_chatsim/webhook-target            {url}",
		"POST   /_chatsim/webhook-target            {url} → {url}",
		"GET    /_chatsim/deliveries                {deliveries: [Delivery]}",
		"GET    /_chatsim/knobs                     Knobs {duplicate, reverse}",
		"POST   /_chatsim/knobs                     Knobs → Knobs",
		"GET|POST|DELETE /_chatsim/faults           fakes.Faults (op = \"GET orders.json\", a resource such as \"orders\", or \"*\")",
	}
}

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

func (s *Server) buildControl() http.Handler {
	var m fakes.Routes
	p := strings.TrimSuffix(fakes.ControlPrefix, "/")
	m.HandleFunc("GET "+p+"/{$}", func(w http.ResponseWriter, r *http.Request) {
		fakes.WriteJSON(w, http.StatusOK, map[string]any{"routes": ControlRoutes()})
	})
	m.HandleFunc(p+"/", func(w http.ResponseWriter, r *http.Request) {
		fakes.ControlError(w, http.StatusNotFound, "no control route %s %s (GET %s lists them)", r.Method, r.URL.Path, fakes.ControlPrefix)
	})
	m.HandleFunc("GET "+p+"/shop", func(w http.ResponseWriter, r *http.Request) {
		fakes.WriteJSON(w, http.StatusOK, map[string]any{"shop": s.Shop(), "api_key": s.APIKey(), "access_token": s.AccessToken(),
			"api_version": s.APIVersion(), "webhook_target": s.WebhookTarget(), "installed": s.Installed()})
	})
	m.HandleFunc("GET "+p+"/customers", func(w http.ResponseWriter, r *http.Request) {
		fakes.WriteJSON(w, http.StatusOK, map[string]any{"customers": s.Customers()})
	})
	m.HandleFunc("POST "+p+"/customers", func(w http.ResponseWriter, r *http.Request) {
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
	m.HandleFunc("POST "+p+"/customers/{id}", func(w http.ResponseWriter, r *http.Request) {
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
	m.HandleFunc("GET "+p+"/products", func(w http.ResponseWriter, r *http.Request) {
		fakes.WriteJSON(w, http.StatusOK, map[string]any{"products": s.Products()})
	})
	m.HandleFunc("POST "+p+"/products", func(w http.ResponseWriter, r *http.Request) {
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
	m.HandleFunc("POST "+p+"/products/{id}", func(w http.ResponseWriter, r *http.Request) {
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
	m.HandleFunc("DELETE "+p+"/products/{id}", func(w http.ResponseWriter, r *http.Request) {
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
	m.HandleFunc("GET "+p+"/orders", func(w http.ResponseWriter, r *http.Request) {
		fakes.WriteJSON(w, http.StatusOK, map[string]any{"orders": s.Orders()})
	})
	m.HandleFunc("GET "+p+"/orders/{id}", func(w http.ResponseWriter, r *http.Request) {
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
	m.HandleFunc("POST "+p+"/orders", func(w http.ResponseWriter, r *http.Request) {
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
	m.HandleFunc("POST "+p+"/orders/{id}/{action}", func(w http.ResponseWriter, r *http.Request) {
		id, ok := pathID(w, r)
		if !ok {
			return
		}
		var (
			o   Order
			err error
		)
		switch r.PathValue("action") {
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
		default:
			fakes.ControlError(w, http.StatusNotFound, "no order action %q (want pay, fulfil, cancel or close)", r.PathValue("action"))
			return
		}
		if err != nil {
			controlFail(w, err)
			return
		}
		fakes.WriteJSON(w, http.StatusOK, map[string]any{"order": o})
	})
	m.HandleFunc("POST "+p+"/uninstall", func(w http.ResponseWriter, r *http.Request) {
		if err := s.Uninstall(); err != nil {
			controlFail(w, err)
			return
		}
		fakes.WriteJSON(w, http.StatusOK, map[string]any{"installed": false})
	})
	m.HandleFunc("POST "+p+"/compliance", func(w http.ResponseWriter, r *http.Request) {
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
	m.HandleFunc("GET "+p+"/subscriptions", func(w http.ResponseWriter, r *http.Request) {
		out := []subscriptionView{}
		for _, wh := range s.Subscriptions() {
			out = append(out, subscriptionView{Webhook: wh, Declared: wh.Declared})
		}
		fakes.WriteJSON(w, http.StatusOK, map[string]any{"subscriptions": out})
	})
	m.HandleFunc("POST "+p+"/subscriptions", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Topic   string `json:"topic"`
			Address string `json:"address"`
		}
		if !fakes.DecodeControl(w, r, &in) {
			return
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
	m.HandleFunc("DELETE "+p+"/subscriptions/{id}", func(w http.ResponseWriter, r *http.Request) {
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
	m.HandleFunc("GET "+p+"/webhook-target", func(w http.ResponseWriter, r *http.Request) {
		fakes.WriteJSON(w, http.StatusOK, map[string]any{"url": s.WebhookTarget()})
	})
	m.HandleFunc("POST "+p+"/webhook-target", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			URL string `json:"url"`
		}
		if !fakes.DecodeControl(w, r, &in) {
			return
		}
		_ = s.SetWebhookTarget(r.Context(), in.URL)
		fakes.WriteJSON(w, http.StatusOK, map[string]any{"url": in.URL})
	})
	m.HandleFunc("GET "+p+"/deliveries", func(w http.ResponseWriter, r *http.Request) {
		fakes.WriteJSON(w, http.StatusOK, map[string]any{"deliveries": s.Deliveries()})
	})
	m.HandleFunc("GET "+p+"/knobs", func(w http.ResponseWriter, r *http.Request) {
		fakes.WriteJSON(w, http.StatusOK, s.Knobs())
	})
	m.HandleFunc("POST "+p+"/knobs", func(w http.ResponseWriter, r *http.Request) {
		var k Knobs
		if !fakes.DecodeControl(w, r, &k) {
			return
		}
		s.SetKnobs(k)
		fakes.WriteJSON(w, http.StatusOK, k)
	})
	m.Handle(p+"/faults", &s.faults)
	return controlMux.Handler(&m)
}

// controlMux routes every server's control API: the patterns are the
// same for each.
var controlMux fakes.SharedMux
