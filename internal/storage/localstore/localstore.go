// Package localstore implements storage.Store over a local folder (or a
// mounted network file system). It owns atomic file replacement, exclusive
// creation for locks and the backup-go local reader/writer wiring. It must
// not interpret what it stores: routines, runs and metadata are the
// catalog's business.
package localstore

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/aerospike/backup-go"
	"github.com/aerospike/backup-go/io/encoding/asb"
	"github.com/aerospike/backup-go/io/storage/local"
	"github.com/aerospike/backup-go/io/storage/options"

	"github.com/aerobackup/aerobackup/internal/storage"
)

// tempPrefix marks files being written; List hides them so a reader never
// sees an object before its rename.
const tempPrefix = ".aerobackup-tmp-"

// Store is a storage.Store rooted at a local folder.
type Store struct {
	root  string // absolute, cleaned
	modes Modes
}

var _ storage.Store = (*Store)(nil)

// New returns a Store for root whose files and folders are Private. The
// folder need not exist yet: it is created by the first write, so that
// `list` on a mistyped path does not leave an empty folder behind.
func New(root string) (*Store, error) {
	return NewWithModes(root, Private)
}

// NewWithModes is New creating files and folders with modes (the zero
// Modes: Private). The files backup-go's writer creates take theirs from
// the umask: see SetUmask.
func NewWithModes(root string, modes Modes) (*Store, error) {
	if root == "" {
		return nil, errors.New("local storage: empty path")
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("local storage %q: %w", root, err)
	}
	if fi, err := os.Stat(abs); err == nil && !fi.IsDir() {
		return nil, fmt.Errorf("local storage %q: not a directory", abs)
	}
	return &Store{root: abs, modes: modes.orDefault()}, nil
}

// Root returns the absolute folder the store is rooted at.
func (s *Store) Root() string { return s.root }

// String implements storage.Store.
func (s *Store) String() string { return fmt.Sprintf("local %q", s.root) }

// Close implements storage.Store; there is nothing to release.
func (s *Store) Close() error { return nil }

// resolve maps a store path to a file system path, refusing anything that
// would escape the root (absolute paths, "..").
func (s *Store) resolve(p string) (string, error) {
	if p == "" || p == "." || p == "/" {
		return s.root, nil
	}
	clean := path.Clean(strings.TrimPrefix(p, "/"))
	if strings.HasPrefix(p, "/") || clean == ".." || strings.HasPrefix(clean, "../") || strings.Contains(p, "\\") {
		return "", fmt.Errorf("%s: invalid path %q", s, p)
	}
	return filepath.Join(s.root, filepath.FromSlash(clean)), nil
}

func (s *Store) notFound(p string) error {
	return fmt.Errorf("%s: %q: %w", s, p, storage.ErrNotFound)
}

// ReadFile implements storage.Store.
func (s *Store) ReadFile(ctx context.Context, p string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	fp, err := s.resolve(p)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(fp)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, s.notFound(p)
	case err != nil:
		return nil, fmt.Errorf("%s: read %q: %w", s, p, err)
	}
	return data, nil
}

// WriteFile implements storage.Store: the content goes to a temporary file
// in the same folder, is synced, then renamed over the target, and the
// folder is synced so the rename survives a crash.
func (s *Store) WriteFile(ctx context.Context, p string, data []byte) error {
	fp, err := s.objectPath(ctx, p)
	if err != nil {
		return err
	}
	tmp, err := s.writeTemp(fp, data)
	if err != nil {
		return fmt.Errorf("%s: write %q: %w", s, p, err)
	}
	if err := os.Rename(tmp, fp); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("%s: write %q: %w", s, p, err)
	}
	return syncDir(filepath.Dir(fp))
}

// CreateExclusive implements storage.Store. The content is written to a
// temporary file first and then hard-linked to the target: link fails if
// the target exists, so the create is exclusive and a reader never sees a
// half-written lock. File systems without hard links fall back to
// O_CREATE|O_EXCL, still exclusive but not atomic in content.
func (s *Store) CreateExclusive(ctx context.Context, p string, data []byte) error {
	fp, err := s.objectPath(ctx, p)
	if err != nil {
		return err
	}
	tmp, err := s.writeTemp(fp, data)
	if err != nil {
		return fmt.Errorf("%s: create %q: %w", s, p, err)
	}
	defer os.Remove(tmp)

	err = os.Link(tmp, fp)
	switch {
	case err == nil:
		return syncDir(filepath.Dir(fp))
	case errors.Is(err, fs.ErrExist):
		return fmt.Errorf("%s: %q: %w", s, p, storage.ErrExists)
	}
	// No hard links here (some FUSE/SMB mounts): plain exclusive create.
	f, err := os.OpenFile(fp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, s.modes.File)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s: %q: %w", s, p, storage.ErrExists)
	}
	if err != nil {
		return fmt.Errorf("%s: create %q: %w", s, p, err)
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(fp)
		return fmt.Errorf("%s: create %q: %w", s, p, err)
	}
	return syncDir(filepath.Dir(fp))
}

