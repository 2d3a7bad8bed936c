// Package backupjob owns one backup run of a routine: one backup-go
// operation per namespace into a new run folder, metadata.yaml written last
// per namespace, and removal of everything the run wrote when it fails or is
// interrupted. It does not read config files, pick the incremental base or
// take locks; the caller decides those and hands it a ready Job. A run
// that backed up only some namespaces returns a PartialError; it never
// chooses an exit status (outcome does).
package backupjob

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path"
	"runtime/debug"
	"strings"
	"time"

	"github.com/aerospike/aerospike-client-go/v8"
	"github.com/aerospike/backup-go"
	"github.com/aerospike/backup-go/models"

	"github.com/aerobackup/aerobackup/internal/backupslice"
	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/checksum"
	"github.com/aerobackup/aerobackup/internal/cluster"
	"github.com/aerobackup/aerobackup/internal/progress"
	"github.com/aerobackup/aerobackup/internal/storage"
)

// Namespace is one namespace's share of the run.
type Namespace struct {
	Name string
	// Config is the backup-go configuration; Namespace, ModAfter and
	// ModBefore are filled in by the job.
	Config *backup.ConfigBackup
	// From is the lower bound of an incremental (zero for a full).
	From time.Time
}

// Job is one run.
type Job struct {
	Store   storage.Store
	Conn    *cluster.Conn
	Routine string
	Type    catalog.Type
	Start   time.Time // names the run folder, unless RunFolder is set
	// RunFolder, when set, names the run folder instead of Start (the
	// folder the slices of a run share).
	RunFolder string
	// Slice, when set, makes this process one slice of a sliced run: its
	// files carry the slice's prefix in the shared namespace folders, it
	// finishes with a slice record instead of metadata.yaml, and whichever
	// slice completes the set writes the merged metadata.yaml. The caller
	// restricts the namespaces' partitions to the slice's share.
	Slice       *backupslice.Spec
	Until       time.Time // upper bound (sealed), zero: none
	Namespaces  []Namespace
	Compression string // NONE or ZSTD, recorded in metadata
	Encryption  string // NONE, AES128 or AES256, recorded in metadata
	// Checksum is the algorithm of the manifest's per-file checksums
	// ("": checksum.Default). A continuation of a resumable run uses the
	// one the run started with instead (see runResumable).
	Checksum checksum.Algorithm
	// ClusterConfiguration saves each node's configuration beside the
	// data (ABS's with-cluster-configuration).
	ClusterConfiguration bool
	WriterOptions        storage.WriterOptions
	// Retry starts a failed namespace backup again (nil: never).
	Retry       *models.RetryPolicy
	Progress    *progress.Reporter
	Log         *slog.Logger
	Now         func() time.Time
	ToolVersion string

	// Resumable keeps the run's files and backup-go's scan state when it
	// is interrupted or fails, for a later run to continue (see
	// resumable.go); every namespace config then needs a FileLimit and a
	// PageSize. Resume, when set, is the marker of the run to continue:
	// Start, Type, Until and the namespaces must be the marker's.
	Resumable bool
	Resume    *catalog.ResumeMarker
	// Selection summarises the scan selection for the marker.
	Selection string
}

// NamespaceResult is what one namespace produced.
type NamespaceResult struct {
	Namespace string        `json:"namespace"`
	Dir       string        `json:"dir,omitempty"`
	Records   uint64        `json:"record-count"`
	Bytes     uint64        `json:"byte-count"`
	Files     uint64        `json:"file-count"`
	SIndexes  uint64        `json:"secondary-index-count"`
	UDFs      uint64        `json:"udf-count"`
	Duration  time.Duration `json:"-"`
	NoChanges bool          `json:"no-changes,omitempty"`
	// Skipped: this slice of the namespace was already complete.
	Skipped bool `json:"already-complete,omitempty"`
	// RunComplete: for a slice, every slice of the namespace is now done
	// and the folder is a backup.
	RunComplete bool   `json:"run-complete,omitempty"`
	Error       string `json:"error,omitempty"`
}

// Result is the run's outcome.
type Result struct {
	Key        string            `json:"key,omitempty"`
	Routine    string            `json:"routine"`
	Type       catalog.Type      `json:"type"`
	Created    time.Time         `json:"created"`
	Finished   time.Time         `json:"finished"`
	Slice      string            `json:"slice,omitempty"` // "I/N" of a sliced run
	Namespaces []NamespaceResult `json:"namespaces"`
}

