// Package azurestore is the storage.Store for Azure Blob Storage (and
// Azurite): one container prefix, with the settings of ABS's azure-storage
// entry. It owns the blob client and its authentication (shared key or an
// Entra ID client secret), blob naming below the prefix, If-None-Match
// creates for locks, and turning client errors into one-line messages. It
// must not know about routines, backups or the YAML config: the caller maps
// config to Options.
package azurestore

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/streaming"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"github.com/aerospike/backup-go"
	bazure "github.com/aerospike/backup-go/io/storage/azure/blob"
	"github.com/aerospike/backup-go/io/storage/options"
	"golang.org/x/sync/errgroup"

	"github.com/aerobackup/aerobackup/internal/storage"
)

// Options are the settings of an ABS azure-storage entry, in plain Go types.
type Options struct {
	// Endpoint (endpoint) is the Blob service URL, e.g.
	// "https://account.blob.core.windows.net" or, for Azurite,
	// "http://127.0.0.1:10000/devstoreaccount1". A SAS token may be given
	// as its query string when no other credential is set.
	Endpoint      string
	ContainerName string // container-name
	Path          string // path: blob prefix inside the container
	// AccountName and AccountKey (account-name, account-key) select Shared
	// Key authentication.
	AccountName string
	AccountKey  string
	// TenantID, ClientID and ClientSecret (tenant-id, client-id,
	// client-secret) select Entra ID (Azure AD) client-secret
	// authentication; AZURE_AUTHORITY_HOST overrides the login host.
	TenantID     string
	ClientID     string
	ClientSecret string
	// MinPartSize (min-part-size) is the block size in bytes for backup
	// files (0: backup-go's default).
	MinPartSize int
	// DataAccessTier and MetadataAccessTier (storage-class.data and
	// storage-class.metadata): Hot, Cool, Cold or Archive (data only);
	// "" = the account default.
	DataAccessTier     string
	MetadataAccessTier string
	// Tuning (absctl's --azure-retry-max-attempts, --azure-retry-delay,
	// --azure-retry-max-delay, --azure-request-timeout,
	// --azure-max-conns-per-host and --azure-retry-read-*): MaxAttempts
	// counts retries, as absctl maps it; zero keeps 3 retries from 500ms
	// up to 4s, no timeout and no connection cap.
	Tuning storage.Tuning
}

// Store is an Azure Blob container prefix.
type Store struct {
	client    *azblob.Client
	container *container.Client
	opts      Options
	root      storage.Prefix
	name      string
}

var _ storage.Store = (*Store)(nil)

// New builds the client and checks that the container exists and the
// credentials are accepted.
func New(ctx context.Context, opts Options) (*Store, error) {
	s := &Store{opts: opts, root: storage.NewPrefix(opts.Path)}
	s.name = fmt.Sprintf("azure %q", strings.TrimSuffix(opts.ContainerName+"/"+string(s.root), "/"))
	if opts.Endpoint == "" {
		return nil, fmt.Errorf("%s: endpoint is not set", s.name)
	}
	if opts.ContainerName == "" {
		return nil, fmt.Errorf("%s: container-name is not set", s.name)
	}
	sharedKey := opts.AccountName != "" || opts.AccountKey != ""
	entra := opts.TenantID != "" || opts.ClientID != "" || opts.ClientSecret != ""
	switch {
	case sharedKey && entra:
		return nil, fmt.Errorf("%s: use either account-name/account-key or tenant-id/client-id/client-secret, not both", s.name)
	case sharedKey && (opts.AccountName == "" || opts.AccountKey == ""):
		return nil, fmt.Errorf("%s: account-name and account-key must be set together", s.name)
	case entra && (opts.TenantID == "" || opts.ClientID == "" || opts.ClientSecret == ""):
		return nil, fmt.Errorf("%s: tenant-id, client-id and client-secret must be set together", s.name)
	}
	if t, ok := tier(opts.DataAccessTier, true); !ok {
		return nil, fmt.Errorf("%s: unknown access tier %q (Hot, Cool, Cold, Archive)", s.name, t)
	}
	if t, ok := tier(opts.MetadataAccessTier, false); !ok {
		return nil, fmt.Errorf("%s: access tier %q is not allowed for metadata (Hot, Cool, Cold)", s.name, t)
	}

	copts := &azblob.ClientOptions{ClientOptions: clientOptions(opts.Tuning)}
	var err error
	switch {
	case sharedKey:
		var cred *azblob.SharedKeyCredential
		cred, err = azblob.NewSharedKeyCredential(opts.AccountName, opts.AccountKey)
		if err != nil {
			return nil, fmt.Errorf("%s: account-key is not valid base64", s.name)
		}
		s.client, err = azblob.NewClientWithSharedKeyCredential(opts.Endpoint, cred, copts)
	case entra:
		s.client, err = azblob.NewClient(opts.Endpoint, newClientSecretCredential(opts.TenantID, opts.ClientID, opts.ClientSecret), copts)
	default:
		s.client, err = azblob.NewClientWithNoCredential(opts.Endpoint, copts)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %v", s.name, err)
	}
	s.container = s.client.ServiceClient().NewContainerClient(opts.ContainerName)
	if _, err := s.container.GetProperties(ctx, nil); err != nil {
		return nil, s.fail("open", "", err)
	}
	return s, nil
}

