package localstore

import (
	"os"

	"golang.org/x/sys/unix"
)

// syncTree flushes the file system holding root (syncfs): one call,
// however many backups the folder holds.
func syncTree(root string) error {
	d, err := os.Open(root)
	if err != nil {
		return err
	}
	defer d.Close()
	return unix.Syncfs(int(d.Fd()))
}
