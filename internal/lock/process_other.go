//go:build !unix

package lock

// processIdentity records nothing beyond the pid.
func processIdentity(int) self { return self{} }

// processState cannot tell on this platform (Windows): a lock left by a
// dead run waits for its heartbeat to go stale, as one from another host.
func processState(int, uint64) procState { return procUnknown }