// tier canonicalises an access tier name; ok is false for unknown names.
func tier(name string, archiveOK bool) (string, bool) {
	switch strings.ToLower(name) {
	case "":
		return "", true
	case "hot", "cool", "cold":
		return strings.ToUpper(name[:1]) + strings.ToLower(name[1:]), true
	case "archive":
		return "Archive", archiveOK
	}
	return name, false
}

// Client returns the underlying blob client (tests use it to create
// containers).
func (s *Store) Client() *azblob.Client { return s.client }

// String names the store for messages.
func (s *Store) String() string { return s.name }

// Close releases nothing: the client holds no resources to free.
func (s *Store) Close() error { return nil }

// ReadFile returns a blob's content.
func (s *Store) ReadFile(ctx context.Context, p string) ([]byte, error) {
	resp, err := s.container.NewBlobClient(s.root.Key(p)).DownloadStream(ctx, nil)
	if err != nil {
		return nil, s.fail("read", p, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, s.fail("read", p, err)
	}
	return data, nil
}

// WriteFile stores a blob with one Put Blob request, which replaces the
// blob whole.
func (s *Store) WriteFile(ctx context.Context, p string, data []byte) error {
	return s.put(ctx, "write", p, data, nil)
}

// CreateExclusive stores a blob only if none exists (If-None-Match: *).
func (s *Store) CreateExclusive(ctx context.Context, p string, data []byte) error {
	etagAny := azcore.ETagAny
	return s.put(ctx, "create", p, data, &blob.AccessConditions{
		ModifiedAccessConditions: &blob.ModifiedAccessConditions{IfNoneMatch: &etagAny},
	})
}

func (s *Store) put(ctx context.Context, op, p string, data []byte, cond *blob.AccessConditions) error {
	o := &blockblob.UploadOptions{AccessConditions: cond}
	if t, _ := tier(s.opts.MetadataAccessTier, false); t != "" {
		at := blob.AccessTier(t)
		o.Tier = &at
	}
	body := streaming.NopCloser(bytes.NewReader(data))
	if _, err := s.container.NewBlockBlobClient(s.root.Key(p)).Upload(ctx, body, o); err != nil {
		return s.fail(op, p, err)
	}
	return nil
}

// Stat returns a blob's size and last-modified time.
func (s *Store) Stat(ctx context.Context, p string) (storage.Object, error) {
	props, err := s.container.NewBlobClient(s.root.Key(p)).GetProperties(ctx, nil)
	if err != nil {
		return storage.Object{}, s.fail("stat", p, err)
	}
	o := storage.Object{Path: storage.Clean(p)}
	if props.ContentLength != nil {
		o.Size = *props.ContentLength
	}
	if props.LastModified != nil {
		o.Modified = *props.LastModified
	}
	return o, nil
}

// List returns every blob below the folder prefix, sorted by path.
func (s *Store) List(ctx context.Context, prefix string) ([]storage.Object, error) {
	var objs []storage.Object
	err := s.walk(ctx, prefix, func(name string, props *container.BlobProperties) {
		rel := s.root.Rel(name)
		if rel == "" || strings.HasSuffix(rel, "/") {
			return
		}
		o := storage.Object{Path: rel}
		if props != nil && props.ContentLength != nil {
			o.Size = *props.ContentLength
		}
		if props != nil && props.LastModified != nil {
			o.Modified = *props.LastModified
		}
		objs = append(objs, o)
	})
	if err != nil {
		return nil, s.fail("list", prefix, err)
	}
	sort.Slice(objs, func(i, j int) bool { return objs[i].Path < objs[j].Path })
	return objs, nil
}

func (s *Store) walk(ctx context.Context, prefix string, fn func(string, *container.BlobProperties)) error {
	pfx := s.root.DirKey(prefix)
	pager := s.container.NewListBlobsFlatPager(&container.ListBlobsFlatOptions{Prefix: &pfx})
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, b := range page.Segment.BlobItems {
			if b.Name != nil {
				fn(*b.Name, b.Properties)
			}
		}
	}
	return nil
}

