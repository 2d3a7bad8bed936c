package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aerobackup/aerobackup/internal/backupjob"
	"github.com/aerobackup/aerobackup/internal/catalog"
)

func result(typ catalog.Type, namespaces ...backupjob.NamespaceResult) *backupjob.Result {
	return &backupjob.Result{Key: "nightly/" + typ.Folder() + "/1763719200000", Routine: "nightly", Type: typ,
		Namespaces: namespaces}
}

// The outcome and totals of a run, and its human form: the summary line
// on stderr, the key alone on stdout.
func TestBackup(t *testing.T) {
	written := backupjob.NamespaceResult{Namespace: "test", Records: 1000, Bytes: 2 << 20, Files: 2}
	unchanged := backupjob.NamespaceResult{Namespace: "test", NoChanges: true}
	sliceDone := written
	sliceDone.RunComplete = true
	sliced := func(ns backupjob.NamespaceResult) *backupjob.Result {
		r := result(catalog.Full, ns)
		r.Slice = "2/2"
		return r
	}
	tests := []struct {
		name           string
		sum            *Backup
		outcome        string
		runComplete    *bool
		stdout, stderr string
	}{
		{"full", NewBackup(result(catalog.Full, written), false, false, 2*time.Second), "success", nil,
			"nightly/backup/1763719200000\n",
			"full backup of routine \"nightly\" success: 1000 records, 2.0 MiB in 2 files, 2s (500 records/s)\n"},
		{"partial", NewBackup(result(catalog.Full, written), true, false, 0), "partial", nil,
			"nightly/backup/1763719200000\n",
			"full backup of routine \"nightly\" partial: 1000 records, 2.0 MiB in 2 files, 0s (0 records/s)\n"},
		{"no changes", NewBackup(result(catalog.Incremental, unchanged), false, false, time.Second), "no-changes", nil, "",
			"incremental backup of routine \"nightly\": no changes, nothing written\n"},
		// A full finding nothing is still a backup of an empty namespace.
		{"empty full", NewBackup(result(catalog.Full, unchanged), false, false, time.Second), "success", nil,
			"nightly/backup/1763719200000\n",
			"full backup of routine \"nightly\" success: 0 records, 0 B in 0 files, 1s (0 records/s)\n"},
		{"slice waiting", NewBackup(sliced(written), false, false, time.Second), "success", new(false),
			"nightly/backup/1763719200000\n",
			"slice 2/2 of the full backup of routine \"nightly\" success: 1000 records, 2.0 MiB in 2 files, 1s (1000 records/s)\n" +
				"run nightly/backup/1763719200000: waiting for other slices (list shows it as incomplete until all are done)\n"},
		{"slice completing", NewBackup(sliced(sliceDone), false, true, time.Second), "success", new(true),
			"nightly/backup/1763719200000\n",
			"slice 2/2 of the full backup of routine \"nightly\" success: 1000 records, 2.0 MiB in 2 files, 1s (1000 records/s)\n" +
				"run nightly/backup/1763719200000: every slice is complete; it is a backup\n"},
	}
	for _, tt := range tests {
		if tt.sum.Outcome != tt.outcome || (tt.runComplete == nil) != (tt.sum.RunComplete == nil) ||
			tt.runComplete != nil && *tt.runComplete != *tt.sum.RunComplete {
			t.Errorf("%s: outcome %q run-complete %v, want %q %v", tt.name, tt.sum.Outcome, tt.sum.RunComplete, tt.outcome, tt.runComplete)
		}
		var out, errOut bytes.Buffer
		if err := tt.sum.Human(&out, &errOut); err != nil {
			t.Fatal(err)
		}
		if out.String() != tt.stdout || errOut.String() != tt.stderr {
			t.Errorf("%s: stdout %q stderr %q, want %q %q", tt.name, out.String(), errOut.String(), tt.stdout, tt.stderr)
		}
	}
}

// A backup that pruned after says what retention did, after its own line.
func TestBackupHumanPrune(t *testing.T) {
	sum := NewBackup(result(catalog.Full, backupjob.NamespaceResult{Namespace: "test", Records: 1}), false, false, time.Second)
	sum.Prune = &Prune{Removed: 2, Kept: 3, Leftovers: make([]PruneDecision, 1)}
	var out, errOut bytes.Buffer
	if err := sum.Human(&out, &errOut); err != nil {
		t.Fatal(err)
	}
	if want := "retention: removed 2 backups and 1 leftover folders, kept 3\n"; !strings.HasSuffix(errOut.String(), want) {
		t.Errorf("stderr %q, want it to end %q", errOut.String(), want)
	}
}

