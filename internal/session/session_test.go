package session

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/lock"
	"github.com/aerobackup/aerobackup/internal/storage"
	"github.com/aerobackup/aerobackup/internal/storage/localstore"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// countingStore counts Close calls and can fail the catalog's listing.
type countingStore struct {
	storage.Store
	closed   int
	failList bool
}

func (s *countingStore) Close() error { s.closed++; return s.Store.Close() }

func (s *countingStore) ListDirs(ctx context.Context, prefix string) ([]string, error) {
	if s.failList {
		return nil, errors.New("access denied")
	}
	return s.Store.ListDirs(ctx, prefix)
}

// newStore is a local store holding one full backup of routine r.
func newStore(t *testing.T) (*countingStore, Opener) {
	t.Helper()
	ls, err := localstore.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	at := time.UnixMilli(1763712000000).UTC()
	dir := catalog.NamespaceDir(catalog.RunDir("r", catalog.Full, at), "test")
	if err := catalog.WriteMetadata(context.Background(), ls, dir,
		&catalog.Metadata{Created: at, Finished: at.Add(time.Second), Namespace: "test"}); err != nil {
		t.Fatal(err)
	}
	cs := &countingStore{Store: ls}
	return cs, func(context.Context) (storage.Store, error) { return cs, nil }
}

func opts(kind lock.Kind) Options {
	return Options{Routine: "r", Kind: kind, StaleAfter: time.Minute, Log: quiet}
}

func lockObjects(t *testing.T, s storage.Store) []string {
	t.Helper()
	objs, err := s.List(context.Background(), lock.Dir("r"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, o := range objs {
		out = append(out, o.Path)
	}
	return out
}

// One Open gives the store, the lock and the catalog; one Release gives
// back the lock and closes the store; a second run is refused meanwhile.
func TestOpenLocksAndScans(t *testing.T) {
	st, open := newStore(t)
	ctx := context.Background()
	s, err := Open(ctx, open, opts(lock.Full))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Listing.Backups) != 1 || s.Listing.Backups[0].Key != "r/backup/1763712000000" {
		t.Fatalf("listing = %+v", s.Listing.Backups)
	}
	if got := lockObjects(t, st); len(got) != 1 || got[0] != "r/.lock/full" || !s.Locked() {
		t.Fatalf("locks = %v, Locked %v; want r/.lock/full", got, s.Locked())
	}
	_, err = Open(ctx, open, opts(lock.Full))
	var locked *LockedError
	if !errors.As(err, &locked) || !errors.Is(err, lock.ErrHeld) ||
		!strings.HasPrefix(err.Error(), `skipped: routine "r": cannot start full: a full is running (`) ||
		!strings.HasSuffix(err.Error(), "(a lock older than --lock-stale-after 1m0s is taken over)") {
		t.Fatalf("second full: %v, want a skip naming --lock-stale-after", err)
	}
	if st.closed != 1 {
		t.Errorf("the refused session closed the store %d times, want 1", st.closed)
	}
	s.Release()
	s.Release() // again: nothing
	if got := lockObjects(t, st); len(got) != 0 || st.closed != 2 {
		t.Fatalf("after Release: locks %v, closed %d; want none, 2", got, st.closed)
	}
	if s, err = Open(ctx, open, opts(lock.Full)); err != nil {
		t.Fatalf("after Release: %v", err)
	}
	s.Release()
}

// A dry run reads the catalog and takes no lock.
func TestOpenWithoutLock(t *testing.T) {
	st, open := newStore(t)
	s, err := Open(context.Background(), open, Options{Routine: "r", Log: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Release()
	if len(s.Listing.Backups) != 1 || s.Locked() || s.Lost() || len(lockObjects(t, st)) != 0 {
		t.Fatalf("backups %d, locked %v, locks %v", len(s.Listing.Backups), s.Locked(), lockObjects(t, st))
	}
	if s.Context() != context.Background() {
		t.Error("an unlocked session's context is not the caller's")
	}
}

// Relock swaps the kind: an incremental promoted to a full holds the full
// lock and no longer the incremental one.
func TestRelock(t *testing.T) {
	st, open := newStore(t)
	s, err := Open(context.Background(), open, opts(lock.Incremental))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Release()
	first := s.Context()
	if got := lockObjects(t, st); len(got) != 1 || got[0] != "r/.lock/incremental" {
		t.Fatalf("locks = %v", got)
	}
	if err := s.Relock(lock.Full); err != nil {
		t.Fatal(err)
	}
	if got := lockObjects(t, st); len(got) != 1 || got[0] != "r/.lock/full" {
		t.Fatalf("after Relock: locks = %v, want r/.lock/full", got)
	}
	if first.Err() == nil || s.Context().Err() != nil {
		t.Errorf("old lock's context %v, new %v: want the old one ended, the new one live", first.Err(), s.Context().Err())
	}
	// A prune is refused beside another run: the session then holds none.
	other, err := Open(context.Background(), open, opts(lock.Restore))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Release()
	var locked *LockedError
	if err := s.Relock(lock.Prune); !errors.As(err, &locked) || s.Locked() {
		t.Fatalf("prune beside a restore: %v, locked %v; want a skip and no lock", err, s.Locked())
	}
}

// Failures leave nothing open or locked, with the texts users see.
func TestOpenErrors(t *testing.T) {
	st, open := newStore(t)
	_, err := Open(context.Background(), open, Options{Routine: "r", Kind: lock.Full, Log: quiet})
	if !errors.As(err, new(*OptionError)) || err.Error() != "--lock-stale-after must be positive, got 0s" {
		t.Errorf("stale-after 0: %v", err)
	}
	st.failList = true
	_, err = Open(context.Background(), open, opts(lock.Full))
	want := `routine "r": reading the catalog of local "`
	if err == nil || !strings.HasPrefix(err.Error(), want) || !strings.HasSuffix(err.Error(), "access denied") {
		t.Errorf("scan failure: %v, want %s...", err, want)
	}
	st.failList = false
	if got := lockObjects(t, st); len(got) != 0 || st.closed != 2 {
		t.Errorf("after failures: locks %v, closed %d; want none, 2", got, st.closed)
	}
	bad := errors.New(`routine "r": storage: bucket "x" not found`)
	if _, err := Open(context.Background(), func(context.Context) (storage.Store, error) { return nil, bad }, opts(lock.Full)); err != bad {
		t.Errorf("opener failure: %v, want it as is", err)
	}
}

// A lock taken over by another run ends the session's context and shows
// as Lost, so the holder stops writing and says why.
func TestLostLock(t *testing.T) {
	st, open := newStore(t)
	o := opts(lock.Full)
	o.StaleAfter = 40 * time.Millisecond
	s, err := Open(context.Background(), open, o)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Release()
	later := func() time.Time { return time.Now().Add(time.Hour) }
	thief, err := lock.New(st, lock.Options{Now: later, StaleAfter: time.Minute, Logger: quiet}).Acquire(context.Background(), "r", lock.Full)
	if err != nil {
		t.Fatalf("takeover: %v", err)
	}
	defer thief.Release(context.Background())
	select {
	case <-s.Context().Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the session's context did not end when its lock was taken over")
	}
	if !s.Lost() {
		t.Error("Lost() = false after a takeover")
	}
	failed := errors.New("write failed")
	if err := s.LostDuring("the backup", failed); err != failed {
		t.Errorf("LostDuring kept %v, want the run's own error", err)
	}
	want := `routine "r": another run took the lock over during the backup (heartbeats failed for longer than --lock-stale-after 40ms)`
	if err := s.LostDuring("the backup", nil); err == nil || err.Error() != want {
		t.Errorf("LostDuring = %v, want %q", err, want)
	}
}

// TestOpenReadsTheWindowAsked: with Enough, Open reads the newest runs
// only, ReadBack reads further when the caller learns it needs more, and
// Rescan reads everything.
func TestOpenReadsTheWindowAsked(t *testing.T) {
	cs, open := newStore(t)
	ctx := context.Background()
	base := time.UnixMilli(1763712000000).UTC()
	for i := 1; i <= 100; i++ {
		at := base.Add(time.Duration(i) * time.Minute)
		dir := catalog.NamespaceDir(catalog.RunDir("r", catalog.Incremental, at), "test")
		if err := catalog.WriteMetadata(ctx, cs.Store, dir,
			&catalog.Metadata{Created: at, Finished: at.Add(time.Second), From: at.Add(-time.Minute), Namespace: "test"}); err != nil {
			t.Fatal(err)
		}
	}
	o := opts(lock.Incremental)
	o.Need = &catalog.Need{Enough: catalog.HasBackup}
	s, err := Open(ctx, open, o)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Release()
	if n := len(s.Listing.Backups); n == 0 || n >= 101 {
		t.Fatalf("Open read %d of 101 backups, want one batch", n)
	}
	if err := s.ReadBack(catalog.Need{Enough: catalog.HasBases([]string{"test"}, time.Time{})}); err != nil {
		t.Fatal(err)
	}
	if n := len(s.Listing.Backups); n != 101 || s.Listing.Backups[0].Type != catalog.Full {
		t.Fatalf("ReadBack to the full read %d backups, want 101 from the full", n)
	}
	if err := s.Rescan(); err != nil {
		t.Fatal(err)
	}
	if err := s.ReadBack(catalog.Need{Enough: catalog.HasBackup}); err != nil || len(s.Listing.Backups) != 101 {
		t.Fatalf("after Rescan, ReadBack changed the listing: %d backups, %v", len(s.Listing.Backups), err)
	}
}
