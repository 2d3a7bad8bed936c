package localstore

import (
	"io/fs"
	"os"
	"path/filepath"
)

// syncTree flushes every file below root: Windows has no call for a whole
// folder or volume that an unprivileged process may make.
func syncTree(root string) error {
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		f, err := os.OpenFile(p, os.O_RDWR, 0)
		if err != nil {
			return err
		}
		serr := f.Sync()
		if cerr := f.Close(); serr == nil {
			serr = cerr
		}
		return serr
	})
}
