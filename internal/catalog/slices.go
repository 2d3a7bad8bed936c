package catalog

import (
	"context"
	"errors"
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/aerobackup/aerobackup/internal/backupslice"
	"github.com/aerobackup/aerobackup/internal/storage"
)

// A sliced run is one backup taken by N processes, each over its share of
// the partitions, into one run folder. Each slice writes its data files
// (named with its own prefix) into the namespace folder and then, last, its
// completion record in the folder's slices/ sub-folder: the slice's own
// metadata and manifest. The slice that finds all N records present writes
// the merged aerobackup.yaml and metadata.yaml, after which the folder is
// an ordinary ABS backup. Until then it is incomplete; and should the
// merge itself be cut short, the records alone still make it complete.

// SlicesDir is the folder of a namespace folder's slice records.
const SlicesDir = "slices"

// SliceRecordPath is where spec's completion record goes.
func SliceRecordPath(nsDir string, spec backupslice.Spec) string {
	return path.Join(nsDir, SlicesDir, spec.RecordName())
}

// SliceRecord is one slice's completion record.
type SliceRecord struct {
	Slice      int      `yaml:"slice"`
	Slices     int      `yaml:"slices"`
	Partitions string   `yaml:"partitions"`
	Metadata   Metadata `yaml:"metadata"`
	Manifest   Manifest `yaml:"manifest"`
}

// Spec is the record's slice.
func (r *SliceRecord) Spec() backupslice.Spec {
	return backupslice.Spec{Index: r.Slice, Count: r.Slices}
}

// WriteSliceRecord stores the record; call it after every data file of
// the slice is stored.
func WriteSliceRecord(ctx context.Context, store storage.Store, nsDir string, r *SliceRecord) error {
	if err := r.Metadata.Validate(); err != nil {
		return err
	}
	return writeYAML(ctx, store, SliceRecordPath(nsDir, r.Spec()), r)
}

// SliceSet is what a namespace folder's slices/ holds.
type SliceSet struct {
	Dir     string
	Count   int           // N, as the records say (0: no records)
	Records []SliceRecord // sorted by slice index
	// Problem, when set, makes the set unusable: records that disagree
	// or cannot be read.
	Problem string
}

// ReadSlices reads the slice records of nsDir. A folder without any gives
// a zero SliceSet (Count 0).
func ReadSlices(ctx context.Context, store storage.Store, nsDir string) (SliceSet, error) {
	set := SliceSet{Dir: nsDir}
	objs, err := store.List(ctx, path.Join(nsDir, SlicesDir))
	if err != nil {
		return set, fmt.Errorf("%s: listing %s: %w", store, path.Join(nsDir, SlicesDir), err)
	}
	for _, o := range objs {
		spec, ok := backupslice.ParseRecordName(path.Base(o.Path))
		if !ok {
			continue
		}
		data, err := store.ReadFile(ctx, o.Path)
		if errors.Is(err, storage.ErrNotFound) {
			continue // removed meanwhile: a slice starting over
		}
		if err != nil {
			return set, fmt.Errorf("%s: reading %s: %w", store, o.Path, err)
		}
		var r SliceRecord
		if err := yaml.Unmarshal(data, &r); err != nil || r.Spec() != spec || r.Metadata.Validate() != nil {
			set.Problem = fmt.Sprintf("slice record %s is unreadable or does not match its name", o.Path)
			continue
		}
		if set.Count != 0 && set.Count != spec.Count {
			set.Problem = fmt.Sprintf("slice records disagree on the number of slices (%d and %d)", set.Count, spec.Count)
		}
		set.Count = spec.Count
		set.Records = append(set.Records, r)
	}
	slices.SortFunc(set.Records, func(a, b SliceRecord) int { return a.Slice - b.Slice })
	return set, nil
}

// Missing lists the slice indexes without a record.
func (s *SliceSet) Missing() []int {
	var out []int
	next := 0
	for _, r := range s.Records {
		for ; next < r.Slice; next++ {
			out = append(out, next)
		}
		next = r.Slice + 1
	}
	for ; next < s.Count; next++ {
		out = append(out, next)
	}
	return out
}

// Complete reports whether every slice has finished and the records agree.
func (s *SliceSet) Complete() bool {
	return s.Count > 0 && s.Problem == "" && len(s.Missing()) == 0
}

// Has reports whether slice index has a record.
func (s *SliceSet) Has(index int) bool {
	for _, r := range s.Records {
		if r.Slice == index {
			return true
		}
	}
	return false
}

// Reason says why an incomplete set is not a backup.
func (s *SliceSet) Reason() string {
	if s.Problem != "" {
		return "sliced run: " + s.Problem
	}
	done := make([]string, 0, len(s.Records))
	for _, r := range s.Records {
		done = append(done, strconv.Itoa(r.Slice))
	}
	missing := make([]string, 0)
	for _, m := range s.Missing() {
		missing = append(missing, strconv.Itoa(m))
	}
	return fmt.Sprintf("sliced run: %d of %d slices complete (missing slice %s; failed, interrupted or still running)",
		len(s.Records), s.Count, strings.Join(missing, ", "))
}

