// Package lock owns the per-routine run locks kept in backup storage, so
// that aerobackup runs on different hosts (and ABS-style rules) do not
// collide: one full at a time, a full before incrementals, no incremental
// beside another, no prune beside anything.
//
// Lock objects live in the routine's folder, beside ABS's backup and
// incremental folders (which ABS alone scans, so it never sees them):
//
//	<routine>/.lock/full               one full backup
//	<routine>/.lock/incremental        one incremental backup
//	<routine>/.lock/prune              one retention prune
//	<routine>/.lock/pin                one pin or unpin (excludes a prune)
//	<routine>/.lock/restore-<run-id>   any number of restores
//	<routine>/.lock/copy-<run-id>      any number of copies reading the
//	                                   routine's backups elsewhere
//	<routine>/.lock/copy-in            one copy writing backups here
//	<routine>/.lock/full.<run>.<i>     slice i of a sliced full (and
//	                                   incremental.<run>.<i>)
//
// The slices of one sliced run (same run folder) do not exclude each
// other; towards every other run they count as their kind.
//
// Each holds JSON {host, pid, pid-start, pid-space, start, heartbeat,
// kind, run-id}. The holder rewrites it every heartbeat interval; a lock
// whose heartbeat is older than the stale limit is presumed dead and may be
// taken over. Times come from the injected clock, so hosts' clocks must
// roughly agree (well within the stale limit).
//
// A lock taken on this host (same host name and, on Linux, the same boot
// and pid namespace) is taken over at once when its pid is not running, or
// now runs a process that started at another time (pid-start, from
// /proc/<pid>/stat): a run killed with SIGKILL or by the OOM killer does not
// block its routine for the stale limit. Elsewhere than Linux only the pid's
// liveness is checked; on Windows nothing is, and such locks go stale.
//
// The package must not decide what to do about a held lock (skip, wait,
// fail): it reports a typed *HeldError, which outcome classes as a skip.
package lock

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/aerobackup/aerobackup/internal/storage"
)

// Kind is what a lock protects.
type Kind string

// Lock kinds.
const (
	Full        Kind = "full"
	Incremental Kind = "incremental"
	Restore     Kind = "restore"
	Prune       Kind = "prune"
	// Pin guards a pin or unpin against a prune deciding meanwhile; it
	// runs beside backups and restores.
	Pin Kind = "pin"
	// Copy reads the routine's backups to copy them to another storage:
	// shared like a restore's.
	Copy Kind = "copy"
	// CopyIn writes copied backups into the routine: one at a time, and
	// not beside a backup (both add runs the other has not seen).
	CopyIn Kind = "copy-in"
)

// Defaults for Options.
const (
	DefaultHeartbeat  = time.Minute
	DefaultStaleAfter = 10 * time.Minute
)

// Dir is the folder of a routine's locks, relative to the storage root.
func Dir(routine string) string { return path.Join(routine, ".lock") }

const takeoverSuffix = ".takeover"

// Info is a lock object's content.
type Info struct {
	Host string `json:"host"`
	PID  int    `json:"pid"`
	// PIDStart and PIDSpace tell the holder's process from a later one on
	// the same pid (see self); empty in locks of older versions.
	PIDStart  uint64    `json:"pid-start,omitempty"`
	PIDSpace  string    `json:"pid-space,omitempty"`
	Start     time.Time `json:"start"`
	Heartbeat time.Time `json:"heartbeat"`
	Kind      Kind      `json:"kind"`
	RunID     string    `json:"run-id"`
	// Slice is "<run folder>/<index>" for one slice of a sliced run.
	Slice string `json:"slice,omitempty"`
}

func (i Info) String() string {
	return fmt.Sprintf("host %s, pid %d, run %s, started %s, last heartbeat %s",
		i.Host, i.PID, i.RunID, i.Start.UTC().Format(time.RFC3339), i.Heartbeat.UTC().Format(time.RFC3339))
}

// ErrHeld matches every *HeldError with errors.Is.
var ErrHeld = errors.New("routine is locked")

