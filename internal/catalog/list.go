package catalog

import (
	"context"
	"errors"
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aerobackup/aerobackup/internal/storage"
)

// listConcurrency bounds parallel metadata reads: enough to hide object
// store latency, few enough not to trip request rate limits.
const listConcurrency = 16

// Backup is one run: a full or incremental backup of one or more
// namespaces of a routine.
type Backup struct {
	Routine    string
	Type       Type
	Time       time.Time // from the run folder name
	Key        string    // run folder relative to the storage root
	Namespaces []NamespaceBackup
}

// NamespaceBackup is one namespace's part of a run.
type NamespaceBackup struct {
	Namespace string
	Dir       string // <key>/data/<namespace>
	Metadata  Metadata
}

// Namespace returns the run's part for ns.
func (b *Backup) Namespace(ns string) (NamespaceBackup, bool) {
	for _, n := range b.Namespaces {
		if n.Namespace == ns {
			return n, true
		}
	}
	return NamespaceBackup{}, false
}

// Totals sums the namespaces' record and byte counts.
func (b *Backup) Totals() (records, bytes uint64) {
	for _, n := range b.Namespaces {
		records += n.Metadata.RecordCount
		bytes += n.Metadata.ByteCount
	}
	return records, bytes
}

// Incomplete is a folder that looks like a run or a namespace of a run
// but is not a backup: no metadata.yaml (failed, interrupted or still
// running) or an unreadable one.
type Incomplete struct {
	Routine string
	Type    Type
	Time    time.Time // zero when the folder name carries none
	Path    string    // the folder, relative to the storage root
	Reason  string
	// Run is the run folder Path belongs to (empty when the folder name
	// is not a run's).
	Run string
	// Resume is the run's marker when it is a resumable run (see
	// ResumeMarker); nil otherwise.
	Resume *ResumeMarker
}

// Filter selects backups. Zero fields match everything; From and To are
// inclusive bounds on the run time.
type Filter struct {
	Routines  []string
	Type      Type
	From, To  time.Time
	Namespace string
	// Fresh reads every metadata.yaml, never the catalog index (verify
	// checks the files themselves).
	Fresh bool
	// Pins reads the routines' pins into the listing too.
	Pins bool
}

func (f *Filter) matchTime(t time.Time) bool {
	return (f.From.IsZero() || !t.Before(f.From)) && (f.To.IsZero() || !t.After(f.To))
}

// Listing is the result of Scan.
type Listing struct {
	Backups    []Backup     // sorted by time, then routine, fulls first
	Incomplete []Incomplete // sorted by path
	// Pins are the routines' pins by run key (Filter.Pins), those of
	// backups no longer there included.
	Pins map[string]Pin
}

// List returns the backups matching f, sorted by time. Folders that are
// not backups are left out; use Scan to see them.
func List(ctx context.Context, store storage.Store, f Filter) ([]Backup, error) {
	l, err := Scan(ctx, store, f)
	return l.Backups, err
}

// Scan discovers routines and runs by listing folders only (never data
// files) and reads the matching namespaces' metadata.yaml concurrently.
func Scan(ctx context.Context, store storage.Store, f Filter) (Listing, error) {
	runs, unnamed, err := ListRuns(ctx, store, f)
	if err != nil {
		return Listing{}, err
	}
	// A scan narrowed by time reads few runs, and a restore of one backup
	// narrows to it: both read its metadata.yaml, not the index.
	var ix *index
	if IndexEnabled() && !f.Fresh && f.From.IsZero() && f.To.IsZero() && len(runs) > 0 {
		if ix, err = openIndex(ctx, store, runs, f.Type); err != nil {
			return Listing{}, err
		}
	}
	out, err := readRuns(ctx, store, runs, f.Namespace, ix)
	if err != nil {
		return Listing{}, err
	}
	if ix != nil {
		if f.Type == AnyType {
			ix.prune(runs) // the listing is every run: what it lacks is gone
		}
		ix.save(ctx, store)
	}
	out.Incomplete = append(out.Incomplete, unnamed...)
	sortIncomplete(out.Incomplete)
	if f.Pins {
		routines := f.Routines
		if len(routines) == 0 {
			for _, k := range runs {
				if !slices.Contains(routines, k.Routine) {
					routines = append(routines, k.Routine)
				}
			}
		}
		if out.Pins, err = ReadPins(ctx, store, routines); err != nil {
			return Listing{}, err
		}
	}
	return out, nil
}