// writeTemp writes data to a synced temporary file beside target and
// returns its name. It creates the folder, retrying once because a
// concurrent DeleteAll may prune a just-created empty parent.
func (s *Store) writeTemp(target string, data []byte) (string, error) {
	dir := filepath.Dir(target)
	var f *os.File
	var err error
	for range 2 {
		if err = os.MkdirAll(dir, s.modes.Dir); err != nil {
			return "", err
		}
		f, err = os.CreateTemp(dir, tempPrefix+filepath.Base(target)+"-*")
		if !errors.Is(err, fs.ErrNotExist) {
			break
		}
	}
	if err != nil {
		return "", err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		// CreateTemp uses 0600; Chmod (not subject to the umask) gives
		// the store's mode, which the rename or link keeps.
		err = os.Chmod(f.Name(), s.modes.File)
	}
	if err != nil {
		_ = os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

// syncDir makes a rename or link in dir durable. Some file systems refuse
// to sync a directory; that is not worth failing a backup for.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return nil
	}
	_ = d.Sync()
	return d.Close()
}

// Stat implements storage.Store. Folders are not objects: ErrNotFound.
func (s *Store) Stat(ctx context.Context, p string) (storage.Object, error) {
	if err := ctx.Err(); err != nil {
		return storage.Object{}, err
	}
	fp, err := s.resolve(p)
	if err != nil {
		return storage.Object{}, err
	}
	fi, err := os.Stat(fp)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return storage.Object{}, s.notFound(p)
	case err != nil:
		return storage.Object{}, fmt.Errorf("%s: stat %q: %w", s, p, err)
	case fi.IsDir():
		return storage.Object{}, s.notFound(p)
	}
	return storage.Object{Path: s.rel(fp), Size: fi.Size(), Modified: fi.ModTime()}, nil
}

func (s *Store) rel(fp string) string {
	r, err := filepath.Rel(s.root, fp)
	if err != nil {
		return filepath.ToSlash(fp)
	}
	return filepath.ToSlash(r)
}

// List implements storage.Store. prefix names a folder; a missing folder
// lists as empty. Objects come sorted by path.
func (s *Store) List(ctx context.Context, prefix string) ([]storage.Object, error) {
	fp, err := s.resolve(prefix)
	if err != nil {
		return nil, err
	}
	var out []storage.Object
	err = filepath.WalkDir(fp, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // vanished while walking (or never existed)
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.IsDir() || strings.HasPrefix(d.Name(), tempPrefix) {
			return nil
		}
		fi, err := d.Info()
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		out = append(out, storage.Object{Path: s.rel(p), Size: fi.Size(), Modified: fi.ModTime()})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s: list %q: %w", s, prefix, err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// ListDirs implements storage.Store. A missing folder has no sub-folders.
func (s *Store) ListDirs(ctx context.Context, prefix string) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	fp, err := s.resolve(prefix)
	if err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(fp)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil
	case err != nil && isNotDir(fp):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("%s: list folders of %q: %w", s, prefix, err)
	}
	var dirs []string
	for _, e := range entries {
		if e.IsDir() {
			dirs = append(dirs, e.Name())
		}
	}
	sort.Strings(dirs) // ReadDir sorts already; keep the contract explicit
	return dirs, nil
}

func isNotDir(fp string) bool {
	fi, err := os.Stat(fp)
	return err == nil && !fi.IsDir()
}

// objectPath resolves the path of one object for a write or delete: never
// the root itself, and nothing once ctx is done.
func (s *Store) objectPath(ctx context.Context, p string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	fp, err := s.resolve(p)
	if err != nil {
		return "", err
	}
	if fp == s.root {
		return "", fmt.Errorf("%s: invalid object path %q", s, p)
	}
	return fp, nil
}

// Delete implements storage.Store and prunes emptied parent folders.
func (s *Store) Delete(ctx context.Context, p string) error {
	fp, err := s.objectPath(ctx, p)
	if err != nil {
		return err
	}
	fi, err := os.Lstat(fp)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("%s: delete %q: %w", s, p, err)
	case fi.IsDir():
		return fmt.Errorf("%s: delete %q: is a folder (use DeleteAll)", s, p)
	}
	if err := os.Remove(fp); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s: delete %q: %w", s, p, err)
	}
	s.pruneParents(filepath.Dir(fp))
	return nil
}

