// Package backend opens a storage.Store from an ABS storage entry or from an
// ad-hoc storage URL. It only maps settings; each store package owns its
// own behaviour.
package backend

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/aerobackup/aerobackup/internal/config"
	"github.com/aerobackup/aerobackup/internal/outcome"
	"github.com/aerobackup/aerobackup/internal/storage"
	"github.com/aerobackup/aerobackup/internal/storage/localstore"
	"github.com/aerobackup/aerobackup/internal/storage/s3store"
)

// Resolver turns a config value that may be a secret-agent reference into
// the secret itself; field names the YAML path for messages.
type Resolver func(ctx context.Context, agent *config.SecretAgent, field, value string) (string, error)

// Open opens the store an ABS storage entry describes.
func Open(ctx context.Context, s *config.Storage, agent *config.SecretAgent, resolve Resolver) (storage.Store, error) {
	if resolve == nil {
		resolve = func(_ context.Context, _ *config.SecretAgent, _, v string) (string, error) { return v, nil }
	}
	field := func(name string, p *string) (string, error) {
		if p == nil {
			return "", nil
		}
		return resolve(ctx, agent, "storage."+s.Name+"."+s.Kind()+"."+name, *p)
	}
	wrap := func(err error) error { return fmt.Errorf("storage %q: %w", s.Name, err) }
	switch {
	case s.Local != nil:
		st, err := localstore.New(s.Local.Path)
		if err != nil {
			return nil, wrap(err)
		}
		return st, nil
	case s.S3 != nil:
		c := s.S3
		opts := s3store.Options{
			Bucket: c.Bucket, Path: deref(c.Path), Region: c.S3Region, Profile: deref(c.S3Profile),
			EndpointOverride: deref(c.S3EndpointOverride), LogLevel: deref(c.S3LogLevel),
			MinPartSize: derefInt(c.MinPartSize), MaxAsyncConnections: derefInt(c.MaxAsyncConnections),
		}
		var err error
		if opts.AccessKeyID, err = field("access-key-id", c.AccessKeyID); err != nil {
			return nil, wrap(err)
		}
		if opts.SecretAccessKey, err = field("secret-access-key", c.SecretAccessKey); err != nil {
			return nil, wrap(err)
		}
		if c.StorageClass != nil {
			opts.DataStorageClass, opts.MetadataStorageClass = deref(c.StorageClass.Data), deref(c.StorageClass.Metadata)
		}
		st, err := s3store.New(ctx, opts)
		if err != nil {
			return nil, wrap(err)
		}
		return st, nil
	case s.GCP != nil, s.Azure != nil:
		return nil, wrap(fmt.Errorf("%s is not supported yet", s.Kind()))
	}
	return nil, outcome.Usage("storage %q: no storage kind set", s.Name)
}

// FromURL turns an ad-hoc --storage URL into an ABS storage entry, so both
// modes share one code path. Query parameters carry provider settings:
// s3://bucket/prefix?region=..&endpoint=..&profile=..
func FromURL(raw string) (*config.Storage, error) {
	if raw == "" {
		return nil, outcome.Usage("--storage is required without a config file")
	}
	if strings.HasPrefix(raw, "/") {
		return &config.Storage{Name: raw, Local: &config.LocalStorage{Path: filepath.Clean(raw)}}, nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, outcome.Usage("--storage %q: %v", raw, err)
	}
	q := u.Query()
	prefix := strings.Trim(u.Path, "/")
	opt := func(k string) *string {
		if v := q.Get(k); v != "" {
			return &v
		}
		return nil
	}
	optInt := func(k string) (*int, error) {
		v := q.Get(k)
		if v == "" {
			return nil, nil
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			return nil, outcome.Usage("--storage %q: %s must be a number", raw, k)
		}
		return &n, nil
	}
	name := raw
	if i := strings.IndexByte(name, '?'); i >= 0 {
		name = name[:i]
	}
	switch u.Scheme {
	case "file":
		if u.Host != "" && u.Host != "localhost" {
			return nil, outcome.Usage("--storage %q: file URLs take an absolute path (file:///path)", raw)
		}
		if !strings.HasPrefix(u.Path, "/") {
			return nil, outcome.Usage("--storage %q: the path must be absolute", raw)
		}
		return &config.Storage{Name: name, Local: &config.LocalStorage{Path: filepath.Clean(u.Path)}}, nil
	case "s3":
		if u.Host == "" {
			return nil, outcome.Usage("--storage %q: no bucket (s3://bucket/prefix)", raw)
		}
		region := q.Get("region")
		if region == "" {
			region = "us-east-1"
		}
		mps, err := optInt("min-part-size")
		if err != nil {
			return nil, err
		}
		return &config.Storage{Name: name, S3: &config.S3Storage{
			Bucket: u.Host, Path: &prefix, S3Region: region, S3Profile: opt("profile"),
			S3EndpointOverride: opt("endpoint"), MinPartSize: mps,
			AccessKeyID: opt("access-key-id"), SecretAccessKey: opt("secret-access-key"),
		}}, nil
	case "gs":
		if u.Host == "" {
			return nil, outcome.Usage("--storage %q: no bucket (gs://bucket/prefix)", raw)
		}
		return &config.Storage{Name: name, GCP: &config.GCPStorage{
			BucketName: u.Host, Path: &prefix, Endpoint: opt("endpoint"), KeyFilePath: opt("key-file-path"),
		}}, nil
	case "azblob":
		if u.Host == "" {
			return nil, outcome.Usage("--storage %q: no container (azblob://container/prefix)", raw)
		}
		endpoint := q.Get("endpoint")
		return &config.Storage{Name: name, Azure: &config.AzureStorage{
			Endpoint: endpoint, ContainerName: u.Host, Path: &prefix,
			AccountName: opt("account-name"), AccountKey: opt("account-key"),
		}}, nil
	}
	return nil, outcome.Usage("--storage %q: want /abs/path, file:///abs/path, s3://, gs:// or azblob://", raw)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func derefInt(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}
