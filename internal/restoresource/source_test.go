package restoresource

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/lock"
	"github.com/aerobackup/aerobackup/internal/plan"
	"github.com/aerobackup/aerobackup/internal/policy"
	"github.com/aerobackup/aerobackup/internal/session"
	"github.com/aerobackup/aerobackup/internal/storage"
	"github.com/aerobackup/aerobackup/internal/storage/localstore"
	"github.com/aerobackup/aerobackup/internal/storage/stdinstore"
)

func request(t *testing.T) plan.RestoreRequest {
	t.Helper()
	base, err := policy.NewRestore(policy.DefaultRestoreOptions())
	if err != nil {
		t.Fatal(err)
	}
	return plan.RestoreRequest{Base: base}
}

// The stream's header names the namespace, and the store still reads the
// stream from its first byte.
func TestStreamReplaysTheHeader(t *testing.T) {
	const asb = "Version 3.1\n# namespace test\n# first-file\n"
	src, err := Stream(context.Background(), strings.NewReader(asb), request(t))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Release()
	st, ok := src.Store.(stdinstore.Store)
	if !ok || !st.Plain {
		t.Fatalf("store %T %+v, want a plain stdinstore.Store", src.Store, src.Store)
	}
	all, _ := io.ReadAll(st.In)
	if string(all) != asb {
		t.Errorf("the store reads %q, want the whole stream %q", all, asb)
	}
	if s := src.Plan.Steps[0]; s.Source != "test" || s.Destination != "test" {
		t.Errorf("step %s -> %s, want test -> test", s.Source, s.Destination)
	}
}

func TestStreamRefusal(t *testing.T) {
	req := request(t)
	req.Namespaces = []string{"other"}
	_, err := Stream(context.Background(), strings.NewReader("Version 3.1\n# namespace test\n"), req)
	if err == nil || !strings.Contains(err.Error(), `holds namespace "test"`) {
		t.Errorf("--namespace other on a stream of test: %v", err)
	}
}

