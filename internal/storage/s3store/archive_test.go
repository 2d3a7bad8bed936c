package s3store

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aerospike/backup-go/models"

	"github.com/aerobackup/aerobackup/internal/storage"
)

// glacier is a fake S3 endpoint holding objects in GLACIER: GET fails with
// InvalidObjectState until a RestoreObject arrives, after which HEAD
// reports an ongoing restore for a few polls and then a finished one.
type glacier struct {
	mu       sync.Mutex
	bucket   string
	objects  map[string]string
	restores map[string]int // RestoreObject calls per key
	tiers    map[string]string
	polls    map[string]int // HEADs since the restore was requested
}

func (g *glacier) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	defer g.mu.Unlock()
	path := strings.TrimPrefix(r.URL.Path, "/"+g.bucket)
	key := strings.TrimPrefix(path, "/")
	switch {
	case key == "" && r.Method == http.MethodHead:
		w.WriteHeader(http.StatusOK)
	case key == "" && r.Method == http.MethodGet:
		g.list(w, r.URL.Query().Get("prefix"))
	case r.Method == http.MethodPost && r.URL.Query().Has("restore"):
		body, _ := io.ReadAll(r.Body)
		if _, ok := g.objects[key]; !ok {
			http.Error(w, "no such key", http.StatusNotFound)
			return
		}
		g.restores[key]++
		if i := bytes.Index(body, []byte("<Tier>")); i >= 0 {
			rest := body[i+len("<Tier>"):]
			g.tiers[key] = string(rest[:bytes.IndexByte(rest, '<')])
		}
		w.WriteHeader(http.StatusAccepted)
	case r.Method == http.MethodHead:
		data, ok := g.objects[key]
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Length", fmt.Sprint(len(data)))
		w.Header().Set("Last-Modified", time.Unix(1_700_000_000, 0).UTC().Format(http.TimeFormat))
		w.Header().Set("x-amz-storage-class", "GLACIER")
		if g.restores[key] > 0 {
			g.polls[key]++
			if g.polls[key] < 3 {
				w.Header().Set("x-amz-restore", `ongoing-request="true"`)
			} else {
				w.Header().Set("x-amz-restore", `ongoing-request="false", expiry-date="Fri, 21 Dec 2035 00:00:00 GMT"`)
			}
		}
		w.WriteHeader(http.StatusOK)
	case r.Method == http.MethodGet:
		data, ok := g.objects[key]
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		if g.restores[key] == 0 || g.polls[key] < 3 {
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>InvalidObjectState</Code><Message>The operation is not valid for the object's storage class</Message><Key>%s</Key></Error>`, key)
			return
		}
		http.ServeContent(w, r, key, time.Unix(1_700_000_000, 0), strings.NewReader(data))
	default:
		http.Error(w, "unexpected "+r.Method+" "+r.URL.String(), http.StatusNotImplemented)
	}
}

