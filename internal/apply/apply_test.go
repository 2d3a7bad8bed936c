package apply

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/lock"
	"github.com/aerobackup/aerobackup/internal/plan"
	"github.com/aerobackup/aerobackup/internal/session"
	"github.com/aerobackup/aerobackup/internal/storage"
	"github.com/aerobackup/aerobackup/internal/storage/localstore"
)

var base = time.UnixMilli(1763712000000).UTC()

// fulls is a local store holding n full backups of routine r, an hour apart.
func fulls(t *testing.T, n int) (storage.Store, session.Opener) {
	t.Helper()
	ls, err := localstore.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		at := base.Add(time.Duration(i) * time.Hour)
		dir := catalog.NamespaceDir(catalog.RunDir("r", catalog.Full, at), "test")
		if err := catalog.WriteMetadata(context.Background(), ls, dir,
			&catalog.Metadata{Created: at, Finished: at.Add(time.Second), Namespace: "test"}); err != nil {
			t.Fatal(err)
		}
	}
	return ls, func(context.Context) (storage.Store, error) { return ls, nil }
}

func open(t *testing.T, o session.Opener, kind lock.Kind) *session.Session {
	t.Helper()
	s, err := session.Open(context.Background(), o, session.Options{Routine: "r", Kind: kind, StaleAfter: time.Minute,
		Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Release)
	return s
}

func logTo(b *bytes.Buffer) *slog.Logger { return slog.New(slog.NewTextHandler(b, nil)) }

func keys(t *testing.T, st storage.Store) []string {
	t.Helper()
	l, err := catalog.List(context.Background(), st, catalog.Filter{Routines: []string{"r"}})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, b := range l {
		out = append(out, b.Key)
	}
	return out
}

// Retention removes what the plan does not keep; a dry run only says so.
func TestRetention(t *testing.T) {
	st, o := fulls(t, 3)
	keep := plan.Keep{Full: 1, Incremental: 1}
	var logs bytes.Buffer
	sum, err := Retention(open(t, o, ""), "r", keep, true, logTo(&logs))
	if err != nil || sum == nil || len(keys(t, st)) != 3 || logs.Len() != 0 {
		t.Fatalf("dry run: %+v, %v, %d backups left, logs %q; want nothing removed or logged", sum, err, len(keys(t, st)), logs.String())
	}
	sum, err = Retention(open(t, o, lock.Prune), "r", keep, false, logTo(&logs))
	if err != nil || sum == nil {
		t.Fatalf("prune: %v", err)
	}
	if got := keys(t, st); len(got) != 1 || got[0] != "r/backup/1763719200000" {
		t.Fatalf("left %v, want the newest full only", got)
	}
	if !strings.Contains(logs.String(), "retention applied") || !strings.Contains(logs.String(), "removed=2") {
		t.Errorf("logs %q, want retention applied removed=2", logs.String())
	}
	if _, err := Retention(open(t, o, ""), "r", plan.Keep{}, false, logTo(&logs)); err == nil {
		t.Error("a plan that keeps nothing was applied")
	}
}

// After a backup, retention takes the prune lock and reads the catalog
// again; another run holding the routine leaves it unapplied with a
// warning, not an error.
func TestRetentionAfterBackup(t *testing.T) {
	st, o := fulls(t, 2)
	keep := plan.Keep{Full: 1, Incremental: 1}
	s := open(t, o, lock.Full)
	other := open(t, o, lock.Restore)
	var logs bytes.Buffer
	sum, err := RetentionAfterBackup(s, "r", keep, logTo(&logs))
	if err != nil || sum != nil || len(keys(t, st)) != 2 {
		t.Fatalf("beside a restore: %+v, %v, %d left; want no error, nothing done", sum, err, len(keys(t, st)))
	}
	if !strings.Contains(logs.String(), "level=WARN") || !strings.Contains(logs.String(), "backup done, retention not applied: ") ||
		!strings.Contains(logs.String(), "routine=r") {
		t.Errorf("logs %q, want the warning naming the routine", logs.String())
	}
	other.Release()
	s = open(t, o, lock.Full)
	// A backup written after the session's scan is seen: the catalog is read again.
	at := base.Add(5 * time.Hour)
	if err := catalog.WriteMetadata(context.Background(), st, catalog.NamespaceDir(catalog.RunDir("r", catalog.Full, at), "test"),
		&catalog.Metadata{Created: at, Finished: at, Namespace: "test"}); err != nil {
		t.Fatal(err)
	}
	if _, err := RetentionAfterBackup(s, "r", keep, logTo(&logs)); err != nil {
		t.Fatal(err)
	}
	if got := keys(t, st); len(got) != 1 || got[0] != "r/backup/1763730000000" {
		t.Fatalf("left %v, want the full written after the scan", got)
	}
}

// --prune prunes after a successful full only, and says so otherwise;
// without --prune nothing is said.
func TestPruneAfterBackup(t *testing.T) {
	st, o := fulls(t, 3)
	full := plan.BackupPlan{Prune: true, Keep: plan.Keep{Full: 1, Incremental: 1}}
	for _, c := range []struct {
		name   string
		p      plan.BackupPlan
		asked  bool
		runErr error
		log    string
	}{
		{name: "not asked", p: plan.BackupPlan{}},
		{name: "an incremental", p: plan.BackupPlan{PruneReason: plan.NotPruned}, asked: true, log: "routine=r"},
		{name: "a failed full", p: full, asked: true, runErr: errors.New("failed"), log: "routine=r"},
	} {
		var logs bytes.Buffer
		s := open(t, o, lock.Full)
		sum, err := PruneAfterBackup(s, "r", c.p, c.asked, c.runErr, logTo(&logs))
		s.Release()
		if sum != nil || err != nil || len(keys(t, st)) != 3 {
			t.Errorf("%s: %+v %v, %d left; want nothing done", c.name, sum, err, len(keys(t, st)))
		}
		if said := strings.Contains(logs.String(), plan.NotPruned); said != (c.log != "") || !strings.Contains(logs.String(), c.log) {
			t.Errorf("%s: logs %q", c.name, logs.String())
		}
	}
	sum, err := PruneAfterBackup(open(t, o, lock.Full), "r", full, true, nil, logTo(new(bytes.Buffer)))
	if err != nil || sum == nil || len(keys(t, st)) != 1 {
		t.Errorf("a successful full: %+v %v, %d left; want the newest full alone", sum, err, len(keys(t, st)))
	}
}

// A promoted plan swaps the incremental lock for the full one; a plan
// that is not promoted, or a session without a lock, keeps what it has.
func TestPromotion(t *testing.T) {
	st, o := fulls(t, 1)
	locks := func() []string {
		objs, err := st.List(context.Background(), lock.Dir("r"))
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, x := range objs {
			out = append(out, x.Path)
		}
		return out
	}
	s := open(t, o, lock.Incremental)
	var logs bytes.Buffer
	if err := Promotion(s, plan.BackupPlan{Type: catalog.Incremental}, logTo(&logs)); err != nil {
		t.Fatal(err)
	}
	if got := locks(); len(got) != 1 || got[0] != "r/.lock/incremental" {
		t.Fatalf("not promoted: locks %v", got)
	}
	p := plan.BackupPlan{Type: catalog.Full, Promoted: true, Reason: "promoted to a full", Missing: []string{"a", "b"}}
	if err := Promotion(s, p, logTo(&logs)); err != nil {
		t.Fatal(err)
	}
	if got := locks(); len(got) != 1 || got[0] != "r/.lock/full" {
		t.Fatalf("promoted: locks %v, want r/.lock/full", got)
	}
	if !strings.Contains(logs.String(), `msg="promoted to a full" namespaces=a,b`) {
		t.Errorf("logs %q", logs.String())
	}
	s.Release()
	if err := Promotion(open(t, o, ""), p, logTo(&logs)); err != nil || len(locks()) != 0 {
		t.Fatalf("dry run promoted: %v, locks %v; want none taken", err, locks())
	}
}

// Resume removes the interrupted run only when the decision says Remove,
// logging the reason at the level the decision asks.
func TestResume(t *testing.T) {
	st, o := fulls(t, 2)
	s := open(t, o, lock.Full)
	key := "r/backup/1763712000000"
	var logs bytes.Buffer
	if err := Resume(s, "r", plan.ResumeDecision{Action: plan.Fresh, Run: catalog.Resumable{Key: key}, Reason: "left", Notice: plan.Inform}, logTo(&logs)); err != nil {
		t.Fatal(err)
	}
	if len(keys(t, st)) != 2 || !strings.Contains(logs.String(), "level=INFO msg=left key="+key) {
		t.Fatalf("leave: %d backups, logs %q", len(keys(t, st)), logs.String())
	}
	if err := Resume(s, "r", plan.ResumeDecision{Action: plan.Remove, Run: catalog.Resumable{Key: key}, Reason: "removing", Notice: plan.Warn}, logTo(&logs)); err != nil {
		t.Fatal(err)
	}
	if got := keys(t, st); len(got) != 1 || got[0] == key || !strings.Contains(logs.String(), "level=WARN msg=removing") {
		t.Fatalf("remove: left %v, logs %q", got, logs.String())
	}
	err := Resume(s, "r", plan.ResumeDecision{Action: plan.Remove, Run: catalog.Resumable{Key: "not a key"}}, logTo(&logs))
	if err == nil || !strings.HasPrefix(err.Error(), `routine "r": removing the interrupted backup: `) {
		t.Errorf("bad key: %v", err)
	}
}
