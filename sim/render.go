package sim

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/chatsim/chatsim/fakes"
)

// platformID matches the platform's prefixed ids (user_01J…, conv_…, msg_…)
// and UUIDs such as webhook ids.
var platformID = regexp.MustCompile(`\b([a-z]+)_([0-9A-HJKMNP-TV-Z]{26})\b|\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b`)

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
	return platformID.ReplaceAllStringFunc(s, func(id string) string {
		if al, ok := a.seen[id]; ok {
			return al
		}
		prefix := "uuid"
		if i := strings.IndexByte(id, '_'); i > 0 {
			prefix = id[:i]
		}
		a.counts[prefix]++
		al := fmt.Sprintf("%s#%d", prefix, a.counts[prefix])
		a.seen[id] = al
		return al
	})
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
	var b strings.Builder
	for _, o := range obs {
		if o.Source == "step" {
			if b.Len() > 0 {
				b.WriteByte('\n')
			}
			b.WriteString("# ")
			b.WriteString(a.Alias(o.Text))
			b.WriteByte('\n')
			continue
		}
		line := fmt.Sprintf("%-10s %-27s %s", o.Source, o.Kind, a.Alias(oneLine(o.Text)))
		b.WriteString(strings.TrimRight(line, " "))
		b.WriteByte('\n')
	}
	return b.String()
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
