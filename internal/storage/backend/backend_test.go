package backend

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gcs "cloud.google.com/go/storage"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"google.golang.org/api/option"

	"github.com/aerobackup/aerobackup/internal/config"
)

func ptr(s string) *string { return &s }

func TestFromURL(t *testing.T) {
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_DEFAULT_REGION", "")
	t.Setenv("AZURE_STORAGE_ACCOUNT", "")
	t.Setenv("AZURE_STORAGE_CONNECTION_STRING", "")
	tests := []struct {
		url   string
		check func(t *testing.T, s *config.Storage)
	}{
		{"/var/backups/", func(t *testing.T, s *config.Storage) {
			if s.Local.Path != "/var/backups" {
				t.Errorf("path %q", s.Local.Path)
			}
		}},
		{"s3://bkt/a/b?region=eu-west-1&endpoint=http://127.0.0.1:9000&min-part-size=6000000&storage-class=STANDARD_IA", func(t *testing.T, s *config.Storage) {
			c := s.S3
			if c.Bucket != "bkt" || *c.Path != "a/b" || c.S3Region != "eu-west-1" || *c.S3EndpointOverride != "http://127.0.0.1:9000" ||
				*c.MinPartSize != 6000000 || *c.StorageClass.Data != "STANDARD_IA" {
				t.Errorf("%+v", c)
			}
			if s.Name != "s3://bkt/a/b" {
				t.Errorf("name %q keeps the query", s.Name)
			}
		}},
		{"s3://bkt", func(t *testing.T, s *config.Storage) {
			if s.S3.S3Region != "us-east-1" || *s.S3.Path != "" {
				t.Errorf("%+v", s.S3)
			}
		}},
		{"gs://bkt/p?endpoint=http://127.0.0.1:4443/storage/v1/&storage-class=NEARLINE", func(t *testing.T, s *config.Storage) {
			c := s.GCP
			if c.BucketName != "bkt" || *c.Path != "p" || *c.Endpoint != "http://127.0.0.1:4443/storage/v1/" || *c.StorageClass.Data != "NEARLINE" {
				t.Errorf("%+v", c)
			}
		}},
		{"azblob://cont/p?account-name=acct&account-key=c2VjcmV0", func(t *testing.T, s *config.Storage) {
			c := s.Azure
			if c.ContainerName != "cont" || *c.Path != "p" || c.Endpoint != "https://acct.blob.core.windows.net" || *c.AccountKey != "c2VjcmV0" {
				t.Errorf("%+v", c)
			}
			if strings.Contains(s.Name, "c2VjcmV0") {
				t.Errorf("name %q shows the key", s.Name)
			}
		}},
		{"azblob://cont?endpoint=http://127.0.0.1:10000/devstoreaccount1&tier=Cool", func(t *testing.T, s *config.Storage) {
			if s.Azure.Endpoint != "http://127.0.0.1:10000/devstoreaccount1" || *s.Azure.StorageClass.Data != "Cool" {
				t.Errorf("%+v", s.Azure)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			s, err := FromURL(tt.url)
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, s)
		})
	}
}

func TestFromURLEnvironment(t *testing.T) {
	t.Setenv("AWS_REGION", "ap-south-1")
	s, err := FromURL("s3://bkt/p")
	if err != nil {
		t.Fatal(err)
	}
	if s.S3.S3Region != "ap-south-1" {
		t.Errorf("region %q, want AWS_REGION", s.S3.S3Region)
	}

	t.Setenv("AZURE_STORAGE_ACCOUNT", "")
	t.Setenv("AZURE_STORAGE_CONNECTION_STRING", "DefaultEndpointsProtocol=http;AccountName=dev;AccountKey=a2V5;BlobEndpoint=http://127.0.0.1:10000/dev;")
	s, err = FromURL("azblob://cont")
	if err != nil {
		t.Fatal(err)
	}
	if s.Azure.Endpoint != "http://127.0.0.1:10000/dev" {
		t.Errorf("endpoint %q, want the connection string's BlobEndpoint", s.Azure.Endpoint)
	}

	t.Setenv("AZURE_STORAGE_CONNECTION_STRING", "")
	t.Setenv("AZURE_STORAGE_ACCOUNT", "prod")
	s, err = FromURL("azblob://cont")
	if err != nil {
		t.Fatal(err)
	}
	if s.Azure.Endpoint != "https://prod.blob.core.windows.net" {
		t.Errorf("endpoint %q from AZURE_STORAGE_ACCOUNT", s.Azure.Endpoint)
	}
}

