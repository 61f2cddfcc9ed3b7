package sim

import (
	"bytes"
	"io"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/chatsim/chatsim/fakes"
)

// MaxAliases bounds how many ids an Aliaser remembers, so that a long
// replay's memory stays flat: past it, the ids not seen for longest are
// forgotten, and one seen again gets a new alias (the counters go on), the
// same on every run.
const MaxAliases = 10_000

// Aliaser replaces random ids with stable aliases in order of appearance:
// the first user_… becomes user#1, the first conv_… conv#1, a UUID uuid#1.
// It remembers the last MaxAliases ids or so (see MaxAliases). The zero
// value is not ready; use NewAliaser.
type Aliaser struct {
	// recent and older are the ids seen lately and before them: an id is
	// looked up in both, and recent becomes older when it is full, so
	// that the ids seen least lately are forgotten first.
	recent, older map[string]string
	limit         int // of recent; both together hold at most 2*limit
	counts        map[string]int
	fixed         [][2]string // literal replacements, longest first
}

// NewAliaser returns an aliaser that also replaces each literal key of
// literals (a base URL with a random port, a token) with its value.
func NewAliaser(literals map[string]string) *Aliaser {
	a := &Aliaser{recent: map[string]string{}, counts: map[string]int{}, limit: MaxAliases / 2}
	a.fixed = sortedLiterals(literals)
	return a
}

// sortedLiterals returns literals as replacements, longest first.
func sortedLiterals(literals map[string]string) [][2]string {
	var fixed [][2]string
	for k, v := range literals {
		if k != "" {
			fixed = append(fixed, [2]string{k, v})
		}
	}
	sort.Slice(fixed, func(i, j int) bool {
		if len(fixed[i][0]) != len(fixed[j][0]) {
			return len(fixed[i][0]) > len(fixed[j][0])
		}
		return fixed[i][0] < fixed[j][0]
	})
	return fixed
}

// SetLiterals replaces the literals the aliaser replaces (see NewAliaser),
// for a World whose literals grew (a Rocket.Chat outgoing integration
// added midway brings its token); the ids it remembers stay.
func (a *Aliaser) SetLiterals(literals map[string]string) {
	a.fixed = sortedLiterals(literals)
}

// Clone returns an aliaser that goes on from where a is, independently:
// for aliasing text beside a journal without changing the aliases the
// journal's later lines get.
func (a *Aliaser) Clone() *Aliaser {
	c := &Aliaser{recent: maps.Clone(a.recent), older: maps.Clone(a.older), limit: a.limit, counts: maps.Clone(a.counts), fixed: a.fixed}
	return c
}

// Observe makes the aliaser see observations as RenderJournal renders them,
// in order, without rendering them: primed with a journal, it aliases other
// text (a violation, a failure) with the aliases the journal's lines have.
func (a *Aliaser) Observe(obs ...fakes.Observation) {
	for _, o := range obs {
		if isHeader(o) {
			a.Alias(o.Text)
		} else {
			a.Alias(oneLine(o.Text))
		}
	}
}

// Alias rewrites s.
func (a *Aliaser) Alias(s string) string {
	for _, f := range a.fixed {
		s = strings.ReplaceAll(s, f[0], f[1])
	}
	var b strings.Builder
	done := 0 // s[:done] is in b
	for i := 0; i < len(s); {
		if !isWordByte(s[i]) || i > 0 && isWordByte(s[i-1]) {
			i++
			continue
		}
		n, prefix := matchID(s[i:])
		if n == 0 {
			i++
			continue
		}
		if b.Len() == 0 {
			b.Grow(len(s))
		}
		b.WriteString(s[done:i])
		b.WriteString(a.alias(s[i:i+n], prefix))
		i += n
		done = i
	}
	if done == 0 {
		return s
	}
	b.WriteString(s[done:])
	return b.String()
}