// RunComplete reports, for a slice, whether every namespace of the run has
// all its slices done.
func (r *Result) RunComplete() bool {
	for _, ns := range r.Namespaces {
		if !ns.RunComplete {
			return false
		}
	}
	return true
}

// Records sums the namespaces' record counts.
func (r *Result) Records() (n uint64) {
	for _, ns := range r.Namespaces {
		n += ns.Records
	}
	return n
}

// Bytes sums the namespaces' byte counts.
func (r *Result) Bytes() (n uint64) {
	for _, ns := range r.Namespaces {
		n += ns.Bytes
	}
	return n
}

// Files sums the namespaces' file counts.
func (r *Result) Files() (n uint64) {
	for _, ns := range r.Namespaces {
		n += ns.Files
	}
	return n
}

// Empty reports whether no namespace kept any data (an incremental that
// found no changes).
func (r *Result) Empty() bool {
	for _, ns := range r.Namespaces {
		if !ns.NoChanges && ns.Error == "" {
			return false
		}
	}
	return true
}

// Run performs the job. On interrupt or when every namespace fails, the
// whole run folder is removed; when only some fail, their folders are
// removed and a PartialError is returned with the result.
func (j *Job) Run(ctx context.Context) (*Result, error) {
	// A user who may not read (the sets backed up, or the whole
	// namespace) is told so before a folder is made.
	for _, ns := range j.Namespaces {
		var sets []string
		if ns.Config != nil {
			sets = ns.Config.SetList
		}
		if err := j.Conn.Check(ns.Name, sets, cluster.ReadRecords); err != nil {
			return nil, fmt.Errorf("routine %q: %w", j.Routine, err)
		}
	}
	if j.Resumable || j.Resume != nil {
		return j.runResumable(ctx)
	}
	now := j.Now
	if now == nil {
		now = time.Now
	}
	runDir := j.RunDir()
	res := &Result{Key: runDir, Routine: j.Routine, Type: j.Type, Created: j.Start}
	log := j.Log.With("routine", j.Routine, "type", string(j.Type), "key", res.Key)
	if j.Slice != nil {
		res.Slice = j.Slice.String()
		log = log.With("slice", res.Slice)
	}

	if j.ClusterConfiguration && j.Type == catalog.Full && (j.Slice == nil || j.Slice.CarriesMetadata()) {
		if err := j.saveClusterConfiguration(ctx, runDir, log); err != nil {
			j.removeRun(runDir, log)
			return nil, err
		}
	}

	var failed []string
	var firstErr error
	for _, ns := range j.Namespaces {
		r, err := j.backupWithRetries(ctx, runDir, ns, log)
		res.Namespaces = append(res.Namespaces, r)
		if err == nil {
			continue
		}
		if ctx.Err() != nil {
			// Interrupted: nothing of this run may survive. A slice
			// removes only its unfinished namespace (done in
			// backupNamespace): the folder is shared, and its finished
			// namespaces may already be merged into others' backups.
			if j.Slice == nil {
				j.removeRun(runDir, log)
			}
			return nil, ctx.Err()
		}
		failed = append(failed, ns.Name)
		if firstErr == nil {
			firstErr = err
		}
		if len(j.Namespaces) > 1 {
			// One namespace's failure is the run's error line; of several,
			// each is logged and the first is the line.
			log.Error("namespace backup failed", "namespace", ns.Name, "error", err)
		}
	}
	res.Finished = now()

	switch {
	case len(failed) == len(j.Namespaces) && firstErr != nil:
		if j.Slice == nil {
			j.removeRun(runDir, log)
		}
		if len(failed) == 1 {
			return nil, fmt.Errorf("routine %q: %w", j.Routine, firstErr)
		}
		return nil, fmt.Errorf("routine %q: every namespace failed (%s); the first: %w", j.Routine, strings.Join(failed, ", "), firstErr)
	case len(failed) > 0:
		return res, &PartialError{Failed: failed,
			Err: fmt.Errorf("routine %q: %s, the others were backed up; %w", j.Routine, failedOf(failed), firstErr)}
	case res.Empty() && j.Slice == nil:
		// An incremental that found nothing leaves no folder behind.
		j.removeRun(runDir, log)
		res.Key = ""
	}
	return res, nil
}

// setCounts takes what a finished backup-go backup counted.
func (r *NamespaceResult) setCounts(stats *models.BackupStats) {
	r.Records = stats.GetReadRecords()
	r.Bytes = stats.GetBytesWritten()
	r.Files = stats.GetFileCount()
	r.SIndexes = uint64(stats.GetSIndexes())
	r.UDFs = uint64(stats.GetUDFs())
}

