// Package restoresource owns reading a restore's flags into the planner's
// request (Ask, refused before anything is read), and opening what a
// restore reads and planning its steps from it: one ASB stream on standard input (its header read ahead
// for the namespace), a folder of .asb files (its metadata.yaml read), or
// a backup found in a routine's session catalog, in the order a restore
// takes its steps (the destination checked before anything is read). The
// decisions are package plan's; this package does the reading they need.
//
// It must not choose the destination (the command's Opening says it),
// connect to a cluster or print.
package restoresource

import (
	"context"
	"io"
	"log/slog"
	"time"

	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/config"
	"github.com/aerobackup/aerobackup/internal/plan"
	"github.com/aerobackup/aerobackup/internal/records"
	"github.com/aerobackup/aerobackup/internal/routine"
	"github.com/aerobackup/aerobackup/internal/session"
	"github.com/aerobackup/aerobackup/internal/storage"
	"github.com/aerobackup/aerobackup/internal/storage/localstore"
	"github.com/aerobackup/aerobackup/internal/storage/stdinstore"
)

// Source is what a restore reads and the plan of its steps.
type Source struct {
	// Ctx is the restore's context: a session's ends when its lock is lost.
	Ctx   context.Context
	Store storage.Store
	Plan  *plan.RestorePlan
	// Target and Dest are set by Open: the routine (of a folder or a
	// stream, only its config), and the cluster written to (nil when
	// nothing is written, or for a dry run of a stream).
	Target  *routine.Target
	Dest    *config.AerospikeCluster
	release func()
}

// Opening is what Open needs beyond the request: the run's state, reached
// through these functions, each called at its turn.
type Opening struct {
	In io.Reader // the stream, for the request's Path "-"
	// Writes: the restore writes to a cluster (no dry run, no --validate).
	// Only such a restore starts its metrics, and only its destination is
	// checked for a stream.
	Writes bool
	// Routine names the routine of a backup's restore ("": the key's).
	Routine string
	Config  func() (*config.Config, error)
	Resolve func(routine string) (*routine.Target, error)
	// CheckTier checks the access tier for a backup's storage of kind.
	CheckTier   func(kind string) error
	Started     func(routine string)
	Destination func(*routine.Target) (*config.AerospikeCluster, error)
	Session     func(context.Context, *routine.Target, func(*session.Options)) (*session.Session, error)
}

// Open opens what req's restore reads and plans its steps: the stream on
// standard input (Path "-"), a folder (Path, which must be one), or else
// the backup req.Key of a routine's storage. The access tier and the
// destination are checked before anything is read.
func Open(ctx context.Context, req plan.RestoreRequest, o Opening) (*Source, error) {
	if req.Path == "" {
		return openBackup(ctx, req, o)
	}
	// The flags of a folder or a stream are checked first, its access tier
	// as a local storage's: none applies, to a stream neither.
	if err := checkFolder(req.Path); err != nil {
		return nil, err
	}
	if err := o.CheckTier(config.KindLocal); err != nil {
		return nil, err
	}
	stream := req.Path == "-"
	cfg, err := o.Config()
	if err != nil {
		return nil, err
	}
	t := &routine.Target{Config: cfg}
	if o.Writes {
		o.Started("")
	}
	var dest *config.AerospikeCluster
	// A stream's dry run names no destination: nothing is known to check.
	if !stream || o.Writes {
		if dest, err = o.Destination(t); err != nil {
			return nil, err
		}
	}
	var src *Source
	if stream {
		src, err = Stream(ctx, o.In, req)
	} else {
		src, err = Folder(ctx, req)
	}
	if err != nil {
		return nil, err
	}
	src.Target, src.Dest = t, dest
	return src, nil
}

