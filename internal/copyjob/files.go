package copyjob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/checksum"
	"github.com/aerobackup/aerobackup/internal/storage"
)

// CorruptError is a source file whose bytes differ from what its
// manifest records: the copy stops and the destination keeps no copy of
// the file.
type CorruptError struct {
	Path string // in the source store
	Why  string
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("checksum mismatch: %s: %s: the source file is corrupt (its copy was deleted; nothing more was copied)", e.Path, e.Why)
}

// Copier copies backups between two stores.
type Copier struct {
	Src, Dst storage.Store
	// Parallel is how many files are copied at a time (< 1: 1). Memory is
	// one upload part per file.
	Parallel int
	// Pause, when set, is waited before each file (a hidden flag slows a
	// copy for tests of interruption).
	Pause time.Duration
	Log   *slog.Logger

	files, bytes atomic.Int64 // copied so far, for progress
}

// Copied is how many files and bytes were copied so far.
func (c *Copier) Copied() (files, bytes int64) { return c.files.Load(), c.bytes.Load() }

// BackupResult is what the copy of one backup did.
type BackupResult struct {
	Key    string
	Files  int   // copied
	Kept   int   // already at the destination, checked and kept
	Bytes  int64 // copied
	NoSums bool  // some namespace had no manifest (ABS): sizes checked only
}

// file is one object to copy with what it must be.
type file struct {
	rel   string // path in both stores
	size  int64  // -1: unknown
	sums  []checksum.Sum
	known bool // size and sums come from the manifest
}

// CopyBackup copies the run b (as the source lists it) to the
// destination: the run's own files (cluster configuration), then per
// namespace of only (every complete one when empty) its data files, its
// slice records, its manifest and last its metadata.yaml. A file already at the destination is kept when
// it matches the manifest (its checksums read back), else copied again.
func (c *Copier) CopyBackup(ctx context.Context, b catalog.Backup, only []string) (BackupResult, error) {
	res := BackupResult{Key: b.Key}
	if c.Log == nil {
		c.Log = slog.Default()
	}
	objs, err := c.Src.List(ctx, b.Key)
	if err != nil {
		return res, fmt.Errorf("copy %s: %w", b.Key, err)
	}
	var runFiles []file
	byNS := map[string][]storage.Object{}
	for _, o := range objs {
		// <key>/data/<namespace>/... belongs to a namespace.
		if data, ok := strings.CutPrefix(o.Path, b.Key+"/"+catalog.DataDir+"/"); ok {
			if ns, _, ok := strings.Cut(data, "/"); ok {
				byNS[ns] = append(byNS[ns], o)
				continue
			}
		}
		runFiles = append(runFiles, file{rel: o.Path, size: o.Size})
	}
	if err := c.copyAll(ctx, runFiles, &res); err != nil {
		return res, err
	}
	for _, n := range b.Namespaces {
		if len(only) > 0 && !slices.Contains(only, n.Namespace) {
			continue
		}
		if err := c.copyNamespace(ctx, n, byNS[n.Namespace], &res); err != nil {
			return res, err
		}
	}
	return res, nil
}

// copyNamespace copies one namespace folder, metadata.yaml last.
func (c *Copier) copyNamespace(ctx context.Context, n catalog.NamespaceBackup, objs []storage.Object, res *BackupResult) error {
	man, err := catalog.ReadManifest(ctx, c.Src, n.Dir)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		man = nil
		res.NoSums = true
		c.Log.Info("no manifest (a backup written by ABS): copying with sizes checked only", "namespace-folder", n.Dir)
	case err != nil:
		return fmt.Errorf("copy %s: %w", n.Dir, err)
	}
	metaPath, manPath := catalog.MetadataPath(n.Dir), catalog.ManifestPath(n.Dir)
	var data, records []file
	var last []string // small files, in this order
	for _, o := range objs {
		rel := strings.TrimPrefix(o.Path, n.Dir+"/")
		switch {
		case o.Path == metaPath || o.Path == manPath:
			continue
		case strings.HasPrefix(rel, catalog.SlicesDir+"/"):
			records = append(records, file{rel: o.Path, size: o.Size})
			continue
		}
		f := file{rel: o.Path, size: o.Size}
		if man != nil {
			if e, ok := man.File(rel); ok {
				f.size, f.sums, f.known = e.Size, e.Sums(), true
			}
		}
		data = append(data, f)
	}
	if man != nil {
		last = append(last, manPath)
	}
	if hasObject(objs, metaPath) {
		last = append(last, metaPath)
	}
	if err := c.copyAll(ctx, data, res); err != nil {
		return err
	}
	if err := c.copyAll(ctx, records, res); err != nil {
		return err
	}
	for _, p := range last {
		if err := c.copySmall(ctx, p, res); err != nil {
			return err
		}
	}
	return nil
}

