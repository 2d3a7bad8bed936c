package lock

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aerobackup/aerobackup/internal/storage"
	"github.com/aerobackup/aerobackup/internal/storage/localstore"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2025, 11, 21, 8, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func newStore(t *testing.T) storage.Store {
	s, err := localstore.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// manager is one process: its own host/pid/run id on a shared store.
func manager(s storage.Store, c *clock, id int, mod ...func(*Options)) *Manager {
	o := Options{
		Host: fmt.Sprintf("host-%d", id), PID: 1000 + id, RunID: fmt.Sprintf("run-%d", id),
		Now: c.Now, HeartbeatInterval: time.Hour, Logger: quiet,
	}
	for _, f := range mod {
		f(&o)
	}
	return New(s, o)
}

func release(t *testing.T, l *Lock) {
	t.Helper()
	if err := l.Release(context.Background()); err != nil {
		t.Errorf("Release: %v", err)
	}
}

func TestAcquireRelease(t *testing.T) {
	ctx := context.Background()
	s, c := newStore(t), newClock()
	m := manager(s, c, 1)
	l, err := m.Acquire(ctx, "nightly", Full)
	if err != nil {
		t.Fatal(err)
	}
	if l.Path() != "nightly/.lock/full" {
		t.Errorf("Path = %s", l.Path())
	}
	raw, err := s.ReadFile(ctx, l.Path())
	if err != nil {
		t.Fatal(err)
	}
	var fields map[string]any
	if err := json.Unmarshal(raw, &fields); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"host", "pid", "start", "heartbeat", "kind", "run-id"} {
		if _, ok := fields[k]; !ok {
			t.Errorf("lock JSON lacks %q: %s", k, raw)
		}
	}
	if fields["host"] != "host-1" || fields["kind"] != "full" || fields["run-id"] != "run-1" || fields["start"] != "2025-11-21T08:00:00Z" {
		t.Errorf("lock JSON = %s", raw)
	}
	release(t, l)
	if _, err := s.ReadFile(ctx, l.Path()); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("lock still present after Release: %v", err)
	}
	release(t, l) // idempotent
	// Free again.
	l2, err := manager(s, c, 2).Acquire(ctx, "nightly", Full)
	if err != nil {
		t.Fatal(err)
	}
	release(t, l2)
}

func TestFullNeverOverlapsFull(t *testing.T) {
	ctx := context.Background()
	s, c := newStore(t), newClock()
	l, err := manager(s, c, 1).Acquire(ctx, "nightly", Full)
	if err != nil {
		t.Fatal(err)
	}
	defer release(t, l)
	c.Advance(5 * time.Minute)
	_, err = manager(s, c, 2).Acquire(ctx, "nightly", Full)
	var held *HeldError
	if !errors.As(err, &held) || !errors.Is(err, ErrHeld) {
		t.Fatalf("second full: %v, want *HeldError", err)
	}
	if held.Holder.Host != "host-1" || held.Holder.PID != 1001 || !held.Holder.Start.Equal(newClock().Now()) || held.Holder.Kind != Full {
		t.Errorf("holder = %+v", held.Holder)
	}
	for _, want := range []string{`routine "nightly"`, "host host-1", "pid 1001", "2025-11-21T08:00:00Z"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q lacks %q", err, want)
		}
	}
	// Another routine is independent.
	other, err := manager(s, c, 2).Acquire(ctx, "weekly", Full)
	if err != nil {
		t.Fatal(err)
	}
	release(t, other)
}

func TestRaceForFullLock(t *testing.T) {
	s, c := newStore(t), newClock()
	for round := range 20 {
		routine := fmt.Sprintf("r%d", round)
		var wins, held atomic.Int32
		var winner *Lock
		var mu sync.Mutex
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				l, err := manager(s, c, i).Acquire(context.Background(), routine, Full)
				switch {
				case err == nil:
					wins.Add(1)
					mu.Lock()
					winner = l
					mu.Unlock()
				case errors.Is(err, ErrHeld):
					held.Add(1)
				default:
					t.Errorf("Acquire: %v", err)
				}
			}()
		}
		close(start)
		wg.Wait()
		if wins.Load() != 1 || held.Load() != 1 {
			t.Fatalf("round %d: %d winners, %d held; want exactly one of each", round, wins.Load(), held.Load())
		}
		release(t, winner)
	}
}

