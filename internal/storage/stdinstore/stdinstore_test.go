package stdinstore

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/aerospike/backup-go/models"

	"github.com/aerobackup/aerobackup/internal/storage"
)

func readAll(t *testing.T, s Store) (string, error) {
	t.Helper()
	r, err := s.RestoreReader(context.Background(), "", storage.ReaderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	files := make(chan models.File, 1)
	errs := make(chan error, 1)
	go r.StreamFiles(context.Background(), files, errs, nil)
	f, ok := <-files
	if !ok {
		t.Fatal("no stream")
	}
	b, err := io.ReadAll(f.Reader)
	return string(b), err
}

func TestStreamEnds(t *testing.T) {
	for _, tc := range []struct {
		name  string
		in    string
		plain bool
		want  string // error substring, "" for none
	}{
		{"whole plain stream", "Version 3.1\n# namespace test\n", true, ""},
		{"empty", "", true, "standard input is empty"},
		{"empty compressed", "", false, "standard input is empty"},
		{"cut mid-line", "Version 3.1\n# names", true, "ended in the middle of a line after 19 bytes"},
		// Compressed or encrypted bytes end anywhere; the decoder checks.
		{"compressed", "\x28\xb5\x2f\xfd", false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readAll(t, Store{In: strings.NewReader(tc.in), Plain: tc.plain})
			if tc.want == "" {
				if err != nil || got != tc.in {
					t.Fatalf("got %q, %v; want the input whole", got, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) || !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Fatalf("error %v, want %q (an unexpected EOF)", err, tc.want)
			}
		})
	}
}
