package main

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aerobackup/aerobackup/internal/cli"
	"github.com/aerobackup/aerobackup/internal/outcome"
)

// runCLI runs the command in-process with a clean environment and returns
// the exit status and both streams.
func runCLI(t *testing.T, dir string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	t.Chdir(dir)
	for _, k := range []string{"AEROBACKUP_CONFIG", "AEROBACKUP_LOG_LEVEL", "AEROBACKUP_STORAGE"} {
		t.Setenv(k, "")
	}
	code := cli.Run(context.Background(), args, cli.IO{In: strings.NewReader(""), Out: &out, Err: &errb}, nil)
	return code, out.String(), errb.String()
}

// TestBadConfigsExitTwo runs every malformed config under testdata/config/bad
// through the real command: exit status 2 and the expected error line.
func TestBadConfigsExitTwo(t *testing.T) {
	dir := filepath.Join("..", "..", "testdata", "config", "bad")
	f, err := os.Open(filepath.Join(dir, "expected.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	abs, _ := filepath.Abs(dir)
	n := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, want, ok := strings.Cut(sc.Text(), "\t")
		if !ok {
			continue
		}
		n++
		t.Run(name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, abs, "-c", name, "backup")
			if code != outcome.ExitUsage {
				t.Errorf("exit %d, want 2; stderr:\n%s", code, stderr)
			}
			if stdout != "" {
				t.Errorf("stdout must stay empty, got %q", stdout)
			}
			if !strings.Contains(stderr, "aerobackup: error: "+want) {
				t.Errorf("stderr lacks %q:\n%s", want, stderr)
			}
		})
	}
	if n < 40 {
		t.Fatalf("only %d malformed configs", n)
	}
}

// TestBadFlagsExitTwo runs the flag combinations of testdata/cli/bad-flags.txt.
func TestBadFlagsExitTwo(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "cli", "bad-flags.txt"))
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	store := filepath.Join(work, "store")
	if err := os.Mkdir(store, 0o755); err != nil {
		t.Fatal(err)
	}
	// Not ./aerobackup.yml: ad-hoc cases must find no config file.
	config := filepath.Join(work, "conf", "routines.yml")
	if err := os.Mkdir(filepath.Dir(config), 0o755); err != nil {
		t.Fatal(err)
	}
	// The cluster is unreachable on purpose: every case must fail before
	// any connection is tried.
	valid := `aerospike-clusters:
  c:
    seed-nodes: [{host-name: 127.0.0.1, port: 1}]
storage:
  s:
    local-storage: {path: ` + store + `}
backup-routines:
  r:
    interval-cron: "@daily"
    source-cluster: c
    storage: s
    namespaces: [test]
`
	if err := os.WriteFile(config, []byte(valid), 0o600); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, line := range strings.Split(string(data), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		argLine, want, ok := strings.Cut(line, "\t")
		if !ok {
			t.Fatalf("bad line %q", line)
		}
		n++
		args := strings.Fields(strings.NewReplacer("$CONFIG", config, "$STORE", store).Replace(argLine))
		t.Run(argLine, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, work, args...)
			if code != outcome.ExitUsage {
				t.Errorf("exit %d, want 2; stderr:\n%s", code, stderr)
			}
			if stdout != "" {
				t.Errorf("stdout must stay empty, got %q", stdout)
			}
			if !strings.Contains(stderr, want) {
				t.Errorf("stderr lacks %q:\n%s", want, stderr)
			}
			if strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
				t.Errorf("want one error line, got:\n%s", stderr)
			}
		})
	}
	if n < 40 {
		t.Fatalf("only %d flag cases", n)
	}
	entries, _ := os.ReadDir(store)
	if len(entries) != 0 {
		t.Errorf("bad input wrote into the storage: %v", entries)
	}
}
