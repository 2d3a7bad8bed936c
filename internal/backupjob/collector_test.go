package backupjob

import (
	"runtime/debug"
	"testing"
)

func TestTuneGC(t *testing.T) {
	prev := debug.SetGCPercent(100)
	defer debug.SetGCPercent(prev)
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == "GOGC" {
				return v
			}
			return ""
		}
	}
	for _, c := range []struct {
		local             bool
		compression, gogc string
		want              int
	}{
		{true, "NONE", "", GCPercent},
		{true, "", "", GCPercent},
		{true, "ZSTD", "", 100},
		{false, "NONE", "", 100},  // cloud uploads buffer whole parts
		{true, "NONE", "50", 100}, // the environment's GOGC wins (the runtime read it at start)
	} {
		debug.SetGCPercent(100)
		TuneGC(c.local, c.compression, env(c.gogc))
		if got := debug.SetGCPercent(100); got != c.want {
			t.Errorf("local %v, compression %q, GOGC %q: GOGC %d, want %d", c.local, c.compression, c.gogc, got, c.want)
		}
	}
}
