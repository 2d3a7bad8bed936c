package metrics

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aerobackup/aerobackup/internal/backupjob"
	"github.com/aerobackup/aerobackup/internal/outcome"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

var t0 = time.Date(2026, 5, 4, 1, 0, 0, 0, time.UTC)

func backupRun(routine, typ string, o Outcome, d time.Duration) Run {
	return Run{Operation: Backup, Routine: routine, Type: typ, Outcome: o,
		Started: t0, Finished: t0.Add(d), Records: 1000, Bytes: 1 << 20, ProgressPct: 37.5}
}

func restoreRun(routine string, o Outcome, d time.Duration) Run {
	return Run{Operation: Restore, Routine: routine, Outcome: o,
		Started: t0, Finished: t0.Add(d), Records: 900, Bytes: 3 << 20}
}

// refusedRun is a restore of which the server refused some records.
func refusedRun(routine string, o Outcome, refused uint64) Run {
	r := restoreRun(routine, o, time.Minute)
	r.Refused = refused
	return r
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/metrics -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the output (run with -update if intended)\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// families parses with Prometheus's own text parser, the one node_exporter
// uses for textfiles.
func families(t *testing.T, text []byte) map[string]*dto.MetricFamily {
	t.Helper()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(text))
	if err != nil {
		t.Fatalf("output does not parse: %v\n%s", err, text)
	}
	return fams
}

