package shopify

import (
	"context"
	"slices"
)

// processedState is the integration-scope state that remembers the
// webhooks already turned into events, declared in the definition:
//
//	GET  /v1/chat/states/integration/<integration id>/processedWebhooks
//	POST /v1/chat/states/integration/<integration id>/processedWebhooks {"payload":{"ids":[…]}}
//
// Each id is "<topic> <event id>". The list keeps the newest maxProcessed,
// oldest first: Shopify stops retrying after 4 hours, and a shop does not
// get 500 order and customer events within one retry window unless it is
// busy enough to want a real database for this.
const processedState = "processedWebhooks"

// maxProcessed bounds the list (the definition's maxItems).
const maxProcessed = 500

// processed is the state's payload.
type processed struct {
	IDs []string `json:"ids"`
}

func (p processed) has(key string) bool { return slices.Contains(p.IDs, key) }

// add returns the list with key appended, trimmed to the newest
// maxProcessed.
func (p processed) add(key string) processed {
	ids := append(slices.Clone(p.IDs), key)
	if n := len(ids) - maxProcessed; n > 0 {
		ids = ids[n:]
	}
	return processed{IDs: ids}
}

// loadProcessed reads the state; none yet is an empty list.
func (o *op) loadProcessed(ctx context.Context) (processed, error) {
	var p processed
	if _, err := o.Client.GetState(ctx, "integration", o.IntegrationID, processedState, &p); err != nil {
		return processed{}, err
	}
	return p, nil
}

// saveProcessed writes the state.
//
// The read and the write are not atomic: two deliveries handled at the same
// moment can each miss the other's id, and the second write then drops the
// first one's. Shopify sends one delivery at a time per subscription, and a
// later retry of the dropped one would fire its event again; a production
// integration with bursts of traffic would keep these ids in a store with
// an atomic insert instead.
func (o *op) saveProcessed(ctx context.Context, p processed) error {
	return o.Client.SetState(ctx, "integration", o.IntegrationID, processedState, p)
}
