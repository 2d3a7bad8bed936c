package plan

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aerobackup/aerobackup/internal/backupslice"
	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/config"
)

// BackupRequest is what a backup run was asked to do, and the policy it
// runs under.
type BackupRequest struct {
	Routine string
	Policy  *config.BackupPolicy // incr-mode, sealed, concurrent-incremental

	Incremental, AutoFull, DryRun bool
	// Resumable, Resume, NoResume are --resumable, --resume, --no-resume.
	Resumable, Resume, NoResume bool
	// Namespaces are those of --namespace, if given: a continuation must
	// back up the same.
	Namespaces []string
	// Settings are what this run would write with.
	Settings Settings

	// Slice, for one slice of a sliced run, and the run folder all its
	// slices share.
	Slice     *backupslice.Spec
	RunFolder string

	// Prune is --prune's retention; nil without --prune.
	Prune *Keep
}

// Settings are the parts of a run's policy a continuation must share with
// the interrupted run.
type Settings struct {
	Compression, Encryption string
	Selection               string // the scan selection's fingerprint
	// NotResumable says why these settings cannot make a resumable run
	// (nil: they can).
	NotResumable error
}

// Type is the type asked.
func (r *BackupRequest) Type() catalog.Type {
	if r.Incremental {
		return catalog.Incremental
	}
	return catalog.Full
}

// Notice says how loudly a command reports a decision's reason.
type Notice int

// Notices.
const (
	Quiet Notice = iota // the usual case: nothing to say
	Inform
	Warn
)

// ResumeAction is what to do about an interrupted resumable run.
type ResumeAction int

// Resume actions.
const (
	// Fresh starts a new run (leaving any interrupted one alone).
	Fresh ResumeAction = iota
	// Continue continues the interrupted run in its folder.
	Continue
	// Remove removes the interrupted run (--no-resume), then starts a new one.
	Remove
)

// ResumeDecision is whether a backup continues an interrupted run.
type ResumeDecision struct {
	Action ResumeAction
	// Run is the interrupted run considered; its Key is empty when there
	// is none.
	Run    catalog.Resumable
	Reason string
	Notice Notice
}

// Resume decides whether the backup continues the routine's interrupted
// resumable run of the asked type: continue it, leave it, or with
// --no-resume remove it. --resume without one to continue is a skip; a
// continuation whose settings would not make one backup with the
// interrupted run is a usage error.
func Resume(r BackupRequest, l catalog.Listing) (ResumeDecision, error) {
	typ := r.Type()
	if r.Slice != nil {
		return ResumeDecision{Reason: "a slice is never resumable: a slice run again starts its share over"}, nil
	}
	cand, ok := catalog.FindResumable(l, r.Routine, typ)
	if !ok {
		if r.Resume {
			return ResumeDecision{}, nothingToDo("routine %q: no interrupted resumable %s backup to continue", r.Routine, typ)
		}
		return ResumeDecision{Reason: fmt.Sprintf("no interrupted resumable %s backup: a new run", typ)}, nil
	}
	d := ResumeDecision{Run: cand}
	if typ == catalog.Incremental && ConcurrentIncremental(r.Policy) && cand.Marker.Status == catalog.ResumeRunning {
		// Incrementals may overlap: another one may be writing it now.
		if r.Resume {
			return d, nothingToDo("routine %q: the resumable incremental backup %s may still be running (concurrent-incremental: true)", r.Routine, cand.Key)
		}
		d.Reason, d.Notice = "a resumable incremental backup may still be running (concurrent-incremental: true): not continuing it", Inform
		return d, nil
	}
	if r.NoResume {
		switch {
		case slices.ContainsFunc(l.Backups, func(b catalog.Backup) bool { return b.Key == cand.Key }):
			// Cut short while publishing: part of it is a backup.
			d.Reason, d.Notice = "--no-resume: the interrupted backup lists as a backup of some namespaces; leaving it in place", Warn
		case r.DryRun:
			d.Reason, d.Notice = "--no-resume: would remove the interrupted resumable backup and start over", Inform
		default:
			d.Action = Remove
			d.Reason, d.Notice = "--no-resume: removing the interrupted resumable backup and starting over", Warn
		}
		return d, nil
	}
	if err := checkContinuation(r, cand); err != nil {
		return d, err
	}
	d.Action = Continue
	if r.Resume {
		d.Reason = "continuing the routine's interrupted resumable backup (--resume)"
	} else {
		d.Reason, d.Notice = "continuing the routine's interrupted resumable backup (--no-resume starts over)", Inform
	}
	return d, nil
}

