// Package gcsstore is the storage.Store for Google Cloud Storage (and
// emulators such as fake-gcs-server): one bucket prefix, with the settings
// of ABS's gcp-storage entry. It owns the GCS client, object naming below
// the prefix, generation preconditions for locks, and turning client errors
// into one-line messages. It must not know about routines, backups or the
// YAML config: the caller maps config to Options.
package gcsstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	gcs "cloud.google.com/go/storage"
	"github.com/aerospike/backup-go"
	bgcs "github.com/aerospike/backup-go/io/storage/gcp/storage"
	"github.com/aerospike/backup-go/io/storage/options"
	"github.com/googleapis/gax-go/v2"
	"golang.org/x/sync/errgroup"
	"google.golang.org/api/iterator"
	"google.golang.org/api/option"
	htransport "google.golang.org/api/transport/http"

	"github.com/aerobackup/aerobackup/internal/storage"
)

// Options are the settings of an ABS gcp-storage entry, in plain Go types.
type Options struct {
	BucketName string // bucket-name
	Path       string // path: object prefix inside the bucket ("" = bucket root)
	// KeyFilePath (key-file-path) is a service-account JSON key file; Key
	// (key) is the same JSON inline. With neither, Application Default
	// Credentials are used, or no authentication when Endpoint is set.
	KeyFilePath string
	Key         string
	// Endpoint (endpoint) replaces the GCS JSON API address, e.g.
	// "http://127.0.0.1:4443/storage/v1/" for fake-gcs-server.
	Endpoint string
	// MinPartSize (min-part-size) is the resumable-upload chunk size in
	// bytes for backup files (0: backup-go's default of 50 MiB).
	MinPartSize int
	// DataStorageClass (storage-class.data) applies to backup files
	// (STANDARD, NEARLINE, COLDLINE, ARCHIVE; "" = bucket default).
	// Metadata always uses the bucket default, as in ABS.
	DataStorageClass string
	// Tuning (absctl's --gcp-retry-max-attempts, --gcp-retry-init-backoff,
	// --gcp-retry-max-backoff, --gcp-retry-backoff-multiplier,
	// --gcp-request-timeout, --gcp-max-conns-per-host and
	// --gcp-retry-read-*): zero keeps 4 attempts, the client's backoff
	// (1s, doubling, up to 30s), no timeout and no connection cap.
	Tuning storage.Tuning
}

// Store is a GCS bucket prefix.
type Store struct {
	client *gcs.Client
	bucket *gcs.BucketHandle
	opts   Options
	root   storage.Prefix
	name   string
}

var _ storage.Store = (*Store)(nil)

// maxAttempts bounds the client's retries: without it, idempotent calls
// retry until the context ends, so an unreachable endpoint would hang.
const maxAttempts = 4

// New builds the client and checks that the bucket exists and is readable.
func New(ctx context.Context, opts Options) (*Store, error) {
	s := &Store{opts: opts, root: storage.NewPrefix(opts.Path)}
	s.name = fmt.Sprintf("gcs %q", strings.TrimSuffix(opts.BucketName+"/"+string(s.root), "/"))
	if opts.BucketName == "" {
		return nil, fmt.Errorf("%s: bucket-name is not set", s.name)
	}
	if opts.KeyFilePath != "" && opts.Key != "" {
		return nil, fmt.Errorf("%s: key-file-path and key are mutually exclusive", s.name)
	}
	switch strings.ToUpper(opts.DataStorageClass) {
	case "", "STANDARD", "NEARLINE", "COLDLINE", "ARCHIVE":
	default:
		return nil, fmt.Errorf("%s: unknown storage class %q (STANDARD, NEARLINE, COLDLINE, ARCHIVE)", s.name, opts.DataStorageClass)
	}

	var copts []option.ClientOption
	switch {
	case opts.KeyFilePath != "":
		copts = append(copts, option.WithAuthCredentialsFile(option.ServiceAccount, opts.KeyFilePath))
	case opts.Key != "":
		copts = append(copts, option.WithAuthCredentialsJSON(option.ServiceAccount, []byte(opts.Key)))
	case opts.Endpoint != "":
		copts = append(copts, option.WithoutAuthentication())
	}
	if opts.Endpoint != "" {
		copts = append(copts, option.WithEndpoint(opts.Endpoint))
	}
	if hc := opts.Tuning.HTTPClient(); hc != nil {
		// A client of our own carries no credentials: wrap its transport
		// with the ones the options name.
		rt, err := htransport.NewTransport(ctx, hc.Transport, append(copts, option.WithScopes(gcs.ScopeFullControl))...)
		if err != nil {
			return nil, s.fail("credentials", "", err)
		}
		hc.Transport = rt
		copts = append(copts, option.WithHTTPClient(hc))
	}
	client, err := gcs.NewClient(ctx, copts...)
	if err != nil {
		return nil, s.fail("credentials", "", err)
	}
	client.SetRetry(retryOptions(opts.Tuning)...)
	s.client = client
	s.bucket = client.Bucket(opts.BucketName)
	if _, err := s.bucket.Attrs(ctx); err != nil {
		_ = client.Close()
		return nil, s.fail("open", "", err)
	}
	return s, nil
}

