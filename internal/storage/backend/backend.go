// Package backend opens a storage.Store from an ABS storage entry or from an
// ad-hoc storage URL. It only maps settings (config fields, URL query
// parameters, the providers' usual environment variables, secret-agent
// references) and sorts failures into the configuration's (a ConfigError,
// or a URLError for a bad storage URL) and operational ones (plain errors);
// each store package owns its own behaviour.
package backend

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/aerobackup/aerobackup/internal/config"
	"github.com/aerobackup/aerobackup/internal/logging"
	"github.com/aerobackup/aerobackup/internal/storage"
	"github.com/aerobackup/aerobackup/internal/storage/azurestore"
	"github.com/aerobackup/aerobackup/internal/storage/gcsstore"
	"github.com/aerobackup/aerobackup/internal/storage/localstore"
	"github.com/aerobackup/aerobackup/internal/storage/s3store"
)

// Resolver turns a config value that may be a secret-agent reference into
// the secret itself; field names the YAML path for messages.
type Resolver func(ctx context.Context, agent *config.SecretAgent, field, value string) (string, error)

// Open opens the store an ABS storage entry describes. Errors name the
// entry; a setting the store rejects before any request is a ConfigError,
// a failure talking to the provider (unreachable endpoint, missing bucket,
// wrong credentials) is a plain error.
func Open(ctx context.Context, s *config.Storage, agent *config.SecretAgent, resolve Resolver) (storage.Store, error) {
	return OpenTuned(ctx, s, agent, resolve, Tuning{})
}

// Tuning holds the command line's SDK settings per provider (absctl's
// --s3-*, --gcp-* and --azure-* retry, timeout and connection flags); the
// one of the entry's provider applies.
type Tuning struct {
	S3, GCS, Azure storage.Tuning
	// LocalModes are the permissions of local storage's files and
	// folders (zero: localstore.Private).
	LocalModes localstore.Modes
}

// OpenTuned is Open with the provider's SDK client tuned.
func OpenTuned(ctx context.Context, s *config.Storage, agent *config.SecretAgent, resolve Resolver, tune Tuning) (storage.Store, error) {
	if resolve == nil {
		resolve = func(_ context.Context, _ *config.SecretAgent, _, v string) (string, error) { return v, nil }
	}
	o := opener{ctx: ctx, s: s, agent: agent, resolve: resolve, tune: tune}
	st, err := o.open()
	if err != nil {
		return nil, o.classify(err)
	}
	return st, nil
}

type opener struct {
	ctx     context.Context
	s       *config.Storage
	agent   *config.SecretAgent
	resolve Resolver
	tune    Tuning
}

// field resolves one optional config value that may be a secret reference;
// resolved and plain secrets alike are registered so logs never show them.
func (o *opener) field(name string, p *string, secret bool) (string, error) {
	if p == nil {
		return "", nil
	}
	v, err := o.resolve(o.ctx, o.agent, "storage."+o.s.Name+"."+o.s.Kind()+"."+name, *p)
	if err != nil {
		return "", &resolveError{err}
	}
	if secret {
		logging.RegisterSecret(v)
	}
	return v, nil
}

// resolveError is a secret-agent failure: the resolver decides whether it
// is the configuration's fault (its error says so) or the agent's.
type resolveError struct{ err error }

func (e *resolveError) Error() string { return e.err.Error() }
func (e *resolveError) Unwrap() error { return e.err }

// settingError marks an error as the configuration's fault.
type settingError struct{ err error }

func (e *settingError) Error() string { return e.err.Error() }
func (e *settingError) Unwrap() error { return e.err }

func (o *opener) open() (storage.Store, error) {
	s := o.s
	switch {
	case s.Local != nil:
		st, err := localstore.NewWithModes(s.Local.Path, o.tune.LocalModes)
		if err != nil {
			return nil, &settingError{err}
		}
		return st, nil
	case s.S3 != nil:
		return o.openS3()
	case s.GCP != nil:
		return o.openGCS()
	case s.Azure != nil:
		return o.openAzure()
	}
	return nil, &settingError{errors.New("no storage kind set")}
}

