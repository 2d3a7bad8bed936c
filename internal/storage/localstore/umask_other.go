//go:build !unix

package localstore

// SetUmask does nothing where there is no umask (Windows keeps access in
// ACLs inherited from the folder); it returns 0.
func SetUmask(Modes) int { return 0 }
