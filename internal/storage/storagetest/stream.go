package storagetest

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/aerobackup/aerobackup/internal/storage"
)

// streamSize crosses the part size of every store's upload (S3's 5 MiB,
// Azure's 1 MiB blocks), so multipart uploads are exercised.
const streamSize = 6<<20 + 12345

func streamer(t *testing.T, s storage.Store) storage.Streamer {
	t.Helper()
	st, ok := s.(storage.Streamer)
	if !ok {
		t.Fatalf("%s does not implement storage.Streamer", s)
	}
	return st
}

func testStream(t *testing.T, s storage.Store) {
	st := streamer(t, s)
	big := bytes.Repeat([]byte("0123456789abcdef"), streamSize/16)
	for name, content := range map[string][]byte{"empty": nil, "small": []byte("hello\n"), "big": big} {
		p := "r/backup/1/data/test/" + name + ".asb"
		if err := st.Put(ctx(t), p, bytes.NewReader(content)); err != nil {
			t.Fatalf("Put(%s): %v", name, err)
		}
		rc, err := st.Open(ctx(t), p)
		if err != nil {
			t.Fatalf("Open(%s): %v", name, err)
		}
		got, err := io.ReadAll(rc)
		rc.Close()
		if err != nil || !bytes.Equal(got, content) {
			t.Errorf("%s: read back %d bytes (err %v), want %d", name, len(got), err, len(content))
		}
		if o, err := s.Stat(ctx(t), p); err != nil || o.Size != int64(len(content)) {
			t.Errorf("%s: Stat = %+v, %v", name, o, err)
		}
	}
	// The package helpers use the store's own streams.
	if err := storage.Put(ctx(t), s, "r/x", strings.NewReader("via helper")); err != nil {
		t.Fatal(err)
	}
	if got := read(t, s, "r/x"); got != "via helper" {
		t.Errorf("storage.Put wrote %q", got)
	}
	if _, err := st.Open(ctx(t), "r/missing"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Open(missing) = %v, want ErrNotFound", err)
	}
}

var errSource = errors.New("source went bad")

// failingReader gives n bytes and then fails.
type failingReader struct{ n int }

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, errSource
	}
	k := min(len(p), f.n)
	for i := range p[:k] {
		p[i] = 'x'
	}
	f.n -= k
	return k, nil
}

// A Put whose reader fails stores nothing, leaves an older object as it
// was, and returns the reader's error.
func testStreamFailure(t *testing.T, s storage.Store) {
	st := streamer(t, s)
	for _, n := range []int{100, streamSize} {
		if err := st.Put(ctx(t), "r/new.asb", &failingReader{n: n}); !errors.Is(err, errSource) {
			t.Errorf("Put of a failing reader (%d bytes) = %v, want the reader's error", n, err)
		}
		if _, err := s.Stat(ctx(t), "r/new.asb"); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("after a failed Put (%d bytes) the object exists: %v", n, err)
		}
		objs, err := s.List(ctx(t), "r")
		if err != nil || len(objs) != 0 {
			t.Errorf("after a failed Put (%d bytes) List = %v, %v", n, objs, err)
		}
	}
	write(t, s, "r/old.asb", "old")
	if err := st.Put(ctx(t), "r/old.asb", &failingReader{n: 10}); !errors.Is(err, errSource) {
		t.Errorf("Put over an object = %v", err)
	}
	if got := read(t, s, "r/old.asb"); got != "old" {
		t.Errorf("a failed Put changed the object to %q", got)
	}
}
