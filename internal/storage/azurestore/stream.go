package azurestore

import (
	"context"
	"fmt"
	"io"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"

	"github.com/aerobackup/aerobackup/internal/storage"
)

var _ storage.Streamer = (*Store)(nil)

// Open implements storage.Streamer.
func (s *Store) Open(ctx context.Context, p string) (io.ReadCloser, error) {
	resp, err := s.container.NewBlobClient(s.root.Key(p)).DownloadStream(ctx, nil)
	if err != nil {
		return nil, s.fail("read", p, err)
	}
	return resp.Body, nil
}

// Put implements storage.Streamer: blocks of min-part-size (at least
// 1 MiB) are staged and the blob appears when its block list is
// committed, after the last one; a failure commits nothing.
func (s *Store) Put(ctx context.Context, p string, r io.Reader) error {
	o := &blockblob.UploadStreamOptions{BlockSize: int64(max(s.opts.MinPartSize, 1<<20))}
	if t, _ := tier(s.opts.DataAccessTier, true); t != "" {
		at := blob.AccessTier(t)
		o.AccessTier = &at
	}
	tr := storage.Track(r)
	if _, err := s.container.NewBlockBlobClient(s.root.Key(p)).UploadStream(ctx, tr, o); err != nil {
		if tr.Err() != nil {
			return fmt.Errorf("%s: write %q: %w", s.name, p, tr.Err())
		}
		return s.fail("write", p, err)
	}
	return nil
}