func openBackup(ctx context.Context, req plan.RestoreRequest, o Opening) (*Source, error) {
	name := o.Routine
	if name == "" {
		name = req.Key.Routine
	}
	t, err := o.Resolve(name)
	if err != nil {
		return nil, err
	}
	if err := o.CheckTier(t.Routine.Storage().Kind()); err != nil {
		return nil, err
	}
	if o.Writes {
		o.Started(t.Name())
	}
	dest, err := o.Destination(t)
	if err != nil {
		return nil, err
	}
	sess, err := o.Session(ctx, t, BackupScope(req.Key))
	if err != nil {
		return nil, err
	}
	src, err := Backup(sess, req)
	if err != nil {
		return nil, err
	}
	src.Target, src.Dest = t, dest
	return src, nil
}

// Release closes the store and releases what holds it (a session's lock).
func (s *Source) Release() {
	if s.release != nil {
		s.release()
	}
}

// Stream plans restoring the ASB stream in: its header is read ahead and
// replayed, so the store reads the whole stream.
func Stream(ctx context.Context, in io.Reader, req plan.RestoreRequest) (*Source, error) {
	replay := in
	p, err := plan.RestoreStream(req, func(compressed bool) (ns string, err error) {
		ns, replay, err = stdinstore.PeekNamespace(in, compressed)
		return ns, err
	})
	if err != nil {
		return nil, err
	}
	s := p.Steps[0]
	return &Source{Ctx: ctx, Store: stdinstore.Store{In: replay, Plain: !s.Compressed() && !s.Encrypted()}, Plan: p}, nil
}

// Folder plans restoring the folder req.Path from its metadata.yaml, or
// without one from what req names.
func Folder(ctx context.Context, req plan.RestoreRequest) (*Source, error) {
	st, err := localstore.New(req.Path)
	if err != nil {
		return nil, err
	}
	meta, err := catalog.LoadMetadata(ctx, st, "")
	p, err := plan.RestoreFolder(req, meta, err)
	if err != nil {
		st.Close()
		return nil, err
	}
	return &Source{Ctx: ctx, Store: st, Plan: p, release: func() { st.Close() }}, nil
}

// Backup plans restoring req.Key from sess's catalog; the source releases
// sess, and so does a refusal.
func Backup(sess *session.Session, req plan.RestoreRequest) (*Source, error) {
	req.Storage = sess.Store.String()
	p, err := plan.RestoreBackup(req, sess.Listing)
	if err != nil {
		sess.Release()
		return nil, err
	}
	return &Source{Ctx: sess.Context(), Store: sess.Store, Plan: p, release: sess.Release}, nil
}

// Folders opens the namespace folders of the plan's steps for reading
// without a cluster (dump), each checked against its manifest.
func (s *Source) Folders() ([]*records.Folder, error) {
	dirs := make([]string, 0, len(s.Plan.Steps))
	for _, st := range s.Plan.Steps {
		dirs = append(dirs, st.Dir)
	}
	return records.OpenAll(s.Ctx, s.Store, dirs)
}

// PointInTime plans req's point-in-time restore over the session's catalog
// without the cluster, after reading again the metadata.yaml of every
// backup the plan restores (the scan may have taken them from the catalog
// index, which never wins over the files): a difference plans again over
// what the files say. It returns the plan and the backups it was made over,
// and logs the plan's warnings (gaps in a chain) with their namespace.
func PointInTime(ctx context.Context, sess *session.Session, req plan.PointInTimeRequest, log *slog.Logger) (*plan.PointInTimePlan, []catalog.Backup, error) {
	backups := sess.Listing.Backups
	p, err := plan.PointInTime(req, backups, nil)
	if err != nil {
		return nil, nil, err
	}
	var dirs []string
	for _, n := range p.Namespaces {
		for _, l := range n.Chain.Links {
			dirs = append(dirs, l.Dir)
		}
	}
	backups, changed, err := catalog.Confirm(ctx, sess.Store, backups, dirs)
	if err != nil {
		return nil, nil, err
	}
	if changed {
		if p, err = plan.PointInTime(req, backups, nil); err != nil {
			return nil, nil, err
		}
	}
	for _, n := range p.Namespaces {
		for _, w := range n.Chain.Warnings {
			log.Warn(w, "namespace", n.Chain.Namespace)
		}
	}
	return p, backups, nil
}

