package backupjob

import (
	"bytes"
	"cmp"
	"context"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	as "github.com/aerospike/aerospike-client-go/v8"
	"github.com/aerospike/backup-go"
	"github.com/aerospike/backup-go/models"

	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/storage"
)

// How a resumable namespace backup continues (backup-go's state/continue):
//
//   - backup-go saves its scan position (one partition-filter cursor per
//     worker, at the start of the page being read) in the state file each
//     time a worker's file reaches the file limit and is closed;
//   - before a data file counts as closed, the list of whole files
//     (aerobackup-partial.yaml) is stored, so the saved position never
//     passes a file the list lacks;
//   - a continuation keeps the listed record files, deletes everything
//     else (files cut off by the interruption, the sindex/UDF file, which
//     it writes again), and scans on from the saved position. backup-go
//     names its files "<name>(<n>).asb" for the n-th continuation, apart
//     from every earlier attempt's;
//   - the records between a worker's saved position and the end of its
//     last kept file are backed up twice (at most a page per worker and
//     continuation, plus whatever the interrupted files held). Restoring a
//     record twice writes the same record again, so the restore is
//     correct; its "records read" and metadata.yaml's record-count both
//     count the copies;
//   - record counts of the kept files are not known while writing (the
//     files are compressed and encrypted by then): a continuation reads
//     them back once, decoding without a cluster, and remembers them.

// writeTimeout bounds a bookkeeping write made without the run's context.
const writeTimeout = time.Minute

// resumeHooks are the checksum writer's extras in a resumable run: the
// state file goes through the Store (written whole, read back by
// stateReader), and each closed data file updates the kept-file list.
type resumeHooks struct {
	store   storage.Store
	nsDir   string
	partial *catalog.Partial // kept files of earlier attempts, Attempts
	mu      sync.Mutex
}

func (h *resumeHooks) isState(name string) bool {
	return path.Base(strings.ReplaceAll(name, "\\", "/")) == catalog.StateFile
}

func (h *resumeHooks) newStateFile(ctx context.Context) io.WriteCloser {
	return &stateFile{ctx: ctx, h: h}
}

func (h *resumeHooks) removeState(ctx context.Context) error {
	return h.store.Delete(ctx, path.Join(h.nsDir, catalog.StateFile))
}

// fileClosed stores the kept-file list: the earlier attempts' files and
// every file of this attempt closed so far.
func (h *resumeHooks) fileClosed(closed []catalog.ManifestEntry) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	p := catalog.Partial{Attempts: h.partial.Attempts, Files: slices.Clone(h.partial.Files)}
	for _, e := range closed {
		p.Files = append(p.Files, catalog.KeptFile{ManifestEntry: e})
	}
	// Without a context from backup-go here: a file closing as the run is
	// interrupted must still be listed.
	ctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
	defer cancel()
	if err := catalog.WritePartial(ctx, h.store, h.nsDir, &p); err != nil {
		return fmt.Errorf("storing the list of kept files: %w", err)
	}
	return nil
}

// stateFile buffers backup-go's state and stores it whole on Close, so an
// interruption never leaves half a state file.
type stateFile struct {
	ctx context.Context
	h   *resumeHooks
	buf bytes.Buffer
}

func (f *stateFile) Write(p []byte) (int, error) { return f.buf.Write(p) }

func (f *stateFile) Close() error {
	return f.h.store.WriteFile(context.WithoutCancel(f.ctx), path.Join(f.h.nsDir, catalog.StateFile), f.buf.Bytes())
}

// stateReader is the backup.StreamingReader backup-go reads the state
// file through when continuing; it serves nothing else.
type stateReader struct {
	store storage.Store
	nsDir string
}

func (r *stateReader) StreamFiles(ctx context.Context, _ chan<- models.File, errs chan<- error, _ []string) {
	sendErr(ctx, errs, errors.New("the state reader serves only the state file"))
}

