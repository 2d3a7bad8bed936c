package restoresource

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/config"
	"github.com/aerobackup/aerobackup/internal/lock"
	"github.com/aerobackup/aerobackup/internal/plan"
	"github.com/aerobackup/aerobackup/internal/routine"
	"github.com/aerobackup/aerobackup/internal/session"
	"github.com/aerobackup/aerobackup/internal/storage"
	"github.com/aerobackup/aerobackup/internal/storage/localstore"
)

// errNotFolder marks a case whose --path is refused as no folder.
var errNotFolder = errors.New("not a folder")

// recorder is an Opening that records the steps Open takes, in order.
func recorder(t *testing.T, steps *[]string, target *routine.Target, destErr error) Opening {
	dest := &config.AerospikeCluster{Name: "dest"}
	return Opening{
		In:     strings.NewReader("Version 3.1\n# namespace test\n"),
		Config: func() (*config.Config, error) { *steps = append(*steps, "config"); return nil, nil },
		Resolve: func(name string) (*routine.Target, error) {
			*steps = append(*steps, "resolve "+name)
			return target, nil
		},
		CheckTier: func(kind string) error { *steps = append(*steps, "tier "+kind); return nil },
		Started:   func(name string) { *steps = append(*steps, "started "+name) },
		Destination: func(*routine.Target) (*config.AerospikeCluster, error) {
			*steps = append(*steps, "destination")
			return dest, destErr
		},
		Session: func(ctx context.Context, t *routine.Target, scope func(*session.Options)) (*session.Session, error) {
			*steps = append(*steps, "session")
			so := session.Options{Routine: t.Routine.Name, Kind: lock.Restore, StaleAfter: time.Minute, Log: slog.New(slog.DiscardHandler)}
			if scope != nil {
				scope(&so)
			}
			return session.Open(ctx, func(ctx context.Context) (storage.Store, error) {
				return localstore.New(t.Routine.Storage().Local.Path)
			}, so)
		},
	}
}

