package plan

import (
	"math"
	"strings"
	"testing"

	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/config"
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
