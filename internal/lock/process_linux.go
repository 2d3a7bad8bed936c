package lock

import (
	"os"
	"strconv"
	"strings"
)

// processIdentity returns the start of process pid and this process's pid
// space, read from /proc; zero values where /proc cannot be read.
func processIdentity(pid int) self {
	var s self
	if _, start, ok := procStat(pid); ok {
		s.start = start
	}
	boot, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if err != nil {
		return s
	}
	ns, err := os.Readlink("/proc/self/ns/pid")
	if err != nil {
		return s
	}
	s.space = strings.TrimSpace(string(boot)) + "/" + ns
	return s
}

// processState judges the process a lock names: pid liveness by signal 0,
// then /proc/<pid>/stat for a zombie or a later process on the same pid.
func processState(pid int, start uint64) procState {
	st := pidState(pid)
	if st != procRunning {
		return st
	}
	state, now, ok := procStat(pid)
	switch {
	case !ok:
		return procRunning // alive by signal 0; nothing more to tell
	case state == 'Z' || state == 'X':
		return procGone // killed, not yet reaped by its parent
	case start != 0 && now != start:
		return procReplaced
	}
	return procRunning
}

// procStat reads a process's state (field 3) and start time (field 22,
// clock ticks since boot) from /proc/<pid>/stat.
func procStat(pid int) (state byte, start uint64, ok bool) {
	raw, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, 0, false
	}
	return parseStat(string(raw))
}
