package gcsstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	gcs "cloud.google.com/go/storage"
	"github.com/aerospike/backup-go"
	"github.com/aerospike/backup-go/models"
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
	endpoint := os.Getenv("AEROBACKUP_TEST_GCS_ENDPOINT")
	if endpoint == "" {
		const why = "AEROBACKUP_TEST_GCS_ENDPOINT is not set; run eval \"$(.ci/emulators.sh start)\""
		if os.Getenv("AEROBACKUP_REQUIRE_EMULATORS") == "1" {
			t.Fatal(why)
		}
		t.Skip(why)
	}
	return Options{Endpoint: endpoint}
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return c
}

func randomName(prefix string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
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

func open(t *testing.T, opts Options) *Store {
	t.Helper()
	s, err := New(ctx(t), opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
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

	const dir = "nightly/backup/1700000000000/data/test"
	big := strings.Repeat("0123456789abcdef", (1<<20)/16)
	files := map[string]string{"test_0.asb": "Version 3.1\n# namespace test\n", "test_1.asb": big}
	w, err := s.BackupWriter(ctx(t), dir, storage.WriterOptions{})
	if err != nil {
		t.Fatalf("BackupWriter: %v", err)
	}
	for name, content := range files {
		writeThrough(t, w, name, content)
	}
	if err := s.WriteFile(ctx(t), dir+"/metadata.yaml", []byte("namespace: test\n")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.BackupWriter(ctx(t), dir, storage.WriterOptions{}); err == nil {
		t.Error("BackupWriter on a non-empty folder succeeded")
	}

	got := drain(t, mustReader(t, s, dir, storage.ReaderOptions{}))
	if !slices.Equal(keys(got), []string{"test_0.asb", "test_1.asb"}) ||
		got["test_0.asb"][0] != files["test_0.asb"] || got["test_1.asb"][0] != big {
		t.Errorf("restored %v", keys(got))
	}

	const dir2 = "nightly/incremental/1700000000001/data/test"
	w, err = s.BackupWriter(ctx(t), dir2, storage.WriterOptions{StorageClass: "NEARLINE"})
	if err != nil {
		t.Fatal(err)
	}
	writeThrough(t, w, "test_0.asb", "incremental\n")
	got = drain(t, mustReader(t, s, "", storage.ReaderOptions{Dirs: []string{dir, dir2}}))
	if zero := got["test_0.asb"]; len(zero) != 2 || !slices.Contains(zero, "incremental\n") || len(got["test_1.asb"]) != 1 {
		t.Errorf("Dirs read %v", got["test_0.asb"])
	}
	got = drain(t, mustReader(t, s, "", storage.ReaderOptions{Files: []string{dir2 + "/test_0.asb"}}))
	if !slices.Equal(keys(got), []string{"test_0.asb"}) || got["test_0.asb"][0] != "incremental\n" {
		t.Errorf("Files read %v", got)
	}
	if _, err := s.RestoreReader(ctx(t), "nightly/backup/404", storage.ReaderOptions{}); err == nil {
		t.Error("RestoreReader on an empty folder succeeded")
	}
}

func writeThrough(t *testing.T, w backup.Writer, name, content string) {
	t.Helper()
	fw, err := w.NewWriter(ctx(t), name)
	if err != nil {
		t.Fatalf("NewWriter(%s): %v", name, err)
	}
	if _, err := io.Copy(fw, strings.NewReader(content)); err != nil {
		t.Fatalf("write %s: %v", name, err)
	}
	if err := fw.Close(); err != nil {
		t.Fatalf("close %s: %v", name, err)
	}
}

func mustReader(t *testing.T, s storage.Store, dir string, ro storage.ReaderOptions) backup.StreamingReader {
	t.Helper()
	r, err := s.RestoreReader(ctx(t), dir, ro)
	if err != nil {
		t.Fatalf("RestoreReader: %v", err)
	}
	return r
}

// drain streams every file and returns the contents by base name.
func drain(t *testing.T, r backup.StreamingReader) map[string][]string {
	t.Helper()
	files := make(chan models.File)
	errs := make(chan error, 8)
	go r.StreamFiles(ctx(t), files, errs, nil)
	got := map[string][]string{}
	for f := range files {
		b, err := io.ReadAll(f.Reader)
		if err != nil {
			t.Fatalf("read %s: %v", f.Name, err)
		}
		_ = f.Reader.Close()
		got[f.Name] = append(got[f.Name], string(b))
	}
	select {
	case err := <-errs:
		t.Fatalf("stream: %v", err)
	default:
	}
	return got
}

func keys(m map[string][]string) []string {
	var k []string
	for n := range m {
		k = append(k, n)
	}
	slices.Sort(k)
	return k
}

func TestErrorMissingBucket(t *testing.T) {
	opts := emulator(t)
	opts.BucketName = randomName("aerobackup-missing-")
	opts.Path = "prefix"
	_, err := New(ctx(t), opts)
	want := `gcs "` + opts.BucketName + `/prefix": bucket "` + opts.BucketName + `" not found (check bucket-name)`
	if err == nil || err.Error() != want {
		t.Errorf("error = %v\nwant    %s", err, want)
	}
}

func TestNotFoundIsSentinel(t *testing.T) {
	opts := emulator(t)
	opts.BucketName = newBucket(t, opts)
	s := open(t, opts)
	defer s.Close()
	_, err := s.ReadFile(ctx(t), "a/missing.yaml")
	if !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("err = %v", err)
	}
	if want := `gcs "` + opts.BucketName + `": read "a/missing.yaml": not found`; err.Error() != want {
		t.Errorf("message = %q, want %q", err, want)
	}
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
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	_, err = New(ctx(t), Options{BucketName: "b", Path: "p", Endpoint: "http://" + addr + "/storage/v1/"})
	if err == nil {
		t.Fatal("New succeeded against a closed port")
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, `gcs "b/p": endpoint unreachable (check endpoint`) ||
		!strings.Contains(msg, "connection refused") || strings.Contains(msg, "\n") {
		t.Errorf("error = %q", msg)
	}
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
