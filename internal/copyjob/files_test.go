package copyjob

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/checksum"
	"github.com/aerobackup/aerobackup/internal/storage"
	"github.com/aerobackup/aerobackup/internal/storage/localstore"
)

var quiet = slog.New(slog.DiscardHandler)

func store(t *testing.T) *localstore.Store {
	t.Helper()
	s, err := localstore.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// writeBackup stores a full of namespace "test" at 100 ms with files
// (name: content), a manifest recording their CRC32C unless abs, and
// metadata.yaml; it returns the backup as the catalog lists it.
func writeBackup(t *testing.T, s storage.Store, files map[string]string, abs bool) catalog.Backup {
	t.Helper()
	ctx := context.Background()
	key := catalog.RunDir("r", catalog.Full, ms(100))
	nsDir := catalog.NamespaceDir(key, "test")
	man := &catalog.Manifest{Tool: "aerobackup", Routine: "r", Type: catalog.Full, Namespace: "test"}
	for name, content := range files {
		if err := s.WriteFile(ctx, path.Join(nsDir, name), []byte(content)); err != nil {
			t.Fatal(err)
		}
		h := checksum.CRC32C.New()
		h.Write([]byte(content))
		man.Files = append(man.Files, catalog.ManifestEntry{Name: name, Size: int64(len(content)), CRC32C: checksum.Format(h)})
	}
	if err := s.WriteFile(ctx, catalog.ConfigurationFile(key, 0), []byte("service {}\n")); err != nil {
		t.Fatal(err)
	}
	if !abs {
		if err := catalog.WriteManifest(ctx, s, nsDir, man); err != nil {
			t.Fatal(err)
		}
	}
	md := &catalog.Metadata{Created: ms(100), Finished: ms(105), Namespace: "test", RecordCount: 3, FileCount: uint64(len(files))}
	if err := catalog.WriteMetadata(ctx, s, nsDir, md); err != nil {
		t.Fatal(err)
	}
	bs, err := catalog.List(ctx, s, catalog.Filter{Routines: []string{"r"}})
	if err != nil || len(bs) != 1 {
		t.Fatalf("List = %v, %v", bs, err)
	}
	return bs[0]
}

var twoFiles = map[string]string{"test_0.asb": "Version 3.1\nrecords 0\n", "test_1.asb": strings.Repeat("record\n", 1000)}

// sameFiles checks that dst holds exactly src's objects under prefix,
// byte for byte.
func sameFiles(t *testing.T, src, dst storage.Store, prefix string) {
	t.Helper()
	ctx := context.Background()
	so, _ := src.List(ctx, prefix)
	do, _ := dst.List(ctx, prefix)
	var sp, dp []string
	for _, o := range so {
		sp = append(sp, o.Path)
	}
	for _, o := range do {
		dp = append(dp, o.Path)
	}
	if !slices.Equal(sp, dp) {
		t.Fatalf("destination holds %v, source %v", dp, sp)
	}
	for _, p := range sp {
		a, _ := src.ReadFile(ctx, p)
		b, _ := dst.ReadFile(ctx, p)
		if string(a) != string(b) {
			t.Errorf("%s differs", p)
		}
	}
}

// recorder notes the order in which objects are written.
type recorder struct {
	*localstore.Store
	mu     sync.Mutex
	writes []string
}

func (r *recorder) note(p string) {
	r.mu.Lock()
	r.writes = append(r.writes, p)
	r.mu.Unlock()
}

func (r *recorder) WriteFile(ctx context.Context, p string, data []byte) error {
	r.note(p)
	return r.Store.WriteFile(ctx, p, data)
}

func (r *recorder) Put(ctx context.Context, p string, rd io.Reader) error {
	r.note(p)
	return r.Store.Put(ctx, p, rd)
}

func TestCopyBackup(t *testing.T) {
	src := store(t)
	b := writeBackup(t, src, twoFiles, false)
	dst := &recorder{Store: store(t)}
	c := &Copier{Src: src, Dst: dst, Parallel: 2, Log: quiet}
	res, err := c.CopyBackup(context.Background(), b, nil)
	if err != nil {
		t.Fatal(err)
	}
	sameFiles(t, src, dst.Store, b.Key)
	if res.Files != 5 || res.Kept != 0 || res.NoSums {
		t.Errorf("result %+v", res)
	}
	n := len(dst.writes)
	if n != 5 || path.Base(dst.writes[n-1]) != catalog.MetadataFile || path.Base(dst.writes[n-2]) != catalog.ManifestFile {
		t.Errorf("write order %v: want the manifest, then metadata.yaml last", dst.writes)
	}
	if files, bytes := c.Copied(); files != 5 || bytes != res.Bytes || bytes == 0 {
		t.Errorf("Copied = %d files, %d bytes; result %d bytes", files, bytes, res.Bytes)
	}

	// Again: every data file is read back, found intact and kept.
	res, err = (&Copier{Src: src, Dst: dst.Store, Log: quiet}).CopyBackup(context.Background(), b, nil)
	if err != nil || res.Kept != 3 || res.Files != 2 {
		t.Errorf("second copy: %+v, %v", res, err)
	}
}

func TestCopyBackupWithoutManifest(t *testing.T) {
	src, dst := store(t), store(t)
	b := writeBackup(t, src, twoFiles, true)
	res, err := (&Copier{Src: src, Dst: dst, Log: quiet}).CopyBackup(context.Background(), b, nil)
	if err != nil || !res.NoSums || res.Files != 4 {
		t.Fatalf("copy of an ABS backup: %+v, %v", res, err)
	}
	sameFiles(t, src, dst, b.Key)
}

func TestCopyBackupCorruptSource(t *testing.T) {
	for _, tt := range []struct{ name, content, why string }{
		{"same size, other bytes", strings.Repeat("recorX\n", 1000), "CRC32C"},
		{"truncated", "record\n", "7 bytes read, 7000 recorded"},
		{"longer", strings.Repeat("record\n", 1001), "longer than the 7000 bytes recorded"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			src, dst := store(t), store(t)
			b := writeBackup(t, src, twoFiles, false)
			bad := path.Join(b.Namespaces[0].Dir, "test_1.asb")
			if err := src.WriteFile(ctx, bad, []byte(tt.content)); err != nil {
				t.Fatal(err)
			}
			// A copy of an earlier run left the file at the destination.
			if err := dst.WriteFile(ctx, bad, []byte("stale")); err != nil {
				t.Fatal(err)
			}
			_, err := (&Copier{Src: src, Dst: dst, Log: quiet}).CopyBackup(ctx, b, nil)
			var ce *CorruptError
			if !errors.As(err, &ce) || ce.Path != bad || !strings.Contains(err.Error(), tt.why) ||
				!strings.HasPrefix(err.Error(), "checksum mismatch: "+bad+": ") ||
				!strings.Contains(err.Error(), "the source file is corrupt") || strings.Contains(err.Error(), "\n") {
				t.Fatalf("err = %v", err)
			}
			if _, err := dst.Stat(ctx, bad); !errors.Is(err, storage.ErrNotFound) {
				t.Errorf("the corrupt file's copy stayed: %v", err)
			}
			if _, err := dst.Stat(ctx, catalog.MetadataPath(b.Namespaces[0].Dir)); !errors.Is(err, storage.ErrNotFound) {
				t.Errorf("metadata.yaml was copied after a corrupt file: %v", err)
			}
			if bs, _ := catalog.List(ctx, dst, catalog.Filter{}); len(bs) != 0 {
				t.Errorf("the destination lists %v", bs)
			}
		})
	}
}