// DeleteAll implements storage.Store. The root itself is never removed:
// an empty prefix is refused rather than wiping the whole storage.
func (s *Store) DeleteAll(ctx context.Context, prefix string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	fp, err := s.resolve(prefix)
	if err != nil {
		return err
	}
	if fp == s.root {
		return fmt.Errorf("%s: refusing to delete the whole storage root", s)
	}
	if err := os.RemoveAll(fp); err != nil {
		return fmt.Errorf("%s: delete %q: %w", s, prefix, err)
	}
	s.pruneParents(filepath.Dir(fp))
	return nil
}

// pruneParents removes now-empty folders from dir up to, not including,
// the root. os.Remove refuses non-empty folders, so a concurrent writer's
// folder survives (and writeTemp retries if it loses the race).
func (s *Store) pruneParents(dir string) {
	for dir != s.root && strings.HasPrefix(dir, s.root+string(filepath.Separator)) {
		if err := os.Remove(dir); err != nil {
			return
		}
		dir = filepath.Dir(dir)
	}
}

// DefaultBufferSize is the write buffer of each backup file when
// WriterOptions.ChunkSize is 0. backup-go's own 4 MiB per parallel file is
// most of a backup's live heap, so peak memory grew with the run until the
// collector's goal was reached; 1 MiB keeps it flat at the same CPU.
const DefaultBufferSize = 1 << 20

// BackupWriter implements storage.Store: a backup-go directory writer for
// dir, which it creates, buffering each file by opts.ChunkSize (default
// DefaultBufferSize). The run folder is new, so backup-go's "must be
// empty" check is kept on as a guard (unless opts.AllowExisting, for a
// resumed run or a slice); files are never removed.
func (s *Store) BackupWriter(ctx context.Context, dir string, opts storage.WriterOptions) (backup.Writer, error) {
	fp, err := s.resolve(dir)
	if err != nil {
		return nil, err
	}
	if fp == s.root {
		return nil, fmt.Errorf("%s: refusing to write a backup into the storage root", s)
	}
	if err := os.MkdirAll(fp, s.modes.Dir); err != nil {
		return nil, fmt.Errorf("%s: create %q: %w", s, dir, err)
	}
	chunk := opts.ChunkSize
	if chunk <= 0 {
		chunk = DefaultBufferSize
	}
	o := []options.Opt{options.WithDir(fp), options.WithChunkSize(chunk)}
	if opts.AllowExisting {
		o = append(o, options.WithSkipDirCheck())
	}
	w, err := local.NewWriter(ctx, o...)
	if err != nil {
		return nil, fmt.Errorf("%s: backup writer for %q: %w", s, dir, err)
	}
	return w, nil
}

// RestoreReader implements storage.Store: a backup-go reader over the .asb
// files of dir (or opts.Dirs, or exactly opts.Files; all store paths).
// Total size calculation is on because restore progress (and, per absctl,
// completion) depends on it.
func (s *Store) RestoreReader(ctx context.Context, dir string, opts storage.ReaderOptions) (backup.StreamingReader, error) {
	if opts.AccessTier != "" {
		return nil, fmt.Errorf("%s: local files are never archived; an access tier (%q) is only for S3 and Azure", s, opts.AccessTier)
	}
	o := []options.Opt{options.WithValidator(asb.NewValidator()), options.WithCalculateTotalSize()}
	switch {
	case len(opts.Files) > 0:
		files, err := s.resolveAll(opts.Files)
		if err != nil {
			return nil, err
		}
		o = append(o, options.WithFileList(files))
	case len(opts.Dirs) > 0:
		dirs, err := s.resolveAll(opts.Dirs)
		if err != nil {
			return nil, err
		}
		o = append(o, options.WithDirList(dirs))
	default:
		fp, err := s.resolve(dir)
		if err != nil {
			return nil, err
		}
		o = append(o, options.WithDir(fp))
	}
	r, err := local.NewReader(ctx, o...)
	if err != nil {
		return nil, fmt.Errorf("%s: restore reader for %q: %w", s, dir, err)
	}
	return r, nil
}

func (s *Store) resolveAll(ps []string) ([]string, error) {
	out := make([]string, len(ps))
	for i, p := range ps {
		fp, err := s.resolve(p)
		if err != nil {
			return nil, err
		}
		out[i] = fp
	}
	return out, nil
}
