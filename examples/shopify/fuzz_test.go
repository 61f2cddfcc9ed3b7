package shopify

import (
	"strings"
	"testing"

	"github.com/chatsim/chatsim/fakes"
)

// FuzzValidHMAC checks the integration's X-Shopify-Hmac-Sha256 check
// against the fake's signer: what the fake signs passes, a changed body
// fails, and the only header that passes is the signature itself, the
// standard base64 of the MAC as Shopify sends it and go-shopify compares
// it.
func FuzzValidHMAC(f *testing.F) {
	order := `{"id":820982911946154508,"email":"jon@example.com","total_price":"403.00","line_items":[{"id":866550311766439020,"quantity":1}]}`
	f.Add("hush", order, "")
	f.Add("hush", order, fakes.HMACSHA256Base64([]byte("hush"), []byte(order)))
	f.Add("hush", "", "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=")
	f.Add("", "{}", "not base64")
	f.Add("hush", order, strings.TrimSuffix(fakes.HMACSHA256Base64([]byte("hush"), []byte(order)), "="))
	f.Fuzz(func(t *testing.T, secret, body, header string) {
		want := fakes.HMACSHA256Base64([]byte(secret), []byte(body))
		if !validHMAC(secret, []byte(body), want) {
			t.Fatalf("the fake's signature %q of %q is refused", want, body)
		}
		if validHMAC(secret, []byte(body+"x"), want) {
			t.Fatal("a changed body passes")
		}
		if validHMAC(secret, []byte(body), header) && header != want {
			t.Fatalf("header %q passes, but the signature is %q", header, want)
		}
	})
}