// find returns the series of family name whose labels include all of kv.
func find(t *testing.T, fams map[string]*dto.MetricFamily, name string, kv ...string) *dto.Metric {
	t.Helper()
	var found []*dto.Metric
	for _, m := range fams[name].GetMetric() {
		ok := true
		for i := 0; i < len(kv); i += 2 {
			if labelValue(m, kv[i]) != kv[i+1] {
				ok = false
			}
		}
		if ok {
			found = append(found, m)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%s%v: %d series, want 1", name, kv, len(found))
	}
	return found[0]
}

func TestRenderGolden(t *testing.T) {
	cases := []struct {
		name  string
		input string // testdata file holding the previous content, or ""
		runs  []Run
	}{
		{name: "full_success", runs: []Run{backupRun("nightly", Full, Success, 125*time.Second)}},
		{name: "three_runs", runs: []Run{
			backupRun("nightly", Full, Success, 125*time.Second),
			backupRun("nightly", Incremental, Success, 30*time.Second),
			backupRun("nightly", Full, Success, 400*time.Second),
		}},
		{name: "outcomes", runs: []Run{
			backupRun("nightly", Full, Failure, 90*time.Second),
			backupRun("nightly", Full, Partial, 700*time.Second),
			backupRun("nightly", Incremental, Canceled, 5*time.Second),
			backupRun("nightly", Incremental, Skip, 0),
			backupRun("nightly", Full, Skip, time.Second),
		}},
		{name: "running", runs: []Run{
			backupRun("nightly", Full, Running, 0),
			restoreRun("", Running, 0),
		}},
		{name: "restore", runs: []Run{
			restoreRun("", Success, 3*time.Hour),
			restoreRun("nightly", Partial, 80*time.Second),
			restoreRun("nightly", Failure, time.Second),
			restoreRun("nightly", Canceled, time.Minute),
		}},
		{name: "restore_refused", runs: []Run{
			refusedRun("nightly", Failure, 2467),
			refusedRun("", Success, 12),
		}},
		{name: "other_routine_kept", input: "other_routine.in.prom", runs: []Run{
			backupRun("nightly", Full, Success, 125*time.Second),
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var out []byte
			if tc.input != "" {
				var err error
				if out, err = os.ReadFile(filepath.Join("testdata", tc.input)); err != nil {
					t.Fatal(err)
				}
			}
			for _, r := range tc.runs {
				var err error
				if out, err = Render(out, r); err != nil {
					t.Fatal(err)
				}
			}
			if len(families(t, out)) == 0 {
				t.Fatal("no metric families rendered")
			}
			golden(t, tc.name+".prom", out)
		})
	}
}

func TestCountersAndBucketsSurviveRuns(t *testing.T) {
	out, err := Render(nil, backupRun("nightly", Full, Success, 100*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	out, err = Render(out, backupRun("nightly", Full, Success, 30*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	out, err = Render(out, backupRun("nightly", Full, Failure, 50*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	fams := families(t, out)

	nf := []string{"routine", "nightly", "type", "full"}
	if got := find(t, fams, backupEvents, append(nf, "outcome", "success")...).GetCounter().GetValue(); got != 2 {
		t.Errorf("success events = %v, want 2", got)
	}
	if got := find(t, fams, backupEvents, append(nf, "outcome", "failure")...).GetCounter().GetValue(); got != 1 {
		t.Errorf("failure events = %v, want 1", got)
	}
	if got := find(t, fams, runsTotal).GetCounter().GetValue(); got != 2 {
		t.Errorf("runs_total = %v, want 2", got)
	}
	if got := find(t, fams, failureTotal).GetCounter().GetValue(); got != 1 {
		t.Errorf("failure_total = %v, want 1", got)
	}
	// Gauges are replaced: the last success took 30 s.
	if got := find(t, fams, durationMillis).GetGauge().GetValue(); got != 30000 {
		t.Errorf("duration_millis = %v, want 30000", got)
	}

	h := find(t, fams, backupDuration, nf...).GetHistogram()
	if h.GetSampleCount() != 3 || h.GetSampleSum() != 130+50*3600 {
		t.Errorf("histogram count %d sum %v, want 3 and %d", h.GetSampleCount(), h.GetSampleSum(), 130+50*3600)
	}
	want := map[float64]uint64{60: 1, 90: 1, 135: 2, durationBuckets[15]: 2} // 30 s, 100 s; 50 h is only in +Inf
	for _, b := range h.GetBucket() {
		if w, ok := want[b.GetUpperBound()]; ok && b.GetCumulativeCount() != w {
			t.Errorf("bucket le=%v: %d, want %d", b.GetUpperBound(), b.GetCumulativeCount(), w)
		}
	}
	// 16 ABS buckets plus +Inf as parsed back.
	if n := len(h.GetBucket()); n != 17 {
		t.Errorf("%d buckets, want 17", n)
	}
	if last := h.GetBucket()[len(h.GetBucket())-1]; last.GetCumulativeCount() != 3 {
		t.Errorf("+Inf bucket %d, want 3", last.GetCumulativeCount())
	}
}

func TestOldBucketLayoutIsKept(t *testing.T) {
	// A file written with other bounds keeps them; the new observation is
	// counted into every bucket it fits.
	prev := []byte(`# HELP aerospike_backup_service_backup_duration_seconds x
# TYPE aerospike_backup_service_backup_duration_seconds histogram
aerospike_backup_service_backup_duration_seconds_bucket{routine="nightly",type="full",le="100"} 4
aerospike_backup_service_backup_duration_seconds_bucket{routine="nightly",type="full",le="1000"} 5
aerospike_backup_service_backup_duration_seconds_bucket{routine="nightly",type="full",le="+Inf"} 6
aerospike_backup_service_backup_duration_seconds_sum{routine="nightly",type="full"} 9000
aerospike_backup_service_backup_duration_seconds_count{routine="nightly",type="full"} 6
`)
	out, err := Render(prev, backupRun("nightly", Full, Success, 500*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	h := find(t, families(t, out), backupDuration, "routine", "nightly").GetHistogram()
	var got []uint64
	for _, b := range h.GetBucket() {
		got = append(got, b.GetCumulativeCount())
	}
	if fmt.Sprint(got) != "[4 6 7]" || h.GetSampleCount() != 7 || h.GetSampleSum() != 9500 {
		t.Errorf("buckets %v count %d sum %v, want [4 6 7] 7 9500", got, h.GetSampleCount(), h.GetSampleSum())
	}
}

func TestRenderRejects(t *testing.T) {
	ok := backupRun("nightly", Full, Success, time.Minute)
	cases := []struct {
		name string
		prev string
		run  Run
		want string
	}{
		{"garbage", "this is { not prometheus\n", ok, "line 1"},
		{"wrong type", "# TYPE aerospike_backup_service_runs_total gauge\naerospike_backup_service_runs_total 3\n", ok, "runs_total has type gauge, want counter"},
		{"untyped", "aerospike_backup_service_backup_events_total 3\n", ok, "has type untyped"},
		{"no finish time", "", Run{Operation: Backup, Routine: "r", Type: Full, Outcome: Failure, Started: t0}, "start and finish"},
		{"no routine", "", Run{Operation: Backup, Type: Full, Outcome: Running}, "needs a routine"},
		{"bad type", "", Run{Operation: Backup, Routine: "r", Type: "diff", Outcome: Running}, `"diff"`},
		{"bad outcome", "", Run{Operation: Backup, Routine: "r", Type: Full, Outcome: "retry"}, `unknown outcome "retry"`},
		{"bad operation", "", Run{Operation: "verify", Outcome: Running}, `unknown operation "verify"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Render([]byte(tc.prev), tc.run)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tc.want)
			}
		})
	}
}

func TestOutcomeOf(t *testing.T) {
	cases := []struct {
		err  error
		want Outcome
		ok   bool
	}{
		{nil, Success, true},
		{errors.New("boom"), Failure, true},
		{outcome.Usage("bad flag"), "", false},
		{outcome.Skip("lock held"), Skip, true},
		{&backupjob.PartialError{Failed: []string{"ns2"}, Err: errors.New("ns2 failed")}, Partial, true},
		{&outcome.InterruptError{Signal: "terminated"}, Canceled, true},
		{&outcome.InterruptError{Signal: "hangup"}, Canceled, true},
		{&outcome.InterruptError{Signal: "quit"}, Canceled, true},
		{fmt.Errorf("scan: %w", context.Canceled), Canceled, true},
	}
	for _, tc := range cases {
		got, ok := OutcomeOf(tc.err)
		if got != tc.want || ok != tc.ok {
			t.Errorf("OutcomeOf(%v) = %q, %v; want %q, %v", tc.err, got, ok, tc.want, tc.ok)
		}
	}
}
