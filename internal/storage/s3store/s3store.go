// Package s3store is the storage.Store for Amazon S3 and S3-compatible
// services (MinIO and the like): one bucket prefix, with the settings of
// ABS's s3-storage entry. It owns the S3 client, key naming below the prefix,
// conditional creates for locks, and turning SDK errors into one-line
// messages. It must not know about routines, backups or the YAML config: the
// caller maps config to Options.
package s3store

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"os"
	"sort"
	"strings"

	"github.com/aerospike/backup-go"
	bs3 "github.com/aerospike/backup-go/io/storage/aws/s3"
	"github.com/aerospike/backup-go/io/storage/options"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go/logging"

	"github.com/aerobackup/aerobackup/internal/storage"
)

// Options are the settings of an ABS s3-storage entry, in plain Go types.
type Options struct {
	Bucket string // bucket
	Path   string // path: key prefix inside the bucket ("" = bucket root)
	Region string // s3-region
	// Profile names a shared-config profile (s3-profile); "" uses the SDK's
	// default chain (environment, ~/.aws, instance role...).
	Profile string
	// EndpointOverride (s3-endpoint-override) points the client at another
	// S3 implementation, e.g. "http://127.0.0.1:9000" for MinIO; it turns on
	// path-style addressing.
	EndpointOverride string
	// LogLevel (s3-log-level): OFF, FATAL, ERROR, WARN, INFO, DEBUG, TRACE.
	// DEBUG logs retries and requests, TRACE adds response headers, to stderr.
	LogLevel string
	// MinPartSize (min-part-size) is the multipart part size in bytes for
	// backup files (0: backup-go's default).
	MinPartSize int
	// MaxAsyncConnections (max-async-connections) caps connections per host
	// (0: unlimited).
	MaxAsyncConnections int
	// AccessKeyID and SecretAccessKey (access-key-id, secret-access-key)
	// give static credentials; empty uses Profile or the default chain.
	AccessKeyID     string
	SecretAccessKey string
	// DataStorageClass and MetadataStorageClass (storage-class.data and
	// storage-class.metadata) apply to backup files and to objects written
	// with WriteFile/CreateExclusive respectively ("" = bucket default).
	DataStorageClass     string
	MetadataStorageClass string
	// Tuning (absctl's --s3-retry-max-attempts, --s3-retry-max-backoff,
	// --s3-request-timeout and --s3-retry-read-*) reads MaxAttempts,
	// MaxBackoff, RequestTimeout and ReadRetry; zero keeps the SDK's
	// standard retryer (3 attempts, pauses up to 20s) and no timeout.
	Tuning storage.Tuning
}

// Store is an S3 bucket prefix.
type Store struct {
	client *s3.Client
	opts   Options
	root   storage.Prefix
	name   string
}

var _ storage.Store = (*Store)(nil)

