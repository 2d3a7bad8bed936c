package apply

import (
	"errors"
	"strings"
	"testing"

	"github.com/aerobackup/aerobackup/internal/backupslice"
	"github.com/aerobackup/aerobackup/internal/lock"
	"github.com/aerobackup/aerobackup/internal/plan"
	"github.com/aerobackup/aerobackup/internal/policy"
	"github.com/aerobackup/aerobackup/internal/session"
)

// A slice narrows the policy's partitions and is refused with a routine's
// node selection; the routine's own is kept without one.
func TestBackupAskPolicy(t *testing.T) {
	r := mustRoutine(t, routineYAML)
	whole, err := BackupAsk{}.Policy(r)
	if err != nil {
		t.Fatal(err)
	}
	half, err := BackupAsk{Slice: &backupslice.Spec{Index: 1, Count: 2}, RunFolder: "1763712000000"}.Policy(r)
	if err != nil {
		t.Fatal(err)
	}
	if whole.Selection() == half.Selection() {
		t.Fatalf("slice 1/2 selects %q, as the whole run does", half.Selection())
	}
	nodes := BackupAsk{Slice: &backupslice.Spec{Index: 0, Count: 2}, Overrides: policy.BackupOverrides{NodeList: []string{"n1"}}}
	if _, err := nodes.Policy(r); err == nil || !strings.Contains(err.Error(), "node-list") {
		t.Fatalf("slice with a node list: err %v, want the refusal", err)
	}
}

// The request carries the flags' asks and Request's completion.
func TestBackupAskRequest(t *testing.T) {
	r, pol := mustRoutine(t, routineYAML), testPolicy(t)
	spec := &backupslice.Spec{Index: 1, Count: 4}
	a := BackupAsk{Incremental: true, AutoFull: true, DryRun: true, Resumable: true, Namespaces: []string{"test"},
		Slice: spec, RunFolder: "1763712000000"}
	req, err := a.Request(r, pol)
	if err != nil {
		t.Fatal(err)
	}
	if !req.Incremental || !req.AutoFull || !req.DryRun || !req.Resumable || req.Slice != spec ||
		req.RunFolder != a.RunFolder || req.Routine != "r" || len(req.Namespaces) != 1 || req.Prune != nil {
		t.Fatalf("request %+v does not carry what was asked", req)
	}
}

// The session's lock follows the type and the slice, none for a dry run.
func TestBackupAskSession(t *testing.T) {
	r := mustRoutine(t, routineYAML)
	spec := &backupslice.Spec{Index: 2, Count: 4}
	cases := []struct {
		name      string
		ask       BackupAsk
		kind      lock.Kind
		sliceLock string
	}{
		{"full", BackupAsk{}, lock.Full, ""},
		{"incremental", BackupAsk{Incremental: true}, lock.Incremental, ""},
		{"dry run", BackupAsk{Incremental: true, DryRun: true}, "", ""},
		{"slice", BackupAsk{Slice: spec, RunFolder: "1763712000000"}, lock.Full, "1763712000000/2"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, err := c.ask.Request(r, testPolicy(t))
			if err != nil {
				t.Fatal(err)
			}
			so := session.Options{Routine: "r"}
			c.ask.Session(&so, r, req)
			if so.Kind != c.kind || so.Slice != c.sliceLock || so.Need == nil || so.Routine != "r" {
				t.Fatalf("options %+v, want lock %q slice %q and the catalog's needs", so, c.kind, c.sliceLock)
			}
		})
	}
}

// Resolve refuses a bad shape before bad slice flags, and a bad stream
// after them; every refusal is one outcome classes as usage.
func TestBackupAskResolve(t *testing.T) {
	getenv := func(string) string { return "" }
	cases := []struct {
		name    string
		ask     BackupAsk
		shape   plan.BackupShape
		slicing backupslice.Flags
		want    string
		slice   string
	}{
		{"whole run", BackupAsk{}, plan.BackupShape{}, backupslice.Flags{}, "", ""},
		{"slice", BackupAsk{}, plan.BackupShape{}, backupslice.Flags{Slice: "1/4", RunID: "1763712000000"}, "", "1/4"},
		{"auto-full alone", BackupAsk{AutoFull: true}, plan.BackupShape{}, backupslice.Flags{Slice: "9/4"}, "--auto-full goes with --incremental", ""},
		{"bad slice", BackupAsk{}, plan.BackupShape{Output: "x"}, backupslice.Flags{Slice: "9/4", RunID: "1763712000000"}, "--slice", ""},
		{"run id alone", BackupAsk{}, plan.BackupShape{}, backupslice.Flags{RunID: "1763712000000"}, "--run-id", ""},
		{"output file", BackupAsk{}, plan.BackupShape{Output: "x"}, backupslice.Flags{}, `--output "x"`, ""},
		{"stream with json", BackupAsk{}, plan.BackupShape{Output: "-", JSON: true}, backupslice.Flags{}, "--json cannot go with --output -", ""},
		{"stream auto-full", BackupAsk{Incremental: true, AutoFull: true}, plan.BackupShape{Output: "-"}, backupslice.Flags{}, "--auto-full cannot go with --output -", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := c.ask
			err := a.Resolve(c.shape, c.slicing, getenv)
			if c.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				got := ""
				if a.Slice != nil {
					got = a.Slice.String()
				}
				if got != c.slice || (a.Slice != nil && a.RunFolder != c.slicing.RunID) {
					t.Fatalf("slice %q in %q, want %q in %q", got, a.RunFolder, c.slice, c.slicing.RunID)
				}
				return
			}
			usage := errors.As(err, new(*plan.RefusedError)) || errors.As(err, new(*backupslice.FlagError))
			if err == nil || !strings.Contains(err.Error(), c.want) || !usage {
				t.Fatalf("err %T %v, want a refusal saying %q", err, err, c.want)
			}
		})
	}
}
