// Package stdinstore implements storage.Store over standard input: one ASB
// stream, as `restore --path -` reads it when another tool pipes a backup
// in. It holds no objects (no metadata.yaml, no manifest), so restores
// from it are not checked against one; it cannot be written to.
// PeekNamespace reads the namespace from the stream's ASB header instead.
//
// ASB has no trailer, and backup-go's decoder takes an end of input at
// some places inside a record for the end of the stream; so the store
// refuses an empty stream and, when it is plain ASB (not compressed or
// encrypted), one that ends in the middle of a line.
package stdinstore

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/aerospike/backup-go"
	"github.com/aerospike/backup-go/models"

	"github.com/aerobackup/aerobackup/internal/storage"
)

// Store reads standard input once.
type Store struct {
	// In is the stream (nil: os.Stdin).
	In io.Reader
	// Plain: the stream is neither compressed nor encrypted, so its last
	// byte must end a line.
	Plain bool
}

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
func (s Store) RestoreReader(ctx context.Context, _ string, opts storage.ReaderOptions) (backup.StreamingReader, error) {
	if opts.AccessTier != "" {
		return nil, errors.New("standard input has no access tier")
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	in := s.In
	if in == nil {
		in = os.Stdin
	}
	return &reader{in: &checkedReader{r: bufio.NewReaderSize(in, bufferSize), plain: s.Plain}}, nil
}

// Close implements storage.Store.
func (Store) Close() error { return nil }

const (
	bufferSize = 1 << 20
	objectName = "stdin"
)

// reader is backup-go's StreamingReader over one stream.
type reader struct {
	in io.Reader
}

func (r *reader) GetType() string { return objectName }

// GetSize and GetNumber are unknown for a stream: backup-go then does not
// wait for them.
func (r *reader) GetSize() int64   { return -1 }
func (r *reader) GetNumber() int64 { return -1 }

func (r *reader) GetSkipped() []string { return nil }

func (r *reader) ListObjects(ctx context.Context, _ string) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return []string{objectName}, nil
}

func (r *reader) StreamFile(ctx context.Context, _ string, readersCh chan<- models.File, errorsCh chan<- error) {
	if err := ctx.Err(); err != nil {
		select {
		case errorsCh <- err:
		case <-ctx.Done():
		}
		return
	}
	select {
	case readersCh <- models.File{Reader: io.NopCloser(r.in), Name: objectName}:
	case <-ctx.Done():
	}
}

func (r *reader) StreamFiles(ctx context.Context, readersCh chan<- models.File, errorsCh chan<- error, _ []string) {
	defer close(readersCh)
	r.StreamFile(ctx, objectName, readersCh, errorsCh)
}

// checkedReader turns the end of a stream that cannot be whole into an
// error: no byte at all, or (plain ASB) a last byte that ends no line.
type checkedReader struct {
	r     io.Reader
	plain bool
	n     int64
	last  byte
}

func (c *checkedReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if n > 0 {
		c.n += int64(n)
		c.last = p[n-1]
	}
	if errors.Is(err, io.EOF) {
		switch {
		case c.n == 0:
			return n, fmt.Errorf("standard input is empty, no ASB stream to restore (did the command writing it fail?): %w", io.ErrUnexpectedEOF)
		case c.plain && c.last != '\n':
			return n, fmt.Errorf("standard input ended in the middle of a line after %d bytes, the stream is truncated: %w", c.n, io.ErrUnexpectedEOF)
		}
	}
	return n, err
}
