package records

import (
	"context"
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/storage"
)

// Folder is one namespace backup folder (<run>/data/<ns>/) and its data
// files, checked against its manifest when it has one.
type Folder struct {
	Store storage.Store
	Dir   string
	Meta  *catalog.Metadata
	// Files are the .asb files, sorted by name.
	Files []File
	// Indexed reports whether the manifest names the partitions of every
	// file that holds records (else a lookup reads every file).
	Indexed bool
}

// File is one data file of a folder.
type File struct {
	Name string // in the folder
	Size int64
	// Entry is the manifest's record of the file; nil for a backup
	// written without a manifest (by ABS).
	Entry *catalog.ManifestEntry
}

// Path is the file's store path.
func (f *Folder) Path(file File) string { return path.Join(f.Dir, file.Name) }

// OpenAll opens the namespace backups dirs of store, in their order.
func OpenAll(ctx context.Context, store storage.Store, dirs []string) ([]*Folder, error) {
	folders := make([]*Folder, 0, len(dirs))
	for _, dir := range dirs {
		f, err := Open(ctx, store, dir)
		if err != nil {
			return nil, err
		}
		folders = append(folders, f)
	}
	return folders, nil
}

// Open reads dir's metadata.yaml and manifest and lists its data files. A
// file the manifest names that is missing or of another size, or a file it
// does not name, is an error: the folder is not the backup that was
// written; without a manifest (ABS), fewer files than metadata.yaml's
// file-count is. A folder without metadata.yaml is an error that wraps
// storage.ErrNotFound.
func Open(ctx context.Context, store storage.Store, dir string) (*Folder, error) {
	meta, err := catalog.LoadMetadata(ctx, store, dir)
	var sliced *catalog.IncompleteSlicesError
	switch {
	case errors.As(err, &sliced):
		return nil, fmt.Errorf("%s: %w", store, err)
	case err != nil:
		return nil, fmt.Errorf("%s: %s: %w", store, dir, err)
	}
	f := &Folder{Store: store, Dir: dir, Meta: meta}
	man, err := catalog.LoadManifest(ctx, store, dir)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return nil, fmt.Errorf("%s: %w", store, err)
	}
	present, err := asbFiles(ctx, store, dir)
	if err != nil {
		return nil, err
	}
	if man == nil || len(man.Files) == 0 {
		if uint64(len(present)) < meta.FileCount {
			return nil, fmt.Errorf("%s holds %d data files, metadata.yaml counts %d: the backup is incomplete (files were deleted or never uploaded)",
				dir, len(present), meta.FileCount)
		}
		f.Files = unchecked(present)
		return f, nil
	}
	var problems []string
	f.Indexed = true
	for i := range man.Files {
		e := &man.Files[i]
		size, ok := present[e.Name]
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("data file %s is missing", path.Join(dir, e.Name)))
		case size != e.Size:
			problems = append(problems, fmt.Sprintf("data file %s is %d bytes, the backup wrote %d (truncated or altered)", path.Join(dir, e.Name), size, e.Size))
		}
		delete(present, e.Name)
		if len(e.Partitions) == 0 && !isMetadataFile(e.Name) {
			f.Indexed = false
		}
		f.Files = append(f.Files, File{Name: e.Name, Size: e.Size, Entry: e})
	}
	for name := range present {
		problems = append(problems, fmt.Sprintf("data file %s was not written by this backup (it is not in %s)", path.Join(dir, name), catalog.ManifestFile))
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return nil, errors.New(strings.Join(problems, "; "))
	}
	sort.Slice(f.Files, func(i, j int) bool { return f.Files[i].Name < f.Files[j].Name })
	return f, nil
}

// DataFiles counts the files that hold records (not the file of indexes
// and UDFs).
func (f *Folder) DataFiles() int {
	n := 0
	for _, file := range f.Files {
		if !isMetadataFile(file.Name) {
			n++
		}
	}
	return n
}

// OpenBare opens a folder of .asb files without metadata.yaml (restore
// --path of files absctl or asbackup wrote), whose compression and
// encryption the caller knows: every file is read, nothing is checked.
func OpenBare(ctx context.Context, store storage.Store, dir, compression, encryption string) (*Folder, error) {
	present, err := asbFiles(ctx, store, dir)
	if err != nil {
		return nil, err
	}
	return &Folder{Store: store, Dir: dir, Meta: &catalog.Metadata{Compression: compression, Encryption: encryption},
		Files: unchecked(present)}, nil
}

// asbFiles are the .asb files directly in dir, with their sizes.
func asbFiles(ctx context.Context, store storage.Store, dir string) (map[string]int64, error) {
	objs, err := store.List(ctx, dir)
	if err != nil {
		return nil, fmt.Errorf("%s: listing %s: %w", store, dir, err)
	}
	present := map[string]int64{}
	for _, o := range objs {
		rel := strings.TrimPrefix(strings.TrimPrefix(o.Path, dir), "/")
		if strings.HasSuffix(rel, ".asb") && !strings.Contains(rel, "/") {
			present[rel] = o.Size
		}
	}
	return present, nil
}

// unchecked are files no manifest records, sorted by name.
func unchecked(present map[string]int64) []File {
	out := make([]File, 0, len(present))
	for name, size := range present {
		out = append(out, File{Name: name, Size: size})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// isMetadataFile reports whether name is backup-go's file of secondary
// indexes and UDFs, which holds no records.
func isMetadataFile(name string) bool { return strings.HasPrefix(name, "metadata_") }

// For returns the files that can hold a record of any of the partitions:
// those whose manifest entry names one of them, and every file whose
// entry names none (or that has no entry). Files of secondary indexes and
// UDFs are left out.
func (f *Folder) For(partitions []int) []File {
	var out []File
	for _, file := range f.Files {
		if isMetadataFile(file.Name) {
			continue
		}
		if file.Entry == nil || len(file.Entry.Partitions) == 0 {
			out = append(out, file)
			continue
		}
		for _, p := range partitions {
			if file.Entry.MayHold(p) {
				out = append(out, file)
				break
			}
		}
	}
	return out
}
