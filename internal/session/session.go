// Package session opens a routine session: the routine's storage, its
// run lock of the kind asked and its catalog listing, obtained in one call
// and given back with one Release.
//
// It owns the order of those steps, the lock's life (heartbeats, the
// context that ends when another run takes the lock over, the swap from
// one kind to another) and the errors a held lock (LockedError) or an
// unreadable catalog give, leaving their exit status to outcome. It must
// not know the config or the cluster (the caller passes a store opener),
// nor decide what a run does with the catalog: the planners decide, the
// commands act.
package session

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/lock"
	"github.com/aerobackup/aerobackup/internal/storage"
)

// Opener opens the routine's storage. The session closes what it returns.
type Opener func(ctx context.Context) (storage.Store, error)

// Options say which routine, which lock and how to keep it.
type Options struct {
	Routine string
	// Kind is the lock to take; "" takes none (a dry run only reads).
	Kind lock.Kind
	// StaleAfter is --lock-stale-after: a lock whose heartbeat is older
	// is taken over.
	StaleAfter time.Duration
	// Slice, for one slice of a sliced backup, is "<run folder>/<index>".
	Slice string
	// ConcurrentIncremental is the policy's concurrent-incremental.
	ConcurrentIncremental bool
	// Filter narrows the catalog scan; its Routines default to Routine.
	Filter catalog.Filter
	// Need, when set, makes Open read the catalog newest first and only
	// until it says what is read suffices (a backup needs a few recent
	// runs, not the history); nil reads every run.
	Need *catalog.Need

	Now func() time.Time // default time.Now
	Log *slog.Logger     // default slog.Default()
}

// OptionError is an option the session cannot work with, found before
// any lock is taken; outcome classes it as a usage error.
type OptionError struct{ Msg string }

func (e *OptionError) Error() string { return e.Msg }

// LockedError says the run did nothing because another live run holds
// the routine. It unwraps to the *lock.HeldError, which outcome classes
// as a skip.
type LockedError struct {
	Held       *lock.HeldError
	StaleAfter time.Duration // --lock-stale-after, which the message names
}

func (e *LockedError) Error() string { return "skipped: " + e.Reason() }
func (e *LockedError) Unwrap() error { return e.Held }

// Reason is why the run was skipped: the holder, and when its lock would
// be taken over.
func (e *LockedError) Reason() string {
	return fmt.Sprintf("%s (a lock older than --lock-stale-after %s is taken over)", e.Held.Error(), e.StaleAfter)
}

// Session is an open routine: its store, the lock held on it (if any) and
// the catalog as it was read under that lock.
type Session struct {
	Store   storage.Store
	Listing catalog.Listing

	opts   Options
	base   context.Context // the caller's context, which outlives each lock
	held   *held
	window *catalog.Window // the runs read newest first, when Options.Need is set
}

// held is a held lock and the context that ends when the lock is lost.
type held struct {
	l      *lock.Lock
	ctx    context.Context
	cancel context.CancelFunc
}

// Open opens the storage, takes the lock of o.Kind and scans the catalog.
// A lock held by another live run is a *LockedError naming the holder.
// On error nothing stays open or locked.
func Open(ctx context.Context, open Opener, o Options) (*Session, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if len(o.Filter.Routines) == 0 {
		o.Filter.Routines = []string{o.Routine}
	}
	store, err := open(ctx)
	if err != nil {
		return nil, err
	}
	s := &Session{Store: store, opts: o, base: ctx}
	if o.Kind != "" {
		if err := s.Relock(o.Kind); err != nil {
			s.Release()
			return nil, err
		}
	}
	scan := s.Rescan
	if o.Need != nil {
		scan = func() error { return s.openWindow(*o.Need) }
	}
	if err := scan(); err != nil {
		s.Release()
		return nil, err
	}
	return s, nil
}

// openWindow lists the runs by name and reads them newest first until
// enough.
func (s *Session) openWindow(need catalog.Need) error {
	w, err := catalog.OpenWindow(s.Context(), s.Store, s.opts.Filter, s.opts.Now(), need)
	if err == nil {
		s.window = w
		err = s.ReadBack(need)
	}
	if err != nil {
		return fmt.Errorf("routine %q: reading the catalog of %s: %w", s.opts.Routine, s.Store, err)
	}
	return nil
}