func hasObject(objs []storage.Object, p string) bool {
	for _, o := range objs {
		if o.Path == p {
			return true
		}
	}
	return false
}

// copySmall copies a small file (manifest, metadata.yaml) whole.
func (c *Copier) copySmall(ctx context.Context, p string, res *BackupResult) error {
	data, err := c.Src.ReadFile(ctx, p)
	if err != nil {
		return fmt.Errorf("copy %s: %w", p, err)
	}
	if err := c.Dst.WriteFile(ctx, p, data); err != nil {
		return fmt.Errorf("copy %s: %w", p, err)
	}
	res.Files++
	res.Bytes += int64(len(data))
	c.files.Add(1)
	c.bytes.Add(int64(len(data)))
	return nil
}

// copyAll copies files, Parallel at a time; the first failure stops the
// others.
func (c *Copier) copyAll(ctx context.Context, files []file, res *BackupResult) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	sem := make(chan struct{}, max(c.Parallel, 1))
	var mu sync.Mutex
	var first error
	var wg sync.WaitGroup
	for _, f := range files {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			copied, n, err := c.copyFile(ctx, f)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil && first == nil:
				first = err
				cancel(err)
			case err == nil && copied:
				res.Files++
				res.Bytes += n
			case err == nil:
				res.Kept++
			}
		}()
	}
	wg.Wait()
	if first != nil {
		return first
	}
	return ctx.Err()
}

// copyFile copies one data file unless the destination holds it intact;
// copied is false when it was kept.
func (c *Copier) copyFile(ctx context.Context, f file) (copied bool, n int64, err error) {
	if c.Pause > 0 {
		select {
		case <-time.After(c.Pause):
		case <-ctx.Done():
			return false, 0, ctx.Err()
		}
	}
	if c.intact(ctx, f) {
		c.files.Add(1)
		return false, 0, nil
	}
	r, err := storage.Open(ctx, c.Src, f.rel)
	if err != nil {
		return false, 0, fmt.Errorf("copy %s: %w", f.rel, err)
	}
	defer r.Close()
	cr := &checkReader{r: r, f: f, v: checksum.NewVerifier(f.sums), progress: &c.bytes}
	err = storage.Put(ctx, c.Dst, f.rel, cr)
	var bad *CorruptError
	if errors.As(err, &bad) {
		// The store stored nothing; a copy of an earlier run may be there.
		_ = c.Dst.Delete(context.WithoutCancel(ctx), f.rel)
		return false, 0, bad
	}
	if err != nil {
		return false, 0, fmt.Errorf("copy %s: %w", f.rel, err)
	}
	c.files.Add(1)
	return true, cr.n, nil
}

// intact reports whether the destination holds f as the manifest records
// it (read back and hashed), or at the size the source lists when there
// are no checksums.
func (c *Copier) intact(ctx context.Context, f file) bool {
	o, err := c.Dst.Stat(ctx, f.rel)
	if err != nil || (f.size >= 0 && o.Size != f.size) {
		return false
	}
	if len(f.sums) == 0 {
		return true
	}
	r, err := storage.Open(ctx, c.Dst, f.rel)
	if err != nil {
		return false
	}
	defer r.Close()
	v := checksum.NewVerifier(f.sums)
	if _, err := io.Copy(v, r); err != nil {
		return false
	}
	ok := v.Check() == nil
	if !ok {
		c.Log.Warn("a file at the destination differs from the manifest; copying it again", "file", f.rel)
	}
	return ok
}

// checkReader passes a source file through, hashing it; at its end it
// returns a *CorruptError instead of io.EOF when the size or a checksum
// differs from the manifest's, so the store never commits the upload.
type checkReader struct {
	r        io.Reader
	f        file
	v        *checksum.Verifier
	n        int64
	progress *atomic.Int64
}

func (c *checkReader) Read(p []byte) (int, error) {
	k, err := c.r.Read(p)
	if k > 0 {
		_, _ = c.v.Write(p[:k])
		c.n += int64(k)
		c.progress.Add(int64(k))
	}
	if c.f.size >= 0 && c.n > c.f.size {
		return k, &CorruptError{Path: c.f.rel, Why: fmt.Sprintf("longer than the %d bytes recorded", c.f.size)}
	}
	if err != io.EOF {
		return k, err
	}
	if c.f.size >= 0 && c.n != c.f.size {
		what := "listed"
		if c.f.known {
			what = "recorded"
		}
		return k, &CorruptError{Path: c.f.rel, Why: fmt.Sprintf("%d bytes read, %d %s", c.n, c.f.size, what)}
	}
	if m := c.v.Check(); m != nil {
		return k, &CorruptError{Path: c.f.rel, Why: m.Error()}
	}
	return k, io.EOF
}
