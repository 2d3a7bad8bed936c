package restorejob

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/aerospike/backup-go/models"

	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/storage/localstore"
)

const dir = "r/backup/1/data/test"

func sum(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }

// folder writes a backup folder: files, metadata.yaml, and a manifest
// listing manifest (nil: none, as ABS writes).
func folder(t *testing.T, files map[string]string, manifest map[string]string, records uint64) *localstore.Store {
	t.Helper()
	st, err := localstore.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for n, c := range files {
		if err := st.WriteFile(ctx, dir+"/"+n, []byte(c)); err != nil {
			t.Fatal(err)
		}
	}
	if manifest != nil {
		m := &catalog.Manifest{Tool: "aerobackup", Namespace: "test"}
		for n, c := range manifest {
			m.Files = append(m.Files, catalog.ManifestEntry{Name: n, Size: int64(len(c)), SHA256: sum(c)})
		}
		if err := catalog.WriteManifest(ctx, st, dir, m); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now()
	meta := &catalog.Metadata{Created: now, Finished: now, Namespace: "test", RecordCount: records, FileCount: 2}
	if err := catalog.WriteMetadata(ctx, st, dir, meta); err != nil {
		t.Fatal(err)
	}
	return st
}

func TestExpect(t *testing.T) {
	good := map[string]string{"0_test_1.asb": "aaaa", "1_test_2.asb": "bbbbbb"}
	tests := []struct {
		name     string
		files    map[string]string
		manifest map[string]string
		wantErr  string
	}{
		{"complete", good, good, ""},
		{"truncated", map[string]string{"0_test_1.asb": "aa", "1_test_2.asb": "bbbbbb"}, good,
			"data file " + dir + "/0_test_1.asb is 2 bytes, the backup wrote 4 (truncated or altered)"},
		{"missing", map[string]string{"1_test_2.asb": "bbbbbb"}, good, "data file " + dir + "/0_test_1.asb is missing"},
		{"stray", map[string]string{"0_test_1.asb": "aaaa", "1_test_2.asb": "bbbbbb", "2_x.asb": "c"}, good,
			"data file " + dir + "/2_x.asb was not written by this backup"},
		{"abs complete", good, nil, ""},
		{"abs missing", map[string]string{"1_test_2.asb": "bbbbbb"}, nil, "holds 1 data files, metadata.yaml counts 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := folder(t, tt.files, tt.manifest, 3)
			e, err := expect(context.Background(), st, dir)
			if tt.wantErr == "" {
				if err != nil || e == nil {
					t.Fatalf("expect: %v, %v", e, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error %v, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}

// TestExpectWithoutMetadata: a folder of foreign .asb files has nothing to
// check against.
func TestExpectWithoutMetadata(t *testing.T) {
	st, _ := localstore.New(t.TempDir())
	if err := st.WriteFile(context.Background(), "x/0.asb", []byte("a")); err != nil {
		t.Fatal(err)
	}
	if e, err := expect(context.Background(), st, "x"); e != nil || err != nil {
		t.Fatalf("expect: %v, %v", e, err)
	}
}

// TestCheckingReader: altered bytes of the right size fail at the file's
// end naming it; a file never read to its end and a short record count
// fail the restore afterwards.
func TestCheckingReader(t *testing.T) {
	good := map[string]string{"0_test_1.asb": "aaaa"}
	e := &expectations{meta: &catalog.Metadata{RecordCount: 3},
		files: map[string]catalog.ManifestEntry{"0_test_1.asb": {Name: "0_test_1.asb", Size: 4, SHA256: sum(good["0_test_1.asb"])}}}
	c := newCheckingReader(nil, dir, e)

	f := c.wrap(models.File{Name: "0_test_1.asb", Reader: io.NopCloser(strings.NewReader("aaab"))})
	_, err := io.ReadAll(f.Reader)
	if err == nil || !strings.Contains(err.Error(), "data file "+dir+"/0_test_1.asb: SHA-256") {
		t.Fatalf("altered file: %v", err)
	}
	if err := c.after(e, 3); err == nil || !strings.Contains(err.Error(), "0_test_1.asb were not read to their end") {
		t.Fatalf("after an altered file: %v", err)
	}

	c = newCheckingReader(nil, dir, e)
	f = c.wrap(models.File{Name: "0_test_1.asb", Reader: io.NopCloser(strings.NewReader("aaaa"))})
	if _, err := io.ReadAll(f.Reader); err != nil {
		t.Fatal(err)
	}
	if err := c.after(e, 2); err == nil || !strings.Contains(err.Error(), "read 2 records from "+dir+", metadata.yaml counts 3") {
		t.Fatalf("short record count: %v", err)
	}
	if err := c.after(e, 3); err != nil {
		t.Fatalf("complete: %v", err)
	}
	// the files being read are named in errors that name none
	c = newCheckingReader(nil, dir, e)
	c.wrap(models.File{Name: "0_test_1.asb", Reader: io.NopCloser(strings.NewReader("aaaa"))})
	msg := c.describe(errors.New("failed: read \x00\xff")).Error()
	if msg != "failed: read ?? (while reading "+dir+"/0_test_1.asb)" {
		t.Fatalf("describe: %q", msg)
	}
}
