package storagetest

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
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aerospike/backup-go"
	"github.com/aerospike/backup-go/models"

	"github.com/aerobackup/aerobackup/internal/storage"
)

// The helpers below are shared by the cloud stores' tests, which run
// against the emulators of .ci/emulators.sh.

// EmulatorEnv returns the values of the environment variables names, in
// order. When one is unset it skips the test, or fails it under
// AEROBACKUP_REQUIRE_EMULATORS=1.
func EmulatorEnv(t *testing.T, names ...string) []string {
	t.Helper()
	vals := make([]string, len(names))
	var missing []string
	for i, n := range names {
		vals[i] = os.Getenv(n)
		if vals[i] == "" {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		verb := " is not set"
		if len(missing) > 1 {
			verb = " are not set"
		}
		why := strings.Join(missing, ", ") + verb + "; run eval \"$(.ci/emulators.sh start)\""
		if os.Getenv("AEROBACKUP_REQUIRE_EMULATORS") == "1" {
			t.Fatal(why)
		}
		t.Skip(why)
	}
	return vals
}

// Context returns a context that ends with the test, or after two minutes.
func Context(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return c
}

// RandomName returns prefix followed by 12 random hex digits, for buckets,
// containers and prefixes no other test uses.
func RandomName(prefix string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// Open calls a store's constructor and fails the test on error.
func Open[S storage.Store, O any](t *testing.T, newStore func(context.Context, O) (S, error), opts O) S {
	t.Helper()
	s, err := newStore(Context(t), opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

// ClosedAddr returns a local host:port on which nothing listens.
func ClosedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// CheckUnreachable checks the error of a constructor pointed at
// ClosedAddr: one line that starts with prefix and says why.
func CheckUnreachable(t *testing.T, err error, prefix string) {
	t.Helper()
	if err == nil {
		t.Fatal("New succeeded against a closed port")
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, prefix) ||
		!strings.Contains(msg, "connection refused") || strings.Contains(msg, "\n") {
		t.Errorf("error = %q", msg)
	}
}

// CheckError checks that err's message is exactly want.
func CheckError(t *testing.T, err error, want string) {
	t.Helper()
	if err == nil || err.Error() != want {
		t.Errorf("error = %v\nwant    %s", err, want)
	}
}

// CheckNotFound reads a missing object and checks that the error is
// storage.ErrNotFound with the message `<name>: read "a/missing.yaml": not
// found`.
func CheckNotFound(t *testing.T, s storage.Store, name string) {
	t.Helper()
	_, err := s.ReadFile(Context(t), "a/missing.yaml")
	if !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("err = %v", err)
	}
	if want := name + `: read "a/missing.yaml": not found`; err.Error() != want {
		t.Errorf("message = %q, want %q", err, want)
	}
}

// WriteRead writes .asb files (one of bigSize bytes, to cross the store's
// upload part size) through BackupWriter and reads them back through
// RestoreReader, by folder, by several folders and by file list. The
// second, incremental folder is written with incremental's options.
func WriteRead(t *testing.T, s storage.Store, bigSize int, incremental storage.WriterOptions) {
	t.Helper()
	const dir = "nightly/backup/1700000000000/data/test"
	big := strings.Repeat("0123456789abcdef", bigSize/16)
	files := map[string]string{
		"test_0.asb": "Version 3.1\n# namespace test\n",
		"test_1.asb": big,
	}
	w, err := s.BackupWriter(Context(t), dir, storage.WriterOptions{})
	if err != nil {
		t.Fatalf("BackupWriter: %v", err)
	}
	for name, content := range files {
		writeThrough(t, w, name, content)
	}
	// metadata.yaml sits in the same folder and must not be restored.
	if err := s.WriteFile(Context(t), dir+"/metadata.yaml", []byte("namespace: test\n")); err != nil {
		t.Fatal(err)
	}
	objs, err := s.List(Context(t), dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != 3 {
		t.Fatalf("List after backup = %v", objs)
	}

	// A second writer on a non-empty folder is refused.
	if _, err := s.BackupWriter(Context(t), dir, storage.WriterOptions{}); err == nil {
		t.Error("BackupWriter on a non-empty folder succeeded")
	}

	got := drain(t, mustReader(t, s, dir, storage.ReaderOptions{}))
	if !slices.Equal(sortedKeys(got), []string{"test_0.asb", "test_1.asb"}) ||
		got["test_0.asb"][0] != files["test_0.asb"] || got["test_1.asb"][0] != big {
		t.Errorf("restored %d files: %v", len(got), sortedKeys(got))
	}

	const dir2 = "nightly/incremental/1700000000001/data/test"
	w, err = s.BackupWriter(Context(t), dir2, incremental)
	if err != nil {
		t.Fatal(err)
	}
	writeThrough(t, w, "test_0.asb", "incremental\n")
	got = drain(t, mustReader(t, s, "", storage.ReaderOptions{Dirs: []string{dir, dir2}}))
	if zero := got["test_0.asb"]; len(zero) != 2 || !slices.Contains(zero, "incremental\n") || len(got["test_1.asb"]) != 1 {
		t.Errorf("Dirs read %v: test_0.asb %v", sortedKeys(got), got["test_0.asb"])
	}

	got = drain(t, mustReader(t, s, "", storage.ReaderOptions{Files: []string{dir2 + "/test_0.asb"}}))
	if !slices.Equal(sortedKeys(got), []string{"test_0.asb"}) || got["test_0.asb"][0] != "incremental\n" {
		t.Errorf("Files read %v", got)
	}

	if _, err := s.RestoreReader(Context(t), "nightly/backup/404", storage.ReaderOptions{}); err == nil {
		t.Error("RestoreReader on an empty folder succeeded")
	}
}

func writeThrough(t *testing.T, w backup.Writer, name, content string) {
	t.Helper()
	fw, err := w.NewWriter(Context(t), name)
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
	r, err := s.RestoreReader(Context(t), dir, ro)
	if err != nil {
		t.Fatalf("RestoreReader: %v", err)
	}
	return r
}

// drain streams every file and returns the contents by base name (a name
// repeats when several folders are read).
func drain(t *testing.T, r backup.StreamingReader) map[string][]string {
	t.Helper()
	files := make(chan models.File)
	errs := make(chan error, 8)
	go r.StreamFiles(Context(t), files, errs, nil)
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

func sortedKeys(m map[string][]string) []string {
	var k []string
	for n := range m {
		k = append(k, n)
	}
	slices.Sort(k)
	return k
}

// FailingServer is an HTTP server that answers every request with status
// after delay, counting the requests: a store's tuned retries and request
// timeout can be measured against it without an emulator.
type FailingServer struct {
	URL      string
	requests atomic.Int64
}

// Requests is how many requests the server received.
func (s *FailingServer) Requests() int { return int(s.requests.Load()) }

// NewFailingServer starts a FailingServer that ends with the test.
func NewFailingServer(t *testing.T, status int, delay time.Duration) *FailingServer {
	t.Helper()
	fs := &FailingServer{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fs.requests.Add(1)
		if delay > 0 {
			select {
			case <-time.After(delay):
			case <-r.Context().Done():
				return
			}
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(srv.Close)
	fs.URL = srv.URL
	return fs
}