// waitTracked waits for a backup-go backup while the progress display
// follows its record and byte counts.
func waitTracked(ctx context.Context, p *progress.Reporter, label string, h *backup.BackupHandler) error {
	stats := h.GetStats()
	tr := p.Track(label, 0, func() progress.Counts {
		return progress.Counts{Records: stats.GetReadRecords(), Bytes: stats.GetBytesWritten(),
			Total: int64(stats.TotalRecords.Load()), Estimated: true}
	})
	defer tr.Stop()
	return h.Wait(ctx)
}

// backupWithRetries runs a namespace backup, starting it again from
// scratch (its folder emptied) as the retry policy allows.
func (j *Job) backupWithRetries(ctx context.Context, runDir string, ns Namespace, log *slog.Logger) (NamespaceResult, error) {
	if j.Slice != nil {
		// Checked once: retrying cannot change the folder's shape.
		nsDir := catalog.NamespaceDir(runDir, ns.Name)
		out := NamespaceResult{Namespace: ns.Name, Dir: nsDir}
		done, err := j.prepareSlice(ctx, nsDir, ns.Name, log)
		if err != nil {
			out.Error = err.Error()
			return out, err
		}
		if done {
			out.Skipped = true
			out.RunComplete, err = catalog.FinishSlices(ctx, j.Store, nsDir)
			log.Info("slice already complete: nothing to do", "namespace", ns.Name, "run-complete", out.RunComplete)
			return out, err
		}
	}
	wait := time.Duration(0)
	for attempt := uint(0); ; attempt++ {
		r, err := j.backupNamespace(ctx, runDir, ns, log)
		if err == nil || ctx.Err() != nil || j.Retry == nil || attempt >= j.Retry.MaxRetries {
			return r, err
		}
		if !Retryable(err) {
			log.Debug("namespace backup failed; not retried, as starting again cannot help", "namespace", ns.Name, "error", err)
			return r, err
		}
		if wait == 0 {
			wait = j.Retry.BaseTimeout
		} else if j.Retry.Multiplier > 1 {
			wait = time.Duration(float64(wait) * j.Retry.Multiplier)
		}
		log.Warn("namespace backup failed, retrying", "namespace", ns.Name, "attempt", attempt+1,
			"max-retries", j.Retry.MaxRetries, "wait", wait.String(), "error", err)
		select {
		case <-ctx.Done():
			return r, ctx.Err()
		case <-time.After(wait):
		}
	}
}

