package gcsstore

import (
	"context"
	"fmt"
	"io"

	"github.com/aerobackup/aerobackup/internal/storage"
)

var _ storage.Streamer = (*Store)(nil)

// Open implements storage.Streamer.
func (s *Store) Open(ctx context.Context, p string) (io.ReadCloser, error) {
	r, err := s.bucket.Object(s.root.Key(p)).NewReader(ctx)
	if err != nil {
		return nil, s.fail("read", p, err)
	}
	return r, nil
}

// Put implements storage.Streamer with a resumable upload of
// min-part-size chunks (16 MiB by default): GCS publishes the object when
// the writer is closed, and cancelling the writer's context abandons it.
func (s *Store) Put(ctx context.Context, p string, r io.Reader) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w := s.bucket.Object(s.root.Key(p)).NewWriter(ctx)
	w.ChunkSize = 16 << 20
	if s.opts.MinPartSize > 0 {
		w.ChunkSize = s.opts.MinPartSize
	}
	if s.opts.DataStorageClass != "" {
		w.StorageClass = s.opts.DataStorageClass
	}
	tr := storage.Track(r)
	if _, err := io.Copy(w, tr); err != nil {
		if tr.Err() != nil {
			return fmt.Errorf("%s: write %q: %w", s.name, p, tr.Err())
		}
		return s.fail("write", p, err)
	}
	if err := w.Close(); err != nil {
		return s.fail("write", p, err)
	}
	return nil
}
