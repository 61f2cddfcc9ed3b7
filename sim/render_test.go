package sim

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
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
