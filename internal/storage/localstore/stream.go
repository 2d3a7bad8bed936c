package localstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/aerobackup/aerobackup/internal/storage"
)

var _ storage.Streamer = (*Store)(nil)

// Open implements storage.Streamer.
func (s *Store) Open(ctx context.Context, p string) (io.ReadCloser, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	fp, err := s.resolve(p)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(fp)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, s.notFound(p)
	case err != nil:
		return nil, fmt.Errorf("%s: read %q: %w", s, p, err)
	}
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		f.Close()
		return nil, s.notFound(p)
	}
	return f, nil
}

// Put implements storage.Streamer as WriteFile does: a temporary file
// beside the target (which List hides), synced, then renamed over it.
func (s *Store) Put(ctx context.Context, p string, r io.Reader) error {
	fp, err := s.objectPath(ctx, p)
	if err != nil {
		return err
	}
	tmp, err := s.writeTempFrom(ctx, fp, r)
	if err != nil {
		return fmt.Errorf("%s: write %q: %w", s, p, err)
	}
	if err := ctx.Err(); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, fp); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("%s: write %q: %w", s, p, err)
	}
	return syncDir(filepath.Dir(fp))
}

// writeTempFrom is writeTemp of a stream; the temporary file is removed
// when r or the write fails.
func (s *Store) writeTempFrom(ctx context.Context, target string, r io.Reader) (string, error) {
	tmp, err := s.writeTemp(target, nil)
	if err != nil {
		return "", err
	}
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_TRUNC, 0)
	if err == nil {
		_, err = io.Copy(f, ctxReader{ctx, r})
		if err == nil {
			err = f.Sync()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		_ = os.Remove(tmp)
		return "", err
	}
	return tmp, nil
}

// ctxReader stops a copy once ctx ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
