package shopify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"

	"github.com/chatsim/chatsim/examples/bpkit"
)

// ErrOrderNotFound is wrapped by getOrder's error when the shop has no
// order with that id (the Admin API answered 404).
var ErrOrderNotFound = errors.New("order not found")

// orderIDRE is an order id as getOrder takes it: Shopify's integer id in
// decimal, as the events carry it.
var orderIDRE = regexp.MustCompile(`^[0-9]{1,19}$`)

// actionTriggered runs one of the definition's actions. The answer is
// {"output": <the action's output>, "meta": {"cost": 0}}.
func (o *op) actionTriggered(ctx context.Context) (bpkit.Response, error) {
	var body bpkit.ActionTriggered
	if err := o.Decode(&body); err != nil {
		return bpkit.Response{}, err
	}
	switch body.Type {
	case "getOrder":
		out, err := o.getOrder(ctx, body.Input)
		if err != nil {
			return bpkit.Response{}, err
		}
		return bpkit.ActionOutput(out)
	}
	return bpkit.Response{}, fmt.Errorf("action %q not found", body.Type)
}

// getOrder reads an order through the Admin API:
//
//	GET /admin/api/<v>/orders/<orderId>.json → {"order":{…}}
//
// and answers {"order": {…}}, the order as Shopify returns it.
func (o *op) getOrder(ctx context.Context, input json.RawMessage) (map[string]json.RawMessage, error) {
	var in struct {
		OrderID string `json:"orderId"`
	}
	if err := json.Unmarshal(input, &in); err != nil {
		return nil, fmt.Errorf("getOrder: input.orderId: want a string of digits: %w", err)
	}
	if !orderIDRE.MatchString(in.OrderID) {
		return nil, fmt.Errorf("getOrder: input.orderId: want Shopify's order id in digits, got %q", in.OrderID)
	}
	var out struct {
		Order json.RawMessage `json:"order"`
	}
	err := o.admin.do(ctx, http.MethodGet, "orders/"+in.OrderID+".json", nil, &out)
	switch {
	case isStatus(err, http.StatusNotFound):
		return nil, fmt.Errorf("getOrder: order %s in shop %s: %w (%w)", in.OrderID, o.shop, ErrOrderNotFound, err)
	case err != nil:
		return nil, fmt.Errorf("getOrder: order %s: %w", in.OrderID, err)
	case len(out.Order) == 0 || string(out.Order) == "null":
		return nil, fmt.Errorf("getOrder: order %s: the Admin API answered without an order", in.OrderID)
	}
	return map[string]json.RawMessage{"order": out.Order}, nil
}
