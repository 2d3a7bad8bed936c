//go:build unix

package lock

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aerobackup/aerobackup/internal/storage"
)

// sleeper starts a process that outlives the test unless killed.
func sleeper(t *testing.T) *exec.Cmd {
	t.Helper()
	cmd := exec.Command("sleep", "300")
	if err := cmd.Start(); err != nil {
		t.Skipf("cannot start sleep: %v", err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return cmd
}

// deadPID is the pid of a process killed with SIGKILL and reaped.
func deadPID(t *testing.T) int {
	t.Helper()
	cmd := sleeper(t)
	pid := cmd.Process.Pid
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	return pid
}

// holdAs writes a lock as a run on host with pid would, and leaves it
// there as a killed run does.
func holdAs(t *testing.T, s storage.Store, c *clock, host string, pid int, mod ...func(*Manager)) {
	t.Helper()
	m := manager(s, c, 1, func(o *Options) { o.Host, o.PID = host, pid })
	for _, f := range mod {
		f(m)
	}
	l, err := m.Acquire(context.Background(), "r", Full)
	if err != nil {
		t.Fatal(err)
	}
	l.stop() // no heartbeat, no release: the holder is gone
	<-l.done
}

func TestEndedHolderTakenOverAtOnce(t *testing.T) {
	ctx := context.Background()
	s, c := newStore(t), newClock()
	pid := deadPID(t)
	holdAs(t, s, c, "this-host", pid)

	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	c.Advance(time.Second) // far inside the stale limit
	taker, err := manager(s, c, 2, func(o *Options) { o.Host, o.Logger = "this-host", log }).Acquire(ctx, "r", Full)
	if err != nil {
		t.Fatalf("lock of a dead pid on this host not taken over: %v", err)
	}
	defer release(t, taker)
	w := taker.Warnings()
	if len(w) != 1 || !strings.Contains(w[0], "has ended: pid "+strconv.Itoa(pid)+" is not running on this host") {
		t.Errorf("warnings = %q", w)
	}
	if !strings.Contains(logs.String(), "holder-pid="+strconv.Itoa(pid)) {
		t.Errorf("warning does not name the dead pid %d:\n%s", pid, logs.String())
	}
	if got := readInfo(t, s, "r/.lock/full"); got.RunID != "run-2" {
		t.Errorf("lock now held by %s", got.RunID)
	}
}

func TestLiveOrForeignHolderWaits(t *testing.T) {
	live := sleeper(t).Process.Pid
	dead := deadPID(t)
	cases := []struct {
		name string
		host string // of the holder; the taker runs on "this-host"
		pid  int
		mod  func(*Manager)
	}{
		{"this host, live pid", "this-host", live, nil},
		{"this host, this process", "this-host", os.Getpid(), nil},
		{"another host, dead-looking pid", "other-host", dead, nil},
		// Same host name, another machine or container: its pids are not ours.
		{"this host name, another pid space", "this-host", dead, func(m *Manager) { m.self.space = "elsewhere" }},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			s, c := newStore(t), newClock()
			var mods []func(*Manager)
			if tt.mod != nil {
				mods = append(mods, tt.mod)
			}
			holdAs(t, s, c, tt.host, tt.pid, mods...)
			c.Advance(time.Second)
			_, err := manager(s, c, 2, func(o *Options) { o.Host = "this-host" }).Acquire(context.Background(), "r", Full)
			var held *HeldError
			if !errors.As(err, &held) || held.Holder.PID != tt.pid {
				t.Fatalf("Acquire = %v, want held by pid %d", err, tt.pid)
			}
			// ... until its heartbeat is stale, as before.
			c.Advance(DefaultStaleAfter)
			l, err := manager(s, c, 3, func(o *Options) { o.Host = "this-host" }).Acquire(context.Background(), "r", Full)
			if err != nil {
				t.Fatalf("stale lock not taken over: %v", err)
			}
			if w := l.Warnings(); len(w) != 1 || !strings.Contains(w[0], "stale") {
				t.Errorf("warnings = %q", w)
			}
			release(t, l)
		})
	}
}

func TestOlderLockJudgedByPID(t *testing.T) {
	ctx := context.Background()
	s, c := newStore(t), newClock()
	dead := deadPID(t)
	// A lock of an older version: no pid-start, no pid-space.
	raw := `{"host":"this-host","pid":` + strconv.Itoa(dead) + `,"start":"2025-11-21T08:00:00Z","heartbeat":"2025-11-21T08:00:00Z","kind":"full","run-id":"old"}`
	if err := s.WriteFile(ctx, "r/.lock/full", []byte(raw)); err != nil {
		t.Fatal(err)
	}
	l, err := manager(s, c, 2, func(o *Options) { o.Host = "this-host" }).Acquire(ctx, "r", Full)
	if err != nil {
		t.Fatalf("older lock of a dead pid not taken over: %v", err)
	}
	release(t, l)
	// The same with a live pid holds.
	raw = strings.Replace(raw, strconv.Itoa(dead), strconv.Itoa(sleeper(t).Process.Pid), 1)
	if err := s.WriteFile(ctx, "r/.lock/full", []byte(raw)); err != nil {
		t.Fatal(err)
	}
	if _, err := manager(s, c, 3, func(o *Options) { o.Host = "this-host" }).Acquire(ctx, "r", Full); !errors.Is(err, ErrHeld) {
		t.Fatalf("older lock of a live pid: %v, want held", err)
	}
}

func TestEndedHolderOfAnotherKindIgnored(t *testing.T) {
	ctx := context.Background()
	s, c := newStore(t), newClock()
	m := manager(s, c, 1, func(o *Options) { o.Host, o.PID = "this-host", deadPID(t) })
	p, err := m.Acquire(ctx, "r", Prune)
	if err != nil {
		t.Fatal(err)
	}
	p.stop()
	<-p.done
	l, err := manager(s, c, 2, func(o *Options) { o.Host = "this-host" }).Acquire(ctx, "r", Full)
	if err != nil {
		t.Fatalf("a dead prune on this host blocked a full: %v", err)
	}
	if w := l.Warnings(); len(w) != 1 || !strings.Contains(w[0], "ignoring the lock of a run that has ended") {
		t.Errorf("warnings = %q", w)
	}
	release(t, l)
}

func TestParseStat(t *testing.T) {
	// Field 22 counted from the last ')': the command name may hold both.
	fields := "S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 987654 20 21"
	for _, tt := range []struct {
		raw   string
		state byte
		start uint64
		ok    bool
	}{
		{"42 (sleep) " + fields, 'S', 987654, true},
		{"42 (a) b (c)) " + fields, 'S', 987654, true},
		{"42 (x y) Z 1 2", 0, 0, false},
		{"42 sleep S", 0, 0, false},
		{"42 (sleep) " + strings.Replace(fields, "987654", "soon", 1), 0, 0, false},
	} {
		state, start, ok := parseStat(tt.raw)
		if state != tt.state || start != tt.start || ok != tt.ok {
			t.Errorf("parseStat(%q) = %q, %d, %v; want %q, %d, %v", tt.raw, state, start, ok, tt.state, tt.start, tt.ok)
		}
	}
}