func (r *stateReader) StreamFile(ctx context.Context, name string, files chan<- models.File, errs chan<- error) {
	data, err := r.store.ReadFile(ctx, path.Join(r.nsDir, path.Base(name)))
	if err != nil {
		sendErr(ctx, errs, err)
		return
	}
	select {
	case files <- models.File{Reader: io.NopCloser(bytes.NewReader(data)), Name: path.Base(name)}:
	case <-ctx.Done():
	}
}

func sendErr(ctx context.Context, errs chan<- error, err error) {
	select {
	case errs <- err:
	case <-ctx.Done():
	}
}

func (r *stateReader) GetType() string                                       { return "aerobackup-state" }
func (r *stateReader) ListObjects(context.Context, string) ([]string, error) { return nil, nil }
func (r *stateReader) GetSize() int64                                        { return 0 }
func (r *stateReader) GetNumber() int64                                      { return 0 }
func (r *stateReader) GetSkipped() []string                                  { return nil }

// resumePlan is what prepareResumable decided for one namespace folder.
type resumePlan struct {
	partial *catalog.Partial // Files: the kept files, all counted
	state   *backup.State    // nil: the scan starts over
}

func (p *resumePlan) keptTotals() (records, bytes uint64) {
	for _, f := range p.partial.Files {
		records += f.Records
		bytes += uint64(f.Size)
	}
	return records, bytes
}

// prepareResumable readies a namespace folder of a resumable run for the
// next scan: it decides what to keep, deletes the rest, counts the kept
// files' records, and rewrites the state for backup-go (see the top of
// this file). cfg is the namespace's backup configuration, for decoding.
func (j *Job) prepareResumable(ctx context.Context, nsDir string, cfg *backup.ConfigBackup, log *slog.Logger) (*resumePlan, error) {
	f, err := j.readFolder(ctx, nsDir)
	if err != nil {
		return nil, err
	}
	plan, err := j.planResume(ctx, nsDir, f)
	if err != nil {
		return nil, err
	}
	if err := j.removeUnkept(ctx, nsDir, f.present, plan, log); err != nil {
		return nil, err
	}
	if err := j.countKept(ctx, nsDir, plan, cfg); err != nil {
		return nil, err
	}
	if err := j.storeResumePlan(ctx, nsDir, plan); err != nil {
		return nil, err
	}
	if plan.state != nil {
		records, bytes := plan.keptTotals()
		log.Info("continuing the namespace backup from its saved position", "namespace", cfg.Namespace,
			"attempt", plan.partial.Attempts, "kept-files", len(plan.partial.Files), "kept-records", records, "kept-bytes", bytes)
	} else if f.partial.Attempts > 0 {
		log.Info("no saved position for the namespace yet: its scan starts over", "namespace", cfg.Namespace)
	}
	return plan, nil
}

// resumeFolder is what an earlier attempt left in a namespace folder.
type resumeFolder struct {
	partial *catalog.Partial // the record of its attempts and files
	state   []byte           // backup-go's saved state, nil: none
	present map[string]int64 // the folder's files (relative) by size
}

func (j *Job) readFolder(ctx context.Context, nsDir string) (*resumeFolder, error) {
	p, err := catalog.ReadPartial(ctx, j.Store, nsDir)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		p = &catalog.Partial{}
	case err != nil:
		return nil, err
	}
	stateData, err := j.Store.ReadFile(ctx, path.Join(nsDir, catalog.StateFile))
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return nil, err
	}
	objs, err := j.Store.List(ctx, nsDir)
	if err != nil {
		return nil, fmt.Errorf("%s: listing %s: %w", j.Store, nsDir, err)
	}
	present := map[string]int64{}
	for _, o := range objs {
		present[strings.TrimPrefix(strings.TrimPrefix(o.Path, nsDir), "/")] = o.Size
	}
	return &resumeFolder{partial: p, state: stateData, present: present}, nil
}