func TestCopyBackupExistingFiles(t *testing.T) {
	ctx := context.Background()
	src, dst := store(t), store(t)
	b := writeBackup(t, src, twoFiles, false)
	dir := b.Namespaces[0].Dir
	// A good copy of test_0 and a damaged one of test_1, of the right size.
	if err := dst.WriteFile(ctx, path.Join(dir, "test_0.asb"), []byte(twoFiles["test_0.asb"])); err != nil {
		t.Fatal(err)
	}
	if err := dst.WriteFile(ctx, path.Join(dir, "test_1.asb"), []byte(strings.Repeat("recorX\n", 1000))); err != nil {
		t.Fatal(err)
	}
	res, err := (&Copier{Src: src, Dst: dst, Log: quiet}).CopyBackup(ctx, b, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Kept != 1 || res.Files != 4 {
		t.Errorf("result %+v: want test_0 kept, test_1 copied again", res)
	}
	sameFiles(t, src, dst, b.Key)
}

func TestCopyBackupInterrupted(t *testing.T) {
	src, dst := store(t), store(t)
	b := writeBackup(t, src, twoFiles, false)
	ctx, cancel := context.WithCancel(context.Background())
	c := &Copier{Src: src, Dst: dst, Pause: 50 * time.Millisecond, Log: quiet}
	time.AfterFunc(120*time.Millisecond, cancel)
	_, err := c.CopyBackup(ctx, b, nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	bg := context.Background()
	if objs, _ := dst.List(bg, b.Key); len(objs) == 0 || len(objs) >= 5 {
		t.Errorf("an interrupted copy left %v", objs)
	}
	if bs, _ := catalog.List(bg, dst, catalog.Filter{}); len(bs) != 0 {
		t.Errorf("an interrupted copy lists %v", bs)
	}
	res, err := (&Copier{Src: src, Dst: dst, Log: quiet}).CopyBackup(bg, b, nil)
	if err != nil || res.Kept == 0 {
		t.Errorf("the next copy: %+v, %v (want the files already there kept)", res, err)
	}
	sameFiles(t, src, dst, b.Key)
}

func localstoreAt(root string) (storage.Store, error) { return localstore.New(root) }