// ReadBack reads older runs of a session opened with Options.Need until
// need says the listing suffices (a backup learns its namespaces from
// the cluster after Open). A session that read every run has nothing
// more to read.
func (s *Session) ReadBack(need catalog.Need) error {
	if s.window == nil {
		return nil
	}
	if err := s.window.ReadBack(s.Context(), need); err != nil {
		return fmt.Errorf("routine %q: reading the catalog of %s: %w", s.opts.Routine, s.Store, err)
	}
	s.Listing = s.window.Listing()
	s.opts.Log.Debug("catalog read newest first", "routine", s.opts.Routine,
		"read", len(s.Listing.Backups)+len(s.Listing.Incomplete), "unread", s.window.Unread())
	return nil
}

// Context is the context to work under: it ends when another run takes
// the lock over, so the holder stops writing.
func (s *Session) Context() context.Context {
	if s.held != nil {
		return s.held.ctx
	}
	return s.base
}

// Rescan reads the whole catalog again, as it is now (a prune after a
// backup needs every run, not the backup's window).
func (s *Session) Rescan() error {
	s.window = nil
	l, err := catalog.Scan(s.Context(), s.Store, s.opts.Filter)
	if err != nil {
		return fmt.Errorf("routine %q: reading the catalog of %s: %w", s.opts.Routine, s.Store, err)
	}
	s.Listing = l
	return nil
}

// Relock releases the lock held (if any) and takes one of kind, which has
// its own rules: an incremental promoted to a full takes the full lock, a
// backup followed by a prune the prune lock. On error no lock is held.
func (s *Session) Relock(kind lock.Kind) error {
	s.unlock()
	f := s.opts.StaleAfter
	if f <= 0 {
		return &OptionError{Msg: fmt.Sprintf("--lock-stale-after must be positive, got %s", f)}
	}
	// Heartbeats well inside the stale limit, so a live run never looks dead.
	hb := min(lock.DefaultHeartbeat, f/4)
	m := lock.New(s.Store, lock.Options{Now: s.opts.Now, HeartbeatInterval: hb, StaleAfter: f,
		AllowConcurrentIncremental: s.opts.ConcurrentIncremental, Logger: s.opts.Log, Slice: s.opts.Slice})
	l, err := m.Acquire(s.base, s.opts.Routine, kind)
	if err != nil {
		var h *lock.HeldError
		if errors.As(err, &h) {
			return &LockedError{Held: h, StaleAfter: f}
		}
		return err
	}
	s.opts.Log.Debug("routine locked", "routine", s.opts.Routine, "lock", l.Path(), "kind", string(kind))
	h := &held{l: l}
	h.ctx, h.cancel = context.WithCancel(s.base)
	go func() {
		select {
		case <-l.Lost():
			h.cancel()
		case <-h.ctx.Done():
		}
	}()
	s.held = h
	return nil
}

// Locked reports whether the session holds a lock.
func (s *Session) Locked() bool { return s.held != nil }

// LostDuring is err, or, when err is nil but another run took the
// session's lock over while what ran, an error saying so.
func (s *Session) LostDuring(what string, err error) error {
	if err != nil || !s.Lost() {
		return err
	}
	return fmt.Errorf("routine %q: another run took the lock over during %s (heartbeats failed for longer than --lock-stale-after %s)",
		s.opts.Routine, what, s.opts.StaleAfter)
}

// Lost reports whether another run took the session's lock over.
func (s *Session) Lost() bool {
	if s.held == nil {
		return false
	}
	select {
	case <-s.held.l.Lost():
		return true
	default:
		return false
	}
}

// Release deletes the lock and closes the store. It runs on every exit
// path, after a signal cancelled the caller's context too, so the lock is
// deleted under a context of its own. Calling it again does nothing.
func (s *Session) Release() {
	if s == nil || s.Store == nil {
		return
	}
	s.unlock()
	s.Store.Close()
	s.Store = nil
}

func (s *Session) unlock() {
	h := s.held
	if h == nil {
		return
	}
	s.held = nil
	h.cancel()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := h.l.Release(ctx); err != nil {
		s.opts.Log.Warn("releasing the routine lock", "lock", h.l.Path(), "error", err)
	}
}