func (o *opener) openS3() (storage.Store, error) {
	c := o.s.S3
	opts := s3store.Options{
		Bucket: c.Bucket, Path: deref(c.Path), Region: c.S3Region, Profile: deref(c.S3Profile),
		EndpointOverride: deref(c.S3EndpointOverride), LogLevel: deref(c.S3LogLevel),
		MinPartSize: derefInt(c.MinPartSize), MaxAsyncConnections: derefInt(c.MaxAsyncConnections),
		Tuning: o.tune.S3,
	}
	if opts.EndpointOverride == "" {
		// The SDK reads these itself but would then address buckets
		// virtual-host style, which MinIO and Ceph on an IP do not serve.
		opts.EndpointOverride = firstEnv("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL")
	}
	var err error
	if opts.AccessKeyID, err = o.field("access-key-id", c.AccessKeyID, false); err != nil {
		return nil, err
	}
	if opts.SecretAccessKey, err = o.field("secret-access-key", c.SecretAccessKey, true); err != nil {
		return nil, err
	}
	// Without keys the SDK's default chain applies: AWS_ACCESS_KEY_ID and
	// AWS_SECRET_ACCESS_KEY, AWS_PROFILE, ~/.aws, instance roles.
	if c.StorageClass != nil {
		opts.DataStorageClass, opts.MetadataStorageClass = deref(c.StorageClass.Data), deref(c.StorageClass.Metadata)
	}
	return s3store.New(o.ctx, opts)
}

func (o *opener) openGCS() (storage.Store, error) {
	c := o.s.GCP
	opts := gcsstore.Options{
		BucketName: c.BucketName, Path: deref(c.Path), KeyFilePath: deref(c.KeyFilePath),
		Endpoint: deref(c.Endpoint), MinPartSize: derefInt(c.MinPartSize), Tuning: o.tune.GCS,
	}
	var err error
	if opts.Key, err = o.field("key", c.Key, true); err != nil {
		return nil, err
	}
	if opts.KeyFilePath != "" {
		if _, err := os.Stat(opts.KeyFilePath); err != nil {
			return nil, &settingError{fmt.Errorf("key-file-path: %w", unwrapPath(err))}
		}
	}
	// Without key or key-file-path the client uses Application Default
	// Credentials (GOOGLE_APPLICATION_CREDENTIALS, gcloud, metadata server)
	// and honours STORAGE_EMULATOR_HOST.
	if c.StorageClass != nil {
		opts.DataStorageClass = deref(c.StorageClass.Data)
	}
	return gcsstore.New(o.ctx, opts)
}

func (o *opener) openAzure() (storage.Store, error) {
	c := o.s.Azure
	opts := azurestore.Options{
		Endpoint: c.Endpoint, ContainerName: c.ContainerName, Path: deref(c.Path),
		MinPartSize: derefInt(c.MinPartSize), Tuning: o.tune.Azure,
	}
	var err error
	for _, f := range []struct {
		name   string
		p      *string
		dst    *string
		secret bool
	}{
		{"account-name", c.AccountName, &opts.AccountName, false},
		{"account-key", c.AccountKey, &opts.AccountKey, true},
		{"tenant-id", c.TenantID, &opts.TenantID, false},
		{"client-id", c.ClientID, &opts.ClientID, false},
		{"client-secret", c.ClientSecret, &opts.ClientSecret, true},
	} {
		if *f.dst, err = o.field(f.name, f.p, f.secret); err != nil {
			return nil, err
		}
	}
	azureEnvCredentials(&opts)
	if c.StorageClass != nil {
		opts.DataAccessTier, opts.MetadataAccessTier = deref(c.StorageClass.Data), deref(c.StorageClass.Metadata)
	}
	return azurestore.New(o.ctx, opts)
}

// azureEnvCredentials fills credentials the entry leaves out from the
// variables the Azure CLI and SDKs read: a shared key
// (AZURE_STORAGE_ACCOUNT, AZURE_STORAGE_KEY or AZURE_STORAGE_CONNECTION_STRING),
// else an Entra ID client secret (AZURE_TENANT_ID, AZURE_CLIENT_ID,
// AZURE_CLIENT_SECRET), else a SAS token (AZURE_STORAGE_SAS_TOKEN).
func azureEnvCredentials(opts *azurestore.Options) {
	if opts.AccountKey != "" || opts.TenantID != "" || opts.ClientID != "" || opts.ClientSecret != "" {
		return
	}
	cs := parseConnString(os.Getenv("AZURE_STORAGE_CONNECTION_STRING"))
	name := firstNonEmpty(opts.AccountName, os.Getenv("AZURE_STORAGE_ACCOUNT"), cs["AccountName"])
	key := firstNonEmpty(os.Getenv("AZURE_STORAGE_KEY"), cs["AccountKey"])
	switch {
	case name != "" && key != "":
		opts.AccountName, opts.AccountKey = name, key
		logging.RegisterSecret(key)
	case opts.AccountName != "":
		// account-name alone: let the store report the missing key.
	case os.Getenv("AZURE_CLIENT_SECRET") != "":
		opts.TenantID, opts.ClientID = os.Getenv("AZURE_TENANT_ID"), os.Getenv("AZURE_CLIENT_ID")
		opts.ClientSecret = os.Getenv("AZURE_CLIENT_SECRET")
		logging.RegisterSecret(opts.ClientSecret)
	default:
		sas := strings.TrimPrefix(firstNonEmpty(os.Getenv("AZURE_STORAGE_SAS_TOKEN"), cs["SharedAccessSignature"]), "?")
		if sas != "" && !strings.Contains(opts.Endpoint, "?") {
			opts.Endpoint += "?" + sas
			logging.RegisterSecret(sas)
		}
	}
}