// alias returns id's alias, making the next one for prefix the first time
// (or the first time since it was forgotten).
func (a *Aliaser) alias(id, prefix string) string {
	if al, ok := a.recent[id]; ok {
		return al
	}
	al, ok := a.older[id]
	if !ok {
		a.counts[prefix]++
		al = prefix + "#" + strconv.Itoa(a.counts[prefix])
	}
	if len(a.recent) >= a.limit {
		a.older, a.recent = a.recent, make(map[string]string, a.limit)
	}
	a.recent[id] = al
	return al
}

// matchID reports the length of the random id at the start of s and the
// prefix of its alias: the platform's prefixed ids (user_01J…, conv_…,
// msg_…: lowercase letters, "_", 26 Crockford base32 characters) and
// lowercase UUIDs (webhook ids), "uuid". Like the regular expression
// \b([a-z]+)_([0-9A-HJKMNP-TV-Z]{26})\b|\b[0-9a-f]{8}-…-[0-9a-f]{12}\b, the
// id must end at a word boundary; the caller checks the one before it.
func matchID(s string) (n int, prefix string) {
	if len(s) >= 36 && isUUID(s[:36]) && (len(s) == 36 || !isWordByte(s[36])) {
		return 36, "uuid"
	}
	p := 0
	for p < len(s) && 'a' <= s[p] && s[p] <= 'z' {
		p++
	}
	if p == 0 || p+27 > len(s) || s[p] != '_' {
		return 0, ""
	}
	for _, c := range []byte(s[p+1 : p+27]) {
		if !isCrockford(c) {
			return 0, ""
		}
	}
	if p+27 < len(s) && isWordByte(s[p+27]) {
		return 0, ""
	}
	return p + 27, s[:p]
}

func isUUID(s string) bool {
	for i := range len(s) {
		switch i {
		case 8, 13, 18, 23:
			if s[i] != '-' {
				return false
			}
		default:
			if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
				return false
			}
		}
	}
	return true
}

// isCrockford reports whether c is an upper-case Crockford base32 digit.
func isCrockford(c byte) bool {
	return '0' <= c && c <= '9' || 'A' <= c && c <= 'Z' && c != 'I' && c != 'L' && c != 'O' && c != 'U'
}

// isWordByte reports whether c is a word character of \b: [0-9A-Za-z_].
func isWordByte(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_'
}

// Literals returns the World's random literals (base URLs with ports,
// tokens, secrets) mapped to stable placeholders, for NewAliaser.
func (w *World) Literals() map[string]string {
	m := map[string]string{}
	for _, k := range []string{"BP_WEBHOOK_URL", "BP_API_URL"} {
		if v := w.Env[k]; v != "" {
			m[v] = "${" + k + "}"
		}
	}
	for _, f := range w.Fakes {
		for lit, ph := range f.Literals() {
			if lit != "" {
				m[lit] = ph
			}
		}
	}
	if w.integration != nil && w.integration.URL() != "" {
		m[w.integration.URL()] = "${INTEGRATION_URL}"
	}
	for k, v := range w.Env {
		if strings.HasPrefix(k, "SECRET_") && len(v) >= 6 {
			m[v] = "${" + k + "}"
		}
	}
	return m
}

// RenderJournal renders observations as the golden journal: a header line
// per step ("# step 1  …"), then one line per observation, "source  kind
// text", with ids aliased in order of appearance and no wall-clock time.
// The same observations always render to the same bytes.
func RenderJournal(obs []fakes.Observation, a *Aliaser) string {
	r := renderer{a: a}
	return string(r.append(nil, obs))
}

// renderer renders a journal batch after batch, as RenderJournal renders it
// whole.
type renderer struct {
	a       *Aliaser
	started bool // a line was rendered: the next header gets a blank line before it
}

