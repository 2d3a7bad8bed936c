// Package verify owns proving backups restorable without restoring them:
// every namespace folder's metadata.yaml, its files against aerobackup's
// manifest (sizes, and with ReadData the checksums, an ASB decode with
// the record count, and each record of a plain file against the partition
// ranges the manifest records for it), and the incremental chains. It
// only reads storage: it must never connect to a cluster, write or delete
// anything.
package verify

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	as "github.com/aerospike/aerospike-client-go/v8"
	"github.com/aerospike/backup-go"
	"github.com/aerospike/backup-go/models"

	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/checksum"
	"github.com/aerobackup/aerobackup/internal/storage"
)

// Status is the verdict on one namespace backup.
type Status string

const (
	// OK: everything checked is as recorded.
	OK Status = "ok"
	// Incomplete: something is missing (a file, metadata.yaml, the base
	// of an incremental, a span of changes).
	Incomplete Status = "incomplete"
	// Corrupt: something is there but wrong.
	Corrupt Status = "corrupt"
)

// worse returns the more severe status.
func worse(a, b Status) Status {
	rank := map[Status]int{OK: 0, Incomplete: 1, Corrupt: 2}
	if rank[b] > rank[a] {
		return b
	}
	return a
}

// Problem is one fault, naming the file (relative to the storage root)
// when it concerns one.
type Problem struct {
	Status Status `json:"status"`
	File   string `json:"file,omitempty"`
	Fault  string `json:"fault"`
}

func (p Problem) String() string {
	if p.File == "" {
		return p.Fault
	}
	return p.File + ": " + p.Fault
}

// Result is the verdict on one namespace of one backup run.
type Result struct {
	Routine   string       `json:"routine"`
	Type      catalog.Type `json:"type"`
	Key       string       `json:"key"`
	Namespace string       `json:"namespace,omitempty"`
	Dir       string       `json:"dir"`
	Created   time.Time    `json:"created,omitzero"`
	Status    Status       `json:"status"`
	// Checksums is true when the backup has a manifest (written by
	// aerobackup); without one only the structure can be checked.
	Checksums bool `json:"checksums"`
	Files     int  `json:"file-count"`
	// FilesRead is how many files were hashed and decoded.
	FilesRead int `json:"files-read"`
	// Records decoded (with ReadData) and recorded in metadata.yaml.
	RecordsRead     uint64    `json:"records-read,omitempty"`
	RecordsExpected uint64    `json:"record-count"`
	Problems        []Problem `json:"problems,omitempty"`
	Notes           []string  `json:"notes,omitempty"`
}

func (r *Result) add(s Status, file, format string, args ...any) {
	r.Problems = append(r.Problems, Problem{Status: s, File: file, Fault: fmt.Sprintf(format, args...)})
	r.Status = worse(r.Status, s)
}

// Reason is the first problem, for one-line summaries.
func (r *Result) Reason() string {
	if len(r.Problems) == 0 {
		return ""
	}
	return r.Problems[0].String()
}

// Options choose what to check.
type Options struct {
	// Routine limits the run to one routine (empty: every routine).
	Routine string
	// Key limits the run to one backup (its chain is still checked
	// against the routine's other backups).
	Key *catalog.Key
	// ReadData hashes and decodes every file; Subset (0 < Subset < 1),
	// when set, only that share of each backup's files, at random.
	ReadData bool
	Subset   float64
	// From and To, when set, verify only the backups taken in [From, To]
	// (every backup's metadata.yaml is still read, for the chains).
	From, To time.Time
	// Parallel bounds the files read at once (default 4).
	Parallel int
	// Encryption key of encrypted backups, as restore takes it.
	KeyFile, KeyEnv, KeySecret string
	SecretAgent                *backup.SecretAgentConfig
	Log                        *slog.Logger
}

// ErrKeyNeeded is returned (wrapped) when data must be read from an
// encrypted backup and no key was given.
var ErrKeyNeeded = errors.New("the backup is encrypted: give the key with --encryption-key-file, --encryption-key-env or --encryption-key-secret")

