package shopify

import (
	"embed"
	"io/fs"
)

//go:embed cassettes/*.cassette cassettes/*.golden
var cassettes embed.FS

// Cassettes returns the recorded webhook deliveries bundled with the
// example: order-life (orders/create, orders/paid, orders/fulfilled: three
// events), duplicate (one orders/create delivered twice), redelivery (an
// orders/paid delivered again a minute later with the same ids, as Shopify
// retried it when it was recorded), customer (customers/create) and
// violation (an order whose current_total_price is a number, which the
// event schema rejects).
//
// Every delivery's X-Shopify-Hmac-Sha256 is the placeholder
// ${SHOPIFY_HMAC}: a replayer signs the body again with its own API secret.
// Beside each X.cassette is its golden journal, X.golden.
func Cassettes() fs.FS {
	sub, err := fs.Sub(cassettes, "cassettes")
	if err != nil {
		panic(err) // the directory is embedded at build time
	}
	return sub
}