// A folder without metadata.yaml is restored as --namespace names it; a
// folder's metadata.yaml names its namespace.
func TestFolder(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	req := request(t)
	req.Path = dir
	if _, err := Folder(ctx, req); err == nil || !strings.Contains(err.Error(), "has no metadata.yaml") {
		t.Errorf("no metadata.yaml, no --namespace: %v", err)
	}
	req.Namespaces = []string{"bar"}
	src, err := Folder(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if s := src.Plan.Steps[0]; s.Source != "bar" || src.Store.String() == "" {
		t.Errorf("without metadata.yaml: step from %q", s.Source)
	}
	src.Release()

	ls, err := localstore.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	at := time.UnixMilli(1763712000000).UTC()
	if err := catalog.WriteMetadata(ctx, ls, "", &catalog.Metadata{Created: at, Finished: at, Namespace: "test",
		Compression: "ZSTD", RecordCount: 7}); err != nil {
		t.Fatal(err)
	}
	req.Namespaces = nil
	src, err = Folder(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Release()
	if s := src.Plan.Steps[0]; s.Source != "test" || !s.Compressed() || s.ExpectedRecords != 7 {
		t.Errorf("from metadata.yaml: %+v", s)
	}
}

func TestFolderMissing(t *testing.T) {
	req := request(t)
	req.Path = filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(req.Path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Folder(context.Background(), req); err == nil {
		t.Error("a file is no folder: want an error")
	}
}

// A backup found in the session's catalog is planned; one not found is
// refused and the session (its lock) released.
func TestBackup(t *testing.T) {
	ctx := context.Background()
	ls, err := localstore.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	at := time.UnixMilli(1763712000000).UTC()
	run := catalog.RunDir("r", catalog.Full, at)
	if err := catalog.WriteMetadata(ctx, ls, catalog.NamespaceDir(run, "test"),
		&catalog.Metadata{Created: at, Finished: at.Add(time.Second), Namespace: "test"}); err != nil {
		t.Fatal(err)
	}
	open := func(context.Context) (storage.Store, error) { return ls, nil }
	openFor := func(key catalog.Key) *session.Session {
		so := session.Options{Kind: lock.Restore, StaleAfter: time.Minute, Log: slog.New(slog.DiscardHandler)}
		BackupScope(key)(&so)
		sess, err := session.Open(ctx, open, so)
		if err != nil {
			t.Fatal(err)
		}
		return sess
	}
	key, err := catalog.ParseKey(run)
	if err != nil {
		t.Fatal(err)
	}
	req := request(t)
	req.Key = key
	src, err := Backup(openFor(key), req)
	if err != nil {
		t.Fatal(err)
	}
	if s := src.Plan.Steps; len(s) != 1 || s[0].Source != "test" || src.Ctx == nil {
		t.Errorf("steps %+v", s)
	}
	folders, err := src.Folders()
	if err != nil || len(folders) != 1 || folders[0].Dir != catalog.NamespaceDir(run, "test") || folders[0].Meta == nil {
		t.Errorf("folders %+v, %v", folders, err)
	}
	src.Release()

	other, err := catalog.ParseKey(catalog.RunDir("r", catalog.Full, at.Add(time.Hour)))
	if err != nil {
		t.Fatal(err)
	}
	req.Key = other
	if _, err := Backup(openFor(other), req); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Errorf("a backup not in the catalog: %v", err)
	}
	// Released: a prune, which a restore lock excludes, may run.
	sess, err := session.Open(ctx, open, session.Options{Routine: "r", Kind: lock.Prune, StaleAfter: time.Minute,
		Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatalf("the refused restore's lock was kept: %v", err)
	}
	sess.Release()
}

// A gap in a chain is planned over, with a warning naming the namespace.
func TestPointInTimeWarnsOfGaps(t *testing.T) {
	ctx := context.Background()
	ls, err := localstore.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	at := time.UnixMilli(1763712000000).UTC()
	write := func(typ catalog.Type, created, from time.Time) {
		if err := catalog.WriteMetadata(ctx, ls, catalog.NamespaceDir(catalog.RunDir("r", typ, created), "test"),
			&catalog.Metadata{Created: created, Finished: created.Add(time.Second), From: from, Namespace: "test"}); err != nil {
			t.Fatal(err)
		}
	}
	write(catalog.Full, at, time.Time{})
	write(catalog.Incremental, at.Add(2*time.Hour), at.Add(time.Hour)) // nothing holds the changes of the first hour
	sess, err := session.Open(ctx, func(context.Context) (storage.Store, error) { return ls, nil },
		session.Options{Routine: "r", StaleAfter: time.Minute, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Release()
	base := request(t).Base
	var logs strings.Builder
	log := slog.New(slog.NewTextHandler(&logs, nil))
	p, _, err := PointInTime(ctx, sess, plan.PointInTimeRequest{Routine: "r", At: at.Add(3 * time.Hour), Base: base}, log)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Namespaces) != 1 || len(p.Namespaces[0].Chain.Links) != 2 {
		t.Fatalf("plan %+v, want the full and the incremental", p.Namespaces)
	}
	if got := logs.String(); !strings.Contains(got, "level=WARN") || !strings.Contains(got, "gap: incremental r/incremental/") ||
		!strings.Contains(got, "namespace=test") {
		t.Errorf("logs %q, want the gap's warning naming the namespace", got)
	}
}

// The destination is asked which namespaces are empty only when the order
// depends on it, and its answer chooses the order.
func TestReorder(t *testing.T) {
	at := time.UnixMilli(1763712000000).UTC()
	key := catalog.RunDir("r", catalog.Full, at)
	backups := []catalog.Backup{{Routine: "r", Type: catalog.Full, Time: at, Key: key,
		Namespaces: []catalog.NamespaceBackup{{Namespace: "test", Dir: catalog.NamespaceDir(key, "test"),
			Metadata: catalog.Metadata{Created: at, Finished: at.Add(time.Minute), Namespace: "test"}}}}}
	base := request(t).Base
	req := plan.PointInTimeRequest{Routine: "r", At: at.Add(time.Hour), Map: map[string]string{"test": "copy"}, Base: base}
	p, err := plan.PointInTime(req, backups, nil)
	if err != nil {
		t.Fatal(err)
	}
	var asked []string
	empty := func(ns []string) (map[string]bool, error) { asked = ns; return map[string]bool{"copy": true}, nil }
	got, err := Reorder(req, backups, p, empty)
	if err != nil || !got.Namespaces[0].NewestFirst || !slices.Equal(asked, []string{"copy"}) {
		t.Errorf("into an empty namespace: newest first %v, asked %v, %v", got != nil && got.Namespaces[0].NewestFirst, asked, err)
	}
	asked = nil
	req.DisableReordering = true
	got, err = Reorder(req, backups, p, empty)
	if err != nil || got != p || asked != nil {
		t.Errorf("--disable-reordering: asked %v, plan replaced %v, %v", asked, got != p, err)
	}
	req.DisableReordering = false
	if _, err := Reorder(req, backups, p, func([]string) (map[string]bool, error) { return nil, io.ErrUnexpectedEOF }); err != io.ErrUnexpectedEOF {
		t.Errorf("the destination's error: %v", err)
	}
}
