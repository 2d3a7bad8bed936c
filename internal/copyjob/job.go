package copyjob

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/lock"
	"github.com/aerobackup/aerobackup/internal/progress"
	"github.com/aerobackup/aerobackup/internal/session"
)

// Options are one copy run's.
type Options struct {
	Routine string
	// Source and Dest open the routine's storage and the destination;
	// SourceName and DestName name them in the result.
	Source, Dest         session.Opener
	SourceName, DestName string
	Selection            Selection
	Namespaces           []string // only these (none: all)
	DryRun               bool
	Parallel             int
	Pause                time.Duration // before each file (tests)
	StaleAfter           time.Duration // the locks' --lock-stale-after
	Progress             *progress.Reporter
	Now                  func() time.Time
	Log                  *slog.Logger
}

// Done is one backup of the plan and what became of it.
type Done struct {
	Step
	Result BackupResult
	Copied bool // its metadata.yaml is at the destination now
}

// Result is what a copy run planned and did.
type Result struct {
	Routine, Source, Dest string
	DryRun                bool
	Backups               []Done
	Duration              time.Duration
	Err                   error // the failure that stopped it, if any
}

// Run copies what the destination lacks of the routine's backups, under a
// shared copy lock on the source and the destination's copy-in lock (none
// for a dry run). It returns what it did even when it fails (Result.Err
// is then the error returned too).
func Run(ctx context.Context, o Options) (*Result, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	start := o.Now()
	res := &Result{Routine: o.Routine, Source: o.SourceName, Dest: o.DestName, DryRun: o.DryRun}
	if o.Selection.Backup != "" {
		k, err := catalog.ParseKey(o.Selection.Backup)
		if err != nil {
			return res, &session.OptionError{Msg: "--backup: " + err.Error()}
		}
		if k.Routine != o.Routine {
			return res, &session.OptionError{Msg: fmt.Sprintf("--backup %s is not a backup of routine %q", k, o.Routine)}
		}
		o.Selection.Backup = k.Dir()
	}
	kind := func(k lock.Kind) lock.Kind {
		if o.DryRun {
			return ""
		}
		return k
	}
	sopts := session.Options{Routine: o.Routine, StaleAfter: o.StaleAfter, Now: o.Now, Log: o.Log}
	sopts.Kind = kind(lock.Copy)
	src, err := session.Open(ctx, o.Source, sopts)
	if err != nil {
		return res, err
	}
	defer src.Release()
	sopts.Kind = kind(lock.CopyIn)
	dst, err := session.Open(ctx, o.Dest, sopts)
	if err != nil {
		return res, err
	}
	defer dst.Release()
	have, lack := src.Listing.Backups, dst.Listing.Backups
	if len(o.Namespaces) > 0 {
		have, lack = catalog.KeepNamespaces(have, o.Namespaces), catalog.KeepNamespaces(lack, o.Namespaces)
	}
	p, err := NewPlan(have, lack, o.Selection, src.Store.String())
	if err != nil {
		return res, err
	}
	for _, st := range p.Steps {
		res.Backups = append(res.Backups, Done{Step: st})
	}
	if o.DryRun {
		return res, nil
	}
	// Either lock lost stops the copy.
	work, cancel := context.WithCancel(dst.Context())
	defer cancel()
	stop := context.AfterFunc(src.Context(), cancel)
	defer stop()
	c := &Copier{Src: src.Store, Dst: dst.Store, Parallel: o.Parallel, Pause: o.Pause, Log: o.Log}
	est := estimateFiles(p)
	tr := o.Progress.TrackUnit("copy "+o.Routine+" to "+o.DestName, progress.Files, est, func() progress.Counts {
		files, bytes := c.Copied()
		return progress.Counts{Records: uint64(files), Bytes: uint64(bytes), Total: est, Estimated: true}
	})
	err = res.copyAll(work, c, o.Log)
	tr.Stop()
	res.Duration = o.Now().Sub(start)
	if err == nil && (src.Lost() || dst.Lost()) {
		err = errors.New("copy stopped: another run took over a routine lock")
	}
	res.Err = err
	return res, err
}

func (res *Result) copyAll(ctx context.Context, c *Copier, log *slog.Logger) error {
	for i := range res.Backups {
		d := &res.Backups[i]
		if !d.Copy {
			continue
		}
		log.Info("copying backup", "key", d.Backup.Key, "reason", d.Reason)
		r, err := c.CopyBackup(ctx, d.Backup, d.Lacking)
		d.Result = r
		if err != nil {
			return err
		}
		d.Copied = true
		log.Info("backup copied", "key", d.Backup.Key, "files", r.Files, "kept", r.Kept, "bytes", r.Bytes)
	}
	return nil
}

// estimateFiles is about how many files the plan copies: each lacking
// namespace's file-count, its manifest and its metadata.yaml (a run's
// cluster configuration and slice records come on top).
func estimateFiles(p Plan) int64 {
	var n int64
	for _, s := range p.ToCopy() {
		for _, ns := range s.Lacking {
			if b, ok := s.Backup.Namespace(ns); ok {
				n += int64(b.Metadata.FileCount) + 2
			}
		}
	}
	return n
}
