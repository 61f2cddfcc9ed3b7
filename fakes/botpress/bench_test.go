package botpress

import "testing"

// BenchmarkStartClose measures one platform's start and stop, part of a
// World's per-scenario cost.
func BenchmarkStartClose(b *testing.B) {
	for b.Loop() {
		p, err := Start()
		if err != nil {
			b.Fatal(err)
		}
		if err := p.Close(); err != nil {
			b.Fatal(err)
		}
	}
}
