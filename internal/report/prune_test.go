package report

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/plan"
)

func retentionPlan(keepFull int) plan.RetentionPlan {
	old := catalog.Backup{Routine: "r", Type: catalog.Full, Time: t0, Key: "r/backup/1"}
	incr := catalog.Backup{Routine: "r", Type: catalog.Incremental, Time: t0.Add(time.Hour), Key: "r/incremental/2"}
	newest := catalog.Backup{Routine: "r", Type: catalog.Full, Time: t0.Add(24 * time.Hour), Key: "r/backup/3"}
	return plan.RetentionPlan{Keep: plan.Keep{Full: keepFull, Incremental: 0},
		RetentionPlan: catalog.RetentionPlan{KeepFull: keepFull, KeepIncremental: 0, Decisions: []catalog.RetentionDecision{
			{Backup: newest, Keep: true, Reason: "newest full"},
			{Backup: incr, Reason: "incremental of a removed full"},
			{Backup: old, Reason: "older than the 1 newest fulls"},
		}},
		Leftovers: []plan.Leftover{{Incomplete: catalog.Incomplete{Routine: "r", Type: catalog.Full, Path: "r/backup/0"},
			Reason: "leftover"}}}
}

// The report keeps the plan's order, counts what is kept and removed, and
// after the prune marks removed only what was deleted.
func TestPruneMarkRemoved(t *testing.T) {
	sum := NewPrune("r", retentionPlan(1), false)
	if sum.Kept != 1 || sum.Removed != 2 || *sum.KeepFull != 1 {
		t.Fatalf("kept %d removed %d keep-full %v", sum.Kept, sum.Removed, sum.KeepFull)
	}
	sum.MarkRemoved(catalog.PruneResult{Removed: []string{"r/backup/1"}, Leftovers: []string{"r/backup/0"}})
	var got []string
	for _, d := range append(sum.Decisions, sum.Leftovers...) {
		got = append(got, d.Action+" "+d.Key)
	}
	if want := "keep r/backup/3,remove r/incremental/2,removed r/backup/1,removed r/backup/0"; strings.Join(got, ",") != want {
		t.Errorf("actions %q, want %s", got, want)
	}
}

func TestPruneHuman(t *testing.T) {
	table := "ACTION  CREATED                   TYPE         KEY              REASON\n" +
		"keep    2026-11-22T10:00:00.000Z  full         r/backup/3       newest full\n" +
		"remove  2026-11-21T11:00:00.000Z  incremental  r/incremental/2  incremental of a removed full\n" +
		"remove  2026-11-21T10:00:00.000Z  full         r/backup/1       older than the 1 newest fulls\n" +
		"remove  -                         full         r/backup/0       leftover\n"
	tests := []struct {
		name           string
		sum            *Prune
		stdout, stderr string
	}{
		{"dry run", NewPrune("r", retentionPlan(1), true), table,
			"routine \"r\": would remove 2 backups and 1 leftover folders, keeping 1\n"},
		{"applied", NewPrune("r", retentionPlan(1), false), table,
			"routine \"r\": removed 2 backups and 1 leftover folders, keeping 1\n"},
		{"nothing", NewPrune("r", plan.RetentionPlan{Keep: plan.Keep{Full: 1}}, false), "", "routine \"r\": no backups\n"},
	}
	for _, tt := range tests {
		var out, errOut bytes.Buffer
		if err := tt.sum.Human(&out, &errOut); err != nil {
			t.Fatal(err)
		}
		if out.String() != tt.stdout || errOut.String() != tt.stderr {
			t.Errorf("%s: stdout\n%s\nstderr %q, want\n%s\nstderr %q", tt.name, out.String(), errOut.String(), tt.stdout, tt.stderr)
		}
	}
}

// A policy without a full count keeps every full: keep-full is left out;
// no decisions are [] rather than null.
func TestPruneJSON(t *testing.T) {
	b, err := json.Marshal(NewPrune("r", plan.RetentionPlan{Keep: plan.Keep{Full: math.MaxInt}}, true))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"type":"retention-prune","routine":"r","dry-run":true,"keep-incremental":0,"rule":"","decisions":[],"removed":0,"kept":0}`
	if string(b) != want {
		t.Errorf("json %s, want %s", b, want)
	}
}

// Calendar rules replace the counts in the document; each decision
// carries the rules that keep it, and a stale pin is a leftover.
func TestPruneCalendarJSON(t *testing.T) {
	berlin := time.FixedZone("CET", 3600)
	cal := &catalog.CalendarPolicy{Daily: 7, Yearly: -1, Location: berlin}
	p := retentionPlan(1)
	p.Keep = plan.Keep{Calendar: cal, Reason: "calendar rules keep-daily 7, keep-yearly -1 (the flags)"}
	p.Decisions[0].Rules = []string{"daily #1 (2026-11-22)", "yearly #1 (2026)"}
	p.StalePins = []catalog.Pin{{Key: "r/backup/9", Path: "r/.pins/backup/9.yaml", PinnedAt: t0}}
	sum := NewPrune("r", p, true)
	sum.MarkRemoved(catalog.PruneResult{Pins: []string{"r/.pins/backup/9.yaml"}})
	b, err := json.Marshal(sum)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`"calendar":{"keep-daily":7,"keep-yearly":-1,"time-zone":"CET"},"rule":"calendar rules keep-daily 7, keep-yearly -1 (the flags)"`,
		`"rules":["daily #1 (2026-11-22)","yearly #1 (2026)"]`,
		`{"action":"removed","key":"r/.pins/backup/9.yaml","type":"pin",`,
	} {
		if !strings.Contains(string(b), want) {
			t.Errorf("json %s\nlacks %s", b, want)
		}
	}
	if strings.Contains(string(b), "keep-full") || strings.Contains(string(b), "keep-incremental") {
		t.Errorf("calendar prune reports counts: %s", b)
	}
}