// ErrLost is returned (wrapped) by Release when another run took the lock
// over (after this one's heartbeat went stale).
var ErrLost = errors.New("lock was taken over")

// HeldError says a run was refused because another holds the routine.
type HeldError struct {
	Routine string
	Want    Kind // what this run asked for
	Holder  Info // the run in the way
	Path    string
}

func (e *HeldError) Error() string {
	return fmt.Sprintf("routine %q: cannot start %s: %s %s is running (%s); lock %s",
		e.Routine, e.Want, article(e.Holder.Kind), e.Holder.Kind, e.Holder, e.Path)
}

// Is makes errors.Is(err, ErrHeld) work.
func (e *HeldError) Is(target error) bool { return target == ErrHeld }

func article(k Kind) string {
	if k == Incremental {
		return "an"
	}
	return "a"
}

// Options tune a Manager. Zero values take the defaults.
type Options struct {
	Host  string           // default os.Hostname()
	PID   int              // default os.Getpid()
	RunID string           // default random
	Now   func() time.Time // default time.Now

	HeartbeatInterval time.Duration // default DefaultHeartbeat
	StaleAfter        time.Duration // default DefaultStaleAfter

	// Slice, for one slice of a sliced backup, is "<run folder>/<index>":
	// the slices of one run share the routine.
	Slice string

	// AllowConcurrentIncremental lets an incremental start while a full
	// runs (ABS's concurrent-incremental policy flag).
	AllowConcurrentIncremental bool

	Logger *slog.Logger // warnings; default slog.Default()
}

// Manager acquires locks on one store.
type Manager struct {
	store storage.Store
	opts  Options
	self  self // of the process opts.PID names
}