// New builds the client and checks that the bucket is reachable, so a bad
// bucket, region, endpoint or credential fails here with a clear message.
func New(ctx context.Context, opts Options) (*Store, error) {
	s := &Store{opts: opts, root: storage.NewPrefix(opts.Path)}
	s.name = fmt.Sprintf("s3 %q", strings.TrimSuffix(opts.Bucket+"/"+string(s.root), "/"))
	if opts.Bucket == "" {
		return nil, fmt.Errorf("%s: bucket is not set", s.name)
	}
	if opts.Region == "" {
		return nil, fmt.Errorf("%s: s3-region is not set", s.name)
	}
	if (opts.AccessKeyID == "") != (opts.SecretAccessKey == "") {
		return nil, fmt.Errorf("%s: access-key-id and secret-access-key must be set together", s.name)
	}
	for _, c := range []string{opts.DataStorageClass, opts.MetadataStorageClass} {
		if c != "" && !validClass(c) {
			return nil, fmt.Errorf("%s: unknown storage class %q", s.name, c)
		}
	}

	httpClient := awshttp.NewBuildableClient()
	if opts.MaxAsyncConnections > 0 {
		httpClient = httpClient.WithTransportOptions(func(t *http.Transport) {
			t.MaxConnsPerHost = opts.MaxAsyncConnections
		})
	}
	if opts.Tuning.RequestTimeout > 0 {
		httpClient = httpClient.WithTimeout(opts.Tuning.RequestTimeout)
	}
	loadOpts := []func(*config.LoadOptions) error{
		config.WithRegion(opts.Region),
		config.WithHTTPClient(httpClient),
	}
	if r := retryer(opts.Tuning); r != nil {
		loadOpts = append(loadOpts, config.WithRetryer(r))
	}
	if opts.Profile != "" {
		loadOpts = append(loadOpts, config.WithSharedConfigProfile(opts.Profile))
	}
	if opts.AccessKeyID != "" {
		loadOpts = append(loadOpts, config.WithCredentialsProvider(
			credentials.NewStaticCredentialsProvider(opts.AccessKeyID, opts.SecretAccessKey, "")))
	}
	if mode, ok := logMode(opts.LogLevel); ok {
		loadOpts = append(loadOpts,
			config.WithClientLogMode(mode),
			config.WithLogger(logging.StandardLogger{Logger: log.New(os.Stderr, "s3: ", log.LstdFlags)}))
	} else {
		// The SDK's own warnings (e.g. "Response has no supported
		// checksum" from MinIO and other S3-compatible stores) go to the
		// debug log, not to stderr past --quiet.
		loadOpts = append(loadOpts, config.WithLogger(logging.LoggerFunc(func(c logging.Classification, format string, v ...any) {
			slog.Debug("s3 SDK: "+fmt.Sprintf(format, v...), "classification", string(c))
		})))
	}
	cfg, err := config.LoadDefaultConfig(ctx, loadOpts...)
	if err != nil {
		return nil, fmt.Errorf("%s: load AWS configuration: %w", s.name, err)
	}
	s.client = s3.NewFromConfig(cfg, func(o *s3.Options) {
		if opts.EndpointOverride != "" {
			o.BaseEndpoint = aws.String(opts.EndpointOverride)
			o.UsePathStyle = true
		}
	})

	if _, err := s.client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(opts.Bucket)}); err != nil {
		// A HEAD answer has no body, so a 403 does not say whether the key
		// or the permissions are wrong; a listing's error does.
		if _, status := apiCode(err); status == http.StatusForbidden {
			_, lerr := s.client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(opts.Bucket), MaxKeys: aws.Int32(1)})
			if lerr != nil {
				err = lerr
			}
		}
		return nil, s.fail("open", "", err)
	}
	return s, nil
}

// Client returns the underlying S3 client (tests and tools use it to
// create buckets).
func (s *Store) Client() *s3.Client { return s.client }

// String names the store for messages.
func (s *Store) String() string { return s.name }

// Close releases nothing: the SDK client holds no resources to free.
func (s *Store) Close() error { return nil }

// ReadFile returns an object's content.
func (s *Store) ReadFile(ctx context.Context, p string) ([]byte, error) {
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: &s.opts.Bucket, Key: aws.String(s.root.Key(p))})
	if err != nil {
		return nil, s.fail("read", p, err)
	}
	defer out.Body.Close()
	data, err := io.ReadAll(out.Body)
	if err != nil {
		return nil, s.fail("read", p, err)
	}
	return data, nil
}

// WriteFile stores an object with a single PutObject, which S3 makes
// visible whole or not at all.
func (s *Store) WriteFile(ctx context.Context, p string, data []byte) error {
	_, err := s.client.PutObject(ctx, s.putInput(p, data))
	if err != nil {
		return s.fail("write", p, err)
	}
	return nil
}

