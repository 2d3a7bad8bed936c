package localstore

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/aerobackup/aerobackup/internal/storage"
	"github.com/aerobackup/aerobackup/internal/storage/storagetest"
)

func TestConformance(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storage.Store {
		s, err := New(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestNewDoesNotCreateRoot(t *testing.T) {
	root := filepath.Join(t.TempDir(), "not", "yet")
	s, err := New(root)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(root); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("New created the root: %v", err)
	}
	if dirs, err := s.ListDirs(context.Background(), ""); err != nil || len(dirs) != 0 {
		t.Fatalf("ListDirs on missing root = %v, %v", dirs, err)
	}
	if err := s.WriteFile(context.Background(), "a/b", []byte("x")); err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile(filepath.Join(root, "a", "b")); err != nil || string(got) != "x" {
		t.Fatalf("file on disk = %q, %v", got, err)
	}
	if want := `local "` + root + `"`; s.String() != want {
		t.Errorf("String() = %s, want %s", s.String(), want)
	}
}

func TestNewRejectsFile(t *testing.T) {
	f := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(f, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := New(f); err == nil {
		t.Fatal("New accepted a regular file as root")
	}
	if _, err := New(""); err == nil {
		t.Fatal("New accepted an empty path")
	}
}

func TestPathsCannotEscapeRoot(t *testing.T) {
	parent := t.TempDir()
	s, err := New(filepath.Join(parent, "root"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, p := range []string{"../outside", "a/../../outside", "/etc/passwd", `a\b`} {
		if err := s.WriteFile(ctx, p, []byte("x")); err == nil {
			t.Errorf("WriteFile(%q) succeeded", p)
		}
		if _, err := s.ReadFile(ctx, p); err == nil || errors.Is(err, storage.ErrNotFound) {
			t.Errorf("ReadFile(%q) error = %v, want invalid path", p, err)
		}
		if err := s.DeleteAll(ctx, p); err == nil {
			t.Errorf("DeleteAll(%q) succeeded", p)
		}
	}
	if _, err := os.Stat(filepath.Join(parent, "outside")); !errors.Is(err, os.ErrNotExist) {
		t.Error("a file was written outside the root")
	}
	// Inner ".." that stays inside is fine.
	if err := s.WriteFile(ctx, "a/../b", []byte("x")); err != nil {
		t.Errorf("WriteFile(a/../b): %v", err)
	}
}

func TestDeleteAllPrunesEmptyParentsButNotRoot(t *testing.T) {
	root := t.TempDir()
	s, err := New(root)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := s.WriteFile(ctx, "r/backup/1/data/ns/a.asb", []byte("a")); err != nil {
		t.Fatal(err)
	}
	if err := s.WriteFile(ctx, "r/incremental/2/data/ns/a.asb", []byte("a")); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteAll(ctx, "r/backup/1"); err != nil {
		t.Fatal(err)
	}
	// r/backup became empty and is pruned; r still holds incremental.
	if _, err := os.Stat(filepath.Join(root, "r", "backup")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("empty parent r/backup kept: %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, "r", "incremental")); err != nil {
		t.Errorf("non-empty sibling removed: %v", err)
	}
	if err := s.DeleteAll(ctx, "r/incremental/2"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(root); err != nil {
		t.Errorf("root removed: %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, "r")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("empty routine folder kept: %v", err)
	}
	if err := s.DeleteAll(ctx, ""); err == nil {
		t.Error("DeleteAll(root) succeeded")
	}
}

func TestBackupWriterAndRestoreReader(t *testing.T) {
	root := t.TempDir()
	s, err := New(root)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	w, err := s.BackupWriter(ctx, "r/backup/1/data/ns", storage.WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := w.GetOptions().ChunkSize; got != DefaultBufferSize {
		t.Errorf("file buffer %d bytes, want DefaultBufferSize (%d)", got, DefaultBufferSize)
	}
	fw, err := w.NewWriter(ctx, "ns_1.asb")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fw.Write([]byte("Version 3.1\n")); err != nil {
		t.Fatal(err)
	}
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.WriteFile(ctx, "r/backup/1/data/ns/metadata.yaml", []byte("namespace: ns\n")); err != nil {
		t.Fatal(err)
	}
	// A second writer on the now non-empty folder is refused: files are
	// never removed or overwritten.
	if _, err := s.BackupWriter(ctx, "r/backup/1/data/ns", storage.WriterOptions{}); err == nil {
		t.Error("BackupWriter accepted a non-empty folder")
	}
	if _, err := s.BackupWriter(ctx, "", storage.WriterOptions{}); err == nil {
		t.Error("BackupWriter accepted the storage root")
	}
	// An explicit size wins over the default.
	w2, err := s.BackupWriter(ctx, "r/backup/2/data/ns", storage.WriterOptions{ChunkSize: 64 << 10})
	if err != nil {
		t.Fatal(err)
	}
	if got := w2.GetOptions().ChunkSize; got != 64<<10 {
		t.Errorf("file buffer %d bytes, want the 65536 asked for", got)
	}

	r, err := s.RestoreReader(ctx, "r/backup/1/data/ns", storage.ReaderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	names := streamNames(t, r)
	// metadata.yaml is not an .asb file and must not reach the restore.
	if len(names) != 1 || names[0] != "ns_1.asb" {
		t.Errorf("streamed %v, want [ns_1.asb]", names)
	}

	// A folder without .asb files is refused up front.
	if err := os.MkdirAll(filepath.Join(root, "empty"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RestoreReader(ctx, "empty", storage.ReaderOptions{}); err == nil {
		t.Error("RestoreReader accepted a folder without .asb files")
	}

	r, err = s.RestoreReader(ctx, "", storage.ReaderOptions{Files: []string{"r/backup/1/data/ns/ns_1.asb"}})
	if err != nil {
		t.Fatal(err)
	}
	if names := streamNames(t, r); len(names) != 1 || names[0] != "ns_1.asb" {
		t.Errorf("file list streamed %v", names)
	}
}
