package restoresource

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	as "github.com/aerospike/aerospike-client-go/v8"

	"github.com/aerobackup/aerobackup/internal/plan"
	"github.com/aerobackup/aerobackup/internal/policy"
	"github.com/aerobackup/aerobackup/internal/records"
)

// checkRefused fails unless err is nil when want is "", else a refusal
// (a usage error to outcome) whose message holds want.
func checkRefused(t *testing.T, err error, want string) {
	t.Helper()
	if want == "" {
		if err != nil {
			t.Fatalf("err = %v, want none", err)
		}
		return
	}
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("err = %v, want one saying %q", err, want)
	}
	if !errors.As(err, new(*plan.RefusedError)) && !errors.As(err, new(*policy.InvalidError)) {
		t.Fatalf("err = %T %v: not a refusal before anything is read", err, err)
	}
}

func ask(mut func(*Ask)) Ask {
	a := Ask{Options: policy.DefaultRestoreOptions()}
	if mut != nil {
		mut(&a)
	}
	return a
}

var oneKey = records.Spec{Keys: []string{"k1"}, KeyType: "string", Set: "users"}

func TestAskRead(t *testing.T) {
	cases := []struct {
		name     string
		ask      Ask
		want     string
		selected bool
	}{
		{"defaults", ask(nil), "", false},
		{"bad map", ask(func(a *Ask) { a.NamespaceMap = []string{"nodest"} }), "nodest", false},
		{"bad options", ask(func(a *Ask) { a.Options.Unique, a.Options.Replace = true, true }), "unique", false},
		{"bad selection", ask(func(a *Ask) { a.Records = records.Spec{Digests: []string{"zz"}} }), "zz", false},
		{"records with validate", ask(func(a *Ask) { a.Records, a.Options.ValidateOnly = oneKey, true }), "--validate checks whole backups", false},
		{"records", ask(func(a *Ask) { a.Records = oneKey }), "", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := c.ask.Read()
			checkRefused(t, err, c.want)
			if err == nil && (s.Only != nil) != c.selected {
				t.Fatalf("selection = %v, want selected %v", s.Only, c.selected)
			}
		})
	}
}

func TestRestoreAskRequest(t *testing.T) {
	rel := filepath.Join("some", "folder")
	abs, err := filepath.Abs(rel)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name           string
		ra             RestoreAsk
		want, wantPath string
		wantKey        string
	}{
		{"backup key", RestoreAsk{Ask: ask(nil), Backup: "daily/backup/1763712000000"}, "", "", "daily/backup/1763712000000"},
		{"bad backup key", RestoreAsk{Ask: ask(nil), Backup: "nonsense"}, "take a key from 'aerobackup list'", "", ""},
		{"relative path", RestoreAsk{Ask: ask(nil), Path: rel}, "", abs, ""},
		{"stream", RestoreAsk{Ask: ask(nil), Path: "-"}, "", "-", ""},
		{"records from a stream", RestoreAsk{Ask: ask(func(a *Ask) { a.Records = oneKey }), Path: "-"}, "not --path - (standard input)", "", ""},
		{"shared flags first", RestoreAsk{Ask: ask(func(a *Ask) { a.NamespaceMap = []string{"x"} }), Backup: "nonsense"}, `"x"`, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, _, err := c.ra.Request()
			checkRefused(t, err, c.want)
			if err != nil {
				return
			}
			key := ""
			if req.Key.Routine != "" {
				key = req.Key.String()
			}
			if req.Path != c.wantPath || key != c.wantKey {
				t.Fatalf("path %q key %q, want %q %q", req.Path, key, c.wantPath, c.wantKey)
			}
		})
	}
}

func TestRestoreAskRecordsReplaceWhole(t *testing.T) {
	req, only, err := RestoreAsk{Ask: ask(func(a *Ask) { a.Records = oneKey }), Backup: "daily/backup/1763712000000"}.Request()
	if err != nil || only == nil {
		t.Fatalf("Request: %v, %v", only, err)
	}
	if w := req.Base.WritePolicy; w == nil || w.RecordExistsAction != as.REPLACE {
		t.Fatalf("write policy %+v, want REPLACE for selected records", w)
	}
}

func TestPointInTimeAskRequest(t *testing.T) {
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		name, want string
		pa         PointInTimeAsk
		at         time.Time
	}{
		{"relative time", "", PointInTimeAsk{Ask: ask(nil), At: "2h ago"}, now.Add(-2 * time.Hour)},
		{"bad time", "--time \"soon\"", PointInTimeAsk{Ask: ask(nil), At: "soon"}, time.Time{}},
		{"unique oldest first", "--unique with --disable-reordering", PointInTimeAsk{Ask: ask(func(a *Ask) { a.Options.Unique = true }),
			At: "now", DisableReordering: true}, time.Time{}},
		{"time before the shared flags", "--time", PointInTimeAsk{Ask: ask(func(a *Ask) { a.NamespaceMap = []string{"x"} }), At: "soon"}, time.Time{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, _, err := c.pa.Request(now)
			checkRefused(t, err, c.want)
			if err == nil && !req.At.Equal(c.at) {
				t.Fatalf("at %v, want %v", req.At, c.at)
			}
		})
	}
	a := ask(func(a *Ask) { a.Records, a.Namespaces, a.Options.SupersededMiB = oneKey, []string{"test"}, 7 })
	req, only, err := PointInTimeAsk{Ask: a, At: "now"}.Request(now)
	if err != nil || only == nil || !req.Records || req.SupersededMiB != 7 || len(req.Namespaces) != 1 || req.Base == nil {
		t.Fatalf("request %+v, selection %v, err %v", req, only, err)
	}
}

// A --path that is no folder is refused before anything else is done.
func TestCheckFolder(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct{ name, path, want string }{
		{"folder", dir, ""},
		{"stream", "-", ""},
		{"missing folder", filepath.Join(dir, "absent"), "not a folder"},
	} {
		t.Run(c.name, func(t *testing.T) {
			checkRefused(t, checkFolder(c.path), c.want)
		})
	}
}