// New returns a Manager for store.
func New(store storage.Store, opts Options) *Manager {
	if opts.Host == "" {
		opts.Host, _ = os.Hostname()
	}
	if opts.PID == 0 {
		opts.PID = os.Getpid()
	}
	if opts.RunID == "" {
		opts.RunID = newRunID()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.HeartbeatInterval <= 0 {
		opts.HeartbeatInterval = DefaultHeartbeat
	}
	if opts.StaleAfter <= 0 {
		opts.StaleAfter = DefaultStaleAfter
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &Manager{store: store, opts: opts, self: processIdentity(opts.PID)}
}

func newRunID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Path is the lock object for kind in routine (restores are per run).
func (m *Manager) Path(routine string, kind Kind) string {
	if kind == Restore || kind == Copy {
		return path.Join(Dir(routine), string(kind)+"-"+m.opts.RunID)
	}
	if m.opts.Slice != "" && (kind == Full || kind == Incremental) {
		return path.Join(Dir(routine), string(kind)+"."+strings.ReplaceAll(m.opts.Slice, "/", "."))
	}
	return path.Join(Dir(routine), string(kind))
}

func (m *Manager) stale(i Info) bool {
	return m.opts.Now().Sub(i.Heartbeat) > m.opts.StaleAfter
}

// dead says why a lock's holder is presumed dead, or "" if it may live:
// its heartbeat is stale, or it ran on this host and has ended.
func (m *Manager) dead(i Info) string {
	if m.stale(i) {
		return "stale"
	}
	return m.ended(i)
}

// Lock is a held routine lock. Release it when the run ends.
type Lock struct {
	m       *Manager
	routine string
	path    string

	mu       sync.Mutex
	info     Info
	released bool
	warnings []string

	stop     context.CancelFunc
	done     chan struct{}
	lost     chan struct{}
	lostOnce sync.Once
}

// Acquire takes the routine's lock for kind, applying ABS's rules:
// a full never overlaps another full and starts even if an incremental
// runs; an incremental is refused beside another incremental, and beside
// a full unless AllowConcurrentIncremental; a prune is refused beside any
// backup, restore or copy, and every run is refused beside a prune; a
// copy into the routine (CopyIn) is refused beside a backup or another
// copy in, and a backup beside it; copies out (Copy) share the routine
// with everything but a prune. A refusal is
// a *HeldError. A lock in the way whose holder is dead (stale, or ended on
// this host) is taken over with a warning.
func (m *Manager) Acquire(ctx context.Context, routine string, kind Kind) (*Lock, error) {
	switch kind {
	case Full, Incremental, Restore, Prune, Pin, Copy, CopyIn:
	default:
		return nil, fmt.Errorf("lock: unknown kind %q", kind)
	}
	if routine == "" || strings.Contains(routine, "..") {
		return nil, fmt.Errorf("lock: invalid routine %q", routine)
	}
	now := m.opts.Now()
	l := &Lock{
		m: m, routine: routine, path: m.Path(routine, kind),
		info: Info{Host: m.opts.Host, PID: m.opts.PID, PIDStart: m.self.start, PIDSpace: m.self.space,
			Start: now, Heartbeat: now, Kind: kind, RunID: m.opts.RunID},
		done: make(chan struct{}),
		lost: make(chan struct{}),
	}
	if kind == Full || kind == Incremental {
		l.info.Slice = m.opts.Slice
	}
	if err := l.create(ctx); err != nil {
		return nil, err
	}
	// Every run creates its own lock first and then looks for conflicts:
	// of two runs racing, at least one sees the other.
	if err := l.checkConflicts(ctx); err != nil {
		l.deleteIfOurs(ctx)
		return nil, err
	}
	hbCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	l.stop = cancel
	go l.heartbeat(hbCtx)
	return l, nil
}

func (l *Lock) warn(msg string, args ...any) {
	l.mu.Lock()
	l.warnings = append(l.warnings, msg)
	l.mu.Unlock()
	l.m.opts.Logger.Warn(msg, append([]any{slog.String("routine", l.routine), slog.String("lock", l.path)}, args...)...)
}

func (l *Lock) encode() []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, _ := json.Marshal(l.info)
	return b
}

// create writes the lock object exclusively, taking over a dead holder's.
func (l *Lock) create(ctx context.Context) error {
	st := l.m.store
	for range 5 {
		err := st.CreateExclusive(ctx, l.path, l.encode())
		if err == nil {
			return nil
		}
		if !errors.Is(err, storage.ErrExists) {
			// The store's error names the store and the path.
			return fmt.Errorf("routine %q: create lock: %w", l.routine, err)
		}
		raw, holder, err := l.m.read(ctx, l.path)
		if errors.Is(err, storage.ErrNotFound) {
			continue // released meanwhile
		}
		if err != nil {
			return err
		}
		why := l.m.dead(holder)
		if why == "" {
			return &HeldError{Routine: l.routine, Want: l.info.Kind, Holder: holder, Path: l.path}
		}
		took, err := l.takeover(ctx, raw, holder, why)
		if err != nil || took {
			return err
		}
		// The lock changed under us: look again.
	}
	return fmt.Errorf("routine %q: lock %s keeps changing; try again", l.routine, l.path)
}

// read returns a lock object's bytes and content. An unreadable object
// (not JSON) is reported with its storage time as heartbeat, so it goes
// stale like any other.
func (m *Manager) read(ctx context.Context, p string) ([]byte, Info, error) {
	raw, err := m.store.ReadFile(ctx, p)
	if err != nil {
		if errors.Is(err, storage.ErrNotFound) {
			return nil, Info{}, err
		}
		return nil, Info{}, fmt.Errorf("read lock %s in %s: %w", p, m.store, err)
	}
	var i Info
	if json.Unmarshal(raw, &i) == nil && !i.Heartbeat.IsZero() {
		return raw, i, nil
	}
	i = Info{Host: "unknown (unreadable lock)", RunID: "?"}
	if o, err := m.store.Stat(ctx, p); err == nil {
		i.Start, i.Heartbeat = o.Modified, o.Modified
	}
	return raw, i, nil
}

// takeover replaces a dead holder's lock whose content was raw; why says
// how the holder is known dead ("stale" or how it ended). A marker object,
// itself created exclusively, makes sure only one run takes over; the
// lock is re-read and compared under it, so a holder that came back to
// life (or a faster taker) wins. It reports whether the lock is now ours;
// false with no error means "changed, look again".
func (l *Lock) takeover(ctx context.Context, raw []byte, holder Info, why string) (bool, error) {
	st := l.m.store
	marker := l.path + takeoverSuffix
	if err := st.CreateExclusive(ctx, marker, l.encode()); err != nil {
		if !errors.Is(err, storage.ErrExists) {
			return false, fmt.Errorf("routine %q: take over lock %s: %w", l.routine, l.path, err)
		}
		// Another run is taking over; a marker left by a crash goes stale (at
		// once on its own host, as a lock does).
		if _, mi, rerr := l.m.read(ctx, marker); rerr == nil && l.m.dead(mi) != "" {
			_ = st.Delete(ctx, marker)
			return false, nil
		}
		return false, &HeldError{Routine: l.routine, Want: l.info.Kind, Holder: holder, Path: l.path}
	}
	defer func() { _ = st.Delete(context.WithoutCancel(ctx), marker) }()

	now, err := st.ReadFile(ctx, l.path)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("routine %q: take over lock %s: %w", l.routine, l.path, err)
	case !bytes.Equal(now, raw):
		return false, nil
	}
	if err := st.WriteFile(ctx, l.path, l.encode()); err != nil {
		return false, fmt.Errorf("routine %q: take over lock %s: %w", l.routine, l.path, err)
	}
	attrs := []any{slog.String("holder-host", holder.Host), slog.Int("holder-pid", holder.PID),
		slog.String("holder-run-id", holder.RunID), slog.Time("holder-heartbeat", holder.Heartbeat)}
	if why == "stale" {
		l.warn("took over a stale lock", attrs...)
	} else {
		l.warn("took over the lock of a run that has ended: "+why, attrs...)
	}
	return true, nil
}

