//go:build unix

package localstore

import (
	"context"
	"io/fs"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/aerobackup/aerobackup/internal/storage"
)

// TestModes writes through every path of the store, and through
// backup-go's writer under SetUmask, and checks every file and folder
// created, the root included.
func TestModes(t *testing.T) {
	for _, tc := range []struct {
		name  string
		modes Modes
		file  fs.FileMode
		dir   fs.FileMode
	}{
		{"default", Modes{}, 0o600, 0o700},
		{"private", Private, 0o600, 0o700},
		{"group readable", GroupReadable, 0o640, 0o750},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// A permissive umask, as most logins have, must not leak
			// through; then the umask the command line sets.
			defer syscall.Umask(syscall.Umask(0o022))
			root := filepath.Join(t.TempDir(), "storage")
			s, err := NewWithModes(root, tc.modes)
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			if err := s.WriteFile(ctx, "r/backup/1/data/ns/metadata.yaml", []byte("namespace: ns\n")); err != nil {
				t.Fatal(err)
			}
			if err := s.CreateExclusive(ctx, "r/.lock/full", []byte("lock")); err != nil {
				t.Fatal(err)
			}
			SetUmask(s.modes)
			w, err := s.BackupWriter(ctx, "r/backup/2/data/ns", storage.WriterOptions{})
			if err != nil {
				t.Fatal(err)
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
			files := 0
			err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
				if err != nil {
					return err
				}
				fi, err := d.Info()
				if err != nil {
					return err
				}
				want := tc.file
				if d.IsDir() {
					want = tc.dir
				} else {
					files++
				}
				if got := fi.Mode().Perm(); got != want {
					t.Errorf("%s: mode %04o, want %04o", p, got, want)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if files != 3 {
				t.Errorf("found %d files, want 3", files)
			}
		})
	}
}

func TestUmask(t *testing.T) {
	if got := Private.Umask(); got != 0o077 {
		t.Errorf("Private.Umask() = %04o, want 0077", got)
	}
	if got := GroupReadable.Umask(); got != 0o027 {
		t.Errorf("GroupReadable.Umask() = %04o, want 0027", got)
	}
	if got := (Modes{}).Umask(); got != 0o077 {
		t.Errorf("zero Modes Umask() = %04o, want 0077", got)
	}
}

// The zero Modes of a Store built without New is Private too.
func TestNewDefaultsPrivate(t *testing.T) {
	s, err := New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if s.modes != Private {
		t.Errorf("New: modes %+v, want Private", s.modes)
	}
}
