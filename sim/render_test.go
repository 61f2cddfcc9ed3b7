package sim

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"github.com/chatsim/chatsim/fakes"
)

// aliasByRegexp is the Aliaser as the regular expression it was first
// written as: the reference matchID must agree with.
func aliasByRegexp(s string, seen map[string]string, counts map[string]int) string {
	re := regexp.MustCompile(`\b([a-z]+)_([0-9A-HJKMNP-TV-Z]{26})\b|\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b`)
	return re.ReplaceAllStringFunc(s, func(id string) string {
		if al, ok := seen[id]; ok {
			return al
		}
		prefix := "uuid"
		if i := strings.IndexByte(id, '_'); i > 0 {
			prefix = id[:i]
		}
		counts[prefix]++
		al := fmt.Sprintf("%s#%d", prefix, counts[prefix])
		seen[id] = al
		return al
	})
}

func TestAliasMatchesTheRegexp(t *testing.T) {
	t.Parallel()
	pieces := []string{
		"user_01J9Z6V3K8M2Q4R5T7W9X1Y3Z5", "conv_01J9Z6V3K8M2Q4R5T7W9X1Y3Z6", "msg_01J9Z6V3K8M2Q4R5T7W9X1Y3Z7",
		"msg_01J9Z6V3K8M2Q4R5T7W9X1Y3ZI", // I is not Crockford
		"msg_01J9Z6V3K8M2Q4R5T7W9X1Y3Z",  // 25 characters
		"Msg_01J9Z6V3K8M2Q4R5T7W9X1Y3Z7", "3f2b8c1d-9e4a-4b6c-8d7e-1f2a3b4c5d6e", "3F2B8C1D-9E4A-4B6C-8D7E-1F2A3B4C5D6E",
		"3f2b8c1d-9e4a-4b6c-8d7e-1f2a3b4c5d6", "x", "_", "-", " ", "#", "é", "1", "a", "Z", "\"", "/", "=", "{", "msg",
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 5000 {
		var b strings.Builder
		for range rng.IntN(8) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		in := b.String()
		want := aliasByRegexp(in, map[string]string{}, map[string]int{})
		if got := NewAliaser(nil).Alias(in); got != want {
			t.Fatalf("Alias(%q)\n got %q\nwant %q", in, got, want)
		}
	}
	a := NewAliaser(map[string]string{"http://127.0.0.1:4711": "${BP_API_URL}"})
	in := "user_01J9Z6V3K8M2Q4R5T7W9X1Y3Z5 at http://127.0.0.1:4711/v1 and user_01J9Z6V3K8M2Q4R5T7W9X1Y3Z6, then user_01J9Z6V3K8M2Q4R5T7W9X1Y3Z5"
	if got, want := a.Alias(in), "user#1 at ${BP_API_URL}/v1 and user#2, then user#1"; got != want {
		t.Fatalf("Alias = %q, want %q", got, want)
	}
}

func BenchmarkAlias(b *testing.B) {
	line := `platform   message.get-or-create       msg_01J9Z6V3K8M2Q4R5T7W9X1Y3Z7  created  incoming text {"text":"message number 4"}  conv_01J9Z6V3K8M2Q4R5T7W9X1Y3Z6 user_01J9Z6V3K8M2Q4R5T7W9X1Y3Z5  tags{chatId=1001, id=9}`
	a := NewAliaser(map[string]string{"http://127.0.0.1:4711": "${BP_API_URL}", "123456:ABC-token": "${TELEGRAM_BOT_TOKEN}"})
	b.ReportAllocs()
	for b.Loop() {
		a.Alias(line)
	}
}

// TestAliaserForgets bounds what an Aliaser remembers: the ids seen least
// lately are forgotten first, and one seen again gets a new alias, the
// counters going on, the same on every run.
func TestAliaserForgets(t *testing.T) {
	t.Parallel()
	id := func(n int) string { return fmt.Sprintf("msg_01J9Z6V3K8M2Q4R5T7W9X1Y%03d", n) }
	tests := []struct {
		name string
		seen []int // ids, in order, by number
		want string
	}{
		{"within the bound", []int{1, 2, 1, 2}, "msg#1 msg#2 msg#1 msg#2"},
		{"kept by being seen", []int{1, 2, 1, 3, 4, 1}, "msg#1 msg#2 msg#1 msg#3 msg#4 msg#1"},
		{"forgotten when not", []int{1, 2, 3, 4, 5, 1}, "msg#1 msg#2 msg#3 msg#4 msg#5 msg#6"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a := NewAliaser(nil)
			a.limit = 2 // it remembers 2 to 4 ids
			var got []string
			for _, n := range tc.seen {
				got = append(got, a.Alias(id(n)))
			}
			if s := strings.Join(got, " "); s != tc.want {
				t.Errorf("aliases %q, want %q", s, tc.want)
			}
			if n := len(a.recent) + len(a.older); n > 2*a.limit {
				t.Errorf("remembers %d ids, want at most %d", n, 2*a.limit)
			}
		})
	}
}

// TestObservePrimesAsRenderJournal: an aliaser that observed a journal
// aliases other text as one that rendered it, and a clone goes on
// independently.
func TestObservePrimesAsRenderJournal(t *testing.T) {
	t.Parallel()
	obs := []fakes.Observation{
		{Source: "step", Kind: "header", Text: "step 1  ada conv_01J9Z6V3K8M2Q4R5T7W9X1Y3Z6", Class: fakes.ClassHeader},
		{Source: "platform", Kind: "message.create", Text: "msg_01J9Z6V3K8M2Q4R5T7W9X1Y3Z7\nuser_01J9Z6V3K8M2Q4R5T7W9X1Y3Z5", Class: fakes.ClassCapture},
	}
	later := "msg_01J9Z6V3K8M2Q4R5T7W9X1Y3Z8 msg_01J9Z6V3K8M2Q4R5T7W9X1Y3Z7 conv_01J9Z6V3K8M2Q4R5T7W9X1Y3Z6"
	rendered := NewAliaser(nil)
	RenderJournal(obs, rendered)
	observed := NewAliaser(nil)
	observed.Observe(obs...)
	clone := observed.Clone()
	want := rendered.Alias(later)
	if got := observed.Alias(later); got != want {
		t.Errorf("observed: %q, rendered: %q", got, want)
	}
	if got := clone.Alias("msg_01J9Z6V3K8M2Q4R5T7W9X1Y3Z9"); got != "msg#2" {
		t.Errorf("the clone aliased a new id %q, want msg#2 (the original's later ids are not its)", got)
	}
}