// checkConflicts applies the cross-kind rules against the routine's
// other live locks.
func (l *Lock) checkConflicts(ctx context.Context) error {
	st := l.m.store
	objs, err := st.List(ctx, Dir(l.routine))
	if err != nil {
		return fmt.Errorf("routine %q: list locks in %s: %w", l.routine, st, err)
	}
	for _, o := range objs {
		if o.Path == l.path || strings.HasSuffix(o.Path, takeoverSuffix) {
			continue
		}
		_, other, err := l.m.read(ctx, o.Path)
		if errors.Is(err, storage.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		if why := l.m.dead(other); why == "stale" {
			l.warn("ignoring a stale lock", slog.String("other-lock", o.Path), slog.String("holder", other.String()))
			continue
		} else if why != "" {
			l.warn("ignoring the lock of a run that has ended: "+why,
				slog.String("other-lock", o.Path), slog.String("holder", other.String()))
			continue
		}
		if other.Kind == "" {
			other.Kind = kindOfPath(o.Path)
		}
		if l.info.Slice != "" && other.Kind == l.info.Kind && sameRun(l.info.Slice, other.Slice) {
			continue // another slice of this run
		}
		switch conflict(l.info.Kind, other.Kind, l.m.opts.AllowConcurrentIncremental) {
		case refuse:
			return &HeldError{Routine: l.routine, Want: l.info.Kind, Holder: other, Path: o.Path}
		case proceedWithWarning:
			l.warn("a full backup takes priority: starting while an incremental runs",
				slog.String("other-lock", o.Path), slog.String("holder", other.String()))
		}
	}
	return nil
}

func kindOfPath(p string) Kind {
	base := path.Base(p)
	if strings.HasPrefix(base, "restore-") {
		return Restore
	}
	if base == string(CopyIn) {
		return CopyIn
	}
	if strings.HasPrefix(base, "copy-") {
		return Copy
	}
	kind, _, _ := strings.Cut(base, ".")
	return Kind(kind)
}

// sameRun reports whether two slices ("<run folder>/<index>") belong to
// one run.
func sameRun(a, b string) bool {
	ra, _, _ := strings.Cut(a, "/")
	rb, _, ok := strings.Cut(b, "/")
	return ok && ra == rb
}

type verdict int

const (
	proceed verdict = iota
	proceedWithWarning
	refuse
)

// conflict says whether a run of kind want may start while other runs.
// Same-kind exclusion for full, incremental, prune and pin is enforced by
// the shared object name; this covers the rest (a pin meets only prunes).
func conflict(want, other Kind, concurrentIncr bool) verdict {
	switch {
	case want == Prune || other == Prune:
		return refuse
	case want == CopyIn && (other == Full || other == Incremental):
		return refuse
	case other == CopyIn && (want == Full || want == Incremental):
		return refuse
	case want == Full && other == Incremental:
		return proceedWithWarning
	case want == Incremental && other == Full && !concurrentIncr:
		return refuse
	case want == Incremental && other == Incremental:
		return refuse
	case want == Full && other == Full:
		return refuse
	}
	return proceed
}

// heartbeat refreshes the lock until Release.
func (l *Lock) heartbeat(ctx context.Context) {
	defer close(l.done)
	t := time.NewTicker(l.m.opts.HeartbeatInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := l.Refresh(ctx); err != nil {
				if errors.Is(err, ErrLost) {
					return
				}
				if ctx.Err() == nil {
					l.m.opts.Logger.Warn("lock heartbeat failed; will retry",
						slog.String("routine", l.routine), slog.String("lock", l.path), slog.Any("error", err))
				}
			}
		}
	}
}

