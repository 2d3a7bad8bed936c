package s3store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/aerobackup/aerobackup/internal/storage"
)

var _ storage.Streamer = (*Store)(nil)

// minPart is S3's smallest part of a multipart upload (but the last).
const minPart = 5 << 20

// Open implements storage.Streamer.
func (s *Store) Open(ctx context.Context, p string) (io.ReadCloser, error) {
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: &s.opts.Bucket, Key: aws.String(s.root.Key(p))})
	if err != nil {
		return nil, s.fail("read", p, err)
	}
	return out.Body, nil
}

// Put implements storage.Streamer: a content that fits one part goes in
// one PutObject, a larger one in a multipart upload of min-part-size
// parts (at least 5 MiB), which S3 shows only once completed and which is
// aborted when r or a part fails. One part is held in memory.
func (s *Store) Put(ctx context.Context, p string, r io.Reader) error {
	buf := make([]byte, max(s.opts.MinPartSize, minPart))
	n, err := io.ReadFull(r, buf)
	switch {
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		in := s.putInput(p, buf[:n])
		in.StorageClass = types.StorageClass(s.opts.DataStorageClass)
		if _, err := s.client.PutObject(ctx, in); err != nil {
			return s.fail("write", p, err)
		}
		return nil
	case err != nil:
		return fmt.Errorf("%s: write %q: %w", s.name, p, err)
	}
	key := aws.String(s.root.Key(p))
	up, err := s.client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: &s.opts.Bucket, Key: key,
		StorageClass: types.StorageClass(s.opts.DataStorageClass)})
	if err != nil {
		return s.fail("write", p, err)
	}
	parts, err := s.uploadParts(ctx, p, key, up.UploadId, r, buf, n)
	if err == nil {
		_, err = s.client.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: &s.opts.Bucket, Key: key,
			UploadId: up.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
		if err != nil {
			err = s.fail("write", p, err)
		}
	}
	if err != nil {
		_, _ = s.client.AbortMultipartUpload(context.WithoutCancel(ctx), &s3.AbortMultipartUploadInput{
			Bucket: &s.opts.Bucket, Key: key, UploadId: up.UploadId})
		if errors.Is(err, errRead) {
			return fmt.Errorf("%s: write %q: %w", s.name, p, errors.Unwrap(err))
		}
		return err
	}
	return nil
}

// errRead marks a failure of the content's reader, not of S3.
var errRead = errors.New("read")

type readError struct{ err error }

func (e readError) Error() string        { return e.err.Error() }
func (e readError) Unwrap() error        { return e.err }
func (e readError) Is(target error) bool { return target == errRead }

// uploadParts uploads buf[:n] and then the rest of r, part by part.
func (s *Store) uploadParts(ctx context.Context, p string, key, id *string, r io.Reader, buf []byte, n int) ([]types.CompletedPart, error) {
	var parts []types.CompletedPart
	for num := int32(1); ; num++ {
		out, err := s.client.UploadPart(ctx, &s3.UploadPartInput{Bucket: &s.opts.Bucket, Key: key, UploadId: id,
			PartNumber: aws.Int32(num), Body: bytes.NewReader(buf[:n]), ContentLength: aws.Int64(int64(n))})
		if err != nil {
			return nil, s.fail("write", p, err)
		}
		parts = append(parts, types.CompletedPart{ETag: out.ETag, PartNumber: aws.Int32(num)})
		if n < len(buf) {
			return parts, nil
		}
		n, err = io.ReadFull(r, buf)
		switch {
		case errors.Is(err, io.EOF) && n == 0:
			return parts, nil
		case errors.Is(err, io.ErrUnexpectedEOF):
		case err != nil:
			return nil, readError{err}
		}
	}
}
