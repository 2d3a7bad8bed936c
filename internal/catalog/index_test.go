package catalog

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aerobackup/aerobackup/internal/storage"
)

func scanR(t *testing.T, s storage.Store, f Filter) Listing {
	t.Helper()
	f.Routines = []string{"r"}
	l, err := Scan(context.Background(), s, f)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestIndexSavesReads: a second scan reads the index instead of every
// metadata.yaml, and lists exactly what the first did.
func TestIndexSavesReads(t *testing.T) {
	c := &countingStore{Store: newStore(t)}
	history(t, c, 50)
	c.reads.Store(0)
	first := scanR(t, c, Filter{})
	if got := c.reads.Load(); got != 51 {
		t.Fatalf("first scan read %d files, want 50 metadata.yaml and the (missing) index", got)
	}
	c.reads.Store(0)
	c.lists.Store(0)
	second := scanR(t, c, Filter{})
	if got := c.reads.Load(); got != 1 {
		t.Errorf("second scan read %d files, want the index alone", got)
	}
	if got := c.lists.Load(); got != 2 {
		t.Errorf("second scan listed objects %d times, want once per type folder", got)
	}
	if !reflect.DeepEqual(first, second) {
		t.Errorf("the scan through the index differs:\n%+v\n%+v", first.Backups[0], second.Backups[0])
	}
	// A new run is read, and learnt.
	putRun(t, c.Store, "r", Incremental, ms(1_800_000_000_000), ms(1_700_000_049_000), "test")
	c.reads.Store(0)
	if l := scanR(t, c, Filter{}); len(l.Backups) != 51 || c.reads.Load() != 2 {
		t.Errorf("after a new run: %d backups with %d reads, want 51 with 2 (index, the new run)", len(l.Backups), c.reads.Load())
	}
	c.reads.Store(0)
	scanR(t, c, Filter{})
	if c.reads.Load() != 1 {
		t.Errorf("the new run was not learnt: %d reads", c.reads.Load())
	}
}

// TestIndexNeverOutlivesTheListing: a run deleted behind the index's back
// is gone from the listing; a run incomplete when read is read again until
// it is a backup; a damaged index is rebuilt; a narrowed scan keeps the
// entries it did not list.
func TestIndexNeverOutlivesTheListing(t *testing.T) {
	ctx := context.Background()
	c := &countingStore{Store: newStore(t)}
	history(t, c, 20)
	scanR(t, c, Filter{})

	gone := RunDir("r", Incremental, ms(1_700_000_005_000))
	if err := c.Store.DeleteAll(ctx, gone); err != nil {
		t.Fatal(err)
	}
	if l := scanR(t, c, Filter{}); len(l.Backups) != 19 || containsKey(l.Backups, gone) {
		t.Fatalf("a deleted run still lists: %d backups", len(l.Backups))
	}
	if _, ok := readIndexFile(ctx, c.Store, "r")[gone]; ok {
		t.Error("the deleted run's entry was kept")
	}

	// Publishing: the data is there, metadata.yaml not yet.
	at := ms(1_700_000_100_000)
	late := NamespaceDir(RunDir("r", Full, at), "test")
	if err := c.Store.WriteFile(ctx, late+"/test_0.asb", []byte("Version 3.1\n")); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if l := scanR(t, c, Filter{}); len(l.Incomplete) != 1 || l.Incomplete[0].Path != late {
			t.Fatalf("incomplete = %v, want %s", l.Incomplete, late)
		}
	}
	if err := WriteMetadata(ctx, c.Store, late, &Metadata{Created: at, Finished: at.Add(time.Second), Namespace: "test"}); err != nil {
		t.Fatal(err)
	}
	if l := scanR(t, c, Filter{}); len(l.Incomplete) != 0 || !containsKey(l.Backups, RunDir("r", Full, at)) {
		t.Fatalf("the run published since is not a backup: %v", l.Incomplete)
	}

	// A narrowed scan leaves the entries outside its window alone.
	scanR(t, c, Filter{From: at})
	if n := len(readIndexFile(ctx, c.Store, "r")); n != 20 {
		t.Errorf("after a narrowed scan the index holds %d runs, want 20", n)
	}

	for _, junk := range [][]byte{[]byte("not gzip"), nil} {
		if err := c.Store.WriteFile(ctx, IndexPath("r"), junk); err != nil {
			t.Fatal(err)
		}
		c.reads.Store(0)
		if l := scanR(t, c, Filter{}); len(l.Backups) != 20 || c.reads.Load() != 21 {
			t.Fatalf("damaged index: %d backups with %d reads, want 20 with 21", len(l.Backups), c.reads.Load())
		}
		c.reads.Store(0)
		scanR(t, c, Filter{})
		if c.reads.Load() != 1 {
			t.Errorf("the damaged index was not rebuilt: %d reads", c.reads.Load())
		}
	}
}

