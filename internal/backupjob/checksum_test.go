package backupjob

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"sync"
	"testing"

	"github.com/aerospike/backup-go"
	"github.com/aerospike/backup-go/io/storage/options"
)

// memWriter is a backup-go Writer keeping files in memory.
type memWriter struct {
	mu       sync.Mutex
	files    map[string]*bytes.Buffer
	failName string // Close of this file fails
}

type memFile struct {
	*bytes.Buffer
	fail bool
}

func (f memFile) Close() error {
	if f.fail {
		return errors.New("upload failed")
	}
	return nil
}

func (m *memWriter) NewWriter(_ context.Context, name string) (io.WriteCloser, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b := &bytes.Buffer{}
	m.files[name] = b
	return memFile{Buffer: b, fail: name == m.failName}, nil
}
func (m *memWriter) GetType() string                      { return "mem" }
func (m *memWriter) RemoveFiles(context.Context) error    { return nil }
func (m *memWriter) Remove(context.Context, string) error { return nil }
func (m *memWriter) GetOptions() options.Options          { return options.Options{IsDir: true} }

var _ backup.Writer = (*memWriter)(nil)

func TestChecksumWriterRecordsEveryFileConcurrently(t *testing.T) {
	mem := &memWriter{files: map[string]*bytes.Buffer{}, failName: "bad.asb"}
	cw := newChecksumWriter(mem)
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w, err := cw.NewWriter(ctx, fmt.Sprintf("%d_file.asb", i))
			if err != nil {
				t.Error(err)
				return
			}
			for j := range 100 + i {
				fmt.Fprintf(w, "line %d of file %d\n", j, i)
			}
			if err := w.Close(); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()

	// A file whose close fails is not recorded: the storage did not keep it.
	w, _ := cw.NewWriter(ctx, "bad.asb")
	_, _ = w.Write([]byte("x"))
	if err := w.Close(); err == nil {
		t.Fatal("close of bad.asb: want the storage's error")
	}
	// Never closed: not recorded either.
	open, _ := cw.NewWriter(ctx, "open.asb")
	_, _ = open.Write([]byte("y"))

	got := cw.Entries()
	if len(got) != 16 {
		t.Fatalf("entries: got %d, want 16: %+v", len(got), got)
	}
	for i := 1; i < len(got); i++ {
		if got[i-1].Name >= got[i].Name {
			t.Errorf("entries not sorted by name: %q before %q", got[i-1].Name, got[i].Name)
		}
	}
	for _, e := range got {
		data := mem.files[e.Name].Bytes()
		sum := sha256.Sum256(data)
		if e.Size != int64(len(data)) || e.SHA256 != hex.EncodeToString(sum[:]) {
			t.Errorf("%s: recorded size %d sha %s, stored %d bytes sha %x", e.Name, e.Size, e.SHA256, len(data), sum)
		}
	}
}

// shortWriter accepts only part of each write, with an error.
type shortWriter struct{ bytes.Buffer }

func (s *shortWriter) Write(p []byte) (int, error) {
	n := len(p) / 2
	s.Buffer.Write(p[:n])
	return n, io.ErrShortWrite
}
func (s *shortWriter) Close() error { return nil }

func TestChecksumHashesOnlyWhatTheStorageAccepted(t *testing.T) {
	cw := newChecksumWriter(nil)
	sw := &shortWriter{}
	f := &hashingFile{WriteCloser: sw, name: "a.asb", h: sha256.New(), owner: cw}
	if _, err := f.Write([]byte("abcdef")); !errors.Is(err, io.ErrShortWrite) {
		t.Fatalf("want the short write passed on, got %v", err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	e := cw.Entries()[0]
	sum := sha256.Sum256([]byte("abc"))
	if e.Size != 3 || e.SHA256 != hex.EncodeToString(sum[:]) {
		t.Fatalf("got %+v, want size 3 and the hash of %q", e, "abc")
	}
}
