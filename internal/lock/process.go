package lock

import (
	"fmt"
	"strconv"
	"strings"
)

// procState is what this host can tell about a lock holder's process.
type procState int

const (
	procUnknown  procState = iota // cannot tell: wait for the heartbeat
	procRunning                   // the process the lock names still runs
	procGone                      // no process has the pid (or only its zombie)
	procReplaced                  // the pid now belongs to a process started since
)

// self is what a lock records about its holder's process beyond host and
// pid, so that another run can tell a reused pid from the holder.
type self struct {
	// start identifies the process instance (on Linux its start time in
	// clock ticks since boot); 0 where the platform cannot tell.
	start uint64
	// space names where pids are unique (boot and pid namespace on Linux):
	// two containers, or two machines, can share a host name but not it.
	space string
}

// ended says why the holder of a lock has ended, or "" when it may still
// run. Only a lock taken on this host, in this pid space, can be judged:
// a lock from another host waits for its heartbeat to go stale. A lock
// without a pid space (written by an older version) is judged by its pid.
func (m *Manager) ended(h Info) string {
	if h.Host == "" || h.Host != m.opts.Host || h.PID <= 0 {
		return ""
	}
	if h.PIDSpace != "" && h.PIDSpace != m.self.space {
		return ""
	}
	switch processState(h.PID, h.PIDStart) {
	case procGone:
		return fmt.Sprintf("pid %d is not running on this host", h.PID)
	case procReplaced:
		return fmt.Sprintf("pid %d on this host is another process now", h.PID)
	}
	return ""
}

// parseStat reads the state (field 3) and start time (field 22) of a
// /proc/<pid>/stat line. The command name (field 2) is in parentheses and
// may hold spaces and parentheses itself, so fields count from the last ')'.
func parseStat(raw string) (state byte, start uint64, ok bool) {
	i := strings.LastIndexByte(raw, ')')
	if i < 0 {
		return 0, 0, false
	}
	f := strings.Fields(raw[i+1:])
	if len(f) < 20 || len(f[0]) != 1 {
		return 0, 0, false
	}
	start, err := strconv.ParseUint(f[19], 10, 64)
	if err != nil {
		return 0, 0, false
	}
	return f[0][0], start, true
}
