// Package stdinstore implements storage.Store over standard input: one ASB
// stream, as `restore --path -` reads it when another tool pipes a backup
// in. It holds no objects (no metadata.yaml, no manifest), so restores
// from it are not checked against one; it cannot be written to.
package stdinstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/aerospike/backup-go"
	"github.com/aerospike/backup-go/io/storage/std"

	"github.com/aerobackup/aerobackup/internal/storage"
)

// Store reads standard input once.
type Store struct{}

var _ storage.Store = Store{}

var errReadOnly = errors.New("standard input cannot be written to")

// String implements storage.Store.
func (Store) String() string { return "standard input" }

// ReadFile implements storage.Store: standard input has no named objects.
func (Store) ReadFile(_ context.Context, path string) ([]byte, error) {
	return nil, fmt.Errorf("standard input: %s: %w", path, storage.ErrNotFound)
}

// WriteFile implements storage.Store; it always fails.
func (Store) WriteFile(context.Context, string, []byte) error { return errReadOnly }

// CreateExclusive implements storage.Store; it always fails.
func (Store) CreateExclusive(context.Context, string, []byte) error { return errReadOnly }

// Stat implements storage.Store: nothing is found.
func (Store) Stat(_ context.Context, path string) (storage.Object, error) {
	return storage.Object{}, fmt.Errorf("standard input: %s: %w", path, storage.ErrNotFound)
}

// List implements storage.Store: there is nothing to list.
func (Store) List(context.Context, string) ([]storage.Object, error) { return nil, nil }

// ListDirs implements storage.Store: there are no folders.
func (Store) ListDirs(context.Context, string) ([]string, error) { return nil, nil }

// Delete implements storage.Store; it always fails.
func (Store) Delete(context.Context, string) error { return errReadOnly }

// DeleteAll implements storage.Store; it always fails.
func (Store) DeleteAll(context.Context, string) error { return errReadOnly }

// BackupWriter implements storage.Store; it always fails.
func (Store) BackupWriter(context.Context, string, storage.WriterOptions) (backup.Writer, error) {
	return nil, errReadOnly
}

// RestoreReader returns backup-go's standard input reader: one stream,
// whatever dir and opts say.
func (Store) RestoreReader(ctx context.Context, _ string, opts storage.ReaderOptions) (backup.StreamingReader, error) {
	if opts.AccessTier != "" {
		return nil, errors.New("standard input has no access tier")
	}
	return std.NewReader(ctx, 0)
}

// Close implements storage.Store.
func (Store) Close() error { return nil }