// CreateExclusive stores an object only if the key is free, using
// If-None-Match: * (honoured by AWS S3 since 2024 and by MinIO).
func (s *Store) CreateExclusive(ctx context.Context, p string, data []byte) error {
	in := s.putInput(p, data)
	in.IfNoneMatch = aws.String("*")
	_, err := s.client.PutObject(ctx, in)
	if err != nil {
		return s.fail("create", p, err)
	}
	return nil
}

func (s *Store) putInput(p string, data []byte) *s3.PutObjectInput {
	return &s3.PutObjectInput{
		Bucket:        &s.opts.Bucket,
		Key:           aws.String(s.root.Key(p)),
		Body:          bytes.NewReader(data),
		ContentLength: aws.Int64(int64(len(data))),
		StorageClass:  types.StorageClass(s.opts.MetadataStorageClass),
	}
}

// Stat returns an object's size and modification time.
func (s *Store) Stat(ctx context.Context, p string) (storage.Object, error) {
	out, err := s.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &s.opts.Bucket, Key: aws.String(s.root.Key(p))})
	if err != nil {
		return storage.Object{}, s.fail("stat", p, err)
	}
	return storage.Object{Path: storage.Clean(p), Size: aws.ToInt64(out.ContentLength), Modified: aws.ToTime(out.LastModified)}, nil
}

// List returns every object below the folder prefix, sorted by path.
func (s *Store) List(ctx context.Context, prefix string) ([]storage.Object, error) {
	var objs []storage.Object
	err := s.walk(ctx, prefix, func(o types.Object) {
		rel := s.root.Rel(aws.ToString(o.Key))
		if rel == "" || strings.HasSuffix(rel, "/") {
			return // folder markers written by consoles are not files
		}
		objs = append(objs, storage.Object{Path: rel, Size: aws.ToInt64(o.Size), Modified: aws.ToTime(o.LastModified)})
	})
	if err != nil {
		return nil, s.fail("list", prefix, err)
	}
	sort.Slice(objs, func(i, j int) bool { return objs[i].Path < objs[j].Path })
	return objs, nil
}

func (s *Store) walk(ctx context.Context, prefix string, fn func(types.Object)) error {
	pager := s3.NewListObjectsV2Paginator(s.client, &s3.ListObjectsV2Input{
		Bucket: &s.opts.Bucket,
		Prefix: aws.String(s.root.DirKey(prefix)),
	})
	for pager.HasMorePages() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, o := range page.Contents {
			fn(o)
		}
	}
	return nil
}

// ListDirs returns the names of the immediate sub-folders of prefix.
func (s *Store) ListDirs(ctx context.Context, prefix string) ([]string, error) {
	return s.ListDirsFrom(ctx, prefix, "")
}

// ListDirsFrom lists the folders of prefix named from onwards, starting
// the service's listing there (StartAfter the name itself, which sorts
// before the folder's keys).
func (s *Store) ListDirsFrom(ctx context.Context, prefix, from string) ([]string, error) {
	base := s.root.DirKey(prefix)
	in := &s3.ListObjectsV2Input{
		Bucket:    &s.opts.Bucket,
		Prefix:    aws.String(base),
		Delimiter: aws.String("/"),
	}
	if from != "" {
		in.StartAfter = aws.String(base + from)
	}
	pager := s3.NewListObjectsV2Paginator(s.client, in)
	var dirs []string
	for pager.HasMorePages() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return nil, s.fail("list", prefix, err)
		}
		for _, cp := range page.CommonPrefixes {
			name := strings.TrimSuffix(strings.TrimPrefix(aws.ToString(cp.Prefix), base), "/")
			if name != "" {
				dirs = append(dirs, name)
			}
		}
	}
	sort.Strings(dirs)
	return storage.DirsFrom(dirs, from), nil
}

