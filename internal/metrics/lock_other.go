//go:build !unix

package metrics

// lockFile is a no-op where flock is unavailable: two processes updating
// the same file at the same moment may lose one increment (documented in
// the package comment).
func lockFile(string) (unlock func(), err error) { return func() {}, nil }
