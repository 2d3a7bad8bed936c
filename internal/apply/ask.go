package apply

import (
	"strconv"

	"github.com/aerobackup/aerobackup/internal/backupslice"
	"github.com/aerobackup/aerobackup/internal/config"
	"github.com/aerobackup/aerobackup/internal/lock"
	"github.com/aerobackup/aerobackup/internal/plan"
	"github.com/aerobackup/aerobackup/internal/policy"
	"github.com/aerobackup/aerobackup/internal/session"
)

// BackupAsk is what a backup's flags ask of a routine, as they were given.
type BackupAsk struct {
	Incremental, AutoFull bool
	// Force runs a routine marked disabled: true.
	Force  bool
	DryRun bool
	// Prune applies the policy's retention after a successful full.
	Prune bool
	// Resuming (see backupjob/resumable.go).
	Resumable, Resume, NoResume bool
	// Namespaces are named with --namespace.
	Namespaces []string
	Overrides  policy.BackupOverrides
	// Slice is this process's share of a sliced run (nil: a whole run),
	// written into RunFolder, which every slice of the run shares.
	Slice     *backupslice.Spec
	RunFolder string
}

// Resolve checks the kind of run asked, shape (whose Incremental and
// AutoFull are a's own), and reads the slice flags into a.Slice and
// a.RunFolder, in the order their refusals are reported; each refusal is
// a usage error. getenv reads the slice's index for --slices.
func (a *BackupAsk) Resolve(shape plan.BackupShape, slicing backupslice.Flags, getenv func(string) string) error {
	shape.Incremental, shape.AutoFull = a.Incremental, a.AutoFull
	if err := shape.Check(); err != nil {
		return &plan.RefusedError{Err: err}
	}
	var err error
	if a.Slice, a.RunFolder, err = slicing.Resolve(getenv); err != nil {
		return err
	}
	if shape.Output == "" {
		return nil
	}
	if err := shape.CheckStream(); err != nil {
		return &plan.RefusedError{Err: err}
	}
	return nil
}

// Policy is r's backup policy with a's overrides, narrowed to a's slice.
func (a BackupAsk) Policy(r *config.Routine) (*policy.Backup, error) {
	pol, err := policy.NewRoutineBackup(r, a.Force, a.Namespaces, a.Overrides)
	if err != nil || a.Slice == nil {
		return pol, err
	}
	return pol, pol.Slice(*a.Slice)
}

// Request is what the planner is asked of r under pol, completed as
// Request says.
func (a BackupAsk) Request(r *config.Routine, pol *policy.Backup) (plan.BackupRequest, error) {
	return Request(plan.BackupRequest{Incremental: a.Incremental, AutoFull: a.AutoFull, DryRun: a.DryRun,
		Resumable: a.Resumable, Resume: a.Resume, NoResume: a.NoResume, Namespaces: a.Namespaces,
		Slice: a.Slice, RunFolder: a.RunFolder}, r, pol, a.Prune)
}

// Session sets so, the session of r's routine, for the backup req: the
// lock of its type (none for a dry run; a slice's own, named
// "<run folder>/<index>"), and the catalog read only as far back as req
// needs.
func (a BackupAsk) Session(so *session.Options, r *config.Routine, req plan.BackupRequest) {
	so.Kind = lock.Full
	if a.Incremental {
		so.Kind = lock.Incremental
	}
	if a.DryRun {
		so.Kind = ""
	}
	if a.Slice != nil {
		so.Slice = a.RunFolder + "/" + strconv.Itoa(a.Slice.Index)
	}
	so.ConcurrentIncremental = plan.ConcurrentIncremental(r.Policy())
	need := plan.CatalogNeeds(req, r.Namespaces)
	so.Need = &need
}
