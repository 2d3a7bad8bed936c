// Package storagetest is the conformance suite every storage.Store must
// pass: the local store's tests run it today, the cloud stores' tests run
// it against emulators. It checks behaviour through the interface only and
// must not know any implementation.
package storagetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aerobackup/aerobackup/internal/storage"
)

// Run exercises every Store method. newStore must return an empty store
// (a fresh folder or prefix) each time it is called; the suite closes it.
func Run(t *testing.T, newStore func(t *testing.T) storage.Store) {
	t.Helper()
	cases := []struct {
		name string
		fn   func(t *testing.T, s storage.Store)
	}{
		{"ReadWrite", testReadWrite},
		{"Overwrite", testOverwrite},
		{"NotFound", testNotFound},
		{"Stat", testStat},
		{"List", testList},
		{"ListDirs", testListDirs},
		{"Delete", testDelete},
		{"DeleteAll", testDeleteAll},
		{"CreateExclusive", testCreateExclusive},
		{"CreateExclusiveRace", testCreateExclusiveRace},
		{"ConcurrentWriteRead", testConcurrentWriteRead},
		{"String", testString},
		{"Stream", testStream},
		{"StreamFailure", testStreamFailure},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newStore(t)
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
			c.fn(t, s)
		})
	}
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return c
}

func write(t *testing.T, s storage.Store, p, content string) {
	t.Helper()
	if err := s.WriteFile(ctx(t), p, []byte(content)); err != nil {
		t.Fatalf("WriteFile(%q): %v", p, err)
	}
}

func read(t *testing.T, s storage.Store, p string) string {
	t.Helper()
	b, err := s.ReadFile(ctx(t), p)
	if err != nil {
		t.Fatalf("ReadFile(%q): %v", p, err)
	}
	return string(b)
}

func paths(objs []storage.Object) []string {
	out := make([]string, len(objs))
	for i, o := range objs {
		out[i] = o.Path
	}
	slices.Sort(out)
	return out
}

func testReadWrite(t *testing.T, s storage.Store) {
	for _, p := range []string{"top.txt", "a/b/c/deep.yaml", "r/backup/1700000000000/data/ns/metadata.yaml"} {
		content := "content of " + p
		write(t, s, p, content)
		if got := read(t, s, p); got != content {
			t.Errorf("ReadFile(%q) = %q, want %q", p, got, content)
		}
	}
	// Empty and binary content survive unchanged.
	write(t, s, "empty", "")
	if got := read(t, s, "empty"); got != "" {
		t.Errorf("empty object read back as %q", got)
	}
	bin := []byte{0, 1, 2, 255, '\n', 0}
	if err := s.WriteFile(ctx(t), "bin", bin); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.ReadFile(ctx(t), "bin"); !bytes.Equal(got, bin) {
		t.Errorf("binary object read back as %v", got)
	}
}

func testOverwrite(t *testing.T, s storage.Store) {
	write(t, s, "x/obj", "first, longer content")
	write(t, s, "x/obj", "second")
	if got := read(t, s, "x/obj"); got != "second" {
		t.Errorf("after overwrite got %q", got)
	}
	objs, err := s.List(ctx(t), "x")
	if err != nil {
		t.Fatal(err)
	}
	if got := paths(objs); !slices.Equal(got, []string{"x/obj"}) {
		t.Errorf("overwrite left extra objects: %v", got)
	}
}

func testNotFound(t *testing.T, s storage.Store) {
	if _, err := s.ReadFile(ctx(t), "missing/file"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("ReadFile(missing) error = %v, want ErrNotFound", err)
	}
	if _, err := s.Stat(ctx(t), "missing"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Stat(missing) error = %v, want ErrNotFound", err)
	}
	if err := s.Delete(ctx(t), "missing"); err != nil {
		t.Errorf("Delete(missing) = %v, want nil", err)
	}
	if err := s.DeleteAll(ctx(t), "missing"); err != nil {
		t.Errorf("DeleteAll(missing) = %v, want nil", err)
	}
	if objs, err := s.List(ctx(t), "missing"); err != nil || len(objs) != 0 {
		t.Errorf("List(missing) = %v, %v; want empty", objs, err)
	}
	if dirs, err := s.ListDirs(ctx(t), "missing"); err != nil || len(dirs) != 0 {
		t.Errorf("ListDirs(missing) = %v, %v; want empty", dirs, err)
	}
}

func testStat(t *testing.T, s storage.Store) {
	before := time.Now().Add(-time.Hour)
	write(t, s, "d/obj", "12345")
	o, err := s.Stat(ctx(t), "d/obj")
	if err != nil {
		t.Fatal(err)
	}
	if o.Path != "d/obj" || o.Size != 5 {
		t.Errorf("Stat = %+v, want path d/obj size 5", o)
	}
	if o.Modified.Before(before) || o.Modified.After(time.Now().Add(time.Hour)) {
		t.Errorf("Stat modified time %v is not recent", o.Modified)
	}
	// A folder is not an object.
	if _, err := s.Stat(ctx(t), "d"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Stat(folder) error = %v, want ErrNotFound", err)
	}
}

