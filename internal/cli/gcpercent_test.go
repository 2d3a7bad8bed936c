package cli

import (
	"runtime/debug"
	"testing"
)

func TestTuneBackupGC(t *testing.T) {
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
		{true, "NONE", "", backupGCPercent},
		{true, "", "", backupGCPercent},
		{true, "ZSTD", "", 100},
		{false, "NONE", "", 100},  // cloud uploads buffer whole parts
		{true, "NONE", "50", 100}, // the environment's GOGC wins (the runtime read it at start)
	} {
		debug.SetGCPercent(100)
		tuneBackupGC(c.local, c.compression, env(c.gogc))
		if got := debug.SetGCPercent(100); got != c.want {
			t.Errorf("local %v, compression %q, GOGC %q: GOGC %d, want %d", c.local, c.compression, c.gogc, got, c.want)
		}
	}
}

func TestTuneRestoreGC(t *testing.T) {
	prev := debug.SetGCPercent(100)
	defer debug.SetGCPercent(prev)
	for _, c := range []struct {
		env  map[string]string
		want int
	}{
		{nil, restoreGCPercent},
		{map[string]string{"GOGC": "50"}, 100},           // the runtime already applied it
		{map[string]string{"GOMEMLIMIT": "200MiB"}, 100}, // a memory-limited pod keeps Go's pacing
	} {
		debug.SetGCPercent(100)
		tuneRestoreGC(func(k string) string { return c.env[k] })
		if got := debug.SetGCPercent(100); got != c.want {
			t.Errorf("env %v: GOGC %d, want %d", c.env, got, c.want)
		}
	}
}
