package gcsstore

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	gcs "cloud.google.com/go/storage"
	"google.golang.org/api/iterator"
	"google.golang.org/api/option"

	"github.com/aerobackup/aerobackup/internal/storage"
	"github.com/aerobackup/aerobackup/internal/storage/storagetest"
)

// emulator returns Options for the GCS emulator named by
// AEROBACKUP_TEST_GCS_ENDPOINT (see .ci/emulators.sh), or skips the test
// when it is unset, unless AEROBACKUP_REQUIRE_EMULATORS=1.
func emulator(t *testing.T) Options {
	t.Helper()
	env := storagetest.EmulatorEnv(t, "AEROBACKUP_TEST_GCS_ENDPOINT")
	return Options{Endpoint: env[0]}
}

// newBucket creates a fresh bucket through a plain client and removes it
// with its content when the test ends.
func newBucket(t *testing.T, opts Options) string {
	t.Helper()
	admin, err := gcs.NewClient(ctx(t), option.WithEndpoint(opts.Endpoint), option.WithoutAuthentication())
	if err != nil {
		t.Fatal(err)
	}
	name := randomName("aerobackup-test-")
	if err := admin.Bucket(name).Create(ctx(t), "test-project", nil); err != nil {
		t.Fatalf("create bucket: %v", err)
	}
	t.Cleanup(func() {
		c := context.Background()
		it := admin.Bucket(name).Objects(c, nil)
		for {
			a, err := it.Next()
			if err != nil {
				break
			}
			_ = admin.Bucket(name).Object(a.Name).Delete(c)
		}
		_ = admin.Bucket(name).Delete(c)
		_ = admin.Close()
	})
	return name
}

var (
	ctx        = storagetest.Context
	randomName = storagetest.RandomName
)

func open(t *testing.T, opts Options) *Store {
	t.Helper()
	return storagetest.Open(t, New, opts)
}

func TestConformancePrefix(t *testing.T) {
	opts := emulator(t)
	opts.BucketName = newBucket(t, opts)
	storagetest.Run(t, func(t *testing.T) storage.Store {
		o := opts
		o.Path = randomName("backups/p-")
		return open(t, o)
	})
}

func TestConformanceBucketRoot(t *testing.T) {
	opts := emulator(t)
	storagetest.Run(t, func(t *testing.T) storage.Store {
		o := opts
		o.BucketName = newBucket(t, opts)
		return open(t, o)
	})
}

// TestObjectNames checks that objects land where ABS expects them:
// <bucket>/<path>/<store path>, and that ".." stays below the prefix.
func TestObjectNames(t *testing.T) {
	opts := emulator(t)
	opts.BucketName = newBucket(t, opts)
	opts.Path = "/abs/backups/"
	s := open(t, opts)
	defer s.Close()
	for _, p := range []string{"nightly/backup/1/data/ns/metadata.yaml", "../escape"} {
		if err := s.WriteFile(ctx(t), p, []byte("m")); err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	it := s.Client().Bucket(opts.BucketName).Objects(ctx(t), nil)
	for {
		a, err := it.Next()
		if errors.Is(err, iterator.Done) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, a.Name)
	}
	want := []string{"abs/backups/escape", "abs/backups/nightly/backup/1/data/ns/metadata.yaml"}
	if !slices.Equal(names, want) {
		t.Errorf("object names = %v, want %v", names, want)
	}
}

func TestBackupWriterRestoreReader(t *testing.T) {
	opts := emulator(t)
	opts.BucketName = newBucket(t, opts)
	opts.Path = "backups"
	opts.MinPartSize = 256 << 10 // several resumable chunks per big file
	s := open(t, opts)
	defer s.Close()
	storagetest.WriteRead(t, s, 1<<20, storage.WriterOptions{StorageClass: "NEARLINE"})
}

func TestErrorMissingBucket(t *testing.T) {
	opts := emulator(t)
	opts.BucketName = randomName("aerobackup-missing-")
	opts.Path = "prefix"
	_, err := New(ctx(t), opts)
	want := `gcs "` + opts.BucketName + `/prefix": bucket "` + opts.BucketName + `" not found (check bucket-name)`
	storagetest.CheckError(t, err, want)
}

func TestNotFoundIsSentinel(t *testing.T) {
	opts := emulator(t)
	opts.BucketName = newBucket(t, opts)
	s := open(t, opts)
	defer s.Close()
	storagetest.CheckNotFound(t, s, `gcs "`+opts.BucketName+`"`)
}

// TestErrorStatus runs the client against a server that answers every
// request with one status, as GCS does for bad keys or missing rights
// (fake-gcs-server does not check credentials).
func TestErrorStatus(t *testing.T) {
	for status, want := range map[int]string{
		http.StatusUnauthorized: `gcs "b/p": wrong credentials (check key-file-path or key)`,
		http.StatusForbidden:    `gcs "b/p": access denied (check the service account's permissions on the bucket)`,
		http.StatusNotFound:     `gcs "b/p": bucket "b" not found (check bucket-name)`,
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			_, _ = io.WriteString(w, `{"error":{"code":`+strconv.Itoa(status)+`,"message":"denied"}}`)
		}))
		_, err := New(ctx(t), Options{BucketName: "b", Path: "p", Endpoint: srv.URL + "/storage/v1/"})
		srv.Close()
		if err == nil || err.Error() != want {
			t.Errorf("status %d: error = %v\nwant %s", status, err, want)
		}
	}
}

// TestErrorUnreachable needs no emulator: nothing listens on the port.
func TestErrorUnreachable(t *testing.T) {
	addr := storagetest.ClosedAddr(t)
	_, err := New(ctx(t), Options{BucketName: "b", Path: "p", Endpoint: "http://" + addr + "/storage/v1/"})
	storagetest.CheckUnreachable(t, err, `gcs "b/p": endpoint unreachable (check endpoint`)
}

func TestErrorBadKey(t *testing.T) {
	_, err := New(ctx(t), Options{BucketName: "b", KeyFilePath: filepath.Join(t.TempDir(), "missing.json")})
	if err == nil || !strings.HasPrefix(err.Error(), `gcs "b": cannot load credentials (check key-file-path or key`) {
		t.Errorf("missing key file: %v", err)
	}
	_, err = New(ctx(t), Options{BucketName: "b", Key: `{"type":"service_account"`})
	if err == nil || !strings.HasPrefix(err.Error(), `gcs "b": cannot load credentials`) {
		t.Errorf("broken key: %v", err)
	}
}

func TestOptionsValidation(t *testing.T) {
	for _, c := range []struct {
		opts Options
		want string
	}{
		{Options{}, "bucket-name is not set"},
		{Options{BucketName: "b", KeyFilePath: "f", Key: "{}"}, "mutually exclusive"},
		{Options{BucketName: "b", DataStorageClass: "GLACIER"}, `unknown storage class "GLACIER"`},
	} {
		_, err := New(context.Background(), c.opts)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("New(%+v) = %v, want %q", c.opts, err, c.want)
		}
	}
}
