package catalog

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// bk builds an in-memory run: kind "F" (full) or "I" (incremental) at
// time at (ms), from (ms; ignored for fulls), for the namespaces given
// (default "test").
func bk(kind string, at, from int64, namespaces ...string) Backup {
	typ := Full
	var f time.Time
	if kind == "I" {
		typ, f = Incremental, ms(from)
	}
	if len(namespaces) == 0 {
		namespaces = []string{"test"}
	}
	b := Backup{Routine: "r", Type: typ, Time: ms(at), Key: RunDir("r", typ, ms(at))}
	for _, ns := range namespaces {
		b.Namespaces = append(b.Namespaces, NamespaceBackup{
			Namespace: ns, Dir: NamespaceDir(b.Key, ns),
			Metadata: Metadata{Created: ms(at), Finished: ms(at + 5), From: f, Namespace: ns},
		})
	}
	return b
}

func TestIncrementalBase(t *testing.T) {
	tests := []struct {
		name           string
		backups        []Backup
		ns             string
		want, wantCumu int64
		ok             bool
	}{
		{name: "no backups", ns: "test"},
		{name: "only incrementals", backups: []Backup{bk("I", 100, 50)}, ns: "test"},
		{name: "one full", backups: []Backup{bk("F", 100, 0)}, ns: "test", want: 100, wantCumu: 100, ok: true},
		{name: "full then incrementals", backups: []Backup{bk("F", 100, 0), bk("I", 200, 100), bk("I", 300, 200)}, ns: "test", want: 300, wantCumu: 100, ok: true},
		{name: "unsorted input", backups: []Backup{bk("I", 300, 200), bk("F", 100, 0), bk("I", 200, 100)}, ns: "test", want: 300, wantCumu: 100, ok: true},
		{name: "incrementals before the last full are ignored", backups: []Backup{bk("F", 100, 0), bk("I", 200, 100), bk("F", 250, 0)}, ns: "test", want: 250, wantCumu: 250, ok: true},
		{name: "full and incremental same millisecond", backups: []Backup{bk("I", 100, 50), bk("F", 100, 0)}, ns: "test", want: 100, wantCumu: 100, ok: true},
		// The last full failed for "bar": its base is its own last full.
		{name: "partial full", backups: []Backup{bk("F", 100, 0, "test", "bar"), bk("I", 150, 100, "test", "bar"), bk("F", 200, 0, "test")}, ns: "bar", want: 150, wantCumu: 100, ok: true},
		{name: "other namespace only", backups: []Backup{bk("F", 100, 0, "bar")}, ns: "test"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := IncrementalBase(tt.backups, tt.ns)
			if ok != tt.ok || (ok && !got.Equal(ms(tt.want))) {
				t.Errorf("IncrementalBase = %v, %v; want %v, %v", got, ok, ms(tt.want), tt.ok)
			}
			got, ok = CumulativeBase(tt.backups, tt.ns)
			if ok != tt.ok || (ok && !got.Equal(ms(tt.wantCumu))) {
				t.Errorf("CumulativeBase = %v, %v; want %v, %v", got, ok, ms(tt.wantCumu), tt.ok)
			}
		})
	}
}

func TestPointInTime(t *testing.T) {
	chain := []Backup{
		bk("F", 100, 0),
		bk("I", 200, 100),
		bk("I", 300, 200),
		bk("F", 400, 0),
		bk("I", 500, 400),
		bk("I", 700, 600), // gap: 500..600 is in no backup
		bk("I", 800, 400), // cumulative: overlaps, no gap
	}
	tests := []struct {
		name     string
		backups  []Backup
		at       int64
		steps    string // keys' times in order
		recovery int64
		warnings int
		noFull   bool
	}{
		{name: "before any full", backups: chain, at: 99, noFull: true},
		{name: "exactly the first full", backups: chain, at: 100, steps: "F100", recovery: 100},
		{name: "between incrementals", backups: chain, at: 250, steps: "F100 I200", recovery: 200},
		{name: "end of first chain", backups: chain, at: 399, steps: "F100 I200 I300", recovery: 300},
		{name: "second full replaces chain", backups: chain, at: 450, steps: "F400", recovery: 400},
		{name: "gap is reported", backups: chain, at: 750, steps: "F400 I500 I700", recovery: 700, warnings: 1},
		{name: "latest", backups: chain, at: 10_000, steps: "F400 I500 I700 I800", recovery: 800, warnings: 1},
		{name: "no backups", at: 10_000, noFull: true},
		{name: "incrementals only", backups: []Backup{bk("I", 200, 100)}, at: 300, noFull: true},
		{name: "other namespace", backups: []Backup{bk("F", 100, 0, "bar")}, at: 300, noFull: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan, err := PointInTime(tt.backups, "test", ms(tt.at))
			if tt.noFull {
				if !errors.Is(err, ErrNoFullBackup) {
					t.Fatalf("err = %v, want ErrNoFullBackup", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, s := range plan.Links {
				k := "F"
				if s.Type == Incremental {
					k = "I"
				}
				got = append(got, k+itoa(s.Metadata.Created.UnixMilli()))
				if s.Namespace != "test" || s.Dir != NamespaceDir(s.Key, "test") {
					t.Errorf("step %+v", s)
				}
			}
			if strings.Join(got, " ") != tt.steps {
				t.Errorf("steps = %v, want %s", got, tt.steps)
			}
			if !plan.RecoveryPoint.Equal(ms(tt.recovery)) {
				t.Errorf("recovery point = %v, want %v", plan.RecoveryPoint, ms(tt.recovery))
			}
			if len(plan.Warnings) != tt.warnings {
				t.Errorf("warnings = %q, want %d", plan.Warnings, tt.warnings)
			}
			for _, w := range plan.Warnings {
				if !strings.Contains(w, "r/incremental/700") || !strings.Contains(w, "r/incremental/500") {
					t.Errorf("warning does not name both backups: %s", w)
				}
			}
		})
	}
}

func itoa(v int64) string { return RunFolderName(time.UnixMilli(v)) }
