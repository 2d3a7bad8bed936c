package catalog

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aerobackup/aerobackup/internal/storage"
	"github.com/aerobackup/aerobackup/internal/storage/localstore"
)

func newStore(t testing.TB) storage.Store {
	s, err := localstore.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func ms(v int64) time.Time { return time.UnixMilli(v).UTC() }

// putRun writes a run the way a backup does: data first, metadata last.
// from zero makes a full.
func putRun(t testing.TB, s storage.Store, routine string, typ Type, at, from time.Time, namespaces ...string) string {
	t.Helper()
	ctx := context.Background()
	run := RunDir(routine, typ, at)
	for _, ns := range namespaces {
		dir := NamespaceDir(run, ns)
		if err := s.WriteFile(ctx, dir+"/"+ns+"_0.asb", []byte("Version 3.1\n")); err != nil {
			t.Fatal(err)
		}
		md := &Metadata{Created: at, Finished: at.Add(time.Second), From: from, Namespace: ns, RecordCount: 10, ByteCount: 100, FileCount: 1}
		if err := WriteMetadata(ctx, s, dir, md); err != nil {
			t.Fatal(err)
		}
	}
	return run
}

func keys(bs []Backup) []string {
	var out []string
	for _, b := range bs {
		out = append(out, b.Key)
	}
	return out
}

func TestScan(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	putRun(t, s, "nightly", Full, ms(1000), time.Time{}, "test", "bar")
	putRun(t, s, "nightly", Incremental, ms(2000), ms(1000), "test", "bar")
	putRun(t, s, "nightly", Full, ms(3000), time.Time{}, "test")
	putRun(t, s, "weekly", Full, ms(1500), time.Time{}, "test")
	// ABS timestamp-format suffix.
	putRunFolder(t, s, "weekly/backup/2500_1970-01-01T00-00-02", ms(2500), "test")
	// A failed run: data but no metadata.
	if err := s.WriteFile(ctx, "nightly/backup/4000/data/test/test_0.asb", []byte("x")); err != nil {
		t.Fatal(err)
	}
	// A partial run: one namespace finished, one did not.
	putRun(t, s, "nightly", Incremental, ms(3500), ms(3000), "test")
	if err := s.WriteFile(ctx, "nightly/incremental/3500/data/bar/bar_0.asb", []byte("x")); err != nil {
		t.Fatal(err)
	}
	// A run folder without data (interrupted before the first file).
	if err := s.WriteFile(ctx, "nightly/backup/5000/configuration/aerospike_0.conf", []byte("x")); err != nil {
		t.Fatal(err)
	}
	// Not a run folder; a damaged metadata.yaml; a lock folder.
	if err := s.WriteFile(ctx, "nightly/backup/latest/data/test/metadata.yaml", []byte("x")); err != nil {
		t.Fatal(err)
	}
	if err := s.WriteFile(ctx, "weekly/backup/6000/data/test/metadata.yaml", []byte("namespace: test\n")); err != nil {
		t.Fatal(err)
	}
	if err := s.WriteFile(ctx, "nightly/.lock/full", []byte("{}")); err != nil {
		t.Fatal(err)
	}
	if err := s.WriteFile(ctx, ".hidden/backup/7000/data/test/x", []byte("{}")); err != nil {
		t.Fatal(err)
	}

	l, err := Scan(ctx, s, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"nightly/backup/1000",
		"weekly/backup/1500",
		"nightly/incremental/2000",
		"weekly/backup/2500_1970-01-01T00-00-02",
		"nightly/backup/3000",
		"nightly/incremental/3500",
	}
	if got := keys(l.Backups); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("backups = %v\nwant %v", got, want)
	}
	var inc []string
	for _, i := range l.Incomplete {
		inc = append(inc, i.Path)
	}
	wantInc := []string{
		"nightly/backup/4000/data/test",
		"nightly/backup/5000",
		"nightly/backup/latest",
		"nightly/incremental/3500/data/bar",
		"weekly/backup/6000/data/test",
	}
	if strings.Join(inc, " ") != strings.Join(wantInc, " ") {
		t.Errorf("incomplete = %v\nwant %v", inc, wantInc)
	}

	first := l.Backups[0]
	if first.Routine != "nightly" || first.Type != Full || !first.Time.Equal(ms(1000)) || len(first.Namespaces) != 2 {
		t.Fatalf("first backup = %+v", first)
	}
	if n, ok := first.Namespace("bar"); !ok || n.Dir != "nightly/backup/1000/data/bar" || n.Metadata.Namespace != "bar" {
		t.Errorf("bar = %+v, %v", n, ok)
	}
	if r, b := first.Totals(); r != 20 || b != 200 {
		t.Errorf("Totals = %d, %d", r, b)
	}
	if partial := l.Backups[5]; len(partial.Namespaces) != 1 || partial.Namespaces[0].Namespace != "test" {
		t.Errorf("partial run = %+v", partial)
	}
}