// IncompleteSlicesError is returned (wrapped) when a namespace folder's
// slices have not all finished. It matches storage.ErrNotFound: like a
// missing metadata.yaml, it means "not a backup yet".
type IncompleteSlicesError struct {
	Set SliceSet
}

func (e *IncompleteSlicesError) Error() string {
	return fmt.Sprintf("%s is incomplete: %s", e.Set.Dir, e.Set.Reason())
}

// Is makes errors.Is(err, storage.ErrNotFound) true.
func (e *IncompleteSlicesError) Is(target error) bool { return target == storage.ErrNotFound }

// Merge combines complete slices into the namespace's metadata and
// manifest: counts add up, the backup started when the first slice did
// (so the next incremental misses nothing) and finished with the last.
func (s *SliceSet) Merge() (*Metadata, *Manifest, error) {
	if !s.Complete() {
		return nil, nil, &IncompleteSlicesError{Set: *s}
	}
	first := s.Records[0]
	md := first.Metadata
	man := first.Manifest
	man.Files = nil
	man.Slices = s.Count
	for _, r := range s.Records {
		m := r.Metadata
		if m.Namespace != md.Namespace || !m.From.Equal(md.From) || m.Compression != md.Compression || m.Encryption != md.Encryption {
			return nil, nil, fmt.Errorf("%s: slice %d was taken with other settings than slice %d (namespace, from, compression or encryption differ)",
				s.Dir, r.Slice, first.Slice)
		}
		if r.Slice != first.Slice {
			md.RecordCount += m.RecordCount
			md.ByteCount += m.ByteCount
			md.FileCount += m.FileCount
			md.SecondaryIndexCount += m.SecondaryIndexCount
			md.UDFCount += m.UDFCount
		}
		md.Created = minTime(md.Created, m.Created)
		if m.Finished.After(md.Finished) {
			md.Finished = m.Finished
		}
		if !r.Manifest.To.IsZero() {
			man.To = minTime(man.To, r.Manifest.To)
		}
		man.Files = append(man.Files, r.Manifest.Files...)
	}
	slices.SortFunc(man.Files, func(a, b ManifestEntry) int { return strings.Compare(a.Name, b.Name) })
	return &md, &man, nil
}

func minTime(a, b time.Time) time.Time {
	if a.IsZero() || b.Before(a) {
		return b
	}
	return a
}

// FinishSlices writes the merged manifest and metadata.yaml of nsDir when
// every slice is complete and no metadata.yaml exists yet. done reports
// whether the folder is now a complete backup. Two slices finishing at
// once may both write; they write the same thing.
func FinishSlices(ctx context.Context, store storage.Store, nsDir string) (done bool, err error) {
	if _, err := ReadMetadata(ctx, store, nsDir); err == nil {
		return true, nil
	} else if !errors.Is(err, storage.ErrNotFound) {
		return false, err
	}
	set, err := ReadSlices(ctx, store, nsDir)
	if err != nil || !set.Complete() {
		return false, err
	}
	md, man, err := set.Merge()
	if err != nil {
		return false, err
	}
	if err := WriteManifest(ctx, store, nsDir, man); err != nil {
		return false, fmt.Errorf("%s: writing %s: %w", store, ManifestPath(nsDir), err)
	}
	if err := WriteMetadata(ctx, store, nsDir, md); err != nil {
		return false, fmt.Errorf("%s: writing %s: %w", store, MetadataPath(nsDir), err)
	}
	return true, nil
}

// LoadMetadata returns nsDir's metadata: its metadata.yaml, or for a
// sliced run whose merge was cut short, the merged slice records. A folder
// that is not (yet) a backup gives an error matching storage.ErrNotFound,
// an *IncompleteSlicesError when slices are missing.
func LoadMetadata(ctx context.Context, store storage.Store, nsDir string) (*Metadata, error) {
	md, err := ReadMetadata(ctx, store, nsDir)
	if !errors.Is(err, storage.ErrNotFound) {
		return md, err
	}
	set, serr := ReadSlices(ctx, store, nsDir)
	if serr != nil {
		return nil, serr
	}
	if set.Count == 0 {
		return nil, err
	}
	md, _, err = set.Merge()
	var inc *IncompleteSlicesError
	if err != nil && !errors.As(err, &inc) {
		return nil, fmt.Errorf("%w: %w", ErrBadMetadata, err)
	}
	return md, err
}

// LoadManifest returns nsDir's aerobackup.yaml, or the merged manifest of
// its slice records when the merge was cut short.
func LoadManifest(ctx context.Context, store storage.Store, nsDir string) (*Manifest, error) {
	man, err := ReadManifest(ctx, store, nsDir)
	if !errors.Is(err, storage.ErrNotFound) {
		return man, err
	}
	set, serr := ReadSlices(ctx, store, nsDir)
	if serr != nil {
		return nil, serr
	}
	if set.Count == 0 {
		return nil, err
	}
	_, man, err = set.Merge()
	return man, err
}