// Run verifies the backups in store and returns one result per namespace
// folder, sorted by routine, time, type and namespace.
func Run(ctx context.Context, store storage.Store, o Options) ([]Result, error) {
	if o.Parallel <= 0 {
		o.Parallel = 4
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	f := catalog.Filter{Fresh: true}
	if o.Routine != "" {
		f.Routines = []string{o.Routine}
	}
	if o.Key != nil {
		f.Routines = []string{o.Key.Routine}
	}
	listing, err := catalog.Scan(ctx, store, f)
	if err != nil {
		return nil, err
	}
	inRange := func(t time.Time) bool {
		return (o.From.IsZero() || !t.Before(o.From)) && (o.To.IsZero() || !t.After(o.To))
	}
	selected := func(key string) bool { return o.Key == nil || key == o.Key.Dir() }

	var results []Result
	for _, b := range listing.Backups {
		if !selected(b.Key) || !inRange(b.Time) {
			continue
		}
		for _, n := range b.Namespaces {
			if o.Key != nil && o.Key.Namespace != "" && n.Namespace != o.Key.Namespace {
				continue
			}
			if o.ReadData && n.Metadata.Encryption != catalog.EncryptionNone && o.KeyFile == "" && o.KeyEnv == "" && o.KeySecret == "" {
				return nil, fmt.Errorf("%s (%s): %w", n.Dir, n.Metadata.Encryption, ErrKeyNeeded)
			}
			md := n.Metadata
			results = append(results, Result{Routine: b.Routine, Type: b.Type, Key: b.Key, Namespace: n.Namespace,
				Dir: n.Dir, Created: md.Created, Status: OK, RecordsExpected: md.RecordCount})
		}
	}
	for _, inc := range listing.Incomplete {
		r, ok := incompleteResult(ctx, store, inc)
		if ok && selected(r.Key) && inRange(inc.Time) {
			results = append(results, r)
		}
	}
	if o.Key != nil && len(results) == 0 {
		return nil, fmt.Errorf("backup %s not found in %s", o.Key.Dir(), store)
	}

	metas := map[string]catalog.Metadata{}
	for _, b := range listing.Backups {
		for _, n := range b.Namespaces {
			metas[n.Dir] = n.Metadata
		}
	}
	v := &verifier{store: store, o: o, sem: make(chan struct{}, o.Parallel)}
	var wg sync.WaitGroup
	for i := range results {
		r := &results[i]
		md, ok := metas[r.Dir]
		if !ok {
			continue // no usable metadata: already judged
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			v.namespace(ctx, r, md)
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	checkChains(listing.Backups, results)
	slices.SortStableFunc(results, func(a, b Result) int {
		if c := strings.Compare(a.Routine, b.Routine); c != 0 {
			return c
		}
		if c := strings.Compare(path.Base(a.Key), path.Base(b.Key)); c != 0 {
			return c
		}
		if c := strings.Compare(string(a.Type), string(b.Type)); c != 0 {
			return c
		}
		return strings.Compare(a.Namespace, b.Namespace)
	})
	return results, nil
}

// incompleteResult turns a folder the catalog could not use into a result:
// no metadata.yaml is incomplete, an unreadable one corrupt.
func incompleteResult(ctx context.Context, store storage.Store, inc catalog.Incomplete) (Result, bool) {
	r := Result{Routine: inc.Routine, Type: inc.Type, Dir: inc.Path, Created: inc.Time, Status: OK}
	k, err := catalog.ParseKey(inc.Path)
	if err != nil {
		// Not even a run folder name: not ours to judge.
		return r, false
	}
	r.Key = k.Dir()
	r.Namespace = k.Namespace
	if k.Namespace == "" {
		r.add(Incomplete, "", "%s", inc.Reason)
		return r, true
	}
	mp := catalog.MetadataPath(inc.Path)
	_, err = catalog.ReadMetadata(ctx, store, inc.Path)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		r.add(Incomplete, mp, "missing (the backup failed, was interrupted or is still running)")
	case err != nil:
		msg := err.Error()
		if i := strings.LastIndex(msg, "metadata.yaml: "); i >= 0 {
			msg = msg[i+len("metadata.yaml: "):]
		}
		r.add(Corrupt, mp, "unreadable: %s", msg)
	default:
		r.add(Incomplete, mp, "%s", inc.Reason)
	}
	return r, true
}

type verifier struct {
	store storage.Store
	o     Options
	sem   chan struct{}
}

// namespace checks one namespace folder whose metadata.yaml is readable.
func (v *verifier) namespace(ctx context.Context, r *Result, md catalog.Metadata) {
	if err := md.Validate(); err != nil {
		r.add(Corrupt, catalog.MetadataPath(r.Dir), "%v", err)
	}
	objs, err := v.store.List(ctx, r.Dir)
	if err != nil {
		r.add(Incomplete, r.Dir, "cannot list the folder: %v", err)
		return
	}
	stored := map[string]int64{}
	for _, ob := range objs {
		if path.Dir(ob.Path) == r.Dir {
			stored[path.Base(ob.Path)] = ob.Size
		}
	}
	var asb []string
	for name := range stored {
		if strings.HasSuffix(name, ".asb") {
			asb = append(asb, name)
		}
	}
	slices.Sort(asb)
	toRead, expect := v.structure(ctx, r, md, stored, asb)
	r.Files = len(asb)
	if v.o.ReadData {
		v.readFiles(ctx, r, md, toRead, expect, len(asb))
	}
}

// structure checks the folder's files (stored: name to size, asb: the
// .asb names, sorted) against its manifest, or without one against
// metadata.yaml; it returns the files to read and the manifest's entries.
func (v *verifier) structure(ctx context.Context, r *Result, md catalog.Metadata, stored map[string]int64, asb []string) ([]string, map[string]catalog.ManifestEntry) {
	m, err := catalog.LoadManifest(ctx, v.store, r.Dir)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		r.Notes = append(r.Notes, "no "+catalog.ManifestFile+" (written by ABS?): structure checked, no checksums")
		if len(asb) == 0 {
			r.add(Incomplete, r.Dir, "no .asb files")
		}
		for _, name := range asb {
			if stored[name] == 0 {
				r.add(Corrupt, path.Join(r.Dir, name), "empty file")
			}
		}
		if md.FileCount > 0 && uint64(len(asb)) != md.FileCount {
			r.add(Incomplete, catalog.MetadataPath(r.Dir), "file-count is %d but %d .asb files are present", md.FileCount, len(asb))
		}
		return asb, map[string]catalog.ManifestEntry{}
	case err != nil:
		r.add(Corrupt, catalog.ManifestPath(r.Dir), "unreadable: %v", err)
		return asb, map[string]catalog.ManifestEntry{}
	}
	return checkManifest(r, m, md, stored, asb)
}

// checkManifest compares the stored files with the manifest's entries:
// each listed file present with its size, no .asb file unlisted.
func checkManifest(r *Result, m *catalog.Manifest, md catalog.Metadata, stored map[string]int64, asb []string) ([]string, map[string]catalog.ManifestEntry) {
	r.Checksums = true
	var toRead []string
	expect := map[string]catalog.ManifestEntry{}
	for _, e := range m.Files {
		expect[e.Name] = e
		p := path.Join(r.Dir, e.Name)
		size, ok := stored[e.Name]
		switch {
		case !ok:
			r.add(Incomplete, p, "missing (the manifest lists it, %d bytes)", e.Size)
			continue
		case size < e.Size:
			r.add(Corrupt, p, "truncated: %d bytes, the manifest says %d", size, e.Size)
		case size > e.Size:
			r.add(Corrupt, p, "wrong size: %d bytes, the manifest says %d (extra data)", size, e.Size)
		}
		toRead = append(toRead, e.Name)
	}
	for _, name := range asb {
		if _, ok := expect[name]; !ok {
			r.add(Corrupt, path.Join(r.Dir, name), "not in the manifest (restore would read it)")
			toRead = append(toRead, name)
		}
	}
	if md.FileCount > 0 && uint64(len(m.Files)) != md.FileCount {
		r.add(Corrupt, catalog.ManifestPath(r.Dir), "lists %d files but metadata.yaml's file-count is %d", len(m.Files), md.FileCount)
	}
	return toRead, expect
}

// readFiles reads toRead (or the Subset's share of it) in parallel, and
// compares the records read with metadata.yaml's count when all were read.
func (v *verifier) readFiles(ctx context.Context, r *Result, md catalog.Metadata, toRead []string, expect map[string]catalog.ManifestEntry, asbFiles int) {
	all := true
	if s := v.o.Subset; s > 0 && s < 1 && len(toRead) > 0 {
		n := int(math.Ceil(s * float64(len(toRead))))
		if n < len(toRead) {
			rand.Shuffle(len(toRead), func(i, j int) { toRead[i], toRead[j] = toRead[j], toRead[i] })
			toRead = toRead[:n]
			slices.Sort(toRead)
			all = false
		}
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	var records uint64
	for _, name := range toRead {
		p := path.Join(r.Dir, name)
		// Files not in the manifest have no entry: decoded, not hashed.
		e := expect[name]
		wg.Add(1)
		go func() {
			defer wg.Done()
			v.sem <- struct{}{}
			defer func() { <-v.sem }()
			f := v.file(ctx, r.Dir, p, md, e)
			mu.Lock()
			defer mu.Unlock()
			r.FilesRead++
			records += f.records
			for _, pr := range f.problems {
				r.add(pr.Status, pr.File, "%s", pr.Fault)
			}
		}()
	}
	wg.Wait()
	r.RecordsRead = records
	slices.SortStableFunc(r.Problems, func(a, b Problem) int { return strings.Compare(a.File, b.File) })
	if all && r.Status == OK && records != md.RecordCount {
		r.add(Corrupt, catalog.MetadataPath(r.Dir), "record-count is %d but the files hold %d records", md.RecordCount, records)
	}
	if !all {
		r.Notes = append(r.Notes, fmt.Sprintf("read %d of %d files: record count not compared", len(toRead), asbFiles))
	}
}

type fileResult struct {
	records  uint64
	problems []Problem
}

// file checks one file's checksums, those its manifest entry records and
// only those, and decodes it with backup-go.
func (v *verifier) file(ctx context.Context, dir, p string, md catalog.Metadata, e catalog.ManifestEntry) fileResult {
	var out fileResult
	sumOK := false
	if sums := checksum.NewVerifier(e.Sums()); sums.Len() > 0 {
		var parts *partitionCheck
		if len(e.Partitions) > 0 && strings.EqualFold(md.Compression, catalog.CompressionNone) && strings.EqualFold(md.Encryption, catalog.EncryptionNone) {
			parts = &partitionCheck{entry: e, log: v.o.Log}
		}
		err := v.hash(ctx, dir, p, sums, parts)
		switch {
		case errors.Is(err, storage.ErrNotFound):
			return out // already reported missing
		case err != nil:
			out.problems = append(out.problems, Problem{Status: Corrupt, File: p, Fault: "cannot read: " + err.Error()})
			return out
		}
		if m := sums.Check(); m != nil {
			out.problems = append(out.problems, Problem{Status: Corrupt, File: p,
				Fault: fmt.Sprintf("checksum mismatch: %s %s, the manifest says %s", m.Algorithm.Name(), short(m.Got), short(m.Want))})
		} else {
			sumOK = true
		}
		if pr, ok := parts.problem(p); ok {
			out.problems = append(out.problems, pr)
		}
	}
	n, err := v.decode(ctx, dir, p, md)
	out.records = n
	if err != nil {
		fault := "does not decode: " + err.Error()
		if sumOK && md.Encryption != catalog.EncryptionNone {
			fault = "does not decode although its checksum matches (wrong encryption key?): " + err.Error()
		}
		out.problems = append(out.problems, Problem{Status: Corrupt, File: p, Fault: fault})
	}
	return out
}

func short(s string) string {
	if len(s) > 12 {
		return s[:12] + "…"
	}
	return s
}

// hash streams one stored file through sums, and through parts when set
// (the same read: the file is not fetched twice).
func (v *verifier) hash(ctx context.Context, dir, p string, sums *checksum.Verifier, parts *partitionCheck) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	rd, err := v.store.RestoreReader(ctx, dir, storage.ReaderOptions{Files: []string{p}})
	if err != nil {
		return err
	}
	files := make(chan models.File)
	errs := make(chan error, 4)
	go rd.StreamFiles(ctx, files, errs, nil)
	got := false
	for {
		select {
		case err := <-errs:
			return err
		case f, ok := <-files:
			if !ok {
				select {
				case err := <-errs:
					return err
				default:
				}
				if !got {
					return fmt.Errorf("%w: %s", storage.ErrNotFound, p)
				}
				return nil
			}
			got = true
			if parts != nil {
				parts.read(io.TeeReader(f.Reader, sums), p)
			}
			// What the decoder left unread (all of it without one).
			_, err := io.Copy(sums, f.Reader)
			_ = f.Reader.Close()
			if err != nil {
				return err
			}
		}
	}
}

// decode runs a backup-go restore of one file in validate-only mode (no
// cluster: every token is decoded and discarded) and returns its records.
func (v *verifier) decode(ctx context.Context, dir, p string, md catalog.Metadata) (uint64, error) {
	client, err := backup.NewClient(nil, backup.WithLogger(v.o.Log))
	if err != nil {
		return 0, err
	}
	cfg := backup.NewDefaultRestoreConfig()
	cfg.ValidateOnly = true
	cfg.Parallel = 1
	// Without a cluster backup-go cannot ask one for its default policy.
	cfg.WritePolicy = as.NewWritePolicy(0, 0)
	if c := strings.ToUpper(md.Compression); c != "" && c != catalog.CompressionNone {
		cfg.CompressionPolicy = backup.NewCompressionPolicy(c, -1)
	}
	if e := strings.ToUpper(md.Encryption); e != "" && e != catalog.EncryptionNone {
		pol := &backup.EncryptionPolicy{Mode: e}
		switch {
		case v.o.KeyFile != "":
			pol.KeyFile = &v.o.KeyFile
		case v.o.KeyEnv != "":
			pol.KeyEnv = &v.o.KeyEnv
		case v.o.KeySecret != "":
			pol.KeySecret = &v.o.KeySecret
		default:
			return 0, ErrKeyNeeded
		}
		cfg.EncryptionPolicy = pol
		cfg.SecretAgentConfig = v.o.SecretAgent
	}
	rd, err := v.store.RestoreReader(ctx, dir, storage.ReaderOptions{Files: []string{p}})
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

// checkChains adds chain problems to the results of incrementals: no full
// backup before it, or a gap between the previous backup's start and its
// `from`. An incremental whose chain holds a backup that is not ok is
// incomplete too: a restore through it would fail or miss data.
func checkChains(backups []catalog.Backup, results []Result) {
	byDir := map[string]*Result{}
	for i := range results {
		byDir[results[i].Dir] = &results[i]
	}
	type nsKey struct{ routine, ns string }
	steps := map[nsKey][]catalog.Link{}
	for _, b := range backups {
		for _, n := range b.Namespaces {
			k := nsKey{b.Routine, n.Namespace}
			steps[k] = append(steps[k], catalog.Link{Key: b.Key, Type: b.Type, Namespace: n.Namespace, Dir: n.Dir, Metadata: n.Metadata})
		}
	}
	for _, ss := range steps {
		slices.SortStableFunc(ss, func(a, b catalog.Link) int {
			if c := a.Metadata.Created.Compare(b.Metadata.Created); c != 0 {
				return c
			}
			return strings.Compare(string(a.Type), string(b.Type))
		})
		base := -1
		for i, s := range ss {
			if s.Type == catalog.Full {
				base = i
				continue
			}
			r := byDir[s.Dir]
			if r == nil {
				continue // not selected
			}
			if base < 0 {
				r.add(Incomplete, "", "no full backup of namespace %q before this incremental: it cannot be restored", s.Namespace)
				continue
			}
			prev := ss[i-1]
			if s.Metadata.From.After(prev.Metadata.Created) {
				r.add(Incomplete, "", "gap: holds changes from %s, but the previous backup %s started at %s; changes in between are in no backup",
					s.Metadata.From.UTC().Format(time.RFC3339Nano), prev.Key, prev.Metadata.Created.UTC().Format(time.RFC3339Nano))
			}
			for _, dep := range ss[base:i] {
				if d := byDir[dep.Dir]; d != nil && d.Status != OK && !chainProblem(d) {
					r.add(Incomplete, "", "its chain holds %s, which is %s", dep.Dir, d.Status)
					break
				}
			}
		}
	}
}

// chainProblem reports whether the result's only problems are chain ones
// (so that a broken chain is reported once, at its first broken link).
func chainProblem(r *Result) bool {
	for _, p := range r.Problems {
		if p.File != "" {
			return false
		}
	}
	return len(r.Problems) > 0
}
