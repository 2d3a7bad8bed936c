package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aerobackup/aerobackup/internal/outcome"
	"github.com/aerobackup/aerobackup/internal/progress"
	"github.com/aerobackup/aerobackup/internal/report"
)

// lockedBuffer is a buffer safe for concurrent writes and reads.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// run runs the command line args. Its output buffers are locked: backup-go
// does not wait for its record-counting goroutine, whose warning may be
// logged after the command returned.
func run(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb lockedBuffer
	app := &App{IO: IO{In: strings.NewReader(""), Out: &out, Err: &errb}, Now: time.Now,
		Getenv: func(k string) string { return env[k] }}
	code := app.run(context.Background(), args, nil)
	return code, out.String(), errb.String()
}

func TestEnvVarNames(t *testing.T) {
	for flag, want := range map[string]string{
		"log-level": "AEROBACKUP_LOG_LEVEL", "config": "AEROBACKUP_CONFIG", "metrics-file": "AEROBACKUP_METRICS_FILE",
	} {
		if got := EnvVar(flag); got != want {
			t.Errorf("%s: %s, want %s", flag, got, want)
		}
	}
}

// Precedence: flag > environment > default.
func TestEnvironmentOverridesDefaultsNotFlags(t *testing.T) {
	env := map[string]string{"AEROBACKUP_LOG_LEVEL": "loud"}
	code, _, stderr := run(t, env, "version")
	if code != outcome.ExitUsage || !strings.Contains(stderr, `unknown log level "loud"`) {
		t.Errorf("environment not applied: exit %d, %s", code, stderr)
	}
	code, stdout, stderr := run(t, env, "version", "--log-level", "debug")
	if code != 0 || !strings.Contains(stdout, "aerobackup ") {
		t.Errorf("flag must win over the environment: exit %d, %s", code, stderr)
	}
	code, _, stderr = run(t, map[string]string{"AEROBACKUP_QUIET": "maybe"}, "version")
	if code != outcome.ExitUsage || !strings.Contains(stderr, "AEROBACKUP_QUIET") {
		t.Errorf("a bad environment value must name the variable: exit %d, %s", code, stderr)
	}
}

func TestVersionJSON(t *testing.T) {
	code, stdout, _ := run(t, nil, "version", "--json")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	var v report.Version
	if err := json.Unmarshal([]byte(stdout), &v); err != nil {
		t.Fatal(err)
	}
	if v.Version == "" || !strings.HasPrefix(v.Go, "go") || v.BackupGo == "" {
		t.Errorf("incomplete version info %+v", v)
	}
}

// With --json an error is one JSON object on stderr carrying the exit status.
func TestJSONErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yml")
	if err := os.WriteFile(bad, []byte("nonsense: 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := run(t, nil, "list", "--json", "-c", bad)
	if code != outcome.ExitUsage || stdout != "" {
		t.Fatalf("exit %d stdout %q", code, stdout)
	}
	var e map[string]any
	if err := json.Unmarshal([]byte(stderr), &e); err != nil {
		t.Fatalf("stderr is not one JSON object: %v\n%s", err, stderr)
	}
	if e["exit-status"] != float64(2) || e["kind"] != "usage" || !strings.Contains(e["message"].(string), "nonsense") {
		t.Errorf("error object %v", e)
	}
}

func TestHelpEndsWithExitCodes(t *testing.T) {
	for _, cmd := range []string{"backup", "restore", "list"} {
		code, stdout, _ := run(t, nil, cmd, "--help")
		if code != 0 || !strings.Contains(stdout, "Exit status:") {
			t.Errorf("%s --help lacks the exit codes", cmd)
		}
		for _, want := range []string{"129  interrupted by SIGHUP", "130 by SIGINT", "131 by SIGQUIT", "143 by SIGTERM"} {
			if !strings.Contains(stdout, want) {
				t.Errorf("%s --help lacks %q", cmd, want)
			}
		}
	}
}

// On a terminal the logger and the bar share stderr through one screen: a
// log line written while the bar is drawn starts on a line of its own.
func TestLogLinesOnATerminalGoAboveTheBar(t *testing.T) {
	var errb bytes.Buffer
	app := &App{IO: IO{Err: &errb, ErrTerminal: true}, Globals: &Globals{}}
	if err := app.setup(); err != nil {
		t.Fatal(err)
	}
	tr := app.Progress().Track("backup nightly test", 100, func() progress.Counts {
		return progress.Counts{Records: 40}
	})
	app.Log.Info("found backup files")
	tr.Stop()
	out := errb.String()
	i := strings.Index(out, "found backup files")
	if i < 0 {
		t.Fatalf("no log line in %q", out)
	}
	start := strings.LastIndexAny(out[:i], "\r\n")
	if start < 0 || strings.Contains(out[start:i], "backup nightly test") {
		t.Fatalf("the log line is glued to the bar: %q", out)
	}
	if !strings.Contains(out[i:], "\rbackup nightly test") {
		t.Errorf("the bar is not drawn again under the log line: %q", out)
	}
}
