package backupjob

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/aerospike/backup-go"

	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/progress"
	"github.com/aerobackup/aerobackup/internal/storage"
)

// ResumeHint ends the messages of a resumable run that stopped.
const ResumeHint = "its files are kept: continue it with 'aerobackup backup --resume' (or start over with --no-resume)"

// keepMarkerChecksum makes a continuation record the checksum algorithm
// the run started with, whatever this one was asked for: readers would
// check mixed entries correctly, but one backup recording one algorithm
// is simpler to reason about, and an operator who chose SHA-256 for the
// run gets it for every file.
func (j *Job) keepMarkerChecksum(marker *catalog.ResumeMarker, log *slog.Logger) error {
	alg, err := marker.ChecksumAlgorithm()
	if err != nil {
		return err
	}
	if alg != j.checksum() {
		log.Info("continuing with the checksum the interrupted run started with", "checksum", string(alg),
			"requested", string(j.checksum()))
	}
	j.Checksum, marker.Checksum = alg, string(alg)
	return nil
}

// runResumable is Run for a resumable run (or the continuation of one):
// nothing is removed when it stops, and metadata.yaml is written for every
// namespace only once all of them are done, so the run becomes one backup
// at once, with its original key and creation time.
func (j *Job) runResumable(ctx context.Context) (*Result, error) {
	a, err := j.startAttempt(ctx)
	if err != nil {
		return nil, err
	}
	if a.first && j.ClusterConfiguration && j.Type == catalog.Full {
		if err := j.saveClusterConfiguration(ctx, a.runDir, a.log); err != nil {
			a.stop(ctx, err.Error())
			return nil, err
		}
	}
	if err := j.backupNamespacesResumable(ctx, a); err != nil {
		return nil, err
	}
	return j.publishResumable(ctx, a)
}

// attempt is one attempt of a resumable run: its marker, written as it
// starts, and the result so far.
type attempt struct {
	store  storage.Store
	runDir string
	marker *catalog.ResumeMarker
	first  bool // no earlier attempt
	res    *Result
	log    *slog.Logger
	now    func() time.Time
}

// startAttempt writes the run's resume marker, new or carried over from
// the interrupted attempt, as running.
func (j *Job) startAttempt(ctx context.Context) (*attempt, error) {
	a := &attempt{store: j.Store, runDir: catalog.RunDir(j.Routine, j.Type, j.Start), marker: j.Resume, first: j.Resume == nil, now: j.Now}
	if a.now == nil {
		a.now = time.Now
	}
	a.res = &Result{Key: a.runDir, Routine: j.Routine, Type: j.Type, Created: j.Start}
	a.log = j.Log.With("routine", j.Routine, "type", string(j.Type), "key", a.res.Key)
	if a.first {
		a.marker = j.newMarker()
	} else if err := j.keepMarkerChecksum(a.marker, a.log); err != nil {
		return nil, fmt.Errorf("%s: %w (start the backup over with --no-resume)", catalog.ResumePath(a.runDir), err)
	}
	m := a.marker
	m.Attempts++
	m.Status, m.Reason = catalog.ResumeRunning, ""
	m.Host, _ = os.Hostname()
	m.PID = os.Getpid()
	m.Updated = a.now().UTC()
	if err := catalog.WriteResumeMarker(ctx, j.Store, a.runDir, m); err != nil {
		if a.first {
			j.removeRun(a.runDir, a.log)
		}
		return nil, fmt.Errorf("%s: writing %s: %w", j.Store, catalog.ResumePath(a.runDir), err)
	}
	return a, nil
}

// newMarker is the resume marker of a run's first attempt.
func (j *Job) newMarker() *catalog.ResumeMarker {
	m := &catalog.ResumeMarker{Routine: j.Routine, Type: j.Type, Created: j.Start.UTC(), Until: j.Until.UTC(),
		Compression: orNone(j.Compression), Encryption: orNone(j.Encryption), Selection: j.Selection,
		Checksum: string(j.checksum())}
	for _, ns := range j.Namespaces {
		m.Namespaces = append(m.Namespaces, catalog.ResumeNamespace{Name: ns.Name, From: ns.From.UTC()})
	}
	return m
}

// stop records that the attempt stopped, for reason, keeping the run
// resumable.
func (a *attempt) stop(ctx context.Context, reason string) {
	a.marker.Status, a.marker.Reason, a.marker.Updated = catalog.ResumeInterrupted, reason, a.now().UTC()
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), writeTimeout)
	defer cancel()
	if err := catalog.WriteResumeMarker(wctx, a.store, a.runDir, a.marker); err != nil {
		a.log.Warn("could not record the interruption; the run is still resumable", "error", err)
	}
	a.log.Warn("resumable backup stopped; "+ResumeHint, "dir", a.runDir, "attempt", a.marker.Attempts, "reason", reason)
}

