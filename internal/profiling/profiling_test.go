package profiling

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func TestProfilingFromEnvironment(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{
		EnvCPUProfile: filepath.Join(dir, "cpu.pprof"),
		EnvMemProfile: filepath.Join(dir, "mem.pprof"),
		EnvTrace:      filepath.Join(dir, "trace.out"),
	}
	var stderr bytes.Buffer
	stop := Start(func(k string) string { return env[k] }, &stderr)
	stop()
	if stderr.Len() != 0 {
		t.Errorf("stderr: %s", stderr.String())
	}
	for _, p := range env {
		if fi, err := os.Stat(p); err != nil || fi.Size() == 0 {
			t.Errorf("%s: not written (%v)", p, err)
		}
	}

	// Unset: nothing happens; an unwritable path warns and the run goes on.
	Start(func(string) string { return "" }, &stderr)()
	bad := filepath.Join(dir, "missing", "cpu.pprof")
	Start(func(k string) string {
		if k == EnvCPUProfile {
			return bad
		}
		return ""
	}, &stderr)()
	if !bytes.Contains(stderr.Bytes(), []byte(EnvCPUProfile)) {
		t.Errorf("no warning for an unwritable profile path: %q", stderr.String())
	}
}