// PointInTimeSource is what a point-in-time restore reads, its request
// (with its storage named) and its plan, with the backups it was made
// over. Source.Plan is unset: the plan is PointInTime.
type PointInTimeSource struct {
	Source
	Request     plan.PointInTimeRequest
	PointInTime *plan.PointInTimePlan
	Backups     []catalog.Backup
}

// OpenPointInTime resolves the routine of req's point-in-time restore
// (o.Routine) and checks its access tier, opens its session and plans the
// restore without the cluster (PointInTime), so that a missing backup is
// reported before anything is contacted; the destination is checked once
// the plan is made. Only a restore that writes (o.Writes) starts its
// metrics. o.In and o.Config are not used.
func OpenPointInTime(ctx context.Context, req plan.PointInTimeRequest, o Opening, log *slog.Logger) (*PointInTimeSource, error) {
	t, err := o.Resolve(o.Routine)
	if err != nil {
		return nil, err
	}
	if err := o.CheckTier(t.Routine.Storage().Kind()); err != nil {
		return nil, err
	}
	req.Routine, req.RoutineNamespaces = t.Name(), t.Routine.Namespaces
	if o.Writes {
		o.Started(t.Name())
	}
	sess, err := o.Session(ctx, t, nil)
	if err != nil {
		return nil, err
	}
	req.Storage = sess.Store.String()
	p, backups, err := PointInTime(sess.Context(), sess, req, log)
	var dest *config.AerospikeCluster
	if err == nil {
		dest, err = o.Destination(t)
	}
	if err != nil {
		sess.Release()
		return nil, err
	}
	return &PointInTimeSource{Source: Source{Ctx: sess.Context(), Store: sess.Store, Target: t, Dest: dest, release: sess.Release},
		Request: req, PointInTime: p, Backups: backups}, nil
}

// Reorder plans the restore again with the destination's answer to which
// namespaces are empty, as Reorder does.
func (s *PointInTimeSource) Reorder(empty func(namespaces []string) (map[string]bool, error)) error {
	p, err := Reorder(s.Request, s.Backups, s.PointInTime, empty)
	if err != nil {
		return err
	}
	s.PointInTime = p
	return nil
}

// LogStart logs the start of the restore (a validation, with --validate)
// of steps steps.
func (s *PointInTimeSource) LogStart(log *slog.Logger, steps int) {
	msg := "restoring to a point in time"
	if s.Request.Validate {
		msg = "validating the backups of a point in time"
	}
	log.Info(msg, "routine", s.Request.Routine, "time", s.Request.At.UTC().Format(time.RFC3339Nano),
		"recovery-point", s.PointInTime.RecoveryPoint.UTC().Format(time.RFC3339Nano), "steps", steps)
}

// Reorder plans p's point-in-time restore again with the destination's
// answer to which namespaces are empty, when req's order depends on it;
// empty asks the destination (not called otherwise).
func Reorder(req plan.PointInTimeRequest, backups []catalog.Backup, p *plan.PointInTimePlan,
	empty func(namespaces []string) (map[string]bool, error)) (*plan.PointInTimePlan, error) {
	if !req.NeedsEmptiness() {
		return p, nil
	}
	e, err := empty(p.Destinations())
	if err != nil {
		return nil, err
	}
	return plan.PointInTime(req, backups, e)
}

// BackupScope is the session of a restore of key: its routine's lock and
// its catalog narrowed to that backup.
func BackupScope(key catalog.Key) func(*session.Options) {
	return func(so *session.Options) {
		so.Routine = key.Routine
		so.Filter = catalog.Filter{Routines: []string{key.Routine}, Type: key.Type, From: key.Time, To: key.Time}
	}
}