// retryOptions are the client's retry settings: maxAttempts and the
// client's backoff unless the tuning says otherwise.
func retryOptions(t storage.Tuning) []gcs.RetryOption {
	attempts := maxAttempts
	if t.MaxAttempts > 0 {
		attempts = t.MaxAttempts
	}
	ro := []gcs.RetryOption{gcs.WithMaxAttempts(attempts)}
	if t.InitialBackoff > 0 || t.MaxBackoff > 0 || t.BackoffMultiplier > 0 {
		// Zero fields take gax's defaults (1s, 30s, 2).
		ro = append(ro, gcs.WithBackoff(gax.Backoff{Initial: t.InitialBackoff, Max: t.MaxBackoff, Multiplier: t.BackoffMultiplier}))
	}
	return ro
}

// Client returns the underlying GCS client (tests use it to create buckets).
func (s *Store) Client() *gcs.Client { return s.client }

// String names the store for messages.
func (s *Store) String() string { return s.name }

// Close releases the client's connections.
func (s *Store) Close() error { return s.client.Close() }

// ReadFile returns an object's content.
func (s *Store) ReadFile(ctx context.Context, p string) ([]byte, error) {
	r, err := s.bucket.Object(s.root.Key(p)).NewReader(ctx)
	if err != nil {
		return nil, s.fail("read", p, err)
	}
	defer r.Close()
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, s.fail("read", p, err)
	}
	return data, nil
}

// WriteFile stores an object; GCS publishes an object only once its upload
// is complete, so readers see the old or the new content.
func (s *Store) WriteFile(ctx context.Context, p string, data []byte) error {
	return s.put(ctx, "write", p, s.bucket.Object(s.root.Key(p)), data)
}

// CreateExclusive stores an object only if none exists, with the
// DoesNotExist precondition (ifGenerationMatch=0).
func (s *Store) CreateExclusive(ctx context.Context, p string, data []byte) error {
	obj := s.bucket.Object(s.root.Key(p)).If(gcs.Conditions{DoesNotExist: true})
	return s.put(ctx, "create", p, obj, data)
}

func (s *Store) put(ctx context.Context, op, p string, obj *gcs.ObjectHandle, data []byte) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // abandons the upload if Write fails
	w := obj.NewWriter(ctx)
	w.ChunkSize = 0 // one request: these objects are small
	if len(data) > 16<<20 {
		w.ChunkSize = 16 << 20
	}
	if _, err := w.Write(data); err != nil {
		return s.fail(op, p, err)
	}
	if err := w.Close(); err != nil {
		return s.fail(op, p, err)
	}
	return nil
}

// Stat returns an object's size and update time.
func (s *Store) Stat(ctx context.Context, p string) (storage.Object, error) {
	a, err := s.bucket.Object(s.root.Key(p)).Attrs(ctx)
	if err != nil {
		return storage.Object{}, s.fail("stat", p, err)
	}
	return storage.Object{Path: storage.Clean(p), Size: a.Size, Modified: a.Updated}, nil
}

// List returns every object below the folder prefix, sorted by path.
func (s *Store) List(ctx context.Context, prefix string) ([]storage.Object, error) {
	var objs []storage.Object
	err := s.walk(ctx, prefix, func(a *gcs.ObjectAttrs) {
		rel := s.root.Rel(a.Name)
		if rel == "" || strings.HasSuffix(rel, "/") {
			return // folder placeholders are not files
		}
		objs = append(objs, storage.Object{Path: rel, Size: a.Size, Modified: a.Updated})
	})
	if err != nil {
		return nil, s.fail("list", prefix, err)
	}
	sort.Slice(objs, func(i, j int) bool { return objs[i].Path < objs[j].Path })
	return objs, nil
}

