package plan

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/config"
	"github.com/aerobackup/aerobackup/internal/timeflag"
)

func TestRetentionCounts(t *testing.T) {
	tests := []struct {
		name    string
		policy  *config.RetentionPolicy
		over    KeepOverride
		want    Keep
		wantErr string // a usage error holding this
	}{
		{name: "no policy, no flags", wantErr: "no retention policy"},
		{name: "empty retention", policy: &config.RetentionPolicy{}, wantErr: "refusing to guess"},
		{name: "policy", policy: &config.RetentionPolicy{Full: ptr(3), Incremental: ptr(1)},
			want: Keep{Full: 3, Incremental: 1, Reason: "keep the 3 newest fulls (the policy) and the incrementals of the newest full (the policy)"}},
		{name: "policy full only keeps incrementals of kept fulls", policy: &config.RetentionPolicy{Full: ptr(3)},
			want: Keep{Full: 3, Incremental: 3, Reason: "keep the 3 newest fulls (the policy) and the incrementals of every kept full (no incremental count)"}},
		{name: "policy incremental only keeps every full", policy: &config.RetentionPolicy{Incremental: ptr(0)},
			want: Keep{Full: math.MaxInt, Incremental: 0, Reason: "keep every full (no full count) and no incrementals (the policy)"}},
		{name: "flags override", policy: &config.RetentionPolicy{Full: ptr(3), Incremental: ptr(1)}, over: KeepOverride{Full: ptr(5), Incremental: ptr(2)},
			want: Keep{Full: 5, Incremental: 2, Reason: "keep the 5 newest fulls (--keep-full) and the incrementals of the 2 newest fulls (--keep-incremental)"}},
		{name: "one flag over the policy", policy: &config.RetentionPolicy{Full: ptr(3), Incremental: ptr(1)}, over: KeepOverride{Incremental: ptr(2)},
			want: Keep{Full: 3, Incremental: 2, Reason: "keep the 3 newest fulls (the policy) and the incrementals of the 2 newest fulls (--keep-incremental)"}},
		{name: "flags without policy", over: KeepOverride{Full: ptr(2)},
			want: Keep{Full: 2, Incremental: 2, Reason: "keep the 2 newest fulls (--keep-full) and the incrementals of every kept full (no incremental count)"}},
		{name: "zero fulls refused", over: KeepOverride{Full: ptr(0)}, wantErr: `routine "r": keep-full 0 would delete every full backup`},
		{name: "negative incrementals refused", over: KeepOverride{Full: ptr(1), Incremental: ptr(-1)}, wantErr: "keep-incremental must not be negative, got -1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := RetentionCounts("r", tt.policy, tt.over)
			if tt.wantErr != "" {
				if exitOf(err) != "usage" || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want a usage error with %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("= %+v, %v\nwant %+v", got, err, tt.want)
			}
		})
	}
}

// retention prune and backup --prune plan alike: each backup and each
// leftover folder gets its decision and reason.
func TestRetention(t *testing.T) {
	bs := []catalog.Backup{full(1000, "test"), incr(1500, 1000, "test"), full(2000, "test"), incr(2500, 2000, "test"), full(3000, "test")}
	old := catalog.Incomplete{Routine: "r", Type: catalog.Full, Time: ms(1200), Path: "r/backup/1200/data/test", Run: "r/backup/1200",
		Reason: "no metadata.yaml (failed, interrupted or still running)"}
	recent := catalog.Incomplete{Routine: "r", Type: catalog.Full, Time: ms(3500), Path: "r/backup/3500/data/test", Run: "r/backup/3500",
		Reason: "no metadata.yaml (failed, interrupted or still running)"}
	keep := Keep{Full: 2, Incremental: 1, Reason: "keep the 2 newest fulls (--keep-full) ..."}
	p, err := Retention(listing(bs, old, recent), keep)
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		key    string
		keep   bool
		reason string
	}
	var got []row
	for _, d := range p.Decisions {
		got = append(got, row{d.Backup.Key, d.Keep, d.Reason})
	}
	for _, d := range got {
		if d.reason == "" {
			t.Errorf("%s: no reason", d.key)
		}
	}
	removed := map[string]bool{}
	for _, b := range p.Remove() {
		removed[b.Key] = true
	}
	wantRemoved := map[string]bool{"r/backup/1000": true, "r/incremental/1500": true, "r/incremental/2500": true}
	if len(removed) != len(wantRemoved) {
		t.Errorf("removed %v, want %v (decisions %+v)", removed, wantRemoved, got)
	}
	for k := range wantRemoved {
		if !removed[k] {
			t.Errorf("%s kept, want removed (decisions %+v)", k, got)
		}
	}
	if p.Keep != keep {
		t.Errorf("Keep = %+v", p.Keep)
	}
	// Only the leftover older than the newest full goes: a newer one may be
	// a backup still running.
	if len(p.Leftovers) != 1 || p.Leftovers[0].Path != old.Path ||
		p.Leftovers[0].Reason != "incomplete (no metadata.yaml (failed, interrupted or still running)) and older than the newest full: leftover of a failed backup or an interrupted prune" {
		t.Errorf("leftovers = %+v", p.Leftovers)
	}
	if lf := p.LeftoverFolders(); len(lf) != 1 || lf[0] != old {
		t.Errorf("LeftoverFolders = %+v", lf)
	}

	if _, err := Retention(listing(bs), Keep{Full: 0}); exitOf(err) != "usage" {
		t.Errorf("keep-full 0: %v, want a usage error", err)
	}
}