func TestFromURLUsageErrors(t *testing.T) {
	t.Setenv("AZURE_STORAGE_ACCOUNT", "")
	t.Setenv("AZURE_STORAGE_CONNECTION_STRING", "")
	for url, want := range map[string]string{
		"":                                 "--storage is required",
		"relative/path":                    "want /abs/path",
		"s3:///prefix":                     "no bucket",
		"s3://bkt?min-part-size=big":       "min-part-size must be a number",
		"s3://bkt?regoin=x":                `unknown query parameter "regoin"`,
		"s3://key:secret@bkt/p":            "user part",
		"gs://":                            "no bucket",
		"azblob://cont":                    "no endpoint",
		"file://host/x":                    "absolute path",
		"ftp://host/x":                     "want /abs/path",
		"azblob://c?endpoint=http://h&z=1": `unknown query parameter "z"`,
	} {
		_, err := FromURL(url)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("FromURL(%q) = %v, want %q", url, err, want)
			continue
		}
		if !errors.As(err, new(*URLError)) {
			t.Errorf("FromURL(%q): %T, want a URLError", url, err)
		}
		if strings.Contains(err.Error(), "secret") && strings.Contains(url, "secret@") {
			t.Errorf("FromURL(%q) shows the secret: %v", url, err)
		}
	}
}

// TestOpenConfigErrors: settings rejected before any request are
// ConfigErrors and name the storage entry.
func TestOpenConfigErrors(t *testing.T) {
	for name, s := range map[string]*config.Storage{
		"azure-key": {Azure: &config.AzureStorage{Endpoint: "http://127.0.0.1:1/x", ContainerName: "c",
			AccountName: ptr("a"), AccountKey: ptr("not base64!")}},
		"azure-both": {Azure: &config.AzureStorage{Endpoint: "http://127.0.0.1:1/x", ContainerName: "c",
			AccountName: ptr("a"), AccountKey: ptr("a2V5"), ClientSecret: ptr("s")}},
		"gcs-keyfile": {GCP: &config.GCPStorage{BucketName: "b", KeyFilePath: ptr(filepath.Join(t.TempDir(), "missing.json"))}},
		"s3-half-keys": {S3: &config.S3Storage{Bucket: "b", S3Region: "us-east-1", AccessKeyID: ptr("id"),
			S3EndpointOverride: ptr("http://127.0.0.1:1")}},
		"s3-class": {S3: &config.S3Storage{Bucket: "b", S3Region: "us-east-1",
			S3EndpointOverride: ptr("http://127.0.0.1:1"), StorageClass: &config.S3StorageClass{Data: ptr("PLATINUM")}}},
		"none": {},
	} {
		t.Run(name, func(t *testing.T) {
			s.Name = name
			_, err := Open(context.Background(), s, nil, nil)
			if err == nil {
				t.Fatal("Open succeeded")
			}
			if !isConfigError(err) {
				t.Errorf("%T, want a ConfigError: %v", err, err)
			}
			if !strings.HasPrefix(err.Error(), `storage "`+name+`": `) || strings.Contains(err.Error(), "\n") {
				t.Errorf("message %q: want one line starting with the entry", err)
			}
		})
	}
}

// TestOpenUnreachable: an endpoint nobody serves is an operational error, one line.
func TestOpenUnreachable(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	t.Setenv("AWS_ACCESS_KEY_ID", "x")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "y")
	for name, s := range map[string]*config.Storage{
		"s3":    {S3: &config.S3Storage{Bucket: "b", S3Region: "us-east-1", S3EndpointOverride: ptr("http://127.0.0.1:1")}},
		"gcs":   {GCP: &config.GCPStorage{BucketName: "b", Endpoint: ptr("http://127.0.0.1:1/storage/v1/")}},
		"azure": {Azure: &config.AzureStorage{Endpoint: "http://127.0.0.1:1/acct", ContainerName: "c", AccountName: ptr("acct"), AccountKey: ptr("a2V5")}},
	} {
		t.Run(name, func(t *testing.T) {
			s.Name = name
			_, err := Open(ctx, s, nil, nil)
			if err == nil {
				t.Fatal("Open succeeded")
			}
			if isConfigError(err) {
				t.Errorf("a ConfigError, want an operational error: %v", err)
			}
			if !strings.Contains(err.Error(), "unreachable") || strings.Contains(err.Error(), "\n") {
				t.Errorf("message %q", err)
			}
		})
	}
}

// secretResolver stands in for the secret agent: "secrets:r:k" values are
// looked up in m.
func secretResolver(m map[string]string, calls *[]string) Resolver {
	return func(_ context.Context, _ *config.SecretAgent, field, v string) (string, error) {
		if !strings.HasPrefix(v, "secrets:") {
			return v, nil
		}
		*calls = append(*calls, field)
		s, ok := m[v]
		if !ok {
			return "", errors.New(field + ": secret agent has no " + v)
		}
		return s, nil
	}
}

func randomName() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return "aerobackup-backend-" + hex.EncodeToString(b)
}

func needEnv(t testing.TB, keys ...string) {
	t.Helper()
	for _, k := range keys {
		if os.Getenv(k) == "" {
			why := k + " is not set; run eval \"$(.ci/emulators.sh start)\""
			if os.Getenv("AEROBACKUP_REQUIRE_EMULATORS") == "1" {
				t.Fatal(why)
			}
			t.Skip(why)
		}
	}
}

