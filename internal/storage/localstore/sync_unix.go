//go:build unix && !linux

package localstore

import "syscall"

// syncTree flushes every file system: without syncfs, sync is the one call
// that covers a whole folder.
func syncTree(string) error {
	syscall.Sync()
	return nil
}