func testList(t *testing.T, s storage.Store) {
	files := map[string]string{
		"r/backup/1/data/ns1/a.asb":         "aaaa",
		"r/backup/1/data/ns1/metadata.yaml": "m",
		"r/backup/1/data/ns2/b.asb":         "bb",
		"r/incremental/2/data/ns1/c.asb":    "c",
		"other/x":                           "x",
		"rr/not-below-r":                    "no",
	}
	for p, c := range files {
		write(t, s, p, c)
	}
	objs, err := s.List(ctx(t), "r")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"r/backup/1/data/ns1/a.asb",
		"r/backup/1/data/ns1/metadata.yaml",
		"r/backup/1/data/ns2/b.asb",
		"r/incremental/2/data/ns1/c.asb",
	}
	if got := paths(objs); !slices.Equal(got, want) {
		t.Errorf("List(r) = %v, want %v", got, want)
	}
	for _, o := range objs {
		if o.Size != int64(len(files[o.Path])) {
			t.Errorf("List size of %s = %d, want %d", o.Path, o.Size, len(files[o.Path]))
		}
	}
	// A trailing slash means the same folder.
	objs, err = s.List(ctx(t), "r/backup/1/data/ns2/")
	if err != nil {
		t.Fatal(err)
	}
	if got := paths(objs); !slices.Equal(got, []string{"r/backup/1/data/ns2/b.asb"}) {
		t.Errorf("List(ns2/) = %v", got)
	}
	all, err := s.List(ctx(t), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != len(files) {
		t.Errorf("List(root) found %d objects, want %d: %v", len(all), len(files), paths(all))
	}
}

func testListDirs(t *testing.T, s storage.Store) {
	for _, p := range []string{
		"routine-b/backup/1700000000300/data/ns/a.asb",
		"routine-b/backup/1700000000100/data/ns/a.asb",
		"routine-b/backup/1700000000200_2023-11-14T22-13-20/data/ns/a.asb",
		"routine-b/backup/file-not-folder",
		"routine-a/incremental/1/data/ns/x.asb",
		"top-level-file",
	} {
		write(t, s, p, "x")
	}
	dirs, err := s.ListDirs(ctx(t), "")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"routine-a", "routine-b"}; !slices.Equal(dirs, want) {
		t.Errorf("ListDirs(root) = %v, want %v", dirs, want)
	}
	dirs, err = s.ListDirs(ctx(t), "routine-b/backup")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"1700000000100", "1700000000200_2023-11-14T22-13-20", "1700000000300"}
	if !slices.Equal(dirs, want) {
		t.Errorf("ListDirs(routine-b/backup) = %v, want %v", dirs, want)
	}
	dirs, err = s.ListDirs(ctx(t), "routine-b/backup/1700000000100/data/ns")
	if err != nil || len(dirs) != 0 {
		t.Errorf("ListDirs(leaf) = %v, %v; want none", dirs, err)
	}
	// From a name: the folder itself, one whose name it begins, and later.
	for from, want := range map[string][]string{
		"1700000000200": {"1700000000200_2023-11-14T22-13-20", "1700000000300"},
		"1700000000150": {"1700000000200_2023-11-14T22-13-20", "1700000000300"},
		"1700000000300": {"1700000000300"},
		"1700000000301": nil,
		"":              {"1700000000100", "1700000000200_2023-11-14T22-13-20", "1700000000300"},
	} {
		dirs, err := storage.ListDirsFrom(ctx(t), s, "routine-b/backup", from)
		if err != nil || !slices.Equal(dirs, want) {
			t.Errorf("ListDirsFrom(routine-b/backup, %q) = %v, %v; want %v", from, dirs, err, want)
		}
	}
}