func (g *glacier) list(w http.ResponseWriter, prefix string) {
	var b strings.Builder
	n := 0
	for k, v := range g.objects {
		if !strings.HasPrefix(k, prefix) {
			continue
		}
		n++
		fmt.Fprintf(&b, "<Contents><Key>%s</Key><Size>%d</Size><LastModified>2023-11-14T22:13:20.000Z</LastModified><StorageClass>GLACIER</StorageClass></Contents>", k, len(v))
	}
	w.Header().Set("Content-Type", "application/xml")
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>%s</Name><Prefix>%s</Prefix><KeyCount>%d</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>%s</ListBucketResult>`,
		g.bucket, prefix, n, b.String())
}

// syncBuffer is a log destination written by backup-go's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newGlacier(t *testing.T) (*glacier, *Store) {
	t.Helper()
	g := &glacier{bucket: "frozen", restores: map[string]int{}, tiers: map[string]string{}, polls: map[string]int{},
		objects: map[string]string{
			"root/nightly/backup/1/data/test/test_0.asb": "first file",
			"root/nightly/backup/1/data/test/test_1.asb": "second file",
		}}
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	s, err := New(context.Background(), Options{Bucket: g.bucket, Path: "root", Region: "us-east-1",
		EndpointOverride: srv.URL, AccessKeyID: "id", SecretAccessKey: "secret"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return g, s
}

func TestRestoreReaderWaitsForGlacier(t *testing.T) {
	g, s := newGlacier(t)
	var logs syncBuffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	st := storage.WithAccessTier(s, "Bulk", 20*time.Millisecond, log)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	r, err := st.RestoreReader(ctx, "nightly/backup/1/data/test", storage.ReaderOptions{})
	if err != nil {
		t.Fatalf("RestoreReader: %v", err)
	}
	g.mu.Lock()
	for k := range g.objects {
		if g.restores[k] != 1 || g.tiers[k] != "Bulk" {
			t.Errorf("%s: %d restore requests, tier %q; want 1, Bulk", k, g.restores[k], g.tiers[k])
		}
		if g.polls[k] < 3 {
			t.Errorf("%s: reader returned after %d polls, before the restore finished", k, g.polls[k])
		}
	}
	g.mu.Unlock()

	files := make(chan models.File)
	errs := make(chan error, 4)
	go r.StreamFiles(ctx, files, errs, nil)
	got := map[string]string{}
	for f := range files {
		b, err := io.ReadAll(f.Reader)
		if err != nil {
			t.Fatalf("read %s: %v", f.Name, err)
		}
		got[f.Name] = string(b)
	}
	select {
	case err := <-errs:
		t.Fatalf("stream: %v", err)
	default:
	}
	if got["test_0.asb"] != "first file" || got["test_1.asb"] != "second file" {
		t.Errorf("read %q", got)
	}
	out := logs.String()
	for _, want := range []string{
		`msg="2 files are archived; requested a Bulk restore, polling every 20ms; this can take hours"`,
		`access-tier=Bulk`, `dir=root/nightly/backup/1/data/test `,
		`msg="2 archived files are readable now"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %s:\n%s", want, out)
		}
	}
	if strings.Contains(out, "headOutput") {
		t.Errorf("backup-go's debug lines leaked at info level:\n%s", out)
	}
}

func TestRestoreReaderGlacierWithoutTier(t *testing.T) {
	g, s := newGlacier(t)
	r, err := s.RestoreReader(context.Background(), "nightly/backup/1/data/test", storage.ReaderOptions{})
	if err != nil {
		t.Fatalf("RestoreReader: %v", err)
	}
	files := make(chan models.File)
	errs := make(chan error, 4)
	go r.StreamFiles(context.Background(), files, errs, nil)
	for range files {
		t.Error("an archived file was streamed without --access-tier")
	}
	select {
	case err := <-errs:
		if !strings.Contains(err.Error(), "archived") {
			t.Errorf("error %v does not say the file is archived", err)
		}
	default:
		t.Error("no error for archived files")
	}
	if len(g.restores) != 0 {
		t.Errorf("restores requested without a tier: %v", g.restores)
	}
}

func TestRestoreReaderGlacierInterrupted(t *testing.T) {
	g, s := newGlacier(t)
	g.mu.Lock()
	g.polls = map[string]int{}
	g.mu.Unlock()
	// The wait begins once the line saying how many files are archived is
	// logged: cancelling as soon as the server counts both restore requests
	// can cut the second one before its answer (seen under -race), which
	// ends with a plain "context canceled".
	waiting := make(chan struct{})
	log := slog.New(&onMessage{contains: "files are archived", seen: waiting})
	st := storage.WithAccessTier(s, "Standard", time.Hour, log)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := st.RestoreReader(ctx, "nightly/backup/1/data/test", storage.ReaderOptions{})
		done <- err
	}()
	select {
	case <-waiting:
	case err := <-done:
		t.Fatalf("returned before waiting for the archived files: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("never began waiting for the archived files")
	}
	cancel()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "interrupted while waiting for archived files") {
			t.Errorf("error %v, want an interruption", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Ctrl-C did not end the wait")
	}
}

// onMessage closes seen at the first record whose message holds contains.
type onMessage struct {
	contains string
	seen     chan struct{}
	once     sync.Once
}

func (h *onMessage) Enabled(context.Context, slog.Level) bool { return true }
func (h *onMessage) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *onMessage) WithGroup(string) slog.Handler            { return h }
func (h *onMessage) Handle(_ context.Context, r slog.Record) error {
	if strings.Contains(r.Message, h.contains) {
		h.once.Do(func() { close(h.seen) })
	}
	return nil
}
