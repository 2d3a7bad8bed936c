package records

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"

	"github.com/aerospike/backup-go"
	"github.com/aerospike/backup-go/io/encryption"
	"github.com/aerospike/backup-go/models"
	"github.com/klauspost/compress/zstd"

	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/checksum"
	"github.com/aerobackup/aerobackup/internal/storage"
)

// Reader reads the records of stored data files. One Reader derives each
// encryption mode's key once, so that a secret agent is asked once a run.
type Reader struct {
	Key Key
	Log *slog.Logger

	mu   sync.Mutex
	keys map[string][]byte
	// BytesRead is what the reader took from storage, in stored bytes.
	bytesRead int64
	filesRead int
}

// BytesRead and FilesRead say what the reader has read so far.
func (r *Reader) BytesRead() int64 { r.mu.Lock(); defer r.mu.Unlock(); return r.bytesRead }
func (r *Reader) FilesRead() int   { r.mu.Lock(); defer r.mu.Unlock(); return r.filesRead }

// ErrStop, returned by a Read callback, ends the file's reading without
// an error.
var ErrStop = errors.New("stop reading")

func (r *Reader) aes(ctx context.Context, mode string) ([]byte, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if k, ok := r.keys[mode]; ok {
		return k, nil
	}
	if !r.Key.given() {
		return nil, ErrKeyNeeded
	}
	k, err := r.Key.AES(ctx, mode)
	if err != nil {
		return nil, err
	}
	if r.keys == nil {
		r.keys = map[string][]byte{}
	}
	r.keys[mode] = k
	return k, nil
}

// Read decodes file of f in order and calls fn with each token (records,
// secondary indexes, UDFs). The stored bytes are checked against the
// manifest's checksums when the whole file was read. Errors name the file.
func (r *Reader) Read(ctx context.Context, f *Folder, file File, fn func(*models.Token) error) error {
	p := f.Path(file)
	err := r.read(ctx, f, file, fn)
	switch {
	case err == nil, errors.Is(err, ErrStop):
		return nil
	case ctx.Err() != nil:
		return ctx.Err()
	case errors.Is(err, ErrKeyNeeded):
		return fmt.Errorf("%s: %w", p, err)
	}
	var m *mismatch
	if errors.As(err, &m) {
		return &FileError{Path: p, Err: err, Checksum: true}
	}
	var ke *keyError
	if errors.As(err, &ke) {
		return ke.err
	}
	return &FileError{Path: p, Err: err, Encrypted: !none(f.Meta.Encryption)}
}

// FileError is a data file that cannot be read or decoded.
type FileError struct {
	Path      string
	Err       error
	Encrypted bool
	// Checksum is set when the stored bytes do not match the manifest.
	Checksum bool
}

func (e *FileError) Error() string {
	switch {
	case e.Checksum:
		return fmt.Sprintf("%s: %v (the file is corrupt)", e.Path, e.Err)
	case e.Encrypted:
		return fmt.Sprintf("%s: does not decode: %v (wrong encryption key, or the file is corrupt)", e.Path, e.Err)
	}
	return fmt.Sprintf("%s: does not decode: %v (the file is corrupt)", e.Path, e.Err)
}

func (e *FileError) Unwrap() error { return e.Err }

func none(mode string) bool { return mode == "" || strings.EqualFold(mode, catalog.EncryptionNone) }

func (r *Reader) read(ctx context.Context, f *Folder, file File, fn func(*models.Token) error) error {
	var key []byte
	if !none(f.Meta.Encryption) {
		k, err := r.aes(ctx, f.Meta.Encryption)
		if err != nil {
			return &keyError{err}
		}
		key = k
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stored, err := open(ctx, f.Store, f.Dir, f.Path(file))
	if err != nil {
		return err
	}
	defer stored.Close()
	var sums *checksum.Verifier
	if file.Entry != nil {
		sums = checksum.NewVerifier(file.Entry.Sums())
	}
	counted := &countingReader{r: stored, sums: sums}
	defer func() {
		r.mu.Lock()
		r.bytesRead += counted.n
		r.filesRead++
		r.mu.Unlock()
	}()
	var plain io.Reader = counted
	if key != nil {
		dr, err := encryption.NewEncryptedReader(io.NopCloser(plain), key)
		if err != nil {
			return err
		}
		plain = dr
	}
	if !none(f.Meta.Compression) {
		zr, err := zstd.NewReader(plain, zstd.WithDecoderConcurrency(1))
		if err != nil {
			return err
		}
		defer zr.Close()
		plain = zr
	}
	dec, err := backup.NewDecoder[*models.Token](backup.EncoderTypeASB, plain, 0, file.Name, false, r.logger())
	if err != nil {
		return r.explain(counted, err)
	}
	for {
		t, err := dec.NextToken()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return r.explain(counted, err)
		}
		if err := fn(t); err != nil {
			return err
		}
	}
	// The checksum covers the stored bytes: read what the decoder left.
	if _, err := io.Copy(io.Discard, counted); err != nil {
		return err
	}
	if sums != nil && sums.Len() > 0 {
		if m := sums.Check(); m != nil {
			return &mismatch{*m}
		}
	}
	return nil
}

// mismatch is stored bytes that are not what the backup wrote.
type mismatch struct{ m checksum.Mismatch }

func (e *mismatch) Error() string {
	return fmt.Sprintf("checksum mismatch: %s %s, the manifest says %s", e.m.Algorithm.Name(), e.m.Got, e.m.Want)
}

// keyError is a key that cannot be had: its own error, not the file's.
type keyError struct{ err error }

func (e *keyError) Error() string { return e.err.Error() }
func (e *keyError) Unwrap() error { return e.err }

// explain prefers a checksum mismatch, when the bytes read so far already
// show one, to the decoder's message. Otherwise it is the decoder's error.
func (r *Reader) explain(c *countingReader, err error) error {
	if c.sums == nil || c.sums.Len() == 0 {
		return err
	}
	if _, cerr := io.Copy(io.Discard, c); cerr != nil {
		return err
	}
	if m := c.sums.Check(); m != nil {
		return &mismatch{*m}
	}
	return err
}

func (r *Reader) logger() *slog.Logger {
	if r.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return r.Log
}

// countingReader counts and checksums the stored bytes.
type countingReader struct {
	r    io.Reader
	sums *checksum.Verifier
	n    int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if c.sums != nil && n > 0 {
		_, _ = c.sums.Write(p[:n])
	}
	return n, err
}

// open streams one stored file through the store's backup-go reader.
func open(ctx context.Context, store storage.Store, dir, p string) (io.ReadCloser, error) {
	rd, err := store.RestoreReader(ctx, dir, storage.ReaderOptions{Files: []string{p}})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", store, err)
	}
	files := make(chan models.File, 1)
	errs := make(chan error, 4)
	go rd.StreamFiles(ctx, files, errs, nil)
	select {
	case err := <-errs:
		return nil, err
	case f, ok := <-files:
		if !ok {
			select {
			case err := <-errs:
				return nil, err
			default:
			}
			return nil, fmt.Errorf("%w: %s", storage.ErrNotFound, p)
		}
		return f.Reader, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
