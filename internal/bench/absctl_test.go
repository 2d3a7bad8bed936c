package bench

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/aerobackup/aerobackup/internal/aerospiketest"
)

// fakeAbsctlEnv names the file a fake absctl (this test binary, run with
// the variable set) appends its command lines to.
const fakeAbsctlEnv = "AEROBACKUP_BENCH_FAKE_ABSCTL"

func TestMain(m *testing.M) {
	if path := os.Getenv(fakeAbsctlEnv); path != "" {
		os.Exit(fakeAbsctl(path, os.Args[1:]))
	}
	os.Exit(m.Run())
}

// fakeAbsctl stands in for absctl: it records its command line, then takes
// the backup or makes the restore it names with the bench's own backup-go
// baselines, reading absctl's flag names, and prints the records read as
// absctl's report does.
func fakeAbsctl(record string, args []string) int {
	f, err := os.OpenFile(record, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	fmt.Fprintln(f, strings.Join(args, " "))
	f.Close()
	if len(args) == 1 && args[0] == "--version" {
		fmt.Println("version: fake (0000000)")
		return 0
	}
	if len(args) == 0 || (args[0] != "backup" && args[0] != "restore") {
		fmt.Fprintln(os.Stderr, "fake absctl: want backup or restore")
		return 2
	}
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	host := fs.String("host", "127.0.0.1", "")
	port := fs.Int("port", 3000, "")
	ns := fs.String("namespace", "", "")
	dir := fs.String("directory", "", "")
	parallel := fs.Int("parallel", 0, "")
	fileLimit := fs.Uint64("file-limit", 250, "")
	compress := fs.String("compress", "NONE", "")
	fs.Int("compression-level", 3, "")
	fs.Int("batch-size", 128, "")
	fs.Int("max-async-batches", 32, "")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	ctx := context.Background()
	var n uint64
	if args[0] == "backup" {
		n, err = DirectBackup{Host: *host, Port: *port, Namespace: *ns, Dir: *dir, Parallel: max(*parallel, 1),
			FileLimit: *fileLimit << 20, Compression: *compress}.Run(ctx)
	} else {
		from, to, _ := strings.Cut(*ns, ",")
		n, err = DirectRestore{Host: *host, Port: *port, Source: from, Destination: to, Dirs: []string{*dir},
			Compression: *compress, Parallel: *parallel}.Run(ctx)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "fake absctl:", err)
		return 1
	}
	fmt.Fprintf(os.Stderr, "\nreport\n------\nDuration:             1ms\n\nRecords Read:         %d\nsIndex Read:          0\n", n)
	return 0
}

// recorded returns the command lines the fake absctl recorded and forgets
// them.
func recorded(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSpace(string(b)), "\n")
}