// planResume decides the next attempt: with a saved position from an
// earlier attempt, the repaired state and the files written before it
// (each still present, unchanged); otherwise a scan from the start.
func (j *Job) planResume(ctx context.Context, nsDir string, f *resumeFolder) (*resumePlan, error) {
	p := f.partial
	plan := &resumePlan{partial: &catalog.Partial{Attempts: p.Attempts + 1}}
	if f.state == nil || p.Attempts <= 0 {
		return plan, nil
	}
	st, err := decodeState(f.state)
	if err != nil {
		return nil, fmt.Errorf("%s: %w (start the backup over with --no-resume)", path.Join(nsDir, catalog.StateFile), err)
	}
	var base *backup.State
	if data, err := j.Store.ReadFile(ctx, path.Join(nsDir, catalog.StateBaseFile)); err == nil {
		if base, err = decodeState(data); err != nil {
			return nil, fmt.Errorf("%s: %w (start the backup over with --no-resume)", path.Join(nsDir, catalog.StateBaseFile), err)
		}
	} else if !errors.Is(err, storage.ErrNotFound) {
		return nil, err
	}
	st.RecordStatesSaved = repairState(base, st)
	// backup-go copies the saved positions into RecordStates, which
	// must not be empty (gob leaves an empty map nil).
	st.RecordStates = maps.Clone(st.RecordStatesSaved)
	// backup-go adds one and names this attempt's files "(n)".
	st.Counter = p.Attempts - 1
	plan.state = st
	for _, file := range p.Files {
		if strings.HasPrefix(file.Name, "metadata_") {
			continue // written again by the continuation
		}
		size, ok := f.present[file.Name]
		if !ok || size != file.Size {
			return nil, fmt.Errorf("%s: a file written before the interruption is missing or changed (start the backup over with --no-resume)",
				path.Join(nsDir, file.Name))
		}
		plan.partial.Files = append(plan.partial.Files, file)
	}
	return plan, nil
}

// removeUnkept deletes every file of the folder the plan does not keep.
func (j *Job) removeUnkept(ctx context.Context, nsDir string, present map[string]int64, plan *resumePlan, log *slog.Logger) error {
	keep := map[string]bool{catalog.PartialFile: true}
	if plan.state != nil {
		keep[catalog.StateFile], keep[catalog.StateBaseFile] = true, true
	}
	for _, f := range plan.partial.Files {
		keep[f.Name] = true
	}
	for name := range present {
		if keep[name] {
			continue
		}
		if err := j.Store.Delete(ctx, path.Join(nsDir, name)); err != nil {
			return err
		}
		log.Debug("removed a file the continuation writes again", "file", path.Join(nsDir, name))
	}
	return nil
}

// countKept reads back the kept files not counted yet for their records.
func (j *Job) countKept(ctx context.Context, nsDir string, plan *resumePlan, cfg *backup.ConfigBackup) error {
	for i := range plan.partial.Files {
		f := &plan.partial.Files[i]
		if f.Counted {
			continue
		}
		n, err := j.countRecords(ctx, nsDir, f.Name, cfg)
		if err != nil {
			return fmt.Errorf("%s: reading back a file written before the interruption: %w (start the backup over with --no-resume)",
				path.Join(nsDir, f.Name), err)
		}
		f.Records, f.Counted = n, true
	}
	return nil
}

// storeResumePlan writes the attempt's record and the state backup-go
// continues from.
func (j *Job) storeResumePlan(ctx context.Context, nsDir string, plan *resumePlan) error {
	// Stored before the scan starts, so its files are named apart from
	// every earlier attempt's even if this one is killed at once.
	if err := catalog.WritePartial(ctx, j.Store, nsDir, plan.partial); err != nil {
		return err
	}
	if plan.state == nil {
		return nil
	}
	data, err := encodeState(plan.state)
	if err != nil {
		return err
	}
	// The base lets the next continuation repair what this one saves.
	for _, name := range []string{catalog.StateBaseFile, catalog.StateFile} {
		if err := j.Store.WriteFile(ctx, path.Join(nsDir, name), data); err != nil {
			return err
		}
	}
	return nil
}

