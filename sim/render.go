package sim

import (
	"bytes"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/chatsim/chatsim/fakes"
)

// Aliaser replaces random ids with stable aliases in order of appearance:
// the first user_… becomes user#1, the first conv_… conv#1, a UUID uuid#1.
// The zero value is not ready; use NewAliaser.
type Aliaser struct {
	seen   map[string]string
	counts map[string]int
	fixed  [][2]string // literal replacements, longest first
}

// NewAliaser returns an aliaser that also replaces each literal key of
// literals (a base URL with a random port, a token) with its value.
func NewAliaser(literals map[string]string) *Aliaser {
	a := &Aliaser{seen: map[string]string{}, counts: map[string]int{}}
	for k, v := range literals {
		if k != "" {
			a.fixed = append(a.fixed, [2]string{k, v})
		}
	}
	sort.Slice(a.fixed, func(i, j int) bool {
		if len(a.fixed[i][0]) != len(a.fixed[j][0]) {
			return len(a.fixed[i][0]) > len(a.fixed[j][0])
		}
		return a.fixed[i][0] < a.fixed[j][0]
	})
	return a
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

// alias returns id's alias, making the next one for prefix the first time.
func (a *Aliaser) alias(id, prefix string) string {
	if al, ok := a.seen[id]; ok {
		return al
	}
	a.counts[prefix]++
	al := prefix + "#" + strconv.Itoa(a.counts[prefix])
	a.seen[id] = al
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
	var b []byte
	for _, o := range obs {
		if o.Source == "step" {
			if len(b) > 0 {
				b = append(b, '\n')
			}
			b = append(b, "# "...)
			b = append(b, a.Alias(o.Text)...)
			b = append(b, '\n')
			continue
		}
		// "%-10s %-27s %s", widths in runes as fmt counts them, without
		// trailing spaces.
		b = appendPadded(b, o.Source, 10)
		b = append(b, ' ')
		b = appendPadded(b, o.Kind, 27)
		b = append(b, ' ')
		b = append(b, a.Alias(oneLine(o.Text))...)
		b = bytes.TrimRight(b, " ")
		b = append(b, '\n')
	}
	return string(b)
}

// appendPadded appends s and spaces up to width runes.
func appendPadded(b []byte, s string, width int) []byte {
	b = append(b, s...)
	for n := utf8.RuneCountInString(s); n < width; n++ {
		b = append(b, ' ')
	}
	return b
}

// Render returns the World's whole journal, rendered for a golden file.
func (w *World) Render() string {
	return RenderJournal(w.Journal.Observations(), NewAliaser(w.Literals()))
}

func oneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	return strings.NewReplacer("\r", `\r`, "\n", `\n`).Replace(s)
}