// backupNamespacesResumable backs up each namespace an earlier attempt did
// not finish; an interruption stops at once, a failure once every
// namespace is tried.
func (j *Job) backupNamespacesResumable(ctx context.Context, a *attempt) error {
	var failed []string
	var firstErr error
	for _, ns := range j.Namespaces {
		nsDir := catalog.NamespaceDir(a.runDir, ns.Name)
		if md, err := j.finishedNamespace(ctx, nsDir); err != nil {
			a.stop(ctx, err.Error())
			return err
		} else if md != nil {
			a.log.Info("namespace already backed up by an earlier attempt", "namespace", ns.Name, "record-count", md.RecordCount)
			a.res.Namespaces = append(a.res.Namespaces, resultFromMetadata(nsDir, md, j.Type))
			continue
		}
		r, err := j.backupWithRetries(ctx, a.runDir, ns, a.log)
		a.res.Namespaces = append(a.res.Namespaces, r)
		if err == nil {
			continue
		}
		if ctx.Err() != nil {
			a.stop(ctx, "interrupted")
			return ctx.Err()
		}
		failed = append(failed, ns.Name)
		if firstErr == nil {
			firstErr = err
		}
		a.log.Error("namespace backup failed", "namespace", ns.Name, "error", err)
	}
	a.res.Finished = a.now()
	if len(failed) > 0 {
		a.stop(ctx, firstErr.Error())
		return fmt.Errorf("%s: %w; %s", failedOf(failed), firstErr, ResumeHint)
	}
	return nil
}

// publishResumable publishes every namespace together once all are done.
// A signal now would only leave a run half published, so this step runs
// to its end.
func (j *Job) publishResumable(ctx context.Context, a *attempt) (*Result, error) {
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
	defer cancel()
	for _, r := range a.res.Namespaces {
		if err := j.publishNamespace(fctx, r); err != nil {
			a.stop(ctx, err.Error())
			return nil, err
		}
	}
	if err := j.Store.Delete(fctx, catalog.ResumePath(a.runDir)); err != nil {
		a.log.Warn("could not remove the resume marker of the finished backup", "error", err)
	}
	if a.res.Empty() {
		j.removeRun(a.runDir, a.log)
		a.res.Key = ""
	}
	if a.marker.Attempts > 1 {
		a.log.Info("resumed backup finished", "attempts", a.marker.Attempts)
	}
	return a.res, nil
}

