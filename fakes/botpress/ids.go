package botpress

import (
	"crypto/rand"
	"encoding/hex"
	"strings"
	"sync"
	"time"

	"github.com/chatsim/chatsim/fakes"
)

// Id prefixes of the objects the platform creates. Every id is the prefix
// followed by a 26-character ULID, 30 to 32 characters in all, within the
// 28–36 the Runtime API's schemas allow.
const (
	PrefixUser         = "user_"
	PrefixConversation = "conv_"
	PrefixMessage      = "msg_"
	PrefixEvent        = "evt_"
	PrefixState        = "state_"
	PrefixIntegration  = "intver_"
)

// crockford is the Crockford base32 alphabet ULIDs use.
const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// idGen makes ULIDs whose time part comes from the virtual clock and whose
// random part comes from crypto/rand. Ids made in the same millisecond are
// monotonic (the random part is incremented), so they sort in creation order
// as real ULIDs do.
type idGen struct {
	mu     sync.Mutex
	clock  fakes.Clock
	lastMs int64
	last   [10]byte
}

// next returns prefix + a new ULID.
func (g *idGen) next(prefix string) string {
	g.mu.Lock()
	defer g.mu.Unlock()
	ms := g.clock.Now().UnixMilli()
	if ms < 0 {
		ms = 0
	}
	if ms == g.lastMs && !g.increment() {
		ms++ // the random part overflowed: borrow the next millisecond
	}
	if ms != g.lastMs {
		_, _ = rand.Read(g.last[:])
		g.last[0] &= 0x7f // leave room to increment
		g.lastMs = ms
	}
	var b [16]byte
	b[0], b[1], b[2] = byte(ms>>40), byte(ms>>32), byte(ms>>24)
	b[3], b[4], b[5] = byte(ms>>16), byte(ms>>8), byte(ms)
	copy(b[6:], g.last[:])
	return prefix + encodeULID(b)
}

// increment adds one to the random part; it reports false on overflow.
func (g *idGen) increment() bool {
	for i := len(g.last) - 1; i >= 0; i-- {
		g.last[i]++
		if g.last[i] != 0 {
			return true
		}
	}
	return false
}

// encodeULID renders 128 bits as 26 Crockford base32 characters.
func encodeULID(b [16]byte) string {
	var out [26]byte
	// 130 bits of output for 128 bits of input: the first character carries 3 bits.
	var acc uint64
	bits := 2 // two leading zero bits
	n := 0
	for _, by := range b {
		acc = acc<<8 | uint64(by)
		bits += 8
		for bits >= 5 {
			bits -= 5
			out[n] = crockford[(acc>>uint(bits))&31]
			n++
		}
	}
	return string(out[:n])
}

// newUUID returns a random (version 4) UUID, the shape of real bot and
// webhook ids.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// errorID returns an error id the way @botpress/client builds them:
// "err_" + the UTC time as YYYYMMDDHHMMSS + "x" + 8 upper-case hex digits.
func errorID(now time.Time) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return "err_" + now.UTC().Format("20060102150405") + "x" + strings.ToUpper(hex.EncodeToString(b[:]))
}

// isoTime renders t as the API does: ISO 8601, UTC, milliseconds.
func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