// checkContinuation refuses a continuation whose settings would not make
// one backup with the interrupted run.
func checkContinuation(r BackupRequest, rs catalog.Resumable) error {
	m, s := rs.Marker, r.Settings
	const hint = " (or start over with --no-resume)"
	if s.NotResumable != nil {
		return refuse("routine %q: continuing the interrupted backup %s: %v%s", r.Routine, rs.Key, s.NotResumable, hint)
	}
	if len(r.Namespaces) > 0 {
		want := slices.Sorted(slices.Values(m.NamespaceNames()))
		if got := slices.Sorted(slices.Values(r.Namespaces)); !slices.Equal(got, want) {
			return refuse("routine %q: the interrupted backup %s is of namespace(s) %s; a continuation backs up the same%s",
				r.Routine, rs.Key, strings.Join(want, ", "), hint)
		}
	}
	if s.Compression != m.Compression || s.Encryption != m.Encryption {
		return refuse("routine %q: the interrupted backup %s was written with compression %s and encryption %s, this run would use %s and %s%s",
			r.Routine, rs.Key, m.Compression, m.Encryption, s.Compression, s.Encryption, hint)
	}
	if m.Selection != "" && m.Selection != s.Selection {
		return refuse("routine %q: the scan selection (sets, bins, filter expression, partitions) differs from the interrupted backup %s's%s",
			r.Routine, rs.Key, hint)
	}
	return nil
}

// ConcurrentIncremental is the policy's concurrent-incremental: an
// incremental may run beside a full or an interrupted incremental.
func ConcurrentIncremental(p *config.BackupPolicy) bool {
	return p != nil && p.ConcurrentIncremental != nil && *p.ConcurrentIncremental
}

// BackupPlan is what a backup run does, each choice with its reason.
type BackupPlan struct {
	Type   catalog.Type
	Reason string // why this type (and, for a continuation, which run)
	// Promoted: an incremental became a full (--auto-full), which runs
	// under the full lock: the command swaps its lock.
	Promoted bool
	// Missing are the namespaces with no full to build on, when Promoted.
	Missing []string

	// Start is the run's creation time; Until, when set, the incremental
	// window's upper bound (a sealed policy, or the continued run's).
	Start, Until time.Time
	// Resume is the decision about an interrupted run; with Continue the
	// run is that one: its folder, times and namespaces.
	Resume ResumeDecision
	// Resumable: the run keeps its files and scan position if cut short.
	Resumable bool
	// RunFolder is the folder the slices of a sliced run share ("": one
	// named after Start); BaseReason says which backups an incremental
	// may build on.
	RunFolder, BaseReason string

	Namespaces []NamespacePlan

	// Prune: apply retention with Keep once the run succeeds.
	Prune       bool
	Keep        Keep
	PruneReason string
}

// NamespacePlan is one namespace's part of a backup.
type NamespacePlan struct {
	Name   string
	From   time.Time // zero: all records
	Reason string
}

// Backup plans the run asked by r over the listing read under its lock,
// given the resume decision, the namespaces to back up (the routine's, or
// the cluster's when it names none) and the clock's reading now. An
// incremental of a namespace without a full to build on is a skip, or a
// full of every namespace with --auto-full.
func Backup(r BackupRequest, l catalog.Listing, resume ResumeDecision, namespaces []string, now time.Time) (BackupPlan, error) {
	p := BackupPlan{Type: r.Type(), Start: now, Resume: resume, RunFolder: r.RunFolder,
		BaseReason: "every backup of the routine"}
	existing := l.Backups
	if r.Slice != nil {
		// Every slice must pick the same base, whatever finished while the
		// slices ran.
		existing = runsBefore(existing, r.RunFolder)
		p.BaseReason = fmt.Sprintf("slice %s of run %s: only the backups started before the run, as every slice picks", r.Slice, r.RunFolder)
	}
	switch {
	case resume.Action == Continue:
		p.continueRun(resume.Run)
	case p.Type == catalog.Incremental:
		if err := p.incremental(r, existing, namespaces); err != nil {
			return BackupPlan{}, err
		}
	default:
		p.Reason = "full backup"
		p.full(namespaces)
	}
	p.Resumable = r.Resumable || resume.Action == Continue
	p.prune(r)
	return p, nil
}

// continueRun makes the plan the interrupted run's: its folder, times,
// namespaces and incremental bounds.
func (p *BackupPlan) continueRun(rs catalog.Resumable) {
	m := rs.Marker
	p.Reason = fmt.Sprintf("continuing the interrupted %s backup %s (attempt %d)", p.Type, rs.Key, m.Attempts+1)
	p.Start, p.Until = m.Created, m.Until
	for _, ns := range m.Namespaces {
		why := "all records, as the interrupted run"
		if !ns.From.IsZero() {
			why = "records changed since " + stamp(ns.From) + ", as the interrupted run"
		}
		p.Namespaces = append(p.Namespaces, NamespacePlan{Name: ns.Name, From: ns.From, Reason: why})
	}
}