// TestAbsctlRuns runs the suite's absctl runners with a fake absctl on a
// test server: the command lines at the others' settings and at absctl's
// defaults, the records check, and the folders removed.
func TestAbsctlRuns(t *testing.T) {
	ctx := context.Background()
	record := filepath.Join(t.TempDir(), "absctl.args")
	t.Setenv(fakeAbsctlEnv, record)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	host, port, _ := aerospiketest.TestCluster(t)
	work := t.TempDir()
	cfg := Config{Absctl: self, Aerospike: net.JoinHostPort(host, strconv.Itoa(port)), Namespace: "test", Restore: "bar",
		Records: 300, Parallel: 3, FileLimit: 7, WorkDir: work, Log: io.Discard}
	s, closeFn, err := open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer closeFn()
	if err := s.seed(300); err != nil {
		t.Fatal(err)
	}
	srv := fmt.Sprintf("--host %s --port %d", host, port)

	for _, c := range []struct {
		compress string
		same     string // what the same-settings run adds to the defaults'
	}{{"NONE", " --parallel 3 --file-limit 7 --compress NONE"}, {"ZSTD", " --parallel 3 --file-limit 7 --compress ZSTD --compression-level 0"}} {
		runs := s.absctlBackups(ctx, c.compress, 300)
		if len(runs) != 2 || runs[0].label != absctlSame || runs[1].label != absctlDefaults {
			t.Fatalf("%s backups: %d runners, want %q and %q", c.compress, len(runs), absctlSame, absctlDefaults)
		}
		for _, r := range runs {
			smp, err := r.run(5)
			if err != nil {
				t.Fatalf("%s %s: %v", c.compress, r.label, err)
			}
			if smp.Elapsed <= 0 || smp.MaxRSS <= 0 {
				t.Fatalf("%s %s: sample %+v, want its time and RSS", c.compress, r.label, smp)
			}
		}
		same, defaults := filepath.Join(work, "absctl-same-"+c.compress+"-5"), filepath.Join(work, "absctl-defaults-"+c.compress+"-5")
		want := []string{"backup " + srv + " --namespace test --directory " + same + c.same,
			"backup " + srv + " --namespace test --directory " + defaults}
		if c.compress != "NONE" {
			want[1] += " --compress " + c.compress
		}
		if got := recorded(t, record); !slices.Equal(got, want) {
			t.Fatalf("%s backups ran\n%s\nwant\n%s", c.compress, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		for _, d := range []string{same, defaults} {
			if _, err := os.Stat(d); !os.IsNotExist(err) {
				t.Fatalf("backup folder %s left behind (%v)", d, err)
			}
		}
	}
	if _, err := s.absctlBackups(ctx, "NONE", 301)[0].run(0); err == nil || !strings.Contains(err.Error(), "read 300 records, want 301") {
		t.Fatalf("a backup short of records: %v, want it refused", err)
	}
	recorded(t, record)

	// The restores read the files backup-go alone restores.
	data := filepath.Join(work, "data")
	if _, err := (DirectBackup{Host: host, Port: port, Namespace: "test", Dir: data, Parallel: 2}).Run(ctx); err != nil {
		t.Fatal(err)
	}
	runs := s.absctlRestores(ctx, data)
	if len(runs) != 2 || runs[0].label != absctlSame || runs[1].label != absctlDefaults {
		t.Fatalf("restores: %d runners, want %q and %q", len(runs), absctlSame, absctlDefaults)
	}
	for _, r := range runs {
		if err := s.truncate("bar"); err != nil {
			t.Fatal(err)
		}
		if _, err := r.run(0); err != nil {
			t.Fatalf("%s restore: %v", r.label, err)
		}
		if err := s.expectCount("bar", 300); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"restore " + srv + " --namespace test,bar --directory " + data + " --parallel 4 --batch-size 128 --max-async-batches 16",
		"restore " + srv + " --namespace test,bar --directory " + data}
	if got := recorded(t, record); !slices.Equal(got, want) {
		t.Fatalf("restores ran\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	s.cfg.Records = 301
	if _, err := runs[0].run(1); err == nil || !strings.Contains(err.Error(), "holds 300 records, want 301") {
		t.Fatalf("a restore short of records: %v, want it refused", err)
	}

	s.cfg.Absctl = ""
	if b, r := s.absctlBackups(ctx, "NONE", 300), s.absctlRestores(ctx, data); b != nil || r != nil {
		t.Fatalf("without -absctl: %d backup and %d restore runners, want none", len(b), len(r))
	}
}

func TestAbsctlVersion(t *testing.T) {
	record := filepath.Join(t.TempDir(), "absctl.args")
	t.Setenv(fakeAbsctlEnv, record)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if v, err := AbsctlVersion(context.Background(), self); err != nil || v != "version: fake (0000000)" {
		t.Fatalf("AbsctlVersion = %q, %v", v, err)
	}
	if _, err := AbsctlVersion(context.Background(), filepath.Join(t.TempDir(), "absctl")); err == nil {
		t.Fatal("a missing absctl was accepted")
	}
}

func TestAbsctlRecords(t *testing.T) {
	for _, c := range []struct {
		smp  Sample
		want int
	}{
		{Sample{Stderr: "time=... level=INFO msg=x\n\nBackup report\n-------------\nRecords Read:         20000\nsIndex Read:          1\n"}, 20000},
		{Sample{Stdout: "Restore report\n\nRecords Read: 7\n"}, 7},
	} {
		if got, err := absctlRecords(c.smp); err != nil || got != c.want {
			t.Errorf("absctlRecords(%+v) = %d, %v; want %d", c.smp, got, err, c.want)
		}
	}
	if _, err := absctlRecords(Sample{Stderr: "level=ERROR msg=failed"}); err == nil {
		t.Error("output without a report was accepted")
	}
}
