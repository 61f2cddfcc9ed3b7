package fakes

// DefaultHistory is how much a fake remembers unless its WithHistory option
// says otherwise: the last 1,000 messages of each chat, channel, room or
// conversation, and the last 1,000 entries of each of its logs (calls,
// deliveries, events), so that a long replay's memory stays flat. What it
// has forgotten answers as the real platform answers for what does not
// exist: an old message edited or fetched is "not found".
const DefaultHistory = 1_000

// History is a log that keeps its last entries: at most its limit, or
// every one when the limit is below 1. It counts those it let go of. The
// zero value keeps everything. It is not safe for concurrent use: its
// owner's lock guards it.
type History[T any] struct {
	limit   int
	items   []T // a ring once it holds limit items: items[start] is the oldest
	start   int
	dropped int
}

// NewHistory returns a log that keeps the last limit entries (every one
// when limit < 1).
func NewHistory[T any](limit int) History[T] { return History[T]{limit: limit} }

// Add appends v. When that makes one too many, it lets the oldest go and
// returns it, with ok true.
func (h *History[T]) Add(v T) (old T, ok bool) {
	if h.limit < 1 || len(h.items) < h.limit {
		h.items = append(h.items, v)
		return old, false
	}
	old = h.items[h.start]
	h.items[h.start] = v
	h.start = (h.start + 1) % len(h.items)
	h.dropped++
	return old, true
}

// Len returns how many entries it holds.
func (h *History[T]) Len() int { return len(h.items) }

// Dropped returns how many entries it let go of.
func (h *History[T]) Dropped() int { return h.dropped }

// Total returns how many entries were ever added: the number of the last.
func (h *History[T]) Total() int { return h.dropped + len(h.items) }

// All returns a copy of the entries it holds, oldest first.
func (h *History[T]) All() []T {
	out := make([]T, 0, len(h.items))
	out = append(out, h.items[h.start:]...)
	return append(out, h.items[:h.start]...)
}

// Each calls fn with each entry it holds, oldest first, and stops when fn
// returns false.
func (h *History[T]) Each(fn func(v T) bool) {
	for i := range h.items {
		if !fn(h.items[(h.start+i)%len(h.items)]) {
			return
		}
	}
}

// Clear lets every entry go, counting them as dropped.
func (h *History[T]) Clear() {
	h.dropped += len(h.items)
	clear(h.items)
	h.items, h.start = h.items[:0], 0
}