// ListRuns names the runs of the filter's routines (every routine when it
// names none) from their folder names alone, oldest first: one folder
// listing per routine and type, no metadata read. Folders whose names are
// not run names come back as incomplete.
func ListRuns(ctx context.Context, store storage.Store, f Filter) ([]Key, []Incomplete, error) {
	return listRuns(ctx, store, f, "")
}

// listRuns is ListRuns of the runs whose folder names sort at or after
// from ("": all), which stores that can ask for a range list alone.
func listRuns(ctx context.Context, store storage.Store, f Filter, from string) ([]Key, []Incomplete, error) {
	routines := f.Routines
	if len(routines) == 0 {
		dirs, err := store.ListDirs(ctx, "")
		if err != nil {
			return nil, nil, fmt.Errorf("list routines in %s: %w", store, err)
		}
		for _, d := range dirs {
			// Hidden folders (e.g. a lost+found or our own dot-folders)
			// are not routines.
			if !strings.HasPrefix(d, ".") && d != "lost+found" {
				routines = append(routines, d)
			}
		}
	}
	var runs []Key
	var unnamed []Incomplete
	for _, r := range routines {
		for _, typ := range []Type{Full, Incremental} {
			if f.Type != AnyType && f.Type != typ {
				continue
			}
			parent := path.Join(r, typ.Folder())
			names, err := storage.ListDirsFrom(ctx, store, parent, from)
			if err != nil {
				return nil, nil, fmt.Errorf("list %s in %s: %w", parent, store, err)
			}
			for _, name := range names {
				t, err := ParseRunFolder(name)
				if err != nil {
					unnamed = append(unnamed, Incomplete{
						Routine: r, Type: typ, Path: path.Join(parent, name),
						Reason: "folder name is not <unix-millis>[_suffix]",
					})
					continue
				}
				if f.matchTime(t) {
					runs = append(runs, Key{Routine: r, Type: typ, Folder: name, Time: t})
				}
			}
		}
	}
	sortKeys(runs)
	return runs, unnamed, nil
}

// sortKeys orders runs as SortBackups orders backups.
func sortKeys(ks []Key) {
	slices.SortStableFunc(ks, func(a, b Key) int { return runOrder(a.Time, b.Time, a.Routine, b.Routine, a.Type, b.Type) })
}

// runOrder orders runs by time, then routine, fulls before incrementals
// of the same millisecond.
func runOrder(at, bt time.Time, ar, br string, aty, bty Type) int {
	if c := at.Compare(bt); c != 0 {
		return c
	}
	if c := strings.Compare(ar, br); c != 0 {
		return c
	}
	return strings.Compare(string(aty), string(bty)) // "full" < "incremental"
}

func sortIncomplete(is []Incomplete) {
	sort.Slice(is, func(i, j int) bool { return is[i].Path < is[j].Path })
}

// ReadRuns reads the runs' namespaces (only onlyNS's when given) with a
// bounded pool of concurrent reads. A run whose namespaces all lack
// metadata lists as incomplete, as does each such namespace.
func ReadRuns(ctx context.Context, store storage.Store, runs []Key, onlyNS string) (Listing, error) {
	return readRuns(ctx, store, runs, onlyNS, nil)
}