func TestIndexOff(t *testing.T) {
	t.Setenv("AEROBACKUP_CATALOG_INDEX", "off")
	c := &countingStore{Store: newStore(t)}
	history(t, c, 10)
	for range 2 {
		c.reads.Store(0)
		scanR(t, c, Filter{})
		if c.reads.Load() != 10 {
			t.Errorf("with the index off a scan read %d files, want every metadata.yaml (10)", c.reads.Load())
		}
	}
	if _, err := c.Store.Stat(context.Background(), IndexPath("r")); err == nil {
		t.Error("an index was written with the index off")
	}
}

// TestIndexSeesHalfRemovedRuns: a removal cut short after one
// metadata.yaml went lists the run as it is, not as the index held it.
func TestIndexSeesHalfRemovedRuns(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	putRun(t, s, "r", Full, ms(1000), time.Time{}, "test", "bar")
	keep := putRun(t, s, "r", Full, ms(2000), time.Time{}, "test")
	scanR(t, s, Filter{})
	cut := &failingStore{Store: s, n: 1} // one metadata.yaml deleted, then cut
	if err := RemoveRun(ctx, cut, RunDir("r", Full, ms(1000))); err == nil {
		t.Fatal("the cut removal succeeded")
	}
	l := scanR(t, s, Filter{})
	for _, b := range l.Backups {
		if b.Key != keep && len(b.Namespaces) != 1 {
			t.Errorf("after a cut removal %s lists %d namespaces, as the index held it; want the one whose metadata.yaml is left", b.Key, len(b.Namespaces))
		}
	}
}

func containsKey(bs []Backup, key string) bool {
	for _, b := range bs {
		if b.Key == key {
			return true
		}
	}
	return false
}

// TestConfirm: metadata.yaml wins over what a scan said, and a backup
// whose metadata.yaml went since is an error naming it.
func TestConfirm(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	putRun(t, s, "r", Full, ms(1000), time.Time{}, "test")
	putRun(t, s, "r", Incremental, ms(2000), ms(1000), "test")
	l := scanR(t, s, Filter{})
	dirs := []string{l.Backups[0].Namespaces[0].Dir, l.Backups[1].Namespaces[0].Dir}

	got, changed, err := Confirm(ctx, s, l.Backups, dirs)
	if err != nil || changed || !reflect.DeepEqual(got, l.Backups) {
		t.Fatalf("unchanged files: changed %v, err %v", changed, err)
	}
	// The file says otherwise than the scan (a stale index, say).
	md := l.Backups[1].Namespaces[0].Metadata
	md.RecordCount = 77
	if err := WriteMetadata(ctx, s, dirs[1], &md); err != nil {
		t.Fatal(err)
	}
	got, changed, err = Confirm(ctx, s, l.Backups, dirs)
	if err != nil || !changed || got[1].Namespaces[0].Metadata.RecordCount != 77 {
		t.Fatalf("changed file: changed %v, err %v, records %d", changed, err, got[1].Namespaces[0].Metadata.RecordCount)
	}
	if l.Backups[1].Namespaces[0].Metadata.RecordCount == 77 {
		t.Error("Confirm changed the backups it was given")
	}
	if err := s.Delete(ctx, MetadataPath(dirs[0])); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Confirm(ctx, s, l.Backups, dirs[1:]); err != nil {
		t.Errorf("a backup not asked about was read: %v", err)
	}
	if _, _, err := Confirm(ctx, s, l.Backups, dirs); err == nil || !strings.Contains(err.Error(), "r/backup/1000") {
		t.Errorf("a gone metadata.yaml: %v, want an error naming the backup", err)
	}
}

// TestIndexSeesRewrittenMetadata: a metadata.yaml replaced behind the
// index's back (another size or time in the listing) is read again.
func TestIndexSeesRewrittenMetadata(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	putRun(t, s, "r", Full, ms(1000), time.Time{}, "test")
	l := scanR(t, s, Filter{})
	md := l.Backups[0].Namespaces[0].Metadata
	md.RecordCount = 123456
	if err := WriteMetadata(ctx, s, l.Backups[0].Namespaces[0].Dir, &md); err != nil {
		t.Fatal(err)
	}
	if got := scanR(t, s, Filter{}).Backups[0].Namespaces[0].Metadata.RecordCount; got != 123456 {
		t.Errorf("after a rewrite the scan says %d records, want metadata.yaml's 123456", got)
	}
}
