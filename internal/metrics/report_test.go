package metrics

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aerobackup/aerobackup/internal/config"
	"github.com/aerobackup/aerobackup/internal/outcome"
)

// clock returns a reading that advances a minute on each call.
func clock() func() time.Time {
	t := time.Date(2026, 5, 4, 1, 0, 0, 0, time.UTC)
	return func() time.Time { t = t.Add(time.Minute); return t }
}

// A started run is written at the end with its outcome and the clock's
// start and end; nothing is written without a run, after Drop, or for a
// usage error.
func TestReporterFinishWritesTheRun(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "aerobackup.prom")
	to := Targets{File: file}
	ctx := context.Background()

	var none Reporter
	none.Finish(ctx, nil, to, nil)
	dropped := Reporter{Now: clock()}
	dropped.Start(Backup, "nightly", Full)
	dropped.Drop()
	dropped.Finish(ctx, nil, to, nil)
	usage := Reporter{Now: clock()}
	usage.Start(Backup, "nightly", Full)
	usage.Finish(ctx, outcome.Usage("--x is bad"), to, nil)
	if _, err := os.Stat(file); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("metrics file written without a run to report (%v)", err)
	}

	r := Reporter{Now: clock()}
	run := r.Start(Backup, "nightly", Incremental)
	if r.Current() != run || run.Started.IsZero() {
		t.Fatalf("Current = %v, want the started run %v", r.Current(), run)
	}
	run.Type, run.Records, run.Bytes = Full, 42, 4096 // promoted to a full
	r.Finish(ctx, nil, to, nil)
	if run.Outcome != Success || run.Finished.Sub(run.Started) != time.Minute {
		t.Errorf("run = %+v, want success over one minute", run)
	}
	text, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	fams := families(t, text)
	if got := find(t, fams, backupEvents, "routine", "nightly", "outcome", "success", "type", "full").GetCounter().GetValue(); got != 1 {
		t.Errorf("success events = %v, want 1", got)
	}
	if got := find(t, fams, lastBackupRecords, "routine", "nightly", "type", "full").GetGauge().GetValue(); got != 42 {
		t.Errorf("last backup records = %v, want 42", got)
	}

	skipped := Reporter{Now: clock()}
	skipped.Start(Backup, "nightly", Full)
	skipped.Finish(ctx, outcome.Skip("locked"), to, nil)
	text, _ = os.ReadFile(file)
	if got := find(t, families(t, text), skipTotal).GetCounter().GetValue(); got != 1 {
		t.Errorf("skip_total = %v, want 1", got)
	}
}

// The push happens even when the run ends on a signal (its context is
// cancelled); failed writes and pushes are logged, not returned.
func TestReporterFinishPushesAndLogsFailures(t *testing.T) {
	g, srv := newFakeGateway(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := Reporter{Now: clock()}
	r.Start(Restore, "nightly", "")
	r.Finish(ctx, &outcome.InterruptError{Signal: "terminated"}, Targets{Push: srv.URL}, nil)
	if len(g.pushes) != 1 || g.pushes[0].path != "/metrics/job/aerobackup/routine/nightly" {
		t.Fatalf("pushes %+v, want one to the nightly group", g.pushes)
	}
	if !bytes.Contains(g.pushes[0].body, []byte(`restore_events_total{outcome="canceled"} 1`)) {
		t.Errorf("pushed:\n%s\nwant a canceled restore", g.pushes[0].body)
	}

	g.status = http.StatusServiceUnavailable
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	bad := filepath.Join(t.TempDir(), "missing", "aerobackup.prom")
	r = Reporter{Now: clock()}
	r.Start(Backup, "nightly", Full)
	r.Finish(context.Background(), errors.New("boom"), Targets{File: bad, Push: srv.URL}, log)
	for _, want := range []string{`msg="could not write the metrics file" file=` + bad, `msg="could not push metrics"`} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("logs:\n%s\nwant %s", logs.String(), want)
		}
	}
}

// A restore's counts reach the run being recorded, and nothing happens
// without one.
func TestReporterRestored(t *testing.T) {
	var r Reporter
	r.Restored(1, 2, 3) // no run: nothing to record, no panic
	r.Start(Restore, "nightly", "")
	r.Restored(10, 2048, 3)
	if got := r.Current(); got.Records != 10 || got.Bytes != 2048 || got.Refused != 3 {
		t.Errorf("run = %+v, want records 10, bytes 2048, refused 3", got)
	}
}

// A running run is written at once and then every interval with its
// progress, in progress until Finish writes its outcome; without a run
// (a dry run) nothing is written.
func TestReporterRunning(t *testing.T) {
	file := filepath.Join(t.TempDir(), "aerobackup.prom")
	to := Targets{File: file}
	ctx := context.Background()

	var dry Reporter
	dry.Running(ctx, to, time.Millisecond, func() (float64, bool) { return 1, true }, nil)
	if _, err := os.Stat(file); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("metrics written without a run (%v)", err)
	}

	r := Reporter{Now: clock()}
	r.Start(Backup, "nightly", Full)
	pct := make(chan float64, 1)
	pct <- 0
	r.Running(ctx, to, 5*time.Millisecond, func() (float64, bool) {
		select {
		case p := <-pct:
			return p, true
		default:
			return 0, false
		}
	}, nil)
	read := func() string {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	inProgress := `aerospike_backup_service_backup_in_progress{routine="nightly",type="full"} 1`
	if got := read(); !strings.Contains(got, inProgress) {
		t.Fatalf("at the start:\n%s\nwant %s", got, inProgress)
	}
	pct <- 37.5
	want := `aerospike_backup_service_backup_progress_pct{routine="nightly",type="full"} 37.5`
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(read(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("progress never written:\n%s", read())
		}
		time.Sleep(5 * time.Millisecond)
	}
	r.Finish(ctx, nil, to, nil)
	got := read()
	if !strings.Contains(got, `aerospike_backup_service_backup_in_progress{routine="nightly",type="full"} 0`) ||
		!strings.Contains(got, `aerospike_backup_service_last_successful_backup_timestamp{routine="nightly",type="full"}`) {
		t.Fatalf("after Finish:\n%s", got)
	}
	// Nothing is written after Finish.
	time.Sleep(20 * time.Millisecond)
	if read() != got {
		t.Fatal("the running writer went on after Finish")
	}
}

// A backup's record carries its type and its schedule's longest gaps.
func TestReporterStartBackup(t *testing.T) {
	cfg, err := config.Parse("test.yml", []byte(`aerospike-clusters:
  c: {seed-nodes: [{host-name: h, port: 3000}]}
storage:
  s: {local-storage: {path: /tmp/x}}
backup-policies:
  p: {}
backup-routines:
  nightly: {interval-cron: "@daily", incr-interval-cron: "0 0 */6 * * *", source-cluster: c, storage: s, backup-policy: p, namespaces: [test]}
`))
	if err != nil {
		t.Fatal(err)
	}
	rt, err := cfg.Routine("nightly")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		incremental bool
		typ         string
	}{{false, Full}, {true, Incremental}} {
		r := Reporter{Now: clock()}
		run := r.StartBackup(rt, c.incremental)
		if run != r.Current() || run.Operation != Backup || run.Routine != "nightly" || run.Type != c.typ ||
			run.FullInterval != 24*time.Hour || run.IncrInterval != 6*time.Hour {
			t.Fatalf("incremental %v: run %+v", c.incremental, run)
		}
	}
}