func decodeState(data []byte) (*backup.State, error) {
	st := &backup.State{}
	if err := gob.NewDecoder(bytes.NewReader(data)).Decode(st); err != nil {
		return nil, fmt.Errorf("cannot decode backup-go's state: %w", err)
	}
	if len(st.RecordStatesSaved) == 0 {
		return nil, errors.New("backup-go's state holds no scan position")
	}
	return st, nil
}

func encodeState(st *backup.State) ([]byte, error) {
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(st); err != nil {
		return nil, fmt.Errorf("encoding backup-go's state: %w", err)
	}
	return buf.Bytes(), nil
}

// repairState returns the scan positions to continue from, one per
// partition range, numbered from 0.
//
// backup-go loads the positions of a continuation in map order, so its
// worker i may scan the range that worker j scanned before, and it saves
// the position of that range under i, over range i's. A continuation cut
// short can thus leave a state in which one range appears twice and
// another not at all. base is the state the continuation started from:
// for each of its ranges, the position saved since (the entry for the same
// range that differs from base's) is taken, else base's own. Without a
// base (the first continuation) the state is used as saved.
func repairState(base, cur *backup.State) map[int]models.PartitionFilterSerialized {
	type rangeID struct {
		begin, count int
		digest       string
	}
	id := func(p models.PartitionFilterSerialized) rangeID {
		return rangeID{p.Begin, p.Count, string(p.Digest)}
	}
	sorted := func(m map[int]models.PartitionFilterSerialized) []models.PartitionFilterSerialized {
		out := make([]models.PartitionFilterSerialized, 0, len(m))
		for _, p := range m {
			out = append(out, p)
		}
		slices.SortFunc(out, func(a, b models.PartitionFilterSerialized) int {
			return cmp.Or(cmp.Compare(a.Begin, b.Begin), cmp.Compare(a.Count, b.Count),
				bytes.Compare(a.Digest, b.Digest), bytes.Compare(a.Cursor, b.Cursor))
		})
		return out
	}
	var picked []models.PartitionFilterSerialized
	if base == nil {
		picked = sorted(cur.RecordStatesSaved)
	} else {
		for _, b := range sorted(base.RecordStatesSaved) {
			p := b
			for _, c := range cur.RecordStatesSaved {
				if id(c) == id(b) && !bytes.Equal(c.Cursor, b.Cursor) {
					p = c
					break
				}
			}
			picked = append(picked, p)
		}
	}
	out := make(map[int]models.PartitionFilterSerialized, len(picked))
	for i, p := range picked {
		p.N = i
		out[i] = p
	}
	return out
}

// countRecords decodes one stored data file without a cluster and returns
// how many records it holds.
func (j *Job) countRecords(ctx context.Context, nsDir, name string, bc *backup.ConfigBackup) (uint64, error) {
	client, err := backup.NewClient(nil, backup.WithLogger(j.Log))
	if err != nil {
		return 0, err
	}
	cfg := backup.NewDefaultRestoreConfig()
	cfg.ValidateOnly = true
	cfg.Parallel = 1
	// Without a cluster backup-go cannot ask one for its default policy.
	cfg.WritePolicy = as.NewWritePolicy(0, 0)
	if c := bc.CompressionPolicy; c != nil && c.Mode != "" && c.Mode != backup.CompressNone {
		cfg.CompressionPolicy = backup.NewCompressionPolicy(c.Mode, -1)
	}
	if e := bc.EncryptionPolicy; e != nil && e.Mode != "" && e.Mode != backup.EncryptNone {
		cfg.EncryptionPolicy = e
		cfg.SecretAgentConfig = bc.SecretAgentConfig
	}
	rd, err := j.Store.RestoreReader(ctx, nsDir, storage.ReaderOptions{Files: []string{path.Join(nsDir, name)}})
	if err != nil {
		return 0, err
	}
	h, err := client.Restore(ctx, cfg, rd)
	if err != nil {
		return 0, err
	}
	err = h.Wait(ctx)
	return h.GetStats().GetReadRecords(), err
}
