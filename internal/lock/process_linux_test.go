package lock

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestProcStatOfSelf(t *testing.T) {
	state, start, ok := procStat(os.Getpid())
	if !ok || start == 0 || state != 'R' && state != 'S' {
		t.Fatalf("procStat(self) = %q, %d, %v", state, start, ok)
	}
	if id := processIdentity(os.Getpid()); id.start != start || !strings.Contains(id.space, "pid:[") {
		t.Errorf("processIdentity = %+v", id)
	}
}

func TestReusedPIDTakenOver(t *testing.T) {
	ctx := context.Background()
	s, c := newStore(t), newClock()
	live := sleeper(t).Process.Pid
	// The lock names a live pid, but a process that started at another time.
	holdAs(t, s, c, "this-host", live, func(m *Manager) {
		if m.self.start == 0 {
			t.Skip("/proc/<pid>/stat unreadable")
		}
		m.self.start++
	})
	c.Advance(time.Second)
	l, err := manager(s, c, 2, func(o *Options) { o.Host = "this-host" }).Acquire(ctx, "r", Full)
	if err != nil {
		t.Fatalf("lock of a reused pid not taken over: %v", err)
	}
	if w := l.Warnings(); len(w) != 1 || !strings.Contains(w[0], "pid "+strconv.Itoa(live)+" on this host is another process now") {
		t.Errorf("warnings = %q", w)
	}
	release(t, l)
}

func TestZombieIsGone(t *testing.T) {
	cmd := sleeper(t)
	pid := cmd.Process.Pid
	if err := cmd.Process.Signal(os.Kill); err != nil {
		t.Fatal(err)
	}
	// Killed but not reaped (no Wait yet): signal 0 still finds it, /proc
	// says it is a zombie.
	deadline := time.Now().Add(5 * time.Second)
	for processState(pid, 0) != procGone {
		if time.Now().After(deadline) {
			t.Fatalf("a killed, unreaped pid is %v, want gone", processState(pid, 0))
		}
		time.Sleep(10 * time.Millisecond)
	}
	if pidState(pid) != procRunning {
		t.Skip("the zombie was reaped already: the check above proved nothing")
	}
}