func putRunFolder(t testing.TB, s storage.Store, run string, at time.Time, ns string) {
	t.Helper()
	dir := NamespaceDir(run, ns)
	if err := WriteMetadata(context.Background(), s, dir, &Metadata{Created: at, Finished: at, Namespace: ns}); err != nil {
		t.Fatal(err)
	}
}

func TestListFilter(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	putRun(t, s, "a", Full, ms(1000), time.Time{}, "test", "bar")
	putRun(t, s, "a", Incremental, ms(2000), ms(1000), "test")
	putRun(t, s, "a", Full, ms(3000), time.Time{}, "bar")
	putRun(t, s, "b", Full, ms(2000), time.Time{}, "test")

	tests := []struct {
		name string
		f    Filter
		want string
	}{
		{"all", Filter{}, "a/backup/1000 a/incremental/2000 b/backup/2000 a/backup/3000"},
		{"routine", Filter{Routines: []string{"b"}}, "b/backup/2000"},
		{"missing routine", Filter{Routines: []string{"nope"}}, ""},
		{"full", Filter{Type: Full}, "a/backup/1000 b/backup/2000 a/backup/3000"},
		{"incremental", Filter{Type: Incremental}, "a/incremental/2000"},
		{"from inclusive", Filter{From: ms(2000)}, "a/incremental/2000 b/backup/2000 a/backup/3000"},
		{"to inclusive", Filter{To: ms(2000)}, "a/backup/1000 a/incremental/2000 b/backup/2000"},
		{"window", Filter{From: ms(1001), To: ms(2999)}, "a/incremental/2000 b/backup/2000"},
		{"namespace", Filter{Namespace: "bar"}, "a/backup/1000 a/backup/3000"},
		{"namespace and routine", Filter{Namespace: "test", Routines: []string{"a"}}, "a/backup/1000 a/incremental/2000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := List(ctx, s, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			if g := strings.Join(keys(got), " "); g != tt.want {
				t.Errorf("List = %q, want %q", g, tt.want)
			}
			if tt.f.Namespace != "" {
				for _, b := range got {
					if len(b.Namespaces) != 1 || b.Namespaces[0].Namespace != tt.f.Namespace {
						t.Errorf("%s carries namespaces %+v", b.Key, b.Namespaces)
					}
				}
			}
		})
	}
}

// countingStore records which operations List uses.
type countingStore struct {
	storage.Store
	lists, listDirs, reads atomic.Int64
}

func (c *countingStore) List(ctx context.Context, p string) ([]storage.Object, error) {
	c.lists.Add(1)
	return c.Store.List(ctx, p)
}

func (c *countingStore) ListDirs(ctx context.Context, p string) ([]string, error) {
	c.listDirs.Add(1)
	return c.Store.ListDirs(ctx, p)
}

func (c *countingStore) ReadFile(ctx context.Context, p string) ([]byte, error) {
	c.reads.Add(1)
	return c.Store.ReadFile(ctx, p)
}

// TestListNeverListsFiles: without the index (which checks its entries
// against the object listing) a scan lists folders only.
func TestListNeverListsFiles(t *testing.T) {
	t.Setenv("AEROBACKUP_CATALOG_INDEX", "off")
	s := newStore(t)
	for i := range 20 {
		putRun(t, s, "r", Full, ms(int64(1000+i)), time.Time{}, "test", "bar")
	}
	c := &countingStore{Store: s}
	got, err := List(context.Background(), c, Filter{Namespace: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 20 {
		t.Fatalf("listed %d backups", len(got))
	}
	if c.lists.Load() != 0 {
		t.Errorf("List walked data files %d times", c.lists.Load())
	}
	// Only the filtered namespace's metadata is read.
	if c.reads.Load() != 20 {
		t.Errorf("read %d files, want 20 metadata.yaml", c.reads.Load())
	}
	// root + r/backup + r/incremental + one per run.
	if c.listDirs.Load() != 23 {
		t.Errorf("ListDirs called %d times, want 23", c.listDirs.Load())
	}
}

func TestListCancelled(t *testing.T) {
	s := newStore(t)
	putRun(t, s, "r", Full, ms(1000), time.Time{}, "test")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := List(ctx, s, Filter{}); err == nil {
		t.Error("List on a cancelled context succeeded")
	}
}

func BenchmarkList1000(b *testing.B) {
	s := newStore(b)
	for i := range 1000 {
		typ, from := Full, time.Time{}
		if i%10 != 0 {
			typ, from = Incremental, ms(int64(1_700_000_000_000+i-1))
		}
		putRun(b, s, "nightly", typ, ms(int64(1_700_000_000_000+i)), from, "test")
	}
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		got, err := List(ctx, s, Filter{Routines: []string{"nightly"}})
		if err != nil {
			b.Fatal(err)
		}
		if len(got) != 1000 {
			b.Fatal(fmt.Sprint("listed ", len(got)))
		}
	}
}
