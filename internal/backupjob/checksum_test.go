package backupjob

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"reflect"
	"sync"
	"testing"

	"github.com/aerospike/backup-go"
	"github.com/aerospike/backup-go/io/storage/options"

	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/checksum"
)

// sumOf is data's checksum in alg, as the manifest writes it.
func sumOf(alg checksum.Algorithm, data []byte) string {
	h := alg.New()
	h.Write(data)
	return checksum.Format(h)
}

// checkEntry fails unless e records data's size and its checksum in alg,
// and no other checksum (its partitions are checked elsewhere).
func checkEntry(t *testing.T, e catalog.ManifestEntry, alg checksum.Algorithm, data []byte) {
	t.Helper()
	want := catalog.ManifestEntry{Name: e.Name, Size: int64(len(data))}
	want.SetSum(checksum.Sum{Algorithm: alg, Hex: sumOf(alg, data)})
	e.Partitions = nil
	if !reflect.DeepEqual(e, want) {
		t.Errorf("%s: recorded %+v, want %+v", e.Name, e, want)
	}
}

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
	for _, alg := range []checksum.Algorithm{checksum.CRC32C, checksum.SHA256} {
		t.Run(string(alg), func(t *testing.T) { testChecksumWriter(t, alg) })
	}
}

func testChecksumWriter(t *testing.T, alg checksum.Algorithm) {
	mem := &memWriter{files: map[string]*bytes.Buffer{}, failName: "bad.asb"}
	cw := newChecksumWriter(mem, alg, filePartitions{})
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
		checkEntry(t, e, alg, mem.files[e.Name].Bytes())
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
	cw := newChecksumWriter(nil, checksum.CRC32C, filePartitions{})
	sw := &shortWriter{}
	f := &hashingFile{WriteCloser: sw, name: "a.asb", h: checksum.CRC32C.New(), owner: cw}
	if _, err := f.Write([]byte("abcdef")); !errors.Is(err, io.ErrShortWrite) {
		t.Fatalf("want the short write passed on, got %v", err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	checkEntry(t, cw.Entries()[0], checksum.CRC32C, []byte("abc"))
}

// BenchmarkHashingFile is the write path's own cost per algorithm: a
// file written through hashingFile to a sink, in writes of backup-go's
// size for small records and of a buffered writer's.
func BenchmarkHashingFile(b *testing.B) {
	for _, alg := range []checksum.Algorithm{checksum.CRC32C, checksum.SHA256} {
		for _, size := range []int{300, 64 << 10} {
			b.Run(fmt.Sprintf("%s/%dB", alg, size), func(b *testing.B) {
				buf := bytes.Repeat([]byte("aerospike record "), size/17+1)[:size]
				f := &hashingFile{WriteCloser: nopCloser{io.Discard}, name: "b.asb", h: alg.New()}
				b.SetBytes(int64(size))
				for b.Loop() {
					if _, err := f.Write(buf); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }
