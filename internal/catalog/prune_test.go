package catalog

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/aerobackup/aerobackup/internal/storage"
)

// failingStore fails every Delete/DeleteAll after the first n.
type failingStore struct {
	storage.Store
	n int
}

var errCut = errors.New("cut short")

func (f *failingStore) step() error {
	if f.n <= 0 {
		return errCut
	}
	f.n--
	return nil
}

func (f *failingStore) Delete(ctx context.Context, p string) error {
	if err := f.step(); err != nil {
		return err
	}
	return f.Store.Delete(ctx, p)
}

func (f *failingStore) DeleteAll(ctx context.Context, p string) error {
	if err := f.step(); err != nil {
		return err
	}
	return f.Store.DeleteAll(ctx, p)
}

// prune lists, plans and applies as the CLI does.
func prune(t *testing.T, s storage.Store) error {
	t.Helper()
	l, err := Scan(context.Background(), s, Filter{Routines: []string{"r"}})
	if err != nil {
		t.Fatal(err)
	}
	plan, err := PlanRetention(l.Backups, 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	_, err = ApplyRetention(context.Background(), s, plan, Leftovers(l))
	return err
}

// TestApplyRetentionInterrupted cuts a prune short after every possible
// number of deletions, then runs it again: the end state is always the
// uninterrupted one, and no kept backup is ever touched.
func TestApplyRetentionInterrupted(t *testing.T) {
	build := func(t *testing.T) (storage.Store, []string) {
		s := newStore(t)
		var keys []string
		for i := range 4 {
			base := int64(1000 * (i + 1))
			keys = append(keys, putRun(t, s, "r", Full, ms(base), time.Time{}, "test", "bar"))
			keys = append(keys, putRun(t, s, "r", Incremental, ms(base+100), ms(base), "test", "bar"))
		}
		return s, keys
	}
	// Keep F3000, F4000 and the incremental after F4000.
	wantKeys := []string{RunDir("r", Full, ms(3000)), RunDir("r", Full, ms(4000)), RunDir("r", Incremental, ms(4100))}
	slices.Sort(wantKeys)
	for cut := 0; cut < 40; cut++ {
		s, _ := build(t)
		err := prune(t, &failingStore{Store: s, n: cut})
		finished := err == nil
		if err != nil && !errors.Is(err, errCut) {
			t.Fatalf("cut %d: %v", cut, err)
		}
		// Kept backups are complete even mid-prune.
		got, _ := List(context.Background(), s, Filter{})
		for _, k := range wantKeys {
			i := slices.IndexFunc(got, func(b Backup) bool { return b.Key == k })
			if i < 0 || len(got[i].Namespaces) != 2 {
				t.Fatalf("cut %d: kept backup %s damaged", cut, k)
			}
		}
		if err := prune(t, s); err != nil {
			t.Fatalf("cut %d: rerun: %v", cut, err)
		}
		l, _ := Scan(context.Background(), s, Filter{})
		var keys []string
		for _, b := range l.Backups {
			keys = append(keys, b.Key)
		}
		slices.Sort(keys)
		if !slices.Equal(keys, wantKeys) || len(l.Incomplete) != 0 {
			t.Fatalf("cut %d: after rerun backups %v incomplete %v, want %v", cut, keys, l.Incomplete, wantKeys)
		}
		objs, _ := s.List(context.Background(), "r")
		for _, o := range objs {
			keep := o.Path == IndexPath("r")
			for _, k := range wantKeys {
				if len(o.Path) > len(k) && o.Path[:len(k)+1] == k+"/" {
					keep = true
				}
			}
			if !keep {
				t.Fatalf("cut %d: file %s left behind", cut, o.Path)
			}
		}
		if finished {
			return
		}
	}
	t.Fatal("prune never finished within 40 deletions")
}

// syncingStore records Sync calls and the deletions made before the first.
type syncingStore struct {
	storage.Store
	syncs, deletesBeforeSync int
	err                      error
}

func (s *syncingStore) Sync(context.Context) error {
	s.syncs++
	return s.err
}

func (s *syncingStore) DeleteAll(ctx context.Context, p string) error {
	if s.syncs == 0 {
		s.deletesBeforeSync++
	}
	return s.Store.DeleteAll(ctx, p)
}

func (s *syncingStore) Delete(ctx context.Context, p string) error {
	if s.syncs == 0 {
		s.deletesBeforeSync++
	}
	return s.Store.Delete(ctx, p)
}

// TestApplyRetentionSyncsFirst: on a store that caches writes, the kept
// backups are made durable before anything is deleted; a failed sync
// deletes nothing; nothing to delete needs no sync.
func TestApplyRetentionSyncsFirst(t *testing.T) {
	build := func() storage.Store {
		s := newStore(t)
		for i := range 4 {
			putRun(t, s, "r", Full, ms(int64(1000*(i+1))), time.Time{}, "test")
		}
		return s
	}
	s := &syncingStore{Store: build()}
	if err := prune(t, s); err != nil {
		t.Fatal(err)
	}
	if s.syncs != 1 || s.deletesBeforeSync != 0 {
		t.Fatalf("%d syncs, %d deletions before the first; want 1 and 0", s.syncs, s.deletesBeforeSync)
	}
	if err := prune(t, s); err != nil || s.syncs != 1 {
		t.Fatalf("a prune with nothing to remove: err %v, %d syncs in all, want 1", err, s.syncs)
	}

	failing := &syncingStore{Store: build(), err: errors.New("disk gone")}
	err := prune(t, failing)
	if err == nil || failing.deletesBeforeSync != 0 {
		t.Fatalf("sync failure: err %v, %d deletions; want an error and none", err, failing.deletesBeforeSync)
	}
	if l, _ := List(context.Background(), failing.Store, Filter{}); len(l) != 4 {
		t.Fatalf("after a failed sync %d backups remain, want all 4", len(l))
	}
}
