package storage

import (
	"bytes"
	"context"
	"io"
)

// Streamer is a store that reads and writes objects as streams, so that a
// copy of a backup holds a few buffers, not whole files, in memory. Every
// store of this module implements it; Open and Put below fall back to
// ReadFile and WriteFile for one that does not.
type Streamer interface {
	// Open returns a reader of an object's content; ErrNotFound (wrapped)
	// when it is absent.
	Open(ctx context.Context, path string) (io.ReadCloser, error)
	// Put stores the content r gives as a data file (the store's data
	// storage class). The object becomes visible only once r has ended
	// (io.EOF) and the upload is complete; when r fails, or ctx ends,
	// nothing is stored and an older object of that path is left as it was.
	Put(ctx context.Context, path string, r io.Reader) error
}

// Open returns a reader of an object: the store's own stream when it is a
// Streamer, else its whole content read at once.
func Open(ctx context.Context, s Store, path string) (io.ReadCloser, error) {
	if st, ok := s.(Streamer); ok {
		return st.Open(ctx, path)
	}
	data, err := s.ReadFile(ctx, path)
	if err != nil {
		return nil, err
	}
	return io.NopCloser(bytes.NewReader(data)), nil
}

// Put stores what r gives at path: the store's own upload when it is a
// Streamer, else r read whole and written with WriteFile. Either way
// nothing is stored when r fails.
func Put(ctx context.Context, s Store, path string, r io.Reader) error {
	if st, ok := s.(Streamer); ok {
		return st.Put(ctx, path, r)
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	return s.WriteFile(ctx, path, data)
}

// TrackedReader remembers the first error of the reader it wraps other
// than io.EOF, so a store can tell a failure of the content (a checksum
// that does not match, a source that went away) from its own upload's.
type TrackedReader struct {
	r   io.Reader
	err error
}

// Track wraps r.
func Track(r io.Reader) *TrackedReader { return &TrackedReader{r: r} }

func (t *TrackedReader) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if err != nil && err != io.EOF && t.err == nil {
		t.err = err
	}
	return n, err
}

// Err is the reader's first failure, nil if none.
func (t *TrackedReader) Err() error { return t.err }