// Delete removes one object; S3 reports success for a missing key.
func (s *Store) Delete(ctx context.Context, p string) error {
	_, err := s.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &s.opts.Bucket, Key: aws.String(s.root.Key(p))})
	if err != nil && !isNotFound(err) {
		return s.fail("delete", p, err)
	}
	return nil
}

// DeleteAll removes every object below the folder prefix, 1000 per request.
func (s *Store) DeleteAll(ctx context.Context, prefix string) error {
	var batch []types.ObjectIdentifier
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		out, err := s.client.DeleteObjects(ctx, &s3.DeleteObjectsInput{
			Bucket: &s.opts.Bucket,
			Delete: &types.Delete{Objects: batch, Quiet: aws.Bool(true)},
		})
		batch = batch[:0]
		if err != nil {
			return err
		}
		if len(out.Errors) > 0 {
			e := out.Errors[0]
			return fmt.Errorf("%d objects not deleted, first %q: %s %s",
				len(out.Errors), aws.ToString(e.Key), aws.ToString(e.Code), aws.ToString(e.Message))
		}
		return nil
	}
	var flushErr error
	err := s.walk(ctx, prefix, func(o types.Object) {
		if flushErr != nil {
			return
		}
		batch = append(batch, types.ObjectIdentifier{Key: o.Key})
		if len(batch) == 1000 {
			flushErr = flush()
		}
	})
	if err == nil {
		err = flushErr
	}
	if err == nil {
		err = flush()
	}
	if err != nil {
		return s.fail("delete", prefix, err)
	}
	return nil
}

// BackupWriter hands backup-go a multipart-upload writer for the folder dir.
// The folder must be empty: backup-go refuses to mix runs in one folder.
func (s *Store) BackupWriter(ctx context.Context, dir string, wo storage.WriterOptions) (backup.Writer, error) {
	opts := storage.WriterOpts(s.root, dir, wo, s.opts.MinPartSize)
	class := wo.Class(s.opts.DataStorageClass)
	if class != "" {
		opts = append(opts, options.WithStorageClass(class))
	}
	w, err := bs3.NewWriter(ctx, s.client, s.opts.Bucket, opts...)
	if err != nil {
		return nil, s.fail("open writer for", dir, err)
	}
	return w, nil
}

// RestoreReader hands backup-go a reader for the .asb files of dir, of
// ro.Dirs, or exactly ro.Files. Every path is relative to the store root.
func (s *Store) RestoreReader(ctx context.Context, dir string, ro storage.ReaderOptions) (backup.StreamingReader, error) {
	opts := append(storage.ReaderOpts(s.root, dir, ro), s.opts.Tuning.ReaderOpts()...)
	r, err := bs3.NewReader(ctx, s.client, s.opts.Bucket, opts...)
	if err != nil {
		return nil, s.fail("open reader for", dir, err)
	}
	return r, nil
}

// retryer builds the SDK's standard retryer with the tuning's attempts and
// longest pause; nil when the tuning sets neither.
func retryer(t storage.Tuning) func() aws.Retryer {
	if t.MaxAttempts == 0 && t.MaxBackoff == 0 {
		return nil
	}
	return func() aws.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) {
			if t.MaxAttempts > 0 {
				o.MaxAttempts = t.MaxAttempts
			}
			if t.MaxBackoff > 0 {
				o.MaxBackoff = t.MaxBackoff
				o.Backoff = retry.NewExponentialJitterBackoff(t.MaxBackoff)
			}
		})
	}
}

func logMode(level string) (aws.ClientLogMode, bool) {
	switch strings.ToUpper(level) {
	case "DEBUG":
		return aws.LogRetries | aws.LogRequest, true
	case "TRACE":
		return aws.LogRetries | aws.LogRequest | aws.LogResponse | aws.LogSigning, true
	case "INFO":
		return aws.LogRetries, true
	}
	return 0, false
}

func validClass(c string) bool {
	for _, v := range types.StorageClass("").Values() {
		if string(v) == c {
			return true
		}
	}
	return false
}