func (j *Job) backupNamespace(ctx context.Context, runDir string, ns Namespace, log *slog.Logger) (NamespaceResult, error) {
	if j.Resumable || j.Resume != nil {
		return j.backupNamespaceResumable(ctx, runDir, ns, log)
	}
	started := time.Now()
	nsDir := catalog.NamespaceDir(runDir, ns.Name)
	out := NamespaceResult{Namespace: ns.Name, Dir: nsDir}
	fail := func(err error) (NamespaceResult, error) {
		out.Error = err.Error()
		// Best effort with a fresh context: the run's own may be cancelled.
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		if j.Slice != nil {
			if rerr := j.removeSliceFiles(cctx, nsDir); rerr != nil {
				log.Warn("could not remove the failed slice's files", "dir", nsDir, "error", rerr)
			}
			return out, err
		}
		if rerr := j.Store.DeleteAll(cctx, nsDir); rerr != nil {
			log.Warn("could not remove the failed namespace folder", "dir", nsDir, "error", rerr)
		}
		return out, err
	}

	cfg := namespaceConfig(ns, j.Type, j.Until)
	wo := j.WriterOptions
	if j.Slice != nil {
		cfg.OutputFilePrefix = j.Slice.FilePrefix()
		if !j.Slice.CarriesMetadata() {
			// Indexes and UDFs once per run, from the first slice.
			cfg.NoIndexes, cfg.NoUDFs = true, true
		}
		wo.AllowExisting = true
	}

	storeWriter, err := j.Store.BackupWriter(ctx, nsDir, wo)
	if err != nil {
		return fail(fmt.Errorf("namespace %q: %s: %w", ns.Name, j.Store, err))
	}
	writer := newChecksumWriter(storeWriter, j.checksum(), planFilePartitions(cfg))
	h, err := j.Conn.Backup.Backup(ctx, cfg, writer, nil)
	if err != nil {
		return fail(fmt.Errorf("namespace %q: %w", ns.Name, err))
	}
	if err := waitTracked(ctx, j.Progress, fmt.Sprintf("%s %s %s", j.Type, j.Routine, ns.Name), h); err != nil {
		if ctx.Err() != nil {
			return fail(ctx.Err())
		}
		return fail(fmt.Errorf("namespace %q: %w", ns.Name, err))
	}

	out.setCounts(h.GetStats())
	out.Duration = time.Since(started)

	if j.Type == catalog.Incremental && out.Records == 0 && j.Slice == nil {
		out.NoChanges = true
		log.Info("no changes", "namespace", ns.Name, "since", ns.From.UTC().Format(time.RFC3339Nano))
		if err := j.Store.DeleteAll(context.WithoutCancel(ctx), nsDir); err != nil {
			log.Warn("could not remove the empty incremental folder", "dir", nsDir, "error", err)
		}
		return out, nil
	}

	meta := j.metadata(ns, out)
	manifest := j.manifest(ns, writer.Entries())
	if uint64(len(manifest.Files)) != out.Files {
		// Should not happen: backup-go closes every file before Wait
		// returns. verify will then flag the files the manifest lacks.
		log.Warn("backup-go counted a different number of files than were closed", "namespace", ns.Name,
			"file-count", out.Files, "closed", len(manifest.Files))
	}
	if j.Slice != nil {
		rec := &catalog.SliceRecord{Slice: j.Slice.Index, Slices: j.Slice.Count,
			Partitions: partitionText(cfg.PartitionFilters), Metadata: *meta, Manifest: *manifest}
		if err := catalog.WriteSliceRecord(ctx, j.Store, nsDir, rec); err != nil {
			return fail(fmt.Errorf("namespace %q: writing %s: %w", ns.Name, catalog.SliceRecordPath(nsDir, *j.Slice), err))
		}
		out.Duration = time.Since(started)
		log.Info("namespace slice backed up", "namespace", ns.Name, "record-count", out.Records,
			"byte-count", out.Bytes, "file-count", out.Files, "duration", out.Duration.Round(time.Millisecond).String())
		// The slice is done whatever happens next: a failed merge is
		// redone by any later run of a slice, and list merges on the fly.
		if out.RunComplete, err = catalog.FinishSlices(ctx, j.Store, nsDir); err != nil {
			out.Error = err.Error()
			return out, fmt.Errorf("namespace %q: slice done, but the run's metadata.yaml could not be written: %w", ns.Name, err)
		}
		return out, nil
	}
	if err := catalog.WriteManifest(ctx, j.Store, nsDir, manifest); err != nil {
		return fail(fmt.Errorf("namespace %q: writing %s: %w", ns.Name, catalog.ManifestFile, err))
	}
	if err := catalog.WriteMetadata(ctx, j.Store, nsDir, meta); err != nil {
		return fail(fmt.Errorf("namespace %q: writing metadata.yaml: %w", ns.Name, err))
	}
	log.Info("namespace backed up", "namespace", ns.Name, "record-count", out.Records,
		"byte-count", out.Bytes, "file-count", out.Files, "duration", out.Duration.Round(time.Millisecond).String())
	return out, nil
}

// prepareSlice checks the namespace folder before this slice writes to it:
// done when the slice already finished there (a retried pod), an error
// when the folder belongs to a run of another shape. Files a failed
// earlier attempt of the slice left behind are removed.
func (j *Job) prepareSlice(ctx context.Context, nsDir, namespace string, log *slog.Logger) (done bool, err error) {
	set, err := catalog.ReadSlices(ctx, j.Store, nsDir)
	if err != nil {
		return false, fmt.Errorf("namespace %q: %w", namespace, err)
	}
	if set.Count != 0 && set.Count != j.Slice.Count {
		return false, &SliceCountError{Namespace: namespace, Folder: nsDir, Have: set.Count, Want: j.Slice.Count}
	}
	if set.Has(j.Slice.Index) {
		return true, nil
	}
	if _, err := catalog.ReadMetadata(ctx, j.Store, nsDir); err == nil {
		return false, fmt.Errorf("namespace %q: %s already holds a complete backup that is not made of slices; use another --run-id", namespace, nsDir)
	}
	if err := j.removeSliceFiles(ctx, nsDir); err != nil {
		return false, fmt.Errorf("namespace %q: removing what an earlier attempt of slice %s left: %w", namespace, j.Slice, err)
	}
	return false, nil
}

