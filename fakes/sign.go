package fakes

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
)

// HMACSHA256Hex returns the lower-case hex HMAC-SHA256 of msg under key, as
// Slack's v0 signatures use.
func HMACSHA256Hex(key, msg []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write(msg)
	return hex.EncodeToString(m.Sum(nil))
}

// HMACSHA256Base64 returns the standard base64 HMAC-SHA256 of msg under key,
// as Shopify's X-Shopify-Hmac-Sha256 uses.
func HMACSHA256Base64(key, msg []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write(msg)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}
