package catalog

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/aerobackup/aerobackup/internal/storage"
)

// The catalog index is a cache, kept per routine in
// <routine>/.catalog-index.json.gz, of the metadata.yaml of every run that
// was a complete backup when last read, each with the size and time its
// metadata.yaml files had in the storage's listing then. A full scan lists
// the routine's objects (a thousand a request), reads the index once and
// then reads only the metadata.yaml files the index does not hold as
// listed: a long history costs its listing and one read, not a read per run.
//
// It is an optimisation and nothing else:
//   - an entry is used only when the listing shows the run with the same
//     namespaces, each metadata.yaml of the same size and time as recorded;
//     a run deleted, half-deleted (metadata.yaml goes first), rewritten or
//     grown a namespace since is read again, and a listed run the index
//     lacks is read;
//   - runs that were not complete backups (still publishing, interrupted,
//     slices not all done) are never held;
//   - a missing, damaged or foreign index is rebuilt from the listing, and
//     failing to write one only costs the next scan its reads;
//   - a command about to restore backups reads their metadata.yaml again
//     (Confirm), and verify never uses the index;
//   - ABS reads only <routine>/backup and <routine>/incremental, so it
//     never sees the file.
//
// AEROBACKUP_CATALOG_INDEX=off makes every scan read every metadata.yaml
// and write no index.
const IndexFile = ".catalog-index.json.gz"

// indexVersion changes when the file's meaning does; another version is
// rebuilt.
const indexVersion = 1

// IndexPath is routine's index file.
func IndexPath(routine string) string { return path.Join(routine, IndexFile) }

// IndexEnabled reports whether scans use the index
// (AEROBACKUP_CATALOG_INDEX is not "off", "0" or "false").
func IndexEnabled() bool {
	switch os.Getenv("AEROBACKUP_CATALOG_INDEX") {
	case "off", "0", "false":
		return false
	}
	return true
}

type indexFile struct {
	Version int `json:"version"`
	// Runs maps a run's folder (Key.Dir) to its namespaces.
	Runs map[string][]indexedNamespace `json:"runs"`
}

// indexedNamespace is one namespace of a run as read, with its
// metadata.yaml's size and time in the listing it was read under.
type indexedNamespace struct {
	NamespaceBackup
	Size     int64     `json:"size"`
	Modified time.Time `json:"modified"`
}

// index is the routines' entries and the storage's listing a scan checks
// them against.
type index struct {
	mu      sync.Mutex
	runs    map[string]map[string][]indexedNamespace // routine -> run dir -> namespaces
	changed map[string]bool                          // routines whose entries differ from their file
	// listed maps a run dir to its namespaces' metadata.yaml objects;
	// a namespace folder without one maps to a zero Object.
	listed map[string]map[string]storage.Object
}