// removeSliceFiles deletes this slice's data files from the shared
// namespace folder: those with its prefix, and for the first slice the
// index and UDF file backup-go names metadata_*.asb.
func (j *Job) removeSliceFiles(ctx context.Context, nsDir string) error {
	objs, err := j.Store.List(ctx, nsDir)
	if err != nil {
		return err
	}
	prefix := j.Slice.FilePrefix()
	for _, o := range objs {
		rel := strings.TrimPrefix(strings.TrimPrefix(o.Path, nsDir), "/")
		if strings.Contains(rel, "/") {
			continue // slices/ records are never a failed attempt's
		}
		mine := strings.HasPrefix(rel, prefix) ||
			(j.Slice.CarriesMetadata() && strings.HasPrefix(rel, "metadata_") && strings.HasSuffix(rel, ".asb"))
		if !mine {
			continue
		}
		if err := j.Store.Delete(ctx, o.Path); err != nil && !errors.Is(err, storage.ErrNotFound) {
			return err
		}
	}
	return nil
}

// partitionText writes partition filters in partition-list syntax.
func partitionText(filters []*aerospike.PartitionFilter) string {
	parts := make([]string, 0, len(filters))
	for _, f := range filters {
		parts = append(parts, fmt.Sprintf("%d-%d", f.Begin, f.Count))
	}
	return strings.Join(parts, ",")
}

// RunDir is the run folder the job writes.
func (j *Job) RunDir() string {
	if j.RunFolder != "" {
		return path.Join(j.Routine, j.Type.Folder(), j.RunFolder)
	}
	return catalog.RunDir(j.Routine, j.Type, j.Start)
}

// metadata is ns's metadata.yaml for what out counted, finished now.
func (j *Job) metadata(ns Namespace, out NamespaceResult) *catalog.Metadata {
	return &catalog.Metadata{
		Created:             j.Start,
		Finished:            time.Now(),
		From:                ns.From,
		Namespace:           ns.Name,
		RecordCount:         out.Records,
		ByteCount:           out.Bytes,
		FileCount:           out.Files,
		SecondaryIndexCount: out.SIndexes,
		UDFCount:            out.UDFs,
		Compression:         orNone(j.Compression),
		Encryption:          orNone(j.Encryption),
	}
}

// manifest is ns's aerobackup.yaml listing files. Its upper bound is the
// sealed one, or the run's start when the scan was not sealed.
func (j *Job) manifest(ns Namespace, files []catalog.ManifestEntry) *catalog.Manifest {
	to := j.Until
	if to.IsZero() {
		to = j.Start
	}
	return &catalog.Manifest{Tool: "aerobackup", ToolVersion: j.ToolVersion, BackupGoVersion: backupGoVersion(),
		Routine: j.Routine, Type: j.Type, Namespace: ns.Name, From: ns.From.UTC(), To: to.UTC(), Files: files}
}

// backupGoVersion is the backup-go module version built in, for the manifest.
func backupGoVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == "github.com/aerospike/backup-go" {
				return d.Version
			}
		}
	}
	return ""
}

// checksum is the algorithm the run records.
func (j *Job) checksum() checksum.Algorithm {
	if j.Checksum == "" {
		return checksum.Default
	}
	return j.Checksum
}

func orNone(s string) string {
	if s == "" {
		return "NONE"
	}
	return strings.ToUpper(s)
}

// removeRun deletes the run folder, metadata first so that the folder stops
// looking like a backup before its data goes.
func (j *Job) removeRun(runDir string, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := catalog.RemoveRun(ctx, j.Store, runDir); err != nil && !errors.Is(err, storage.ErrNotFound) {
		log.Error("could not remove the failed run folder; delete it by hand", "dir", runDir, "error", err)
	}
}

// saveClusterConfiguration writes each node's configuration, as ABS does,
// to <run>/configuration/aerospike_<i>.conf.
func (j *Job) saveClusterConfiguration(ctx context.Context, runDir string, log *slog.Logger) error {
	confs, err := cluster.NodeConfigurations(j.Conn)
	if err != nil || len(confs) == 0 {
		// ABS treats this as a warning: the data backup still has value.
		log.Warn("could not read the cluster configuration", "error", err)
		return nil
	}
	for i, c := range confs {
		p := path.Join(runDir, "configuration", fmt.Sprintf("aerospike_%d.conf", i))
		if err := j.Store.WriteFile(ctx, p, []byte(c)); err != nil {
			return fmt.Errorf("writing cluster configuration %s: %w", p, err)
		}
	}
	return nil
}

// failedOf says which namespaces failed, when the first one's error (which
// names it) follows: "one namespace failed", or "3 namespaces failed (a,
// b, c), the first".
func failedOf(nss []string) string {
	if len(nss) == 1 {
		return "one namespace failed"
	}
	return fmt.Sprintf("%d namespaces failed (%s), the first", len(nss), strings.Join(nss, ", "))
}