// Refresh rewrites the lock with a new heartbeat time, unless another run
// has taken it over (ErrLost, and Lost() is closed). The heartbeat
// goroutine calls it; tests may call it directly.
func (l *Lock) Refresh(ctx context.Context) error {
	_, cur, err := l.m.read(ctx, l.path)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return err
	}
	if err != nil || cur.RunID != l.info.RunID {
		l.markLost()
		return fmt.Errorf("routine %q: lock %s: %w", l.routine, l.path, ErrLost)
	}
	l.mu.Lock()
	if l.released {
		l.mu.Unlock()
		return nil
	}
	l.info.Heartbeat = l.m.opts.Now()
	l.mu.Unlock()
	return l.m.store.WriteFile(ctx, l.path, l.encode())
}

func (l *Lock) markLost() {
	l.lostOnce.Do(func() {
		close(l.lost)
		l.m.opts.Logger.Warn("lock was taken over by another run",
			slog.String("routine", l.routine), slog.String("lock", l.path))
	})
}

// Lost is closed when another run took this lock over; the holder should
// stop writing.
func (l *Lock) Lost() <-chan struct{} { return l.lost }

// Info returns the lock's current content.
func (l *Lock) Info() Info {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.info
}

// Path is the lock object's path in the store.
func (l *Lock) Path() string { return l.path }

// Warnings lists what Acquire had to override (a stale lock taken over, a
// full started beside an incremental).
func (l *Lock) Warnings() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.warnings...)
}

// Release stops the heartbeat and deletes the lock if it is still ours.
// Calling it again does nothing.
func (l *Lock) Release(ctx context.Context) error {
	l.mu.Lock()
	if l.released {
		l.mu.Unlock()
		return nil
	}
	l.released = true
	l.mu.Unlock()
	if l.stop != nil {
		l.stop()
		<-l.done
	}
	if !l.deleteIfOurs(ctx) {
		return fmt.Errorf("routine %q: lock %s: %w", l.routine, l.path, ErrLost)
	}
	return nil
}

// deleteIfOurs removes the lock object when it still carries our run id;
// it reports false when someone else holds it now.
func (l *Lock) deleteIfOurs(ctx context.Context) bool {
	_, cur, err := l.m.read(ctx, l.path)
	if errors.Is(err, storage.ErrNotFound) {
		return true
	}
	if err == nil && cur.RunID != l.info.RunID {
		return false
	}
	_ = l.m.store.Delete(context.WithoutCancel(ctx), l.path)
	return true
}