// finishedNamespace returns the metadata of a namespace an earlier
// attempt finished (pending, or already published), nil if it is not done.
func (j *Job) finishedNamespace(ctx context.Context, nsDir string) (*catalog.Metadata, error) {
	for _, p := range []string{catalog.PendingMetadataPath(nsDir), catalog.MetadataPath(nsDir)} {
		data, err := j.Store.ReadFile(ctx, p)
		if errors.Is(err, storage.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		md, err := catalog.ParseMetadata(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		return md, nil
	}
	return nil, nil
}

func resultFromMetadata(nsDir string, md *catalog.Metadata, typ catalog.Type) NamespaceResult {
	return NamespaceResult{Namespace: md.Namespace, Dir: nsDir, Records: md.RecordCount, Bytes: md.ByteCount,
		Files: md.FileCount, SIndexes: md.SecondaryIndexCount, UDFs: md.UDFCount,
		NoChanges: typ == catalog.Incremental && md.RecordCount == 0}
}

// publishNamespace turns a finished namespace's pending metadata into its
// metadata.yaml (or removes the folder of an incremental without changes).
func (j *Job) publishNamespace(ctx context.Context, r NamespaceResult) error {
	if r.NoChanges {
		return j.Store.DeleteAll(ctx, r.Dir)
	}
	pending := catalog.PendingMetadataPath(r.Dir)
	data, err := j.Store.ReadFile(ctx, pending)
	if errors.Is(err, storage.ErrNotFound) {
		return nil // published by an earlier attempt
	}
	if err != nil {
		return err
	}
	md, err := catalog.ParseMetadata(data)
	if err != nil {
		return fmt.Errorf("%s: %w", pending, err)
	}
	if err := catalog.WriteMetadata(ctx, j.Store, r.Dir, md); err != nil {
		return fmt.Errorf("namespace %q: writing metadata.yaml: %w", r.Namespace, err)
	}
	return j.Store.Delete(ctx, pending)
}

// backupNamespaceResumable backs up (or continues) one namespace of a
// resumable run. On failure its folder stays as it is.
func (j *Job) backupNamespaceResumable(ctx context.Context, runDir string, ns Namespace, log *slog.Logger) (NamespaceResult, error) {
	started := time.Now()
	nsDir := catalog.NamespaceDir(runDir, ns.Name)
	out := NamespaceResult{Namespace: ns.Name, Dir: nsDir}
	fail := func(err error) (NamespaceResult, error) {
		out.Error = err.Error()
		return out, err
	}

	cfg := *namespaceConfig(ns, j.Type, j.Until)
	if cfg.FileLimit == 0 || cfg.PageSize <= 0 {
		return fail(fmt.Errorf("namespace %q: a resumable backup needs a file limit and a scan page size", ns.Name))
	}
	plan, err := j.prepareResumable(ctx, nsDir, &cfg, log)
	if err != nil {
		return fail(fmt.Errorf("namespace %q: %w", ns.Name, err))
	}
	cfg.StateFile = catalog.StateFile
	var stateRd backup.StreamingReader
	if plan.state != nil {
		// backup-go continues with one worker per saved position.
		n := len(plan.state.RecordStatesSaved)
		cfg.Continue = true
		cfg.ParallelRead, cfg.ParallelWrite = n, n
		stateRd = &stateReader{store: j.Store, nsDir: nsDir}
	} else {
		// With a state file backup-go pairs each reader with one writer.
		cfg.ParallelWrite = cfg.ParallelRead
	}

	wo := j.WriterOptions
	wo.AllowExisting = true
	storeWriter, err := j.Store.BackupWriter(ctx, nsDir, wo)
	if err != nil {
		return fail(fmt.Errorf("namespace %q: %s: %w", ns.Name, j.Store, err))
	}
	// The partitions before backup-go replaces a continuation's filters
	// with the state's.
	writer := newChecksumWriter(storeWriter, j.checksum(), planFilePartitions(&cfg))
	writer.resume = &resumeHooks{store: j.Store, nsDir: nsDir, partial: plan.partial}
	h, err := j.Conn.Backup.Backup(ctx, &cfg, writer, stateRd)
	if err != nil {
		return fail(fmt.Errorf("namespace %q: %w", ns.Name, err))
	}
	stopDrain := make(chan struct{})
	defer close(stopDrain)
	if !drainStateUpdates(h, stopDrain) {
		log.Warn("cannot reach backup-go's state channel: an interrupt may hang this run (backup-go changed?)")
	}
	keptRecords, keptBytes := plan.keptTotals()
	stats := h.GetStats()
	tr := j.Progress.Track(fmt.Sprintf("%s %s %s", j.Type, j.Routine, ns.Name), 0, func() progress.Counts {
		return progress.Counts{Records: keptRecords + stats.GetReadRecords(), Bytes: keptBytes + stats.GetBytesWritten(),
			Total: int64(stats.TotalRecords.Load()), Estimated: true}
	})
	err = h.Wait(ctx)
	tr.Stop()
	if err != nil {
		if ctx.Err() != nil {
			return fail(ctx.Err())
		}
		return fail(fmt.Errorf("namespace %q: %w", ns.Name, err))
	}

	files := writer.Entries()
	for _, f := range plan.partial.Files {
		files = append(files, f.ManifestEntry)
	}
	slices.SortFunc(files, func(a, b catalog.ManifestEntry) int { return strings.Compare(a.Name, b.Name) })
	out.Records = keptRecords + stats.GetReadRecords()
	out.Bytes = keptBytes + stats.GetBytesWritten()
	out.Files = uint64(len(files))
	out.SIndexes = uint64(stats.GetSIndexes())
	out.UDFs = uint64(stats.GetUDFs())
	out.Duration = time.Since(started)
	meta := j.metadata(ns, out)
	if j.Type == catalog.Incremental && out.Records == 0 {
		out.NoChanges = true
		log.Info("no changes", "namespace", ns.Name, "since", ns.From.UTC().Format(time.RFC3339Nano))
	} else if err := catalog.WriteManifest(ctx, j.Store, nsDir, j.manifest(ns, files)); err != nil {
		return fail(fmt.Errorf("namespace %q: writing %s: %w", ns.Name, catalog.ManifestFile, err))
	}
	data, err := meta.Marshal()
	if err == nil {
		err = j.Store.WriteFile(ctx, catalog.PendingMetadataPath(nsDir), data)
	}
	if err != nil {
		return fail(fmt.Errorf("namespace %q: writing %s: %w", ns.Name, catalog.PendingMetadataFile, err))
	}
	// The bookkeeping of the continuation is no longer needed (backup-go
	// removed its state file itself).
	for _, name := range []string{catalog.PartialFile, catalog.StateBaseFile, catalog.StateFile} {
		if err := j.Store.Delete(ctx, nsDir+"/"+name); err != nil {
			log.Warn("could not remove a resume file of a finished namespace", "file", nsDir+"/"+name, "error", err)
		}
	}
	log.Info("namespace backed up", "namespace", ns.Name, "record-count", out.Records,
		"byte-count", out.Bytes, "file-count", out.Files, "duration", out.Duration.Round(time.Millisecond).String())
	return out, nil
}
