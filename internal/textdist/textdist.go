// Package textdist measures how far apart two sequences are, for "did you
// mean" suggestions: a mistyped field of a definition, a mistyped step.
package textdist

// Levenshtein is the edit distance between a and b: the fewest insertions,
// deletions and substitutions of one element that turn a into b. Elements
// are whatever the caller compares: bytes, runes or words.
func Levenshtein[T comparable](a, b []T) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
