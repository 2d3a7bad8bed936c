package metrics

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// helperEnv makes the test binary act as a second process that updates a
// metrics file (see TestMain), to test the cross-process lock.
const helperEnv = "AEROBACKUP_METRICS_HELPER"

func TestMain(m *testing.M) {
	if spec := os.Getenv(helperEnv); spec != "" {
		os.Exit(helperMain(spec))
	}
	os.Exit(m.Run())
}

// helperMain runs "PATH,N,ROUTINE": N successful full backups of ROUTINE.
func helperMain(spec string) int {
	parts := strings.Split(spec, ",")
	n, _ := strconv.Atoi(parts[1])
	for i := 0; i < n; i++ {
		if err := UpdateFile(parts[0], backupRun(parts[2], Full, Success, time.Duration(i)*time.Second)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	return 0
}

func TestUpdateFileMissingThenMerge(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "aerobackup.prom")

	if err := UpdateFile(path, backupRun("nightly", Full, Success, time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := UpdateFile(path, backupRun("nightly", Full, Success, time.Minute)); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fams := families(t, data)
	if got := find(t, fams, runsTotal).GetCounter().GetValue(); got != 2 {
		t.Errorf("runs_total = %v after two runs, want 2", got)
	}

	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", fi.Mode().Perm())
	}
	// Only the file and its lock remain: no temporary file left over.
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, " ") != "aerobackup.prom aerobackup.prom.lock" {
		t.Errorf("directory holds %v, want the file and its lock only", names)
	}
}

func TestUpdateFileUnparseableIsKept(t *testing.T) {
	path := filepath.Join(t.TempDir(), "aerobackup.prom")
	garbage := []byte("aerospike_backup_service_runs_total{ 12\n")
	if err := os.WriteFile(path, garbage, 0o644); err != nil {
		t.Fatal(err)
	}
	err := UpdateFile(path, backupRun("nightly", Full, Success, time.Minute))
	if err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("err = %v, want an error naming %s", err, path)
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(after, garbage) {
		t.Errorf("unparseable file was rewritten:\n%s", after)
	}
}

func TestUpdateFileUnwritableDir(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root ignores directory permissions")
	}
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Chmod(dir, 0o755) })
	path := filepath.Join(dir, "aerobackup.prom")
	err := UpdateFile(path, backupRun("nightly", Full, Success, time.Minute))
	if err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("err = %v, want an error naming %s", err, path)
	}
}

// TestUpdateFileAtomic reads the file continuously while it is rewritten:
// every read must be a complete file, never a truncated or empty one.
func TestUpdateFileAtomic(t *testing.T) {
	path := filepath.Join(t.TempDir(), "aerobackup.prom")
	if err := UpdateFile(path, backupRun("nightly", Full, Success, time.Minute)); err != nil {
		t.Fatal(err)
	}
	const last = "aerospike_backup_service_runs_total "
	var stop atomic.Bool
	var reads, bad atomic.Int64
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for !stop.Load() {
			data, err := os.ReadFile(path)
			reads.Add(1)
			// runs_total sorts last among the families written here, so
			// a partial file would lack it.
			if err != nil || !bytes.Contains(data, []byte(last)) || !bytes.HasSuffix(data, []byte("\n")) {
				bad.Add(1)
			}
		}
	}()
	for i := 0; i < 200; i++ {
		if err := UpdateFile(path, backupRun("nightly", Full, Success, time.Duration(i)*time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	stop.Store(true)
	wg.Wait()
	if bad.Load() != 0 {
		t.Errorf("%d of %d reads saw a missing or partial file", bad.Load(), reads.Load())
	}
	data, _ := os.ReadFile(path)
	if got := find(t, families(t, data), runsTotal).GetCounter().GetValue(); got != 201 {
		t.Errorf("runs_total = %v, want 201", got)
	}
}

// TestUpdateFileTwoProcesses runs two processes that update one file at the
// same time (two routines sharing it); the lock must not lose an increment.
func TestUpdateFileTwoProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	path := filepath.Join(t.TempDir(), "aerobackup.prom")
	const n = 40
	var cmds []*exec.Cmd
	for _, routine := range []string{"nightly", "hourly"} {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s,%d,%s", helperEnv, path, n, routine))
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
	}
	for _, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("helper process: %v", err)
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fams := families(t, data)
	if got := find(t, fams, runsTotal).GetCounter().GetValue(); got != 2*n {
		t.Errorf("runs_total = %v, want %d: increments were lost", got, 2*n)
	}
	for _, r := range []string{"nightly", "hourly"} {
		m := find(t, fams, backupEvents, "routine", r, "outcome", "success")
		if got := m.GetCounter().GetValue(); got != n {
			t.Errorf("%s success events = %v, want %d", r, got, n)
		}
	}
}