func TestBackupJSON(t *testing.T) {
	sum := NewBackup(result(catalog.Full, backupjob.NamespaceResult{Namespace: "test", Records: 3, Bytes: 10, Files: 1}),
		false, true, 1500*time.Millisecond)
	b, err := json.Marshal(sum)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"type":"backup","outcome":"success","backup":{"key":"nightly/backup/1763719200000"`,
		`"totals":{"byte-count":10,"file-count":1,"record-count":3},"resumed":true,"duration-millis":1500}`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("json %s, want it to hold %s", b, want)
		}
	}
	if strings.Contains(string(b), "run-complete") || strings.Contains(string(b), "prune") {
		t.Errorf("json %s: an unsliced run without prune has neither run-complete nor prune", b)
	}
}

func TestBackupDryRun(t *testing.T) {
	start := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	from := start.Add(-time.Hour)
	tests := []struct {
		name string
		job  backupjob.Job
		want string
	}{
		{"full", backupjob.Job{Routine: "nightly", Type: catalog.Full, Start: start,
			Namespaces: []backupjob.Namespace{{Name: "test"}, {Name: "bar"}}},
			"dry run: would take a full backup of routine \"nightly\"\n" +
				"  test                 all records -> nightly/backup/1795255200000/data/test\n" +
				"  bar                  all records -> nightly/backup/1795255200000/data/bar\n"},
		{"sealed incremental", backupjob.Job{Routine: "nightly", Type: catalog.Incremental, Start: start, Until: start,
			Namespaces: []backupjob.Namespace{{Name: "test", From: from}}},
			"dry run: would take a incremental backup of routine \"nightly\"\n" +
				"  test                 records changed since 2026-11-21T09:00:00Z until 2026-11-21T10:00:00Z -> nightly/incremental/1795255200000/data/test\n"},
		{"continue", backupjob.Job{Routine: "nightly", Type: catalog.Full, Start: start, RunFolder: "run-7",
			Resume: &catalog.ResumeMarker{}, Namespaces: []backupjob.Namespace{{Name: "test"}}},
			"dry run: would continue the interrupted full backup nightly/backup/run-7 of routine \"nightly\"\n" +
				"  test                 all records -> nightly/backup/run-7/data/test\n"},
	}
	for _, tt := range tests {
		d := NewBackupDryRun(&tt.job)
		var out, errOut bytes.Buffer
		if err := d.Human(&out, &errOut); err != nil {
			t.Fatal(err)
		}
		if out.String() != tt.want || errOut.Len() != 0 {
			t.Errorf("%s: stdout\n%s\nstderr %q, want\n%s", tt.name, out.String(), errOut.String(), tt.want)
		}
	}
	d := NewBackupDryRun(&tests[1].job)
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"type":"backup","outcome":"dry-run","dry-run":true,"plan":[{"namespace":"test","type":"incremental",` +
		`"from":"2026-11-21T09:00:00Z","until":"2026-11-21T10:00:00Z","dir":"nightly/incremental/1795255200000/data/test"}],"duration-millis":0}`
	if string(b) != want {
		t.Errorf("json %s, want %s", b, want)
	}
}

func TestEstimate(t *testing.T) {
	e := NewEstimate("nightly", 10000, []backupjob.NamespaceEstimate{{Namespace: "test", Bytes: 3 << 30}, {Namespace: "bar", Bytes: 512}})
	if e.Bytes != 3<<30+512 {
		t.Errorf("total %d", e.Bytes)
	}
	var out, errOut bytes.Buffer
	if err := e.Human(&out, &errOut); err != nil {
		t.Fatal(err)
	}
	want := "estimated size of a full backup of routine \"nightly\" (10000 samples per namespace):\n" +
		"  test                 3.0 GiB\n" +
		"  bar                  512 B\n" +
		"  total                3.0 GiB\n"
	if out.String() != want || errOut.Len() != 0 {
		t.Errorf("stdout\n%s\nstderr %q, want\n%s", out.String(), errOut.String(), want)
	}
}

func TestStreamHuman(t *testing.T) {
	res := backupjob.NamespaceResult{Records: 12, SIndexes: 1, UDFs: 2, Bytes: 2048}
	tests := []struct {
		name string
		s    Stream
		want string
	}{
		{"full", Stream{Type: catalog.Full, Routine: "nightly", Namespace: "test", Result: res, Took: 1234567 * time.Microsecond},
			"full backup of namespace \"test\" (routine \"nightly\") streamed to standard output: 12 records, 1 indexes, 2 UDFs, 2.0 KiB in 1.235s\n"},
		{"incremental", Stream{Type: catalog.Incremental, Routine: "nightly", Namespace: "test",
			From: time.Date(2026, 11, 21, 9, 0, 0, 500, time.UTC), Result: res, Took: time.Second},
			"incremental backup of namespace \"test\" (routine \"nightly\") streamed to standard output: 12 records changed since 2026-11-21T09:00:00.0000005Z, 1 indexes, 2 UDFs, 2.0 KiB in 1s\n"},
	}
	for _, tt := range tests {
		var out, errOut bytes.Buffer
		if err := tt.s.Human(&out, &errOut); err != nil {
			t.Fatal(err)
		}
		if errOut.String() != tt.want || out.Len() != 0 {
			t.Errorf("%s: stderr %q stdout %q, want %q", tt.name, errOut.String(), out.String(), tt.want)
		}
	}
}

// NewStream names the stream's routine, namespace and window.
func TestNewStream(t *testing.T) {
	from := time.UnixMilli(1763712000000).UTC()
	s := &backupjob.Stream{Routine: "nightly", Type: catalog.Incremental, Namespace: backupjob.Namespace{Name: "test", From: from}}
	res := backupjob.NamespaceResult{Records: 3}
	got := NewStream(s, res, time.Second)
	want := Stream{Type: catalog.Incremental, Routine: "nightly", Namespace: "test", From: from, Result: res, Took: time.Second}
	if *got != want {
		t.Fatalf("summary %+v, want %+v", *got, want)
	}
}
