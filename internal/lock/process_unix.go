//go:build unix

package lock

import (
	"errors"
	"syscall"
)

// pidState tells by signal 0 whether any process has pid: EPERM means one
// runs under another user.
func pidState(pid int) procState {
	if pid <= 0 {
		return procUnknown // 0 and negatives address process groups
	}
	switch err := syscall.Kill(pid, 0); {
	case err == nil, errors.Is(err, syscall.EPERM):
		return procRunning
	case errors.Is(err, syscall.ESRCH):
		return procGone
	}
	return procUnknown
}