func (p *BackupPlan) full(namespaces []string) {
	for _, ns := range namespaces {
		p.Namespaces = append(p.Namespaces, NamespacePlan{Name: ns, Reason: "all records (full)"})
	}
}

// incremental plans each namespace from its base, or promotes the run to
// a full when one has none.
func (p *BackupPlan) incremental(r BackupRequest, existing []catalog.Backup, namespaces []string) error {
	for _, ns := range namespaces {
		if _, ok := catalog.IncrementalBase(existing, ns); !ok {
			p.Missing = append(p.Missing, ns)
		}
	}
	if len(p.Missing) > 0 {
		if !r.AutoFull {
			return nothingToDo("routine %q: no full backup of namespace(s) %s to build an incremental on (use --auto-full to take one)",
				r.Routine, strings.Join(p.Missing, ", "))
		}
		// A full of every namespace keeps the routine's chain simple: all
		// namespaces share one base from here on.
		p.Type, p.Promoted = catalog.Full, true
		p.Reason = "no full backup to build on: taking a full backup instead (--auto-full)"
		p.full(namespaces)
		return nil
	}
	mode := r.Policy.IncrementalMode()
	p.Reason = "incremental backup (" + mode + " mode)"
	if r.Policy.IsSealed() {
		p.Until = p.Start
		p.Reason += ", sealed at its start"
	}
	for _, ns := range namespaces {
		p.Namespaces = append(p.Namespaces, IncrementalFrom(existing, ns, mode))
	}
	return nil
}

// IncrementalFrom is the lower bound of an incremental of ns in incr-mode
// mode: the start of the last full in cumulative mode, else of the last
// backup. ns must have a full (catalog.IncrementalBase).
func IncrementalFrom(existing []catalog.Backup, ns, mode string) NamespacePlan {
	var from time.Time
	what := "last full"
	if mode == config.IncrModeCumulative {
		from, _ = catalog.CumulativeBase(existing, ns)
	} else {
		from, _ = catalog.IncrementalBase(existing, ns)
		what = "last backup"
	}
	base := baseOf(existing, ns, from)
	if base.Type == catalog.Full {
		what = "last full"
	}
	return NamespacePlan{Name: ns, From: from,
		Reason: fmt.Sprintf("incremental from %s (%s, %s mode)", base.Key, what, mode)}
}

// baseOf is the backup whose namespace ns was created at from; an
// incremental wins a tie, as the chain orders fulls first.
func baseOf(backups []catalog.Backup, ns string, from time.Time) catalog.Backup {
	var out catalog.Backup
	for _, b := range backups {
		if n, ok := b.Namespace(ns); ok && n.Metadata.Created.Equal(from) && (out.Key == "" || b.Type == catalog.Incremental) {
			out = b
		}
	}
	return out
}

func (p *BackupPlan) prune(r BackupRequest) {
	switch {
	case r.Prune == nil:
		return
	case p.Type != catalog.Full:
		p.PruneReason = NotPruned
	default:
		p.Prune, p.Keep = true, *r.Prune
		p.PruneReason = "--prune after a successful full: " + r.Prune.Reason
	}
}

// runsBefore keeps the backups that started before the run folder's time.
func runsBefore(backups []catalog.Backup, runFolder string) []catalog.Backup {
	t, err := catalog.ParseRunFolder(runFolder)
	if err != nil {
		return backups
	}
	var out []catalog.Backup
	for _, b := range backups {
		if b.Time.Before(t) {
			out = append(out, b)
		}
	}
	return out
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// NotPruned is why --prune did nothing: the run was no successful full.
const NotPruned = "retention not applied: --prune runs only after a successful full backup"

// CatalogNeeds says how much of the routine's catalog the backup asked by
// r must read, newest first, for Resume and Backup to decide as they would
// over every run: the newest complete backup (no resumable run older than
// it is continued), and for an incremental each namespace's newest full
// and every backup after it (before the run folder, for a slice). The
// namespaces are the routine's, or nil before the cluster names them; the
// caller reads back again once it knows them.
func CatalogNeeds(r BackupRequest, namespaces []string) catalog.Need {
	if r.Type() == catalog.Full {
		// The newest complete full, and whatever is newer than an
		// interrupted full that a newer backup of any type may have left
		// behind: the routine's incrementals need not be listed at all.
		return catalog.Need{Enough: catalog.HasBackup, Fulls: true}
	}
	var before time.Time
	if r.Slice != nil {
		before, _ = catalog.ParseRunFolder(r.RunFolder)
	}
	return catalog.Need{Enough: catalog.HasBases(namespaces, before)}
}