// TestOpenGCSAndAzureWithSecrets opens the emulators' stores from config
// entries whose credentials come from a secret agent, writes and reads an
// object, and checks a missing bucket/container is a one-line exit 1.
func TestOpenGCSAndAzureWithSecrets(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	t.Run("gcs", func(t *testing.T) {
		needEnv(t, "AEROBACKUP_TEST_GCS_ENDPOINT")
		ep := os.Getenv("AEROBACKUP_TEST_GCS_ENDPOINT")
		admin, err := gcs.NewClient(ctx, option.WithEndpoint(ep), option.WithoutAuthentication())
		if err != nil {
			t.Fatal(err)
		}
		defer admin.Close()
		bucket := randomName()
		if err := admin.Bucket(bucket).Create(ctx, "test-project", nil); err != nil {
			t.Fatal(err)
		}
		s := &config.Storage{Name: "gcs", GCP: &config.GCPStorage{BucketName: bucket, Path: ptr("pre"), Endpoint: &ep}}
		roundTrip(ctx, t, s, nil)

		s.GCP.BucketName = bucket + "-missing"
		_, err = Open(ctx, s, nil, nil)
		wantFailure(t, err, `storage "gcs": gcs "`+bucket+`-missing/pre": bucket "`+bucket+`-missing" not found`)
	})

	t.Run("azure", func(t *testing.T) {
		needEnv(t, "AEROBACKUP_TEST_AZURE_ENDPOINT", "AEROBACKUP_TEST_AZURE_ACCOUNT_NAME", "AEROBACKUP_TEST_AZURE_ACCOUNT_KEY")
		ep, acct, key := os.Getenv("AEROBACKUP_TEST_AZURE_ENDPOINT"), os.Getenv("AEROBACKUP_TEST_AZURE_ACCOUNT_NAME"), os.Getenv("AEROBACKUP_TEST_AZURE_ACCOUNT_KEY")
		cred, err := azblob.NewSharedKeyCredential(acct, key)
		if err != nil {
			t.Fatal(err)
		}
		admin, err := azblob.NewClientWithSharedKeyCredential(ep, cred, nil)
		if err != nil {
			t.Fatal(err)
		}
		cont := randomName()
		if _, err := admin.CreateContainer(ctx, cont, nil); err != nil {
			t.Fatal(err)
		}
		defer admin.DeleteContainer(context.Background(), cont, nil)

		var calls []string
		resolve := secretResolver(map[string]string{"secrets:az:key": key}, &calls)
		s := &config.Storage{Name: "az", Azure: &config.AzureStorage{Endpoint: ep, ContainerName: cont, Path: ptr("pre"),
			AccountName: &acct, AccountKey: ptr("secrets:az:key")}}
		roundTrip(ctx, t, s, resolve)
		if len(calls) != 1 || calls[0] != "storage.az.azure-storage.account-key" {
			t.Errorf("resolver calls %v", calls)
		}

		s.Azure.AccountKey = ptr("secrets:az:nope")
		_, err = Open(ctx, s, nil, resolve)
		if err == nil || isConfigError(err) || !strings.Contains(err.Error(), "secret agent has no") {
			t.Errorf("unresolvable secret: %v", err)
		}

		// credentials from the environment when the entry has none
		t.Setenv("AZURE_STORAGE_ACCOUNT", "")
		t.Setenv("AZURE_STORAGE_KEY", "")
		t.Setenv("AZURE_STORAGE_CONNECTION_STRING", "AccountName="+acct+";AccountKey="+key+";BlobEndpoint="+ep)
		s.Azure.AccountName, s.Azure.AccountKey = nil, nil
		roundTrip(ctx, t, s, nil)

		s.Azure.AccountKey = ptr(strings.Repeat("A", 88))
		s.Azure.AccountName = &acct
		_, err = Open(ctx, s, nil, nil)
		wantFailure(t, err, `storage "az": azure "`+cont+`/pre": wrong credentials`)

		s.Azure.AccountKey = &key
		s.Azure.ContainerName = cont + "-missing"
		_, err = Open(ctx, s, nil, nil)
		wantFailure(t, err, `container "`+cont+`-missing" not found`)
	})
}

func roundTrip(ctx context.Context, t *testing.T, s *config.Storage, resolve Resolver) {
	t.Helper()
	st, err := Open(ctx, s, nil, resolve)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer st.Close()
	if err := st.WriteFile(ctx, "r/x.txt", []byte("hello")); err != nil {
		t.Fatal(err)
	}
	got, err := st.ReadFile(ctx, "r/x.txt")
	if err != nil || string(got) != "hello" {
		t.Fatalf("ReadFile = %q, %v", got, err)
	}
}

func wantFailure(t *testing.T, err error, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("Open succeeded, want %q", want)
	}
	if isConfigError(err) {
		t.Errorf("a ConfigError, want an operational error: %v", err)
	}
	if !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "\n") {
		t.Errorf("error %q, want one line containing %q", err, want)
	}
}

// isConfigError: the settings are at fault (outcome maps it to exit 2).
func isConfigError(err error) bool {
	return errors.As(err, new(*ConfigError)) || errors.As(err, new(*URLError))
}
