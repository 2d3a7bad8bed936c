// Package restoresource owns opening what a restore reads and planning its
// steps from it: one ASB stream on standard input (its header read ahead
// for the namespace), a folder of .asb files (its metadata.yaml read), or
// a backup found in a routine's session catalog. The decisions are
// package plan's; this package does the reading they need.
//
// It must not choose the destination, connect to a cluster or print.
package restoresource

import (
	"context"
	"io"

	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/plan"
	"github.com/aerobackup/aerobackup/internal/session"
	"github.com/aerobackup/aerobackup/internal/storage"
	"github.com/aerobackup/aerobackup/internal/storage/localstore"
	"github.com/aerobackup/aerobackup/internal/storage/stdinstore"
)

// Source is what a restore reads and the plan of its steps.
type Source struct {
	// Ctx is the restore's context: a session's ends when its lock is lost.
	Ctx     context.Context
	Store   storage.Store
	Plan    *plan.RestorePlan
	release func()
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

// PointInTime plans req's point-in-time restore over the session's catalog
// without the cluster, after reading again the metadata.yaml of every
// backup the plan restores (the scan may have taken them from the catalog
// index, which never wins over the files): a difference plans again over
// what the files say. It returns the plan and the backups it was made over.
func PointInTime(ctx context.Context, sess *session.Session, req plan.PointInTimeRequest) (*plan.PointInTimePlan, []catalog.Backup, error) {
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
	return p, backups, nil
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
