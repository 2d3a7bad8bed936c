package backupjob

import (
	"bytes"
	"context"
	"errors"
	"io"
	"syscall"
	"testing"
)

type failingWriter struct{ err error }

func (f failingWriter) Write([]byte) (int, error) { return 0, f.err }

func TestStreamWriterOneFile(t *testing.T) {
	var out bytes.Buffer
	w := &streamWriter{out: &out}
	if w.GetOptions().IsDir {
		t.Fatal("a stream must put backup-go in single-file mode")
	}
	f, err := w.NewWriter(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.NewWriter(context.Background(), ""); !errors.Is(err, errStreamOnce) {
		t.Fatalf("second file: %v, want errStreamOnce", err)
	}
	if _, err := io.WriteString(f, "Version 3.1\n"); err != nil {
		t.Fatal(err)
	}
	if out.Len() != 0 {
		t.Fatal("written before the buffer filled or the file closed")
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if out.String() != "Version 3.1\n" || w.err() != nil {
		t.Fatalf("out %q, err %v", out.String(), w.err())
	}
}

func TestStreamWriterBrokenPipe(t *testing.T) {
	w := &streamWriter{out: failingWriter{syscall.EPIPE}}
	f, _ := w.NewWriter(context.Background(), "")
	// Small writes sit in the buffer: the failure shows on Close, and
	// stays for w.err even if backup-go dropped Close's error.
	if _, err := f.Write([]byte("x")); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); !errors.Is(err, syscall.EPIPE) {
		t.Fatalf("Close: %v, want EPIPE", err)
	}
	if !errors.Is(w.err(), syscall.EPIPE) {
		t.Fatalf("err: %v", w.err())
	}
	if _, err := f.Write(make([]byte, streamBufferSize+1)); !errors.Is(err, syscall.EPIPE) {
		t.Fatalf("write after failure: %v", err)
	}
}
