package copyjob

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/lock"
	"github.com/aerobackup/aerobackup/internal/session"
	"github.com/aerobackup/aerobackup/internal/storage"
)

func opener(root string) session.Opener {
	return func(context.Context) (storage.Store, error) { return localstoreAt(root) }
}

func options(src, dst string) Options {
	return Options{Routine: "r", Source: opener(src), Dest: opener(dst), SourceName: "src", DestName: "dst",
		Parallel: 2, StaleAfter: time.Minute, Log: quiet}
}

func TestRun(t *testing.T) {
	ctx := context.Background()
	srcDir, dstDir := t.TempDir(), t.TempDir()
	src, _ := localstoreAt(srcDir)
	writeBackup(t, src, twoFiles, false)

	o := options(srcDir, dstDir)
	o.DryRun = true
	res, err := Run(ctx, o)
	if err != nil || len(res.Backups) != 1 || !res.Backups[0].Copy || res.Backups[0].Copied || res.Backups[0].Reason != "lacking" {
		t.Fatalf("dry run: %+v, %v", res, err)
	}
	dst, _ := localstoreAt(dstDir)
	if objs, _ := dst.List(ctx, ""); len(objs) != 0 {
		t.Fatalf("a dry run wrote %v", objs)
	}

	res, err = Run(ctx, options(srcDir, dstDir))
	if err != nil || !res.Backups[0].Copied || res.Backups[0].Result.Files != 5 {
		t.Fatalf("copy: %+v, %v", res, err)
	}
	if bs, _ := catalog.List(ctx, dst, catalog.Filter{}); len(bs) != 1 || bs[0].Key != "r/backup/100" {
		t.Errorf("the destination lists %v", bs)
	}
	for _, s := range []storage.Store{src, dst} {
		if objs, _ := s.List(ctx, lock.Dir("r")); len(objs) != 0 {
			t.Errorf("locks left in %s: %v", s, objs)
		}
	}

	res, err = Run(ctx, options(srcDir, dstDir))
	if err != nil || res.Backups[0].Copy || res.Backups[0].Reason != "present" {
		t.Errorf("again: %+v, %v", res, err)
	}
}

func TestRunLocked(t *testing.T) {
	ctx := context.Background()
	srcDir, dstDir := t.TempDir(), t.TempDir()
	src, _ := localstoreAt(srcDir)
	writeBackup(t, src, twoFiles, false)
	dst, _ := localstoreAt(dstDir)
	for _, held := range []lock.Kind{lock.Full, lock.CopyIn, lock.Prune} {
		l, err := lock.New(dst, lock.Options{Logger: quiet, PID: 1}).Acquire(ctx, "r", held)
		if err != nil {
			t.Fatal(err)
		}
		_, err = Run(ctx, options(srcDir, dstDir))
		var le *session.LockedError
		if !errors.As(err, &le) {
			t.Errorf("destination holding %s: err = %v, want a LockedError", held, err)
		}
		_ = l.Release(ctx)
	}
	// A prune of the source stops it too; a backup there does not.
	l, _ := lock.New(src, lock.Options{Logger: quiet, PID: 1}).Acquire(ctx, "r", lock.Prune)
	if _, err := Run(ctx, options(srcDir, dstDir)); !errors.As(err, new(*session.LockedError)) {
		t.Errorf("source pruning: %v", err)
	}
	_ = l.Release(ctx)
	l, _ = lock.New(src, lock.Options{Logger: quiet, PID: 1}).Acquire(ctx, "r", lock.Full)
	if _, err := Run(ctx, options(srcDir, dstDir)); err != nil {
		t.Errorf("source backing up: %v", err)
	}
	_ = l.Release(ctx)
}

func TestRunBadBackupKey(t *testing.T) {
	for _, k := range []string{"nonsense", "other/backup/100"} {
		o := options(t.TempDir(), t.TempDir())
		o.Selection.Backup = k
		if _, err := Run(context.Background(), o); !errors.As(err, new(*session.OptionError)) {
			t.Errorf("--backup %s: %v", k, err)
		}
	}
}

func TestRunNamespaces(t *testing.T) {
	ctx := context.Background()
	srcDir, dstDir := t.TempDir(), t.TempDir()
	src, _ := localstoreAt(srcDir)
	writeBackup(t, src, twoFiles, false)
	o := options(srcDir, dstDir)
	o.Namespaces = []string{"other"}
	if res, err := Run(ctx, o); err != nil || len(res.Backups) != 0 {
		t.Errorf("--namespace other: %+v, %v", res, err)
	}
	o.Namespaces = []string{"test"}
	if res, err := Run(ctx, o); err != nil || len(res.Backups) != 1 || !res.Backups[0].Copied {
		t.Errorf("--namespace test: %+v, %v", res, err)
	}
}