// parseConnString splits an Azure storage connection string
// ("AccountName=a;AccountKey=k;BlobEndpoint=...") into its fields.
func parseConnString(s string) map[string]string {
	m := map[string]string{}
	for _, part := range strings.Split(s, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if ok {
			m[k] = v
		}
	}
	return m
}

// classify turns an open failure into the error the command returns: one
// line naming the storage entry, a ConfigError when the settings are at
// fault. A secret's failure keeps the class its resolver gave it.
func (o *opener) classify(err error) error {
	var (
		res *resolveError
		se  *storage.Error
	)
	switch {
	case errors.As(err, new(*settingError)):
		return &ConfigError{Storage: o.s.Name, Err: err}
	case errors.As(err, &res):
		return fmt.Errorf("storage %q: %w", o.s.Name, err)
	case errors.As(err, &se):
		// The provider answered (or could not be reached): operational.
		return fmt.Errorf("storage %q: %w", o.s.Name, err)
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("storage %q: %w", o.s.Name, err)
	}
	// The stores reject bad settings with plain errors before sending any
	// request.
	return &ConfigError{Storage: o.s.Name, Err: err}
}

// FromURL turns an ad-hoc --storage URL into an ABS storage entry, so both
// modes share one code path. Query parameters carry provider settings:
//
//	s3://bucket/prefix?region=..&endpoint=..&profile=..&min-part-size=..&storage-class=..
//	gs://bucket/prefix?endpoint=..&key-file-path=..&storage-class=..
//	azblob://container/prefix?endpoint=..&account-name=..&tier=..
//
// Credentials are better left to the providers' environment variables
// (AWS_*, GOOGLE_APPLICATION_CREDENTIALS, AZURE_STORAGE_*), which Open
// reads; the URL's query string is left out of the entry's name so a key
// given there does not reach messages.
func FromURL(raw string) (*config.Storage, error) {
	if raw == "" {
		return nil, &URLError{Msg: "is required without a config file"}
	}
	if strings.HasPrefix(raw, "/") {
		return &config.Storage{Name: raw, Local: &config.LocalStorage{Path: filepath.Clean(raw)}}, nil
	}
	name := raw
	if i := strings.IndexByte(name, '?'); i >= 0 {
		name = name[:i]
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, &URLError{URL: name, Msg: "not a valid URL"}
	}
	if u.User != nil {
		return nil, &URLError{URL: u.Scheme + "://" + u.Host + u.Path, Msg: "credentials do not go in the URL's user part; use the provider's environment variables"}
	}
	q := &urlQuery{name: name, values: u.Query(), known: map[string]bool{}}
	st, err := storageOfURL(u, name, q)
	if err != nil {
		return nil, err
	}
	if err := q.check(); err != nil {
		return nil, err
	}
	return st, nil
}

// urlQuery reads a storage URL's query parameters, remembering which are
// known so that a misspelt one is refused.
type urlQuery struct {
	name   string
	values url.Values
	known  map[string]bool
	intErr error // the first parameter that is not a number
}

func (q *urlQuery) opt(k string) *string {
	q.known[k] = true
	if v := q.values.Get(k); v != "" {
		return &v
	}
	return nil
}

func (q *urlQuery) optInt(k string) *int {
	q.known[k] = true
	v := q.values.Get(k)
	if v == "" {
		return nil
	}
	n, err := strconv.Atoi(v)
	if err != nil && q.intErr == nil {
		q.intErr = &URLError{URL: q.name, Msg: k + " must be a number"}
	}
	return &n
}

func (q *urlQuery) check() error {
	if q.intErr != nil {
		return q.intErr
	}
	for k := range q.values {
		if !q.known[k] {
			return &URLError{URL: q.name, Msg: fmt.Sprintf("unknown query parameter %q", k)}
		}
	}
	return nil
}