func TestRules(t *testing.T) {
	type step struct {
		kind Kind
		ok   bool
	}
	tests := []struct {
		name       string
		concurrent bool
		steps      []step // acquired in order, each by a different run, none released
		warnings   int    // on the last step
	}{
		{name: "full takes priority over incremental", steps: []step{{Incremental, true}, {Full, true}}, warnings: 1},
		{name: "incremental refused while full runs", steps: []step{{Full, true}, {Incremental, false}}},
		{name: "concurrent-incremental allows it", concurrent: true, steps: []step{{Full, true}, {Incremental, true}}},
		{name: "incremental refused beside incremental", steps: []step{{Incremental, true}, {Incremental, false}}},
		{name: "even with concurrent-incremental", concurrent: true, steps: []step{{Incremental, true}, {Incremental, false}}},
		{name: "prune refused beside full", steps: []step{{Full, true}, {Prune, false}}},
		{name: "prune refused beside incremental", steps: []step{{Incremental, true}, {Prune, false}}},
		{name: "prune refused beside restore", steps: []step{{Restore, true}, {Prune, false}}},
		{name: "prune refused beside prune", steps: []step{{Prune, true}, {Prune, false}}},
		{name: "full refused beside prune", steps: []step{{Prune, true}, {Full, false}}},
		{name: "incremental refused beside prune", steps: []step{{Prune, true}, {Incremental, false}}},
		{name: "restore refused beside prune", steps: []step{{Prune, true}, {Restore, false}}},
		{name: "pin refused beside prune", steps: []step{{Prune, true}, {Pin, false}}},
		{name: "prune refused beside pin", steps: []step{{Pin, true}, {Prune, false}}},
		{name: "pin refused beside pin", steps: []step{{Pin, true}, {Pin, false}}},
		{name: "pin beside backups and restores", steps: []step{{Full, true}, {Restore, true}, {Pin, true}}},
		{name: "pin beside an incremental", steps: []step{{Incremental, true}, {Pin, true}}},
		{name: "backups beside pin", steps: []step{{Pin, true}, {Full, true}, {Restore, true}}},
		{name: "restores run together and beside backups", steps: []step{{Full, true}, {Restore, true}, {Restore, true}, {Incremental, false}}},
		{name: "backup beside restore", steps: []step{{Restore, true}, {Full, true}}},
		{name: "copies out run together and beside everything but a prune",
			concurrent: true, steps: []step{{Full, true}, {Incremental, true}, {Restore, true}, {Copy, true}, {Copy, true}, {CopyIn, false}}},
		{name: "prune refused beside a copy out", steps: []step{{Copy, true}, {Prune, false}}},
		{name: "copy out refused beside prune", steps: []step{{Prune, true}, {Copy, false}}},
		{name: "copy in refused beside full", steps: []step{{Full, true}, {CopyIn, false}}},
		{name: "copy in refused beside incremental", steps: []step{{Incremental, true}, {CopyIn, false}}},
		{name: "copy in refused beside copy in", steps: []step{{CopyIn, true}, {CopyIn, false}}},
		{name: "copy in refused beside prune", steps: []step{{Prune, true}, {CopyIn, false}}},
		{name: "full refused beside copy in", steps: []step{{CopyIn, true}, {Full, false}}},
		{name: "incremental refused beside copy in", steps: []step{{CopyIn, true}, {Incremental, false}}},
		{name: "prune refused beside copy in", steps: []step{{CopyIn, true}, {Prune, false}}},
		{name: "copy in beside restore and copy out", steps: []step{{Restore, true}, {Copy, true}, {CopyIn, true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			s, c := newStore(t), newClock()
			var held []*Lock
			defer func() {
				for _, l := range held {
					release(t, l)
				}
			}()
			for i, st := range tt.steps {
				m := manager(s, c, i, func(o *Options) { o.AllowConcurrentIncremental = tt.concurrent })
				l, err := m.Acquire(ctx, "r", st.kind)
				if st.ok != (err == nil) {
					t.Fatalf("step %d (%s): err = %v, want ok=%v", i, st.kind, err, st.ok)
				}
				if err != nil {
					if !errors.Is(err, ErrHeld) {
						t.Fatalf("step %d: %v is not ErrHeld", i, err)
					}
					// A refused run leaves nothing behind.
					objs, _ := s.List(ctx, Dir("r"))
					if len(objs) != len(held) {
						t.Errorf("refused run left its lock: %v", objs)
					}
					continue
				}
				held = append(held, l)
				if i == len(tt.steps)-1 && len(l.Warnings()) != tt.warnings {
					t.Errorf("warnings = %q, want %d", l.Warnings(), tt.warnings)
				}
			}
		})
	}
}

func TestStaleTakeover(t *testing.T) {
	ctx := context.Background()
	s, c := newStore(t), newClock()
	old, err := manager(s, c, 1).Acquire(ctx, "r", Full)
	if err != nil {
		t.Fatal(err)
	}
	// Within the stale limit the lock holds.
	c.Advance(DefaultStaleAfter - time.Second)
	if _, err := manager(s, c, 2).Acquire(ctx, "r", Full); !errors.Is(err, ErrHeld) {
		t.Fatalf("fresh lock: %v, want held", err)
	}
	// The heartbeat keeps it alive past the original limit.
	if err := old.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	c.Advance(2 * time.Second)
	if _, err := manager(s, c, 2).Acquire(ctx, "r", Full); !errors.Is(err, ErrHeld) {
		t.Fatalf("refreshed lock: %v, want held", err)
	}
	// Beyond it, the lock is taken over with a warning.
	c.Advance(DefaultStaleAfter + time.Second)
	taker, err := manager(s, c, 2).Acquire(ctx, "r", Full)
	if err != nil {
		t.Fatalf("stale lock not taken over: %v", err)
	}
	if w := taker.Warnings(); len(w) != 1 || !strings.Contains(w[0], "stale") {
		t.Errorf("warnings = %q", w)
	}
	if got := readInfo(t, s, "r/.lock/full"); got.RunID != "run-2" {
		t.Errorf("lock now held by %s", got.RunID)
	}
	// The old holder learns it lost the lock and does not delete the new one.
	if err := old.Refresh(ctx); !errors.Is(err, ErrLost) {
		t.Errorf("old Refresh = %v, want ErrLost", err)
	}
	select {
	case <-old.Lost():
	default:
		t.Error("Lost() not closed")
	}
	if err := old.Release(ctx); !errors.Is(err, ErrLost) {
		t.Errorf("old Release = %v, want ErrLost", err)
	}
	if got := readInfo(t, s, "r/.lock/full"); got.RunID != "run-2" {
		t.Errorf("old holder's Release removed the new lock (now %q)", got.RunID)
	}
	release(t, taker)
}

func TestStaleTakeoverRace(t *testing.T) {
	ctx := context.Background()
	s, c := newStore(t), newClock()
	if _, err := manager(s, c, 0).Acquire(ctx, "r", Full); err != nil {
		t.Fatal(err)
	}
	c.Advance(time.Hour) // the holder died
	var wins atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 1; i <= 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, err := manager(s, c, i).Acquire(context.Background(), "r", Full)
			switch {
			case err == nil:
				wins.Add(1)
			case !errors.Is(err, ErrHeld):
				t.Errorf("Acquire: %v", err)
			}
		}()
	}
	close(start)
	wg.Wait()
	if wins.Load() != 1 {
		t.Fatalf("%d runs took over the stale lock, want exactly 1", wins.Load())
	}
	objs, _ := s.List(ctx, Dir("r"))
	if len(objs) != 1 {
		t.Errorf("lock folder holds %v, want only the lock", objs)
	}
}

