package catalog

import (
	"strings"
	"testing"
)

func label(b Backup) string {
	k := "F"
	if b.Type == Incremental {
		k = "I"
	}
	return b.Routine + ":" + k + RunFolderName(b.Time)
}

func TestPlanRetention(t *testing.T) {
	// Three chains: F100 I110 I120 | F200 I210 | F300 I310 I320
	chains := []Backup{
		bk("F", 100, 0), bk("I", 110, 100), bk("I", 120, 110),
		bk("F", 200, 0), bk("I", 210, 200),
		bk("F", 300, 0), bk("I", 310, 300), bk("I", 320, 310),
	}
	other := bk("F", 150, 0)
	other.Routine, other.Key = "other", RunDir("other", Full, other.Time)
	otherOld := bk("F", 50, 0)
	otherOld.Routine, otherOld.Key = "other", RunDir("other", Full, otherOld.Time)

	tests := []struct {
		name       string
		backups    []Backup
		full, incr int
		remove     string // labels, oldest first
		wantErr    bool
	}{
		{name: "zero full refused", backups: chains, full: 0, incr: 0, wantErr: true},
		{name: "negative incremental refused", backups: chains, full: 1, incr: -1, wantErr: true},
		{name: "keep everything", backups: chains, full: 3, incr: 3, remove: ""},
		{name: "keep more than exist", backups: chains, full: 10, incr: 10, remove: ""},
		{name: "last chain only", backups: chains, full: 1, incr: 1,
			remove: "r:F100 r:I110 r:I120 r:F200 r:I210"},
		{name: "two fulls, incrementals of the last", backups: chains, full: 2, incr: 1,
			remove: "r:F100 r:I110 r:I120 r:I210"},
		{name: "two fulls, incrementals of both", backups: chains, full: 2, incr: 2,
			remove: "r:F100 r:I110 r:I120"},
		{name: "no incrementals", backups: chains, full: 3, incr: 0,
			remove: "r:I110 r:I120 r:I210 r:I310 r:I320"},
		// keep-incremental above keep-full is capped: I110/I120 would
		// lose F100.
		{name: "incremental count capped at full count", backups: chains, full: 2, incr: 5,
			remove: "r:F100 r:I110 r:I120"},
		{name: "fewer fulls than incremental count keeps all incrementals", backups: []Backup{bk("I", 50, 40), bk("F", 100, 0), bk("I", 110, 100)}, full: 3, incr: 3,
			remove: ""},
		{name: "routines are planned apart", backups: append([]Backup{other, otherOld}, chains...), full: 1, incr: 1,
			remove: "other:F50 r:F100 r:I110 r:I120 r:F200 r:I210"},
		{name: "empty catalog", full: 1, incr: 1, remove: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan, err := PlanRetention(tt.backups, tt.full, tt.incr)
			if tt.wantErr {
				if err == nil {
					t.Fatal("policy accepted")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var removed []string
			for _, b := range plan.Remove() {
				removed = append(removed, label(b))
			}
			removedSorted := sortedByTime(plan.Remove())
			if strings.Join(removedSorted, " ") != tt.remove {
				t.Errorf("remove = %v, want %s", removed, tt.remove)
			}
			if len(plan.Decisions) != len(tt.backups) {
				t.Errorf("%d decisions for %d backups", len(plan.Decisions), len(tt.backups))
			}
			checkInvariants(t, plan)
		})
	}
}

// sortedByTime lists labels oldest first across routines.
func sortedByTime(bs []Backup) []string {
	SortBackups(bs)
	var out []string
	for _, b := range bs {
		out = append(out, label(b))
	}
	return out
}

// checkInvariants: every decision has a reason; the newest full of each
// routine is kept; every kept incremental has a kept full before it.
func checkInvariants(t *testing.T, plan RetentionPlan) {
	t.Helper()
	newestFull := map[string]Backup{}
	for _, d := range plan.Decisions {
		if d.Reason == "" {
			t.Errorf("%s: no reason", label(d.Backup))
		}
		if d.Backup.Type == Full {
			if n, ok := newestFull[d.Backup.Routine]; !ok || d.Backup.Time.After(n.Time) {
				newestFull[d.Backup.Routine] = d.Backup
			}
		}
	}
	for _, d := range plan.Decisions {
		b := d.Backup
		if b.Type == Full && b.Time.Equal(newestFull[b.Routine].Time) && !d.Keep {
			t.Errorf("newest full %s removed", label(b))
		}
		if b.Type != Incremental || !d.Keep {
			continue
		}
		hasFull, hasKeptFull := false, false
		for _, e := range plan.Decisions {
			if e.Backup.Routine == b.Routine && e.Backup.Type == Full && !e.Backup.Time.After(b.Time) {
				hasFull = true
				hasKeptFull = hasKeptFull || e.Keep
			}
		}
		if hasFull && !hasKeptFull {
			t.Errorf("kept incremental %s lost its full", label(b))
		}
	}
}

func TestPlanRetentionReasons(t *testing.T) {
	plan, err := PlanRetention([]Backup{bk("F", 100, 0), bk("I", 110, 100), bk("F", 200, 0), bk("I", 210, 200)}, 1, 3)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		label string
		keep  bool
		has   string
	}{
		{"r:I210", true, "capped"},
		{"r:F200", true, "newest full"},
		{"r:I110", false, "not after full #1"},
		{"r:F100", false, "older than the 1 newest"},
	}
	for i, w := range want {
		d := plan.Decisions[i]
		if label(d.Backup) != w.label || d.Keep != w.keep || !strings.Contains(d.Reason, w.has) {
			t.Errorf("decision %d = %s keep=%v %q; want %s keep=%v containing %q", i, label(d.Backup), d.Keep, d.Reason, w.label, w.keep, w.has)
		}
	}
	if got := len(plan.Kept()); got != 2 {
		t.Errorf("Kept() = %d backups", got)
	}
	// Remove() is oldest first.
	if rm := plan.Remove(); len(rm) != 2 || label(rm[0]) != "r:F100" {
		t.Errorf("Remove() order = %v", rm)
	}
}