// storageOfURL builds the entry of the URL's scheme.
func storageOfURL(u *url.URL, name string, q *urlQuery) (*config.Storage, error) {
	prefix := strings.Trim(u.Path, "/")
	switch u.Scheme {
	case "file":
		if u.Host != "" && u.Host != "localhost" {
			return nil, &URLError{URL: name, Msg: "file URLs take an absolute path (file:///path)"}
		}
		if !strings.HasPrefix(u.Path, "/") {
			return nil, &URLError{URL: name, Msg: "the path must be absolute"}
		}
		return &config.Storage{Name: name, Local: &config.LocalStorage{Path: filepath.Clean(u.Path)}}, nil
	case "s3":
		if u.Host == "" {
			return nil, &URLError{URL: name, Msg: "no bucket (s3://bucket/prefix)"}
		}
		return &config.Storage{Name: name, S3: s3OfURL(u.Host, prefix, q)}, nil
	case "gs", "gcs":
		if u.Host == "" {
			return nil, &URLError{URL: name, Msg: "no bucket (gs://bucket/prefix)"}
		}
		return &config.Storage{Name: name, GCP: gcsOfURL(u.Host, prefix, q)}, nil
	case "azblob", "azure":
		if u.Host == "" {
			return nil, &URLError{URL: name, Msg: "no container (azblob://container/prefix)"}
		}
		az := azureOfURL(u.Host, prefix, q)
		if az.Endpoint == "" {
			return nil, &URLError{URL: name, Msg: "no endpoint (add ?endpoint=URL or ?account-name=NAME, or set AZURE_STORAGE_ACCOUNT or AZURE_STORAGE_CONNECTION_STRING)"}
		}
		return &config.Storage{Name: name, Azure: az}, nil
	}
	return nil, &URLError{URL: name, Msg: "want /abs/path, file:///abs/path, s3://, gs:// or azblob://"}
}

func s3OfURL(bucket, prefix string, q *urlQuery) *config.S3Storage {
	region := firstNonEmpty(q.values.Get("region"), os.Getenv("AWS_REGION"), os.Getenv("AWS_DEFAULT_REGION"), "us-east-1")
	q.known["region"] = true
	s3 := &config.S3Storage{
		Bucket: bucket, Path: &prefix, S3Region: region, S3Profile: q.opt("profile"),
		S3EndpointOverride: q.opt("endpoint"), MinPartSize: q.optInt("min-part-size"),
		MaxAsyncConnections: q.optInt("max-async-connections"), S3LogLevel: q.opt("log-level"),
		AccessKeyID: q.opt("access-key-id"), SecretAccessKey: q.opt("secret-access-key"),
	}
	if data, meta := q.opt("storage-class"), q.opt("metadata-storage-class"); data != nil || meta != nil {
		s3.StorageClass = &config.S3StorageClass{Data: data, Metadata: meta}
	}
	return s3
}

func gcsOfURL(bucket, prefix string, q *urlQuery) *config.GCPStorage {
	gcp := &config.GCPStorage{
		BucketName: bucket, Path: &prefix, Endpoint: q.opt("endpoint"), KeyFilePath: q.opt("key-file-path"),
		MinPartSize: q.optInt("min-part-size"),
	}
	if data := q.opt("storage-class"); data != nil {
		gcp.StorageClass = &config.GCPStorageClass{Data: data}
	}
	return gcp
}

// azureOfURL leaves Endpoint "" when neither the URL nor the environment
// gives one.
func azureOfURL(container, prefix string, q *urlQuery) *config.AzureStorage {
	az := &config.AzureStorage{
		ContainerName: container, Path: &prefix,
		AccountName: q.opt("account-name"), AccountKey: q.opt("account-key"),
		TenantID: q.opt("tenant-id"), ClientID: q.opt("client-id"), ClientSecret: q.opt("client-secret"),
		MinPartSize: q.optInt("min-part-size"),
	}
	if data, meta := q.opt("tier"), q.opt("metadata-tier"); data != nil || meta != nil {
		az.StorageClass = &config.AzureStorageClass{Data: data, Metadata: meta}
	}
	az.Endpoint = deref(q.opt("endpoint"))
	if az.Endpoint == "" {
		az.Endpoint = azureEndpoint(deref(az.AccountName))
	}
	return az
}

// azureEndpoint derives the Blob endpoint from a connection string's
// BlobEndpoint or from the account name (AZURE_STORAGE_ACCOUNT by default).
func azureEndpoint(account string) string {
	cs := parseConnString(os.Getenv("AZURE_STORAGE_CONNECTION_STRING"))
	if account == "" {
		if ep := cs["BlobEndpoint"]; ep != "" {
			return ep
		}
		account = firstNonEmpty(os.Getenv("AZURE_STORAGE_ACCOUNT"), cs["AccountName"])
	}
	if account == "" {
		return ""
	}
	proto := firstNonEmpty(cs["DefaultEndpointsProtocol"], "https")
	suffix := firstNonEmpty(cs["EndpointSuffix"], "core.windows.net")
	return proto + "://" + account + ".blob." + suffix
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Path, pe.Err)
	}
	return err
}

func firstEnv(keys ...string) string {
	for _, k := range keys {
		if v := os.Getenv(k); v != "" {
			return v
		}
	}
	return ""
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
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