func TestStaleLocksDoNotBlockOtherKinds(t *testing.T) {
	ctx := context.Background()
	s, c := newStore(t), newClock()
	if _, err := manager(s, c, 1).Acquire(ctx, "r", Prune); err != nil {
		t.Fatal(err)
	}
	c.Advance(time.Hour)
	l, err := manager(s, c, 2).Acquire(ctx, "r", Full)
	if err != nil {
		t.Fatalf("stale prune blocked a full: %v", err)
	}
	if len(l.Warnings()) != 1 {
		t.Errorf("warnings = %q", l.Warnings())
	}
	release(t, l)
}

func TestUnreadableLockGoesStale(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	if err := s.WriteFile(ctx, "r/.lock/full", []byte("garbage")); err != nil {
		t.Fatal(err)
	}
	m := New(s, Options{RunID: "x", Logger: quiet, StaleAfter: time.Hour})
	if _, err := m.Acquire(ctx, "r", Full); !errors.Is(err, ErrHeld) {
		t.Fatalf("fresh unreadable lock: %v, want held", err)
	}
	// Its storage time decides: an hour later it is stale.
	m = New(s, Options{RunID: "y", Logger: quiet, Now: func() time.Time { return time.Now().Add(2 * time.Hour) }})
	l, err := m.Acquire(ctx, "r", Full)
	if err != nil {
		t.Fatalf("stale unreadable lock not taken over: %v", err)
	}
	release(t, l)
}