// RetentionKeep picks the calendar flags, else the count flags, else the
// policy's calendar settings (in place of its ABS counts), else the
// counts; mixing and keeping nothing are usage errors.
func TestRetentionKeep(t *testing.T) {
	twoD := "2d"
	cal := &config.CalendarRetention{KeepDaily: ptr(7), KeepWithin: &twoD}
	cal.Within, _ = timeflag.ParseSpan(twoD)
	counts := &config.RetentionPolicy{Full: ptr(3), Incremental: ptr(1)}
	tests := []struct {
		name    string
		pol     config.BackupPolicy
		over    KeepOverride
		full    int    // the count rule's full count, 0 for calendar rules
		rules   string // the calendar rules
		reason  string
		wantErr string
	}{
		{name: "ABS counts", pol: config.BackupPolicy{Retention: counts}, full: 3,
			reason: "keep the 3 newest fulls (the policy) and the incrementals of the newest full (the policy)"},
		{name: "calendar settings replace the counts", pol: config.BackupPolicy{Name: "p", Retention: counts, Calendar: cal},
			rules:  "keep-daily 7, keep-within 2d",
			reason: "calendar rules keep-daily 7, keep-within 2d (aerobackup.backup-policies.p, in place of its ABS retention)"},
		{name: "calendar flags replace the settings", pol: config.BackupPolicy{Calendar: cal},
			over:  KeepOverride{Calendar: &CalendarFlags{Last: 2, Yearly: -1, Within: "1y6m"}},
			rules: "keep-last 2, keep-yearly -1, keep-within 1y6m", reason: "calendar rules keep-last 2, keep-yearly -1, keep-within 1y6m (the flags)"},
		{name: "count flags over calendar settings", pol: config.BackupPolicy{Calendar: cal}, over: KeepOverride{Full: ptr(2)}, full: 2,
			reason: "keep the 2 newest fulls (--keep-full) and the incrementals of every kept full (no incremental count)"},
		{name: "mixed flags", over: KeepOverride{Full: ptr(2), Calendar: &CalendarFlags{Daily: 1}}, wantErr: "do not mix"},
		{name: "every flag zero", pol: config.BackupPolicy{Retention: counts}, over: KeepOverride{Calendar: &CalendarFlags{}},
			wantErr: `routine "r": retention: every keep rule is zero`},
		{name: "below -1", over: KeepOverride{Calendar: &CalendarFlags{Weekly: -3}}, wantErr: "keep-weekly must be -1"},
		{name: "bad span", over: KeepOverride{Calendar: &CalendarFlags{Within: "soon"}}, wantErr: `--keep-within: span "soon"`},
		{name: "nothing at all", wantErr: "no retention policy"},
	}
	berlin := time.FixedZone("X", 3600)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := RetentionKeep("r", &tt.pol, tt.over, berlin)
			if tt.wantErr != "" {
				if exitOf(err) != "usage" || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want a usage error with %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got.Reason != tt.reason {
				t.Fatalf("= %+v, %v; want reason %q", got, err, tt.reason)
			}
			if tt.rules == "" && (got.Calendar != nil || got.Full != tt.full) {
				t.Errorf("counts %+v, want full %d and no calendar", got, tt.full)
			}
			if tt.rules != "" && (got.Calendar == nil || got.Calendar.Rules() != tt.rules || got.Calendar.Location != berlin) {
				t.Errorf("calendar %+v, want %s in the zone given", got.Calendar, tt.rules)
			}
		})
	}
}

// The calendar rules and the pins reach the plan.
func TestRetentionCalendarAndPins(t *testing.T) {
	bs := []catalog.Backup{full(1000, "test"), incr(1500, 1000, "test"), full(2000, "test"), full(3000, "test")}
	l := listing(bs)
	l.Pins = map[string]catalog.Pin{"r/incremental/1500": {Reason: "x"}, "r/backup/9": {Key: "r/backup/9"}}
	for _, keep := range []Keep{{Calendar: &catalog.CalendarPolicy{Last: 1}}, {Full: 1, Incremental: 1}} {
		p, err := Retention(l, keep)
		if err != nil {
			t.Fatal(err)
		}
		var removed []string
		for _, b := range p.Remove() {
			removed = append(removed, b.Key)
		}
		if strings.Join(removed, " ") != "r/backup/2000" || len(p.StalePins) != 1 {
			t.Errorf("%+v: removed %v, stale pins %+v; want r/backup/2000 and one", keep, removed, p.StalePins)
		}
	}
}