func (s *Store) walk(ctx context.Context, prefix string, fn func(*gcs.ObjectAttrs)) error {
	q := &gcs.Query{Prefix: s.root.DirKey(prefix)}
	if err := q.SetAttrSelection([]string{"Name", "Size", "Updated"}); err != nil {
		return err
	}
	it := s.bucket.Objects(ctx, q)
	for {
		a, err := it.Next()
		if errors.Is(err, iterator.Done) {
			return nil
		}
		if err != nil {
			return err
		}
		fn(a)
	}
}

// ListDirs returns the names of the immediate sub-folders of prefix.
func (s *Store) ListDirs(ctx context.Context, prefix string) ([]string, error) {
	return s.ListDirsFrom(ctx, prefix, "")
}

// ListDirsFrom lists the folders of prefix named from onwards, starting
// the service's listing there (StartOffset).
func (s *Store) ListDirsFrom(ctx context.Context, prefix, from string) ([]string, error) {
	base := s.root.DirKey(prefix)
	q := &gcs.Query{Prefix: base, Delimiter: "/"}
	if from != "" {
		q.StartOffset = base + from
	}
	if err := q.SetAttrSelection([]string{"Name"}); err != nil {
		return nil, s.fail("list", prefix, err)
	}
	it := s.bucket.Objects(ctx, q)
	var dirs []string
	for {
		a, err := it.Next()
		if errors.Is(err, iterator.Done) {
			break
		}
		if err != nil {
			return nil, s.fail("list", prefix, err)
		}
		if a.Prefix == "" {
			continue // an object directly in the folder
		}
		if name := strings.TrimSuffix(strings.TrimPrefix(a.Prefix, base), "/"); name != "" {
			dirs = append(dirs, name)
		}
	}
	sort.Strings(dirs)
	return storage.DirsFrom(dirs, from), nil
}

// Delete removes one object; a missing object is not an error.
func (s *Store) Delete(ctx context.Context, p string) error {
	err := s.bucket.Object(s.root.Key(p)).Delete(ctx)
	if err != nil && !errors.Is(err, gcs.ErrObjectNotExist) {
		return s.fail("delete", p, err)
	}
	return nil
}

// DeleteAll removes every object below the folder prefix, several at a time
// (GCS has no batch delete in this client).
func (s *Store) DeleteAll(ctx context.Context, prefix string) error {
	var names []string
	if err := s.walk(ctx, prefix, func(a *gcs.ObjectAttrs) { names = append(names, a.Name) }); err != nil {
		return s.fail("delete", prefix, err)
	}
	// Up to 16 deletes at a time; every one is attempted, the first
	// failure is reported.
	var g errgroup.Group
	g.SetLimit(16)
	for _, n := range names {
		g.Go(func() error {
			if err := s.bucket.Object(n).Delete(ctx); err != nil && !errors.Is(err, gcs.ErrObjectNotExist) {
				return err
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return s.fail("delete", prefix, err)
	}
	return nil
}

// BackupWriter hands backup-go a resumable-upload writer for the folder
// dir. The folder must be empty: backup-go refuses to mix runs in one folder.
func (s *Store) BackupWriter(ctx context.Context, dir string, wo storage.WriterOptions) (backup.Writer, error) {
	opts := storage.WriterOpts(s.root, dir, wo, s.opts.MinPartSize)
	class := wo.Class(s.opts.DataStorageClass)
	if class != "" {
		opts = append(opts, options.WithStorageClass(strings.ToUpper(class)))
	}
	w, err := bgcs.NewWriter(ctx, s.client, s.opts.BucketName, opts...)
	if err != nil {
		return nil, s.fail("open writer for", dir, err)
	}
	return w, nil
}

// RestoreReader hands backup-go a reader for the .asb files of dir, of
// ro.Dirs, or exactly ro.Files. Every path is relative to the store root.
func (s *Store) RestoreReader(ctx context.Context, dir string, ro storage.ReaderOptions) (backup.StreamingReader, error) {
	if ro.AccessTier != "" {
		// Archive-class objects are readable directly, at a retrieval fee.
		return nil, fmt.Errorf("%s: GCS reads archived objects directly; an access tier (%q) is only for S3 and Azure", s, ro.AccessTier)
	}
	opts := append(storage.ReaderOpts(s.root, dir, ro), s.opts.Tuning.ReaderOpts()...)
	r, err := bgcs.NewReader(ctx, s.client, s.opts.BucketName, opts...)
	if err != nil {
		return nil, s.fail("open reader for", dir, err)
	}
	return r, nil
}