func TestHeartbeatGoroutine(t *testing.T) {
	ctx := context.Background()
	s, c := newStore(t), newClock()
	m := manager(s, c, 1, func(o *Options) { o.HeartbeatInterval = 5 * time.Millisecond })
	l, err := m.Acquire(ctx, "r", Full)
	if err != nil {
		t.Fatal(err)
	}
	c.Advance(time.Minute)
	deadline := time.Now().Add(5 * time.Second)
	for readInfo(t, s, l.Path()).Heartbeat.Before(c.Now()) {
		if time.Now().After(deadline) {
			t.Fatal("heartbeat never rewrote the lock")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if got := readInfo(t, s, l.Path()); !got.Start.Equal(newClock().Now()) {
		t.Errorf("heartbeat changed start: %v", got.Start)
	}
	release(t, l)
	if _, err := s.ReadFile(ctx, l.Path()); !errors.Is(err, storage.ErrNotFound) {
		t.Error("heartbeat recreated the lock after Release")
	}
}

func TestInvalidArguments(t *testing.T) {
	m := manager(newStore(t), newClock(), 1)
	if _, err := m.Acquire(context.Background(), "r", Kind("backup")); err == nil {
		t.Error("unknown kind accepted")
	}
	if _, err := m.Acquire(context.Background(), "../x", Full); err == nil {
		t.Error("routine with .. accepted")
	}
}

func readInfo(t *testing.T, s storage.Store, p string) Info {
	t.Helper()
	raw, err := s.ReadFile(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	var i Info
	if err := json.Unmarshal(raw, &i); err != nil {
		t.Fatal(err)
	}
	return i
}

// The slices of one run share the routine; towards any other run each
// counts as its kind, and one slice still cannot run twice.
func TestSlicesOfOneRun(t *testing.T) {
	ctx := context.Background()
	s, c := newStore(t), newClock()
	slice := func(v string) func(*Options) { return func(o *Options) { o.Slice = v } }
	l0, err := manager(s, c, 1, slice("1000/0")).Acquire(ctx, "nightly", Full)
	if err != nil {
		t.Fatal(err)
	}
	if l0.Path() != "nightly/.lock/full.1000.0" {
		t.Errorf("Path = %s", l0.Path())
	}
	l1, err := manager(s, c, 2, slice("1000/1")).Acquire(ctx, "nightly", Full)
	if err != nil {
		t.Fatalf("second slice of the same run refused: %v", err)
	}
	for name, m := range map[string]*Manager{
		"the same slice again":      manager(s, c, 3, slice("1000/1")),
		"a slice of another run":    manager(s, c, 4, slice("2000/0")),
		"an ordinary full":          manager(s, c, 5),
		"an incremental slice":      manager(s, c, 6, slice("1000/2")),
		"an ordinary incremental":   manager(s, c, 7),
		"a prune beside the slices": manager(s, c, 8),
	} {
		kind := Full
		switch name {
		case "an incremental slice", "an ordinary incremental":
			kind = Incremental
		case "a prune beside the slices":
			kind = Prune
		}
		if l, err := m.Acquire(ctx, "nightly", kind); !errors.Is(err, ErrHeld) {
			t.Errorf("%s: got %v, want refused", name, err)
			if l != nil {
				release(t, l)
			}
		}
	}
	release(t, l0)
	release(t, l1)
	l, err := manager(s, c, 9).Acquire(ctx, "nightly", Full)
	if err != nil {
		t.Fatalf("full after the slices released: %v", err)
	}
	release(t, l)
}

func TestCopyLockPathsAndMessage(t *testing.T) {
	ctx := context.Background()
	s, c := newStore(t), newClock()
	m := manager(s, c, 0)
	out, err := m.Acquire(ctx, "r", Copy)
	if err != nil {
		t.Fatal(err)
	}
	defer release(t, out)
	if want := "r/.lock/copy-" + out.Info().RunID; out.Path() != want {
		t.Errorf("copy lock path = %q, want %q", out.Path(), want)
	}
	in, err := manager(s, c, 1).Acquire(ctx, "r", CopyIn)
	if err != nil {
		t.Fatal(err)
	}
	defer release(t, in)
	if in.Path() != "r/.lock/copy-in" || kindOfPath(in.Path()) != CopyIn || kindOfPath(out.Path()) != Copy {
		t.Errorf("paths %q %q", in.Path(), out.Path())
	}
	_, err = manager(s, c, 2).Acquire(ctx, "r", Full)
	if err == nil || !strings.Contains(err.Error(), "cannot start full: a copy-in is running") {
		t.Errorf("full beside a copy in: %v", err)
	}
}
