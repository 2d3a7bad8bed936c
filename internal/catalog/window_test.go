package catalog

import (
	"context"
	"testing"
	"time"

	"github.com/aerobackup/aerobackup/internal/storage"
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
		// A clock a run after the last, so the window lists the last day
		// first and further back only as needed.
		now := ms(int64(1_700_000_000_000 + 1000*n))
		w, err := OpenWindow(ctx, c, Filter{Routines: []string{"r"}}, now, Need{})
		if err != nil {
			t.Fatal(err)
		}
		if c.reads.Load() != 0 || c.listDirs.Load() != 2 {
			t.Fatalf("%d runs: opening read %d files and listed %d folders, want 0 and 2 (backup/, incremental/)", n, c.reads.Load(), c.listDirs.Load())
		}
		if err := w.ReadBack(ctx, Need{Enough: HasBases([]string{"test"}, time.Time{})}); err != nil {
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
		if err := w.ReadBack(ctx, Need{Enough: func(Listing) bool { return false }}); err != nil {
			t.Fatal(err)
		}
		if len(w.Listing().Backups) != n || c.reads.Load() != int64(n) || w.Unread() != 0 || !w.Since().IsZero() {
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
	w, err := OpenWindow(ctx, s, Filter{Routines: []string{"r"}}, ms(10_000), Need{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.ReadBack(ctx, Need{Enough: HasBackup}); err != nil {
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

// fromStore is a store that lists folders from a name, as S3 and GCS do,
// counting the names its listings return.
type fromStore struct {
	storage.Store
	names int
	froms []string
}

func (f *fromStore) ListDirsFrom(ctx context.Context, prefix, from string) ([]string, error) {
	dirs, err := f.Store.ListDirs(ctx, prefix)
	dirs = storage.DirsFrom(dirs, from)
	f.names += len(dirs)
	f.froms = append(f.froms, from)
	return dirs, err
}

// TestWindowListsBackFromTheClock: over 50 days of hourly runs with a
// full every tenth day, a window lists the last day, then twice as far
// back each time, until the newest full: a fraction of the names, and
// reads only the runs since that full (and one batch before it).
func TestWindowListsBackFromTheClock(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	start := ms(1_700_000_000_000)
	const n, fullEvery = 1200, 240
	for i := range n {
		at := start.Add(time.Duration(i) * time.Hour)
		if i%fullEvery == 0 {
			putRun(t, s, "r", Full, at, time.Time{}, "test")
		} else {
			putRun(t, s, "r", Incremental, at, at.Add(-time.Hour), "test")
		}
	}
	now := start.Add(n * time.Hour)
	fs := &fromStore{Store: s}
	c := &countingStore{Store: s}
	w, err := OpenWindow(ctx, fs, Filter{Routines: []string{"r"}}, now, Need{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.ReadBack(ctx, Need{Enough: HasBackup}); err != nil {
		t.Fatal(err)
	}
	if fs.names != 24 || len(fs.froms) != 2 {
		t.Errorf("a window listed %d names in %d listings, want the last day's 24 in 2 (backup/, incremental/)", fs.names, len(fs.froms))
	}
	if err := w.ReadBack(ctx, Need{Enough: HasBases([]string{"test"}, time.Time{})}); err != nil {
		t.Fatal(err)
	}
	lastFull := start.Add((n - fullEvery) * time.Hour)
	l := w.Listing()
	if from, ok := CumulativeBase(l.Backups, "test"); !ok || !from.Equal(lastFull) {
		t.Fatalf("the window's last full is %v (%v), want %v", from, ok, lastFull)
	}
	// 1, 2, 4, 8 and 16 days back: the 16-day listing holds the full.
	if fs.names > 800 || w.Unread() == 0 {
		t.Errorf("listed %d names of %d (%d unread), want a fraction", fs.names, n, w.Unread())
	}
	if got := len(l.Backups); got < fullEvery || got > fullEvery+windowBatch {
		t.Errorf("read %d backups, want the %d since the last full and at most a batch more", got, fullEvery)
	}
	// The same decisions as over everything.
	all, err := Scan(ctx, c, Filter{Routines: []string{"r"}, Fresh: true})
	if err != nil {
		t.Fatal(err)
	}
	a, _ := IncrementalBase(all.Backups, "test")
	b, _ := IncrementalBase(l.Backups, "test")
	if !a.Equal(b) {
		t.Errorf("incremental base over the window %v, over every run %v", b, a)
	}
	// Asked for everything, it lists back to the beginning.
	if err := w.ReadBack(ctx, Need{Enough: func(Listing) bool { return false }}); err != nil {
		t.Fatal(err)
	}
	if len(w.Listing().Backups) != n || !w.Since().IsZero() || fs.froms[len(fs.froms)-1] != "" {
		t.Errorf("read back to the beginning: %d backups, since %v", len(w.Listing().Backups), w.Since())
	}
}

// TestWindowOfFulls: a full backup's window lists and reads full runs
// only, back to the newest complete full, and the incrementals only when
// an interrupted resumable full is newer than that: those started since it.
func TestWindowOfFulls(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	start := ms(1_700_000_000_000)
	for i := range 200 {
		at := start.Add(time.Duration(i) * time.Hour)
		if i%50 == 0 {
			putRun(t, s, "r", Full, at, time.Time{}, "test")
		} else {
			putRun(t, s, "r", Incremental, at, at.Add(-time.Hour), "test")
		}
	}
	now := start.Add(200 * time.Hour)
	open := func() (*Window, *fromStore) {
		fs := &fromStore{Store: s}
		w, err := OpenWindow(ctx, fs, Filter{Routines: []string{"r"}}, now, Need{Enough: HasBackup, Fulls: true})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.ReadBack(ctx, Need{Enough: HasBackup, Fulls: true}); err != nil {
			t.Fatal(err)
		}
		return w, fs
	}
	w, fs := open()
	if l := w.Listing(); len(l.Backups) != 1 || l.Backups[0].Type != Full || fs.names > 4 {
		t.Fatalf("window of fulls: %v, %d names listed; want the newest full alone, fulls' names only", keys(l.Backups), fs.names)
	}
	// An interrupted resumable full after the last full, then incrementals.
	cut := start.Add(190*time.Hour + time.Minute)
	run := RunDir("r", Full, cut)
	if err := s.WriteFile(ctx, NamespaceDir(run, "test")+"/test_0.asb", []byte("x")); err != nil {
		t.Fatal(err)
	}
	if err := WriteResumeMarker(ctx, s, run, &ResumeMarker{Routine: "r", Type: Full, Created: cut, Status: ResumeInterrupted,
		Compression: "NONE", Encryption: "NONE", Namespaces: []ResumeNamespace{{Name: "test"}}}); err != nil {
		t.Fatal(err)
	}
	w, _ = open()
	l := w.Listing()
	var incrs int
	for _, b := range l.Backups {
		if b.Type == Incremental {
			incrs++
			if b.Time.Before(cut) {
				t.Errorf("incremental %s from before the interrupted full was read", b.Key)
			}
		}
	}
	if incrs != 9 {
		t.Errorf("read %d incrementals, want the 9 since the interrupted full", incrs)
	}
	if _, ok := FindResumable(l, "r", Full); ok {
		t.Error("the interrupted full is continued although complete incrementals are newer")
	}
	// Asked for every type, the window starts over with every type.
	if err := w.ReadBack(ctx, Need{Enough: HasBases([]string{"test"}, time.Time{})}); err != nil {
		t.Fatal(err)
	}
	lastFull := start.Add(150 * time.Hour)
	from, ok := IncrementalBase(w.Listing().Backups, "test")
	if n := len(w.Listing().Backups); n < 50 || !ok || !from.Equal(start.Add(199*time.Hour)) {
		t.Errorf("after a need of every type: %d backups, base %v; want the full of %v and every incremental after it", n, from, lastFull)
	}
}
