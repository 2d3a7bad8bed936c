//go:build unix

package localstore

import "syscall"

// SetUmask sets the process umask to m.Umask(): backup-go's local writer
// creates data files and folders with the modes it chooses (0666, 0777),
// and only the umask narrows those. It returns the previous umask.
func SetUmask(m Modes) int {
	return syscall.Umask(m.Umask())
}
