// Package storage owns access to backup storage: the small object interface
// that the catalog, metadata and locks use, and the factories that hand
// backup-go its readers and writers for the same place. It knows nothing of
// routines, backups or metadata.yaml; that is the catalog's business.
package storage

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"time"

	"github.com/aerospike/backup-go"
)

// ErrNotFound is returned (wrapped) when an object does not exist.
var ErrNotFound = errors.New("not found")

// ErrExists is returned (wrapped) by CreateExclusive when the object exists.
var ErrExists = errors.New("already exists")

// Syncer is a store whose writes may sit in a cache before they are
// durable (a local file system's page cache). Objects written to S3, GCS
// or Azure are durable once their upload returns, so those stores have no
// Sync.
type Syncer interface {
	// Sync makes every write to the store so far durable.
	Sync(ctx context.Context) error
}

// Object is one stored file.
type Object struct {
	Path     string // relative to the store root, slash-separated
	Size     int64
	Modified time.Time
}

// Store is one storage location (a local folder, an S3/GCS prefix, an
// Azure container prefix). All paths are relative to its root and use "/".
type Store interface {
	// String names the store for messages, e.g. `local "/var/backups"`.
	String() string

	// ReadFile returns an object's content; ErrNotFound if it is absent.
	ReadFile(ctx context.Context, path string) ([]byte, error)
	// WriteFile stores an object whole: readers never see a partial object.
	WriteFile(ctx context.Context, path string, data []byte) error
	// CreateExclusive stores an object only if it does not exist yet
	// (ErrExists otherwise); used for locks.
	CreateExclusive(ctx context.Context, path string, data []byte) error
	// Stat returns an object's size and time; ErrNotFound if absent.
	Stat(ctx context.Context, path string) (Object, error)
	// List returns every object below prefix, recursively.
	List(ctx context.Context, prefix string) ([]Object, error)
	// ListDirs returns the names (not paths) of the immediate
	// sub-folders of prefix, sorted.
	ListDirs(ctx context.Context, prefix string) ([]string, error)
	// Delete removes one object; a missing object is not an error.
	Delete(ctx context.Context, path string) error
	// DeleteAll removes every object below prefix; idempotent.
	DeleteAll(ctx context.Context, prefix string) error

	// BackupWriter returns a backup-go writer for the folder dir.
	BackupWriter(ctx context.Context, dir string, opts WriterOptions) (backup.Writer, error)
	// RestoreReader returns a backup-go reader for the .asb files in dir.
	RestoreReader(ctx context.Context, dir string, opts ReaderOptions) (backup.StreamingReader, error)

	// Close releases clients.
	Close() error
}

// FromLister is a store that can ask its service for the sub-folders of
// prefix whose names sort at or after from (S3's StartAfter, GCS's
// StartOffset), so that the newest of many folders cost one request.
type FromLister interface {
	ListDirsFrom(ctx context.Context, prefix, from string) ([]string, error)
}

// ListDirsFrom returns the names of prefix's sub-folders that sort at or
// after from, sorted: through the service's range listing when the store
// has one, else by listing them all.
func ListDirsFrom(ctx context.Context, s Store, prefix, from string) ([]string, error) {
	if fl, ok := s.(FromLister); ok {
		return fl.ListDirsFrom(ctx, prefix, from)
	}
	dirs, err := s.ListDirs(ctx, prefix)
	if err != nil {
		return nil, err
	}
	return DirsFrom(dirs, from), nil
}

// DirsFrom keeps the sorted names that sort at or after from.
func DirsFrom(sorted []string, from string) []string {
	i, _ := slices.BinarySearch(sorted, from)
	return sorted[i:]
}

// WriterOptions tune BackupWriter.
type WriterOptions struct {
	// StorageClass / access tier for the data files, where supported.
	StorageClass string
	// ChunkSize is the multipart upload part size in bytes (0: default).
	ChunkSize int
	// Concurrency limits parallel uploads (0: default).
	Concurrency int
	// AllowExisting lets the writer add files to a folder that already
	// holds some: a resumed run, or the slices of one run sharing a folder
	// (each with its own file prefix). Otherwise backup-go refuses a
	// non-empty folder, a guard against mixing two runs.
	AllowExisting bool
}

// ReaderOptions tune RestoreReader.
type ReaderOptions struct {
	// Dirs, when set, are several folders to read instead of one.
	Dirs []string
	// Files, when set, restricts reading to these files.
	Files []string
	// AccessTier, when set, makes S3 and Azure readers bring archived
	// files back before reading them: an S3 restore tier (Standard, Bulk,
	// Expedited) or the Azure tier to rehydrate to (Hot, Cool, Cold).
	// The reader then blocks until every file is readable. GCS reads
	// archived objects directly and refuses it; so does local storage.
	AccessTier string
	// PollInterval is how often a waiting reader checks the archived files
	// (0: DefaultPollInterval).
	PollInterval time.Duration
	// Log receives the wait's progress (nil: slog.Default()).
	Log *slog.Logger
}
