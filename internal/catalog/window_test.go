package catalog

import (
	"context"
	"testing"
	"time"
)

// history writes n runs of routine r a second apart: a full every tenth,
// incrementals between, all of namespace test.
func history(t testing.TB, c *countingStore, n int) {
	t.Helper()
	for i := range n {
		at := ms(int64(1_700_000_000_000 + 1000*i))
		if i%10 == 0 {
			putRun(t, c.Store, "r", Full, at, time.Time{}, "test")
		} else {
			putRun(t, c.Store, "r", Incremental, at, at.Add(-time.Second), "test")
		}
	}
}

// TestWindowReadsOnlyWhatIsNeeded: however long the history, a window
// reads one batch back to the newest full, and further only when asked.
func TestWindowReadsOnlyWhatIsNeeded(t *testing.T) {
	ctx := context.Background()
	for _, n := range []int{5, 100, 1000} {
		c := &countingStore{Store: newStore(t)}
		history(t, c, n)
		c.reads.Store(0)
		c.listDirs.Store(0)
		w, err := OpenWindow(ctx, c, Filter{Routines: []string{"r"}})
		if err != nil {
			t.Fatal(err)
		}
		if c.reads.Load() != 0 || c.listDirs.Load() != 2 {
			t.Fatalf("%d runs: opening read %d files and listed %d folders, want 0 and 2 (backup/, incremental/)", n, c.reads.Load(), c.listDirs.Load())
		}
		if err := w.ReadBack(ctx, HasBases([]string{"test"}, time.Time{})); err != nil {
			t.Fatal(err)
		}
		l := w.Listing()
		wantRead := min(n, windowBatch)
		if got := len(l.Backups); got != wantRead || c.reads.Load() != int64(wantRead) {
			t.Fatalf("%d runs: read %d backups with %d reads, want %d", n, got, c.reads.Load(), wantRead)
		}
		if w.Unread() != n-wantRead {
			t.Errorf("%d runs: %d unread, want %d", n, w.Unread(), n-wantRead)
		}
		if from, ok := IncrementalBase(l.Backups, "test"); !ok || !from.Equal(ms(int64(1_700_000_000_000+1000*(n-1)))) {
			t.Errorf("%d runs: the next incremental's base is %v (%v), want the newest run", n, from, ok)
		}
		// Asked for everything, it reads the rest, each run once.
		if err := w.ReadBack(ctx, func(Listing) bool { return false }); err != nil {
			t.Fatal(err)
		}
		if len(w.Listing().Backups) != n || c.reads.Load() != int64(n) || w.Unread() != 0 || !w.Start().IsZero() {
			t.Errorf("%d runs: read back to the start: %d backups, %d reads, %d unread", n, len(w.Listing().Backups), c.reads.Load(), w.Unread())
		}
		full, err := Scan(ctx, c.Store, Filter{Routines: []string{"r"}})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := keys(w.Listing().Backups), keys(full.Backups); len(got) != len(want) || got[0] != want[0] || got[len(got)-1] != want[len(want)-1] {
			t.Errorf("%d runs: the window read whole differs from Scan", n)
		}
	}
}

// TestWindowKeepsIncompleteRuns: the runs read include the incomplete
// ones, and folders not named as runs are reported without reading.
func TestWindowKeepsIncompleteRuns(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	putRun(t, s, "r", Full, ms(1000), time.Time{}, "test")
	putRun(t, s, "r", Full, ms(2000), time.Time{}, "test")
	if err := s.WriteFile(ctx, "r/backup/3000/data/test/test_0.asb", []byte("x")); err != nil {
		t.Fatal(err)
	}
	if err := s.WriteFile(ctx, "r/backup/junk/data/test/x", []byte("x")); err != nil {
		t.Fatal(err)
	}
	w, err := OpenWindow(ctx, s, Filter{Routines: []string{"r"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.ReadBack(ctx, HasBackup); err != nil {
		t.Fatal(err)
	}
	l := w.Listing()
	var paths []string
	for _, inc := range l.Incomplete {
		paths = append(paths, inc.Path)
	}
	if len(paths) != 2 || paths[0] != "r/backup/3000/data/test" || paths[1] != "r/backup/junk" {
		t.Errorf("incomplete = %v, want the run without metadata and the badly named folder", paths)
	}
	if len(l.Backups) != 2 {
		t.Errorf("backups = %v, want both (one batch)", keys(l.Backups))
	}
}

func TestHasBasesBefore(t *testing.T) {
	bs := []Backup{
		{Type: Full, Time: ms(1000), Namespaces: []NamespaceBackup{{Namespace: "a"}}},
		{Type: Full, Time: ms(3000), Namespaces: []NamespaceBackup{{Namespace: "b"}}},
	}
	l := Listing{Backups: bs}
	for _, tc := range []struct {
		nss    []string
		before int64
		want   bool
	}{
		{[]string{"a", "b"}, 0, true},
		{[]string{"a", "b"}, 3000, false}, // b's full is not before the slice's run
		{[]string{"a"}, 3000, true},
		{[]string{"c"}, 0, false},
		{nil, 0, true},
		{nil, 1000, false}, // nothing before: no full read
	} {
		var before time.Time
		if tc.before != 0 {
			before = ms(tc.before)
		}
		if got := HasBases(tc.nss, before)(l); got != tc.want {
			t.Errorf("HasBases(%v, %d) = %v, want %v", tc.nss, tc.before, got, tc.want)
		}
	}
}
