package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aerobackup/aerobackup/internal/restorejob"
)

// The restore summary's human line: totals on stderr, refusals only when
// there are some, a validation's own wording; nothing without totals.
func TestRestoreSummaryHuman(t *testing.T) {
	counts := &restorejob.Counts{Read: 10, Inserted: 7, Existed: 2, Fresher: 1, SIndexes: 1, UDFs: 2, BytesRead: 900}
	refused := *counts
	refused.Refused = 3
	// newest first: 4 older versions answered client-side, none sent
	superseded := restorejob.Counts{Read: 14, Inserted: 7, Existed: 2, Superseded: 4, Fresher: 1}
	tests := []struct {
		name string
		sum  Restore
		want string
	}{
		{"restore", Restore{Outcome: "success", Totals: counts, DurationMs: 1500},
			"restore success: 10 records read, 7 written, 2 already present, 1 older than the cluster's, 0 expired, 0 skipped, 1 indexes, 2 UDFs in 1.5s\n"},
		{"refused", Restore{Outcome: "failed", Totals: &refused},
			"restore failed: 10 records read, 7 written, 2 already present, 1 older than the cluster's, 0 expired, 0 skipped, 3 refused by the server, 1 indexes, 2 UDFs in 0s\n"},
		{"superseded", Restore{Outcome: "success", Totals: &superseded},
			"restore success: 14 records read, 7 written, 2 already present, 4 superseded versions skipped (not sent), 1 older than the cluster's, 0 expired, 0 skipped, 0 indexes, 0 UDFs in 0s\n"},
		{"validate", Restore{Outcome: "success", Validate: true, Totals: counts, DurationMs: 20,
			Result: &restorejob.Result{Steps: make([]restorejob.StepResult, 2)}},
			"validate success: 10 records found, 1 indexes, 2 UDFs, 900 bytes read in 20ms, 2 backups checked (nothing written)\n"},
		{"no totals", Restore{Outcome: "failed"}, ""},
	}
	for _, tt := range tests {
		var out, errOut bytes.Buffer
		if err := tt.sum.Human(&out, &errOut); err != nil {
			t.Fatal(err)
		}
		if errOut.String() != tt.want || out.Len() != 0 {
			t.Errorf("%s: stderr %q stdout %q, want stderr %q", tt.name, errOut.String(), out.String(), tt.want)
		}
	}
}

// A dry run lists the steps by destination namespace, numbered in that
// order, on stdout; its --json form is a restore summary of outcome
// "dry-run".
func TestRestoreDryRun(t *testing.T) {
	chains := []restorejob.Chain{
		{Namespace: "test", Steps: []restorejob.Step{{Label: "r/backup/1", Source: "test", Destination: "test", ExpectedRecords: 5}}},
		{Namespace: "copy", Steps: []restorejob.Step{{Label: "r/backup/1", Source: "bar", Destination: "copy", ExpectedRecords: 2}}},
	}
	d := NewRestoreDryRun(chains, "UPDATE")
	var out, errOut bytes.Buffer
	if err := d.Human(&out, &errOut); err != nil {
		t.Fatal(err)
	}
	want := "dry run: would restore, in this order:\n" +
		"   1. r/backup/1  bar -> copy  (2 records, UPDATE)\n" +
		"   2. r/backup/1  test -> test  (5 records, UPDATE)\n"
	if out.String() != want || errOut.Len() != 0 {
		t.Errorf("stdout %q stderr %q, want %q", out.String(), errOut.String(), want)
	}
	var doc map[string]any
	b, _ := json.Marshal(d)
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if doc["type"] != "restore" || doc["outcome"] != "dry-run" || doc["dry-run"] != true || doc["write-policy"] != "UPDATE" ||
		len(doc["plan"].([]any)) != 2 || !strings.Contains(string(b), `"duration-millis":0`) {
		t.Errorf("--json document %s", b)
	}
}

// The outcome follows the job's error, and whether the run was cancelled;
// totals come from whatever the job read.
func TestNewRestore(t *testing.T) {
	res := &restorejob.Result{Steps: []restorejob.StepResult{{}, {}}}
	res.Steps[0].Inserted, res.Steps[1].Inserted = 3, 4
	boom := errors.New("boom")
	for _, tt := range []struct {
		name        string
		res         *restorejob.Result
		err         error
		interrupted bool
		outcome     string
		inserted    int64
	}{
		{"success", res, nil, false, "success", 7},
		{"failed", res, boom, false, "failed", 7},
		{"interrupted", res, boom, true, "interrupted", 7},
		{"cancelled after success", res, nil, true, "success", 7},
		{"nothing read", nil, boom, false, "failed", -1},
	} {
		s := NewRestore(tt.res, tt.err, tt.interrupted)
		if s.Type != "restore" || s.Outcome != tt.outcome {
			t.Errorf("%s: type %q outcome %q, want restore %q", tt.name, s.Type, s.Outcome, tt.outcome)
		}
		if tt.inserted < 0 && s.Totals != nil || tt.inserted >= 0 && (s.Totals == nil || s.Totals.Inserted != uint64(tt.inserted)) {
			t.Errorf("%s: totals %+v, want %d inserted", tt.name, s.Totals, tt.inserted)
		}
	}
}

// restore-at-timestamp's summary carries the recovery point it reached.
func TestRestoreJSONRecoveryPoint(t *testing.T) {
	at := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	s := NewRestore(&restorejob.Result{Steps: []restorejob.StepResult{}}, nil, false)
	s.WritePlan, s.Recovery, s.DurationMs = "per step", &at, 5
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"write-policy":"per step","result":{"steps":[]},"totals":{`) ||
		!strings.HasSuffix(string(b), `"recovery-point":"2026-11-21T10:00:00Z","duration-millis":5}`) {
		t.Errorf("json %s", b)
	}
}

// The --json totals and steps name the superseded versions skipped apart
// from the records already present.
func TestRestoreJSONSuperseded(t *testing.T) {
	res := &restorejob.Result{Steps: []restorejob.StepResult{{Counts: restorejob.Counts{Read: 5, Inserted: 5}},
		{Counts: restorejob.Counts{Read: 5, Inserted: 1, Existed: 1, Superseded: 3}}}}
	b, err := json.Marshal(NewRestore(res, nil, false))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Totals map[string]any `json:"totals"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Totals["records-superseded"] != 3.0 || doc.Totals["records-existed"] != 1.0 || doc.Totals["records-inserted"] != 6.0 {
		t.Errorf("totals %v, want 3 superseded, 1 existed, 6 inserted", doc.Totals)
	}
	if !strings.Contains(string(b), `"records-existed":1,"records-superseded":3,`) {
		t.Errorf("step counts in %s", b)
	}
}