// ListDirs returns the names of the immediate sub-folders of prefix.
func (s *Store) ListDirs(ctx context.Context, prefix string) ([]string, error) {
	base := s.root.DirKey(prefix)
	pager := s.container.NewListBlobsHierarchyPager("/", &container.ListBlobsHierarchyOptions{Prefix: &base})
	var dirs []string
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return nil, s.fail("list", prefix, err)
		}
		for _, bp := range page.Segment.BlobPrefixes {
			if bp.Name == nil {
				continue
			}
			if name := strings.TrimSuffix(strings.TrimPrefix(*bp.Name, base), "/"); name != "" {
				dirs = append(dirs, name)
			}
		}
	}
	sort.Strings(dirs)
	return dirs, nil
}

// Delete removes one blob with its snapshots; a missing blob is not an
// error.
func (s *Store) Delete(ctx context.Context, p string) error {
	if err := s.deleteBlob(ctx, s.root.Key(p)); err != nil {
		return s.fail("delete", p, err)
	}
	return nil
}

func (s *Store) deleteBlob(ctx context.Context, name string) error {
	include := blob.DeleteSnapshotsOptionTypeInclude
	_, err := s.container.NewBlobClient(name).Delete(ctx, &blob.DeleteOptions{DeleteSnapshots: &include})
	if err != nil && !isCode(err, "BlobNotFound") {
		return err
	}
	return nil
}

// DeleteAll removes every blob below the folder prefix, several at a time.
func (s *Store) DeleteAll(ctx context.Context, prefix string) error {
	var names []string
	if err := s.walk(ctx, prefix, func(n string, _ *container.BlobProperties) { names = append(names, n) }); err != nil {
		return s.fail("delete", prefix, err)
	}
	// Up to 16 deletes at a time; every one is attempted, the first
	// failure is reported.
	var g errgroup.Group
	g.SetLimit(16)
	for _, n := range names {
		g.Go(func() error { return s.deleteBlob(ctx, n) })
	}
	if err := g.Wait(); err != nil {
		return s.fail("delete", prefix, err)
	}
	return nil
}

// clientOptions are the SDK's retry and transport settings.
func clientOptions(t storage.Tuning) azcore.ClientOptions {
	// The SDK's default retry waits long enough that an unreachable
	// endpoint looks like a hang; these keep it to seconds.
	r := policy.RetryOptions{MaxRetries: 3, RetryDelay: 500 * time.Millisecond, MaxRetryDelay: 4 * time.Second}
	if t.MaxAttempts > 0 {
		r.MaxRetries = int32(min(t.MaxAttempts, math.MaxInt32))
	}
	if t.InitialBackoff > 0 {
		r.RetryDelay = t.InitialBackoff
	}
	if t.MaxBackoff > 0 {
		r.MaxRetryDelay = t.MaxBackoff
	}
	o := azcore.ClientOptions{Retry: r}
	if hc := t.HTTPClient(); hc != nil {
		o.Transport = hc
	}
	return o
}

// BackupWriter hands backup-go a block-upload writer for the folder dir.
// The folder must be empty: backup-go refuses to mix runs in one folder.
func (s *Store) BackupWriter(ctx context.Context, dir string, wo storage.WriterOptions) (backup.Writer, error) {
	opts := storage.WriterOpts(s.root, dir, wo, s.opts.MinPartSize)
	t := wo.Class(s.opts.DataAccessTier)
	if t != "" {
		canon, ok := tier(t, true)
		if !ok {
			return nil, fmt.Errorf("%s: unknown access tier %q (Hot, Cool, Cold, Archive)", s.name, t)
		}
		opts = append(opts, options.WithStorageClass(canon))
	}
	w, err := bazure.NewWriter(ctx, s.client, s.opts.ContainerName, opts...)
	if err != nil {
		return nil, s.fail("open writer for", dir, err)
	}
	return w, nil
}

// RestoreReader hands backup-go a reader for the .asb files of dir, of
// ro.Dirs, or exactly ro.Files. Every path is relative to the store root.
func (s *Store) RestoreReader(ctx context.Context, dir string, ro storage.ReaderOptions) (backup.StreamingReader, error) {
	opts := append(storage.ReaderOpts(s.root, dir, ro), s.opts.Tuning.ReaderOpts()...)
	r, err := bazure.NewReader(ctx, s.client, s.opts.ContainerName, opts...)
	if err != nil {
		return nil, s.fail("open reader for", dir, err)
	}
	return r, nil
}