// readRuns is ReadRuns taking the runs ix holds from it, and teaching it
// the complete runs read whole.
func readRuns(ctx context.Context, store storage.Store, runs []Key, onlyNS string, ix *index) (Listing, error) {
	results := make([]runResult, len(runs))
	sem := make(chan struct{}, listConcurrency)
	var wg sync.WaitGroup
	for i := range runs {
		if ctx.Err() != nil {
			break
		}
		if ix != nil {
			if b, ok := ix.lookup(runs[i], onlyNS); ok {
				results[i].backup = b
				continue
			}
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			results[i] = readRun(ctx, store, runs[i], onlyNS)
			if ix != nil && onlyNS == "" {
				ix.learn(runs[i], results[i])
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return Listing{}, err
	}
	var out Listing
	for _, res := range results {
		if res.err != nil {
			return Listing{}, res.err
		}
		out.Incomplete = append(out.Incomplete, res.incomplete...)
		if len(res.backup.Namespaces) > 0 {
			out.Backups = append(out.Backups, res.backup)
		}
	}
	SortBackups(out.Backups)
	sortIncomplete(out.Incomplete)
	return out, nil
}

type runResult struct {
	backup     Backup
	incomplete []Incomplete
	err        error
}

// readRun reads one run's namespaces. A run without any namespace folder
// is reported as incomplete; so is each namespace without metadata.
func readRun(ctx context.Context, store storage.Store, k Key, onlyNS string) runResult {
	dir := k.Dir()
	res := runResult{backup: Backup{Routine: k.Routine, Type: k.Type, Time: k.Time, Key: dir}}
	// A resumable run's marker is read only when something is missing,
	// so listing complete backups costs no extra reads.
	var marker *ResumeMarker
	markerRead := false
	incomplete := func(p, reason string) error {
		if !markerRead {
			markerRead = true
			m, err := ReadResumeMarker(ctx, store, dir)
			switch {
			case err == nil:
				marker = m
			case !errors.Is(err, storage.ErrNotFound):
				return fmt.Errorf("read %s: %w", ResumePath(dir), err)
			}
		}
		if marker != nil {
			reason = ResumableReason
			if marker.Status == ResumeRunning {
				reason = "interrupted or still running; resumable with backup --resume"
			}
		}
		res.incomplete = append(res.incomplete, Incomplete{
			Routine: k.Routine, Type: k.Type, Time: k.Time, Path: p, Reason: reason, Run: dir, Resume: marker,
		})
		return nil
	}
	namespaces, err := store.ListDirs(ctx, path.Join(dir, DataDir))
	if err != nil {
		res.err = fmt.Errorf("list namespaces of %s in %s: %w", dir, store, err)
		return res
	}
	if len(namespaces) == 0 {
		res.err = incomplete(dir, "no namespace folders (failed or still running)")
		return res
	}
	for _, ns := range namespaces {
		if onlyNS != "" && ns != onlyNS {
			continue
		}
		nsDir := NamespaceDir(dir, ns)
		md, err := LoadMetadata(ctx, store, nsDir)
		var sliced *IncompleteSlicesError
		switch {
		case errors.As(err, &sliced):
			if res.err = incomplete(nsDir, sliced.Set.Reason()); res.err != nil {
				return res
			}
			continue
		case errors.Is(err, storage.ErrNotFound):
			if res.err = incomplete(nsDir, "no metadata.yaml (failed, interrupted or still running)"); res.err != nil {
				return res
			}
			continue
		case errors.Is(err, ErrBadMetadata):
			if res.err = incomplete(nsDir, err.Error()); res.err != nil {
				return res
			}
			continue
		case err != nil:
			res.err = fmt.Errorf("read %s: %w", MetadataPath(nsDir), err)
			return res
		}
		res.backup.Namespaces = append(res.backup.Namespaces, NamespaceBackup{Namespace: ns, Dir: nsDir, Metadata: *md})
	}
	return res
}

// SortBackups orders backups by time, then routine, fulls before
// incrementals of the same millisecond.
func SortBackups(bs []Backup) {
	slices.SortStableFunc(bs, func(a, b Backup) int { return runOrder(a.Time, b.Time, a.Routine, b.Routine, a.Type, b.Type) })
}

// KeepNamespaces narrows each backup to the namespaces in nss, leaving out
// the backups that hold none of them.
func KeepNamespaces(bs []Backup, nss []string) []Backup {
	var out []Backup
	for _, b := range bs {
		var keep []NamespaceBackup
		for _, n := range b.Namespaces {
			if slices.Contains(nss, n.Namespace) {
				keep = append(keep, n)
			}
		}
		if len(keep) > 0 {
			b.Namespaces = keep
			out = append(out, b)
		}
	}
	return out
}
