package apply

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/lock"
	"github.com/aerobackup/aerobackup/internal/plan"
)

// Pin and unpin, dry and real; then a prune keeps the pinned full, whose
// pin, once the backup is gone, the next prune removes.
func TestPinUnpinAndPrune(t *testing.T) {
	st, o := fulls(t, 3)
	ctx := context.Background()
	oldest, _ := catalog.ParseKey(catalog.RunDir("r", catalog.Full, base))
	missing, _ := catalog.ParseKey(catalog.RunDir("r", catalog.Full, base.Add(-1)))
	steps := []struct {
		key            catalog.Key
		reason         string
		unpin, dryRun  bool
		action, pinned string // the action reported; the reason stored after ("-": no pin)
		err            string
	}{
		{key: missing, err: "not found"},
		{key: oldest, reason: "audit", dryRun: true, action: "would-pin", pinned: "-"},
		{key: oldest, unpin: true, action: "not-pinned", pinned: "-"},
		{key: oldest, reason: "audit", action: "pinned", pinned: "audit"},
		{key: oldest, reason: "hold", action: "pinned", pinned: "hold"},
		{key: oldest, unpin: true, dryRun: true, action: "would-unpin", pinned: "hold"},
	}
	for i, s := range steps {
		sess := open(t, o, lock.Pin)
		doc, err := Pin(sess, s.key, s.reason, s.unpin, s.dryRun, base)
		sess.Release()
		if s.err != "" {
			if err == nil || !strings.Contains(err.Error(), s.err) {
				t.Fatalf("step %d: err %v, want %q", i, err, s.err)
			}
			continue
		}
		if err != nil || doc.Action != s.action {
			t.Fatalf("step %d: %+v, %v; want action %s", i, doc, err, s.action)
		}
		p, err := catalog.ReadPin(ctx, st, oldest)
		if got := "-"; err == nil {
			got = p.Reason
			if got != s.pinned {
				t.Fatalf("step %d: stored pin %q, want %q", i, got, s.pinned)
			}
		} else if s.pinned != "-" {
			t.Fatalf("step %d: no pin stored (%v), want %q", i, err, s.pinned)
		}
	}
	sess := open(t, o, lock.Prune)
	sum, err := Retention(sess, "r", plan.Keep{Full: 1, Incremental: 1}, false, logTo(&bytes.Buffer{}))
	sess.Release()
	if err != nil || sum.Removed != 1 {
		t.Fatalf("prune: %+v, %v", sum, err)
	}
	if got := strings.Join(keys(t, st), " "); !strings.Contains(got, oldest.Dir()) {
		t.Fatalf("the pinned backup was removed: %s", got)
	}
	if err := catalog.RemoveRun(ctx, st, oldest.Dir()); err != nil {
		t.Fatal(err)
	}
	sess = open(t, o, lock.Prune)
	sum, err = Retention(sess, "r", plan.Keep{Full: 1, Incremental: 1}, false, logTo(&bytes.Buffer{}))
	sess.Release()
	if err != nil || len(sum.Leftovers) != 1 || sum.Leftovers[0].Action != "removed" || sum.Leftovers[0].Type != "pin" {
		t.Fatalf("prune of a stale pin: %+v, %v", sum, err)
	}
	if _, err := catalog.ReadPin(ctx, st, oldest); err == nil {
		t.Error("the stale pin is still there")
	}
}