// Open takes a restore's steps in order, the destination before anything
// is read; only a restore that writes starts its metrics, and a stream's
// dry run asks for no destination.
func TestOpen(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	ls, err := localstore.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	at := time.UnixMilli(1763712000000).UTC()
	run := catalog.RunDir("r", catalog.Full, at)
	if err := catalog.WriteMetadata(ctx, ls, catalog.NamespaceDir(run, "test"),
		&catalog.Metadata{Created: at, Finished: at.Add(time.Second), Namespace: "test"}); err != nil {
		t.Fatal(err)
	}
	key, err := catalog.ParseKey(run)
	if err != nil {
		t.Fatal(err)
	}
	target, err := routine.Resolve(nil, routine.Request{Routine: "r", Storage: dir})
	if err != nil {
		t.Fatal(err)
	}
	refused, local := errors.New("no such destination"), "tier "+config.KindLocal
	for _, c := range []struct {
		name    string
		path    string
		writes  bool
		routine string
		destErr error
		want    []string
	}{
		{name: "stream dry run", path: "-", want: []string{local, "config"}},
		{name: "stream", path: "-", writes: true, want: []string{local, "config", "started ", "destination"}},
		{name: "folder dry run, destination refused", path: t.TempDir(), destErr: refused, want: []string{local, "config", "destination"}},
		{name: "no folder", path: "/nonexistent/folder", destErr: errNotFolder, want: nil},
		{name: "backup, the key's routine", writes: true,
			want: []string{"resolve r", "tier " + config.KindLocal, "started r", "destination", "session"}},
		{name: "backup, the routine named", routine: "other", want: []string{"resolve other", "tier " + config.KindLocal, "destination", "session"}},
		{name: "backup, destination refused", writes: true, destErr: refused,
			want: []string{"resolve r", "tier " + config.KindLocal, "started r", "destination"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var steps []string
			o := recorder(t, &steps, target, c.destErr)
			o.Writes, o.Routine = c.writes, c.routine
			req := request(t)
			req.Path, req.Key = c.path, key
			src, err := Open(ctx, req, o)
			if !slices.Equal(steps, c.want) {
				t.Errorf("steps %q, want %q", steps, c.want)
			}
			if c.destErr == errNotFolder {
				if err == nil || !strings.Contains(err.Error(), "not a folder") || !errors.As(err, new(*plan.RefusedError)) {
					t.Errorf("err %v, want the folder refused", err)
				}
				return
			}
			if c.destErr != nil {
				if !errors.Is(err, c.destErr) {
					t.Errorf("err %v, want the destination's", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer src.Release()
			if len(src.Plan.Steps) != 1 || src.Plan.Steps[0].Source != "test" || src.Target == nil {
				t.Errorf("plan %+v, target %v", src.Plan.Steps, src.Target)
			}
			if wantDest := slices.Contains(c.want, "destination"); (src.Dest != nil) != wantDest {
				t.Errorf("dest %v, want one: %v", src.Dest, wantDest)
			}
		})
	}
}

// OpenPointInTime resolves the routine and checks its tier, then opens the
// session and plans before it checks the destination; a refusal on the
// way releases the session's lock.
func TestOpenPointInTime(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	ls, err := localstore.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	at := time.UnixMilli(1763712000000).UTC()
	if err := catalog.WriteMetadata(ctx, ls, catalog.NamespaceDir(catalog.RunDir("r", catalog.Full, at), "test"),
		&catalog.Metadata{Created: at, Finished: at.Add(time.Second), Namespace: "test"}); err != nil {
		t.Fatal(err)
	}
	target, err := routine.Resolve(nil, routine.Request{Routine: "r", Storage: dir})
	if err != nil {
		t.Fatal(err)
	}
	refused, tier := errors.New("no such destination"), "tier "+config.KindLocal
	for _, c := range []struct {
		name    string
		at      time.Time
		writes  bool
		destErr error
		want    []string
	}{
		{name: "restore", at: at.Add(time.Hour), writes: true, want: []string{"resolve r", tier, "started r", "session", "destination"}},
		{name: "dry run", at: at.Add(time.Hour), want: []string{"resolve r", tier, "session", "destination"}},
		{name: "no full before the time", at: at.Add(-time.Hour), writes: true, want: []string{"resolve r", tier, "started r", "session"}},
		{name: "destination refused", at: at.Add(time.Hour), destErr: refused, want: []string{"resolve r", tier, "session", "destination"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var steps []string
			o := recorder(t, &steps, target, c.destErr)
			o.Writes = c.writes
			req := plan.PointInTimeRequest{Routine: "r", At: c.at, Base: request(t).Base}
			o.Routine = "r"
			src, err := OpenPointInTime(ctx, req, o, slog.New(slog.DiscardHandler))
			if !slices.Equal(steps, c.want) {
				t.Errorf("steps %q, want %q", steps, c.want)
			}
			if err != nil {
				if locks, lerr := ls.List(ctx, lock.Dir("r")); lerr != nil || len(locks) != 0 {
					t.Errorf("refused (%v): locks %v left, %v", err, locks, lerr)
				}
				if c.destErr != nil && !errors.Is(err, c.destErr) {
					t.Errorf("err %v, want the destination's", err)
				}
				return
			}
			defer src.Release()
			if src.Request.Storage == "" || src.Request.Routine != "r" || src.Target != target || src.Dest == nil || len(src.PointInTime.Namespaces) != 1 || len(src.Backups) != 1 {
				t.Errorf("source %+v", src)
			}
		})
	}
}

// The source's Reorder keeps the plan the destination's answer chose, and
// LogStart says what starts and where it ends.
func TestPointInTimeSourceReorderAndLog(t *testing.T) {
	at := time.UnixMilli(1763712000000).UTC()
	key := catalog.RunDir("r", catalog.Full, at)
	backups := []catalog.Backup{{Routine: "r", Type: catalog.Full, Time: at, Key: key,
		Namespaces: []catalog.NamespaceBackup{{Namespace: "test", Dir: catalog.NamespaceDir(key, "test"),
			Metadata: catalog.Metadata{Created: at, Finished: at.Add(time.Minute), Namespace: "test"}}}}}
	req := plan.PointInTimeRequest{Routine: "r", At: at.Add(time.Hour), Base: request(t).Base}
	p, err := plan.PointInTime(req, backups, nil)
	if err != nil {
		t.Fatal(err)
	}
	src := &PointInTimeSource{Request: req, PointInTime: p, Backups: backups}
	if err := src.Reorder(func([]string) (map[string]bool, error) { return map[string]bool{"test": true}, nil }); err != nil {
		t.Fatal(err)
	}
	if !src.PointInTime.Namespaces[0].NewestFirst {
		t.Error("the plan for an empty namespace was not kept")
	}
	var logs strings.Builder
	src.Request.Validate = true
	src.LogStart(slog.New(slog.NewTextHandler(&logs, nil)), 1)
	want := `msg="validating the backups of a point in time" routine=r time=2025-11-21T09:00:00Z recovery-point=2025-11-21T08:00:00Z steps=1`
	if !strings.Contains(logs.String(), want) {
		t.Errorf("log %q, want %q", logs.String(), want)
	}
}
