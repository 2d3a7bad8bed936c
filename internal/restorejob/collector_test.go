package restorejob

import (
	"runtime/debug"
	"testing"
)

func TestTuneGC(t *testing.T) {
	prev := debug.SetGCPercent(100)
	defer debug.SetGCPercent(prev)
	for _, c := range []struct {
		env  map[string]string
		want int
	}{
		{nil, GCPercent},
		{map[string]string{"GOGC": "50"}, 100},           // the runtime already applied it
		{map[string]string{"GOMEMLIMIT": "200MiB"}, 100}, // a memory-limited pod keeps Go's pacing
	} {
		debug.SetGCPercent(100)
		TuneGC(func(k string) string { return c.env[k] })
		if got := debug.SetGCPercent(100); got != c.want {
			t.Errorf("env %v: GOGC %d, want %d", c.env, got, c.want)
		}
	}
}
