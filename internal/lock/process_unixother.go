//go:build unix && !linux

package lock

// processIdentity records nothing beyond the pid where there is no /proc.
func processIdentity(int) self { return self{} }

// processState judges by pid liveness alone: a reused pid looks alive, so
// such a lock waits for its heartbeat to go stale.
func processState(pid int, _ uint64) procState { return pidState(pid) }