func testDelete(t *testing.T, s storage.Store) {
	write(t, s, "d/keep", "k")
	write(t, s, "d/gone", "g")
	if err := s.Delete(ctx(t), "d/gone"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ReadFile(ctx(t), "d/gone"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("deleted object still readable: %v", err)
	}
	if got := read(t, s, "d/keep"); got != "k" {
		t.Errorf("sibling changed: %q", got)
	}
	if err := s.Delete(ctx(t), "d/gone"); err != nil {
		t.Errorf("second Delete = %v, want nil", err)
	}
}

func testDeleteAll(t *testing.T, s storage.Store) {
	write(t, s, "r/backup/1/data/ns/a.asb", "a")
	write(t, s, "r/backup/1/data/ns/metadata.yaml", "m")
	write(t, s, "r/backup/1/configuration/aerospike_0.conf", "c")
	write(t, s, "r/backup/2/data/ns/a.asb", "keep")
	write(t, s, "r/backup/10/data/ns/a.asb", "keep too (shares a name prefix)")
	if err := s.DeleteAll(ctx(t), "r/backup/1"); err != nil {
		t.Fatal(err)
	}
	objs, err := s.List(ctx(t), "r")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"r/backup/10/data/ns/a.asb", "r/backup/2/data/ns/a.asb"}
	if got := paths(objs); !slices.Equal(got, want) {
		t.Errorf("after DeleteAll: %v, want %v", got, want)
	}
	dirs, err := s.ListDirs(ctx(t), "r/backup")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(dirs, []string{"10", "2"}) {
		t.Errorf("after DeleteAll, folders %v, want [10 2]", dirs)
	}
	if err := s.DeleteAll(ctx(t), "r/backup/1"); err != nil {
		t.Errorf("second DeleteAll = %v, want nil", err)
	}
	// Deleting the last run leaves no listed runs behind.
	for _, d := range []string{"r/backup/2", "r/backup/10"} {
		if err := s.DeleteAll(ctx(t), d); err != nil {
			t.Fatal(err)
		}
	}
	dirs, err = s.ListDirs(ctx(t), "r/backup")
	if err != nil || len(dirs) != 0 {
		t.Errorf("after deleting every run: %v, %v", dirs, err)
	}
}

func testCreateExclusive(t *testing.T, s storage.Store) {
	const p = "r/.lock/full"
	if err := s.CreateExclusive(ctx(t), p, []byte("first")); err != nil {
		t.Fatal(err)
	}
	err := s.CreateExclusive(ctx(t), p, []byte("second"))
	if !errors.Is(err, storage.ErrExists) {
		t.Errorf("second CreateExclusive error = %v, want ErrExists", err)
	}
	if got := read(t, s, p); got != "first" {
		t.Errorf("lock content = %q, want the first writer's", got)
	}
	if err := s.Delete(ctx(t), p); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateExclusive(ctx(t), p, []byte("third")); err != nil {
		t.Errorf("CreateExclusive after Delete: %v", err)
	}
	if got := read(t, s, p); got != "third" {
		t.Errorf("lock content = %q, want third", got)
	}
	// No temporary objects are visible.
	objs, err := s.List(ctx(t), "r")
	if err != nil {
		t.Fatal(err)
	}
	if got := paths(objs); !slices.Equal(got, []string{p}) {
		t.Errorf("List after CreateExclusive = %v", got)
	}
}

func testCreateExclusiveRace(t *testing.T, s storage.Store) {
	const n = 16
	for round := range 3 {
		p := fmt.Sprintf("race/%d/lock", round)
		var wins, exists atomic.Int32
		var winner atomic.Value
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				body := fmt.Sprintf("holder-%d", i)
				err := s.CreateExclusive(context.Background(), p, []byte(body))
				switch {
				case err == nil:
					wins.Add(1)
					winner.Store(body)
				case errors.Is(err, storage.ErrExists):
					exists.Add(1)
				default:
					t.Errorf("CreateExclusive: %v", err)
				}
			}()
		}
		close(start)
		wg.Wait()
		if wins.Load() != 1 || exists.Load() != n-1 {
			t.Fatalf("round %d: %d winners, %d ErrExists; want 1 and %d", round, wins.Load(), exists.Load(), n-1)
		}
		if got := read(t, s, p); got != winner.Load().(string) {
			t.Errorf("round %d: stored %q, winner wrote %q", round, got, winner.Load())
		}
	}
}

// testConcurrentWriteRead checks that readers see either the old or the
// new content whole while a writer replaces an object.
func testConcurrentWriteRead(t *testing.T, s storage.Store) {
	const p = "atomic/obj"
	a := bytes.Repeat([]byte("a"), 64<<10)
	b := bytes.Repeat([]byte("b"), 32<<10)
	if err := s.WriteFile(ctx(t), p, a); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 50 {
			data := a
			if i%2 == 0 {
				data = b
			}
			if err := s.WriteFile(context.Background(), p, data); err != nil {
				t.Errorf("WriteFile: %v", err)
				return
			}
		}
	}()
	for {
		select {
		case <-done:
			return
		default:
		}
		got, err := s.ReadFile(context.Background(), p)
		if err != nil {
			t.Errorf("ReadFile during rewrite: %v", err)
			<-done
			return
		}
		if !bytes.Equal(got, a) && !bytes.Equal(got, b) {
			t.Errorf("reader saw a partial object (%d bytes)", len(got))
			<-done
			return
		}
	}
}

func testString(t *testing.T, s storage.Store) {
	if s.String() == "" {
		t.Error("String() is empty; messages need to name the store")
	}
}