// append appends the rendering of obs to b.
func (r *renderer) append(b []byte, obs []fakes.Observation) []byte {
	for _, o := range obs {
		if isHeader(o) {
			if r.started {
				b = append(b, '\n')
			}
			b = append(b, "# "...)
			b = append(b, r.a.Alias(o.Text)...)
			b = append(b, '\n')
			r.started = true
			continue
		}
		// "%-10s %-27s %s", widths in runes as fmt counts them, without
		// trailing spaces.
		line := len(b)
		b = appendPadded(b, o.Source, 10)
		b = append(b, ' ')
		b = appendPadded(b, o.Kind, 27)
		b = append(b, ' ')
		b = append(b, r.a.Alias(oneLine(o.Text))...)
		b = b[:line+len(bytes.TrimRight(b[line:], " "))]
		b = append(b, '\n')
		r.started = true
	}
	return b
}

// isHeader reports whether o opens a step.
func isHeader(o fakes.Observation) bool { return o.Class == fakes.ClassHeader }

// appendPadded appends s and spaces up to width runes.
func appendPadded(b []byte, s string, width int) []byte {
	b = append(b, s...)
	for n := utf8.RuneCountInString(s); n < width; n++ {
		b = append(b, ' ')
	}
	return b
}

// Render returns the World's golden journal so far, rendered as
// RenderJournal renders it: the whole journal, unless a replay streamed
// it to a writer (ReplayOptions.Journal), which then has what came before
// the replay's end and Render only what came after.
func (w *World) Render() string { return w.golden.render() }

// goldenStream is the World's golden journal as the journal streams it
// (fakes.Journal.Stream): rendered step by step with one Aliaser, into a
// replay's writer or, when none is attached, into memory.
type goldenStream struct {
	w *World

	mu      sync.Mutex
	r       renderer // r.a is nil until the first batch: the World's literals are known by then
	seen    int64    // the Seq of the last observation rendered
	out     io.Writer
	err     error        // the first error out returned
	buf     bytes.Buffer // the rendering while out is nil
	scratch []byte
}

// write renders a batch the journal streamed.
func (g *goldenStream) write(batch []fakes.Observation) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.r.a == nil {
		g.r.a = NewAliaser(g.w.Literals())
	} else {
		g.r.a.SetLiterals(g.w.Literals())
	}
	g.scratch = g.r.append(g.scratch[:0], batch)
	g.seen = batch[len(batch)-1].Seq
	switch {
	case g.out == nil:
		g.buf.Write(g.scratch)
	case g.err == nil:
		_, g.err = g.out.Write(g.scratch)
	}
	if cap(g.scratch) > 1<<20 {
		g.scratch = nil // one huge step does not pin its buffer for the rest of the run
	}
}

// attach makes out the writer of the golden journal: what was rendered in
// memory goes to it first.
func (g *goldenStream) attach(out io.Writer) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.out, g.err = out, nil
	if g.buf.Len() > 0 {
		_, g.err = out.Write(g.buf.Bytes())
		g.buf = bytes.Buffer{}
	}
	return g.err
}

// detach stops writing to the writer attach gave, and returns the first
// error it returned.
func (g *goldenStream) detach() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	err := g.err
	g.out, g.err = nil, nil
	return err
}

// failed returns the first error the writer returned.
func (g *goldenStream) failed() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.err
}

// text returns what was rendered in memory.
func (g *goldenStream) text() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.buf.String()
}

// aliases returns an aliaser that goes on from the golden journal's, for
// text shown beside it.
func (g *goldenStream) aliases() *Aliaser {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.r.a == nil {
		return NewAliaser(g.w.Literals())
	}
	a := g.r.a.Clone()
	a.SetLiterals(g.w.Literals())
	return a
}

// render returns what was rendered in memory and the rendering of what the
// journal has not streamed yet, with the aliases it will have.
func (g *goldenStream) render() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	r := g.r
	if r.a == nil {
		r.a = NewAliaser(g.w.Literals())
	} else {
		r.a = r.a.Clone()
		r.a.SetLiterals(g.w.Literals())
	}
	return string(r.append(slices.Clone(g.buf.Bytes()), g.w.Journal.Since(g.seen)))
}

func oneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	return strings.NewReplacer("\r", `\r`, "\n", `\n`).Replace(s)
}