// openIndex reads the index of each routine among runs and lists the
// objects of the routines' type folders (typ, or both), concurrently.
func openIndex(ctx context.Context, store storage.Store, runs []Key, typ Type) (*index, error) {
	ix := &index{runs: map[string]map[string][]indexedNamespace{}, changed: map[string]bool{},
		listed: map[string]map[string]storage.Object{}}
	var routines []string
	for _, k := range runs {
		if !slices.Contains(routines, k.Routine) {
			routines = append(routines, k.Routine)
		}
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(listConcurrency)
	for _, r := range routines {
		g.Go(func() error {
			// Every routine's entry is set here, under the lock: the
			// goroutines of the routines before it may be writing.
			entries := readIndexFile(gctx, store, r)
			ix.mu.Lock()
			ix.runs[r] = entries
			ix.mu.Unlock()
			return nil
		})
		for _, t := range []Type{Full, Incremental} {
			if typ != AnyType && typ != t {
				continue
			}
			g.Go(func() error {
				parent := path.Join(r, t.Folder())
				objs, err := store.List(gctx, parent)
				if err != nil {
					return fmt.Errorf("list %s in %s: %w", parent, store, err)
				}
				ix.mu.Lock()
				defer ix.mu.Unlock()
				ix.addListing(parent, objs)
				return nil
			})
		}
	}
	return ix, g.Wait()
}

// addListing notes, for every <parent>/<run>/data/<ns>/ seen, whether
// and how its metadata.yaml is listed.
func (ix *index) addListing(parent string, objs []storage.Object) {
	for _, o := range objs {
		rest, ok := strings.CutPrefix(o.Path, parent+"/")
		if !ok {
			continue
		}
		segs := strings.Split(rest, "/")
		if len(segs) < 4 || segs[1] != DataDir {
			continue
		}
		run := path.Join(parent, segs[0])
		nss := ix.listed[run]
		if nss == nil {
			nss = map[string]storage.Object{}
			ix.listed[run] = nss
		}
		md := nss[segs[2]]
		if len(segs) == 4 && segs[3] == MetadataFile {
			md = o
		}
		nss[segs[2]] = md
	}
}

func readIndexFile(ctx context.Context, store storage.Store, routine string) map[string][]indexedNamespace {
	data, err := store.ReadFile(ctx, IndexPath(routine))
	if err != nil {
		if !errors.Is(err, storage.ErrNotFound) {
			slog.Debug("catalog index unreadable: reading every run", "index", IndexPath(routine), "error", err)
		}
		return map[string][]indexedNamespace{}
	}
	runs, err := parseIndex(data)
	if err != nil {
		slog.Debug("catalog index not usable: rebuilding it from the listing", "index", IndexPath(routine), "error", err)
	}
	return runs
}

// parseIndex decodes an index file; one of another version or damaged
// gives an empty index and the reason.
func parseIndex(data []byte) (map[string][]indexedNamespace, error) {
	var f indexFile
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err == nil {
		err = json.NewDecoder(io.LimitReader(zr, 1<<30)).Decode(&f)
	}
	switch {
	case err != nil:
	case f.Version != indexVersion:
		err = fmt.Errorf("version %d, want %d", f.Version, indexVersion)
	case f.Runs == nil:
		err = errors.New("no runs")
	}
	if err != nil {
		return map[string][]indexedNamespace{}, err
	}
	return f.Runs, nil
}

// lookup returns run k as the index holds it, narrowed to onlyNS when
// given, provided the listing shows it unchanged since it was read.
func (ix *index) lookup(k Key, onlyNS string) (Backup, bool) {
	ix.mu.Lock()
	entry, ok := ix.runs[k.Routine][k.Dir()]
	listed := ix.listed[k.Dir()]
	ix.mu.Unlock()
	if !ok || len(listed) != len(entry) {
		return Backup{}, false
	}
	b := Backup{Routine: k.Routine, Type: k.Type, Time: k.Time, Key: k.Dir()}
	for _, n := range entry {
		o, ok := listed[n.Namespace]
		if !ok || o.Path == "" || o.Size != n.Size || !o.Modified.Equal(n.Modified) {
			return Backup{}, false
		}
		if onlyNS == "" || n.Namespace == onlyNS {
			b.Namespaces = append(b.Namespaces, n.NamespaceBackup)
		}
	}
	return b, true
}

// learn records a run read whole, when it was a complete backup whose
// every metadata.yaml the listing shows.
func (ix *index) learn(k Key, res runResult) {
	if res.err != nil || len(res.incomplete) > 0 || len(res.backup.Namespaces) == 0 {
		return
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	listed := ix.listed[k.Dir()]
	var entry []indexedNamespace
	for _, n := range res.backup.Namespaces {
		o := listed[n.Namespace]
		if o.Path == "" {
			return // written after the listing: next time
		}
		entry = append(entry, indexedNamespace{NamespaceBackup: n, Size: o.Size, Modified: o.Modified})
	}
	ix.runs[k.Routine][k.Dir()] = entry
	ix.changed[k.Routine] = true
}

// prune drops the entries of runs the listing no longer holds.
func (ix *index) prune(runs []Key) {
	listed := map[string]bool{}
	for _, k := range runs {
		listed[k.Dir()] = true
	}
	for r, entries := range ix.runs {
		for dir := range entries {
			if !listed[dir] {
				delete(entries, dir)
				ix.changed[r] = true
			}
		}
	}
}

// save writes the index of every routine whose entries changed. A failure
// (read-only credentials, say) costs the next scan its reads, nothing
// more, so it is only logged.
func (ix *index) save(ctx context.Context, store storage.Store) {
	for r := range ix.changed {
		if err := writeIndexFile(ctx, store, r, ix.runs[r]); err != nil {
			slog.Debug("catalog index not written", "index", IndexPath(r), "error", err)
		}
	}
}

func writeIndexFile(ctx context.Context, store storage.Store, routine string, runs map[string][]indexedNamespace) error {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if err := json.NewEncoder(zw).Encode(indexFile{Version: indexVersion, Runs: runs}); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return store.WriteFile(ctx, IndexPath(routine), buf.Bytes())
}

// Confirm reads again the metadata.yaml of each namespace folder in dirs
// among backups, which came from a scan, and puts what it says in place
// of what the scan (through the index) said; changed reports a
// difference. A backup whose metadata.yaml is gone (removed, or being
// removed, since the scan) is an error naming it.
func Confirm(ctx context.Context, store storage.Store, backups []Backup, dirs []string) (_ []Backup, changed bool, err error) {
	want := map[string]bool{}
	for _, d := range dirs {
		want[d] = true
	}
	out := slices.Clone(backups)
	for i := range out {
		out[i].Namespaces = slices.Clone(out[i].Namespaces)
		for j := range out[i].Namespaces {
			n := &out[i].Namespaces[j]
			if !want[n.Dir] {
				continue
			}
			md, err := ReadMetadata(ctx, store, n.Dir)
			if errors.Is(err, storage.ErrNotFound) {
				return nil, false, fmt.Errorf("backup %s: %s is gone since the catalog was read (removed, or being removed)", out[i].Key, MetadataPath(n.Dir))
			}
			if err != nil {
				return nil, false, err
			}
			if !sameMetadata(*md, n.Metadata) {
				slog.Debug("metadata.yaml differs from the catalog's scan: using metadata.yaml", "path", MetadataPath(n.Dir))
				n.Metadata, changed = *md, true
			}
		}
	}
	return out, changed, nil
}

func sameMetadata(a, b Metadata) bool {
	if !a.Created.Equal(b.Created) || !a.Finished.Equal(b.Finished) || !a.From.Equal(b.From) {
		return false
	}
	a.Created, a.Finished, a.From = b.Created, b.Finished, b.From
	return a == b
}
