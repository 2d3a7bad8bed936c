package restorejob

import (
	"context"
	"errors"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aerospike/backup-go/models"

	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/checksum"
	"github.com/aerobackup/aerobackup/internal/storage/localstore"
)

const dir = "r/backup/1/data/test"

// entry is content's manifest entry recording the checksums algs.
func entry(name, content string, algs ...checksum.Algorithm) catalog.ManifestEntry {
	e := catalog.ManifestEntry{Name: name, Size: int64(len(content))}
	for _, a := range algs {
		h := a.New()
		h.Write([]byte(content))
		e.SetSum(checksum.Sum{Algorithm: a, Hex: checksum.Format(h)})
	}
	return e
}

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
			m.Files = append(m.Files, entry(n, c, checksum.Default))
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
// end naming it and the algorithm, whichever checksums the manifest
// records (SHA-256 alone is what backups before CRC32C recorded), and the
// restore then fails as the file was not read to a matching end.
func TestCheckingReader(t *testing.T) {
	const name, content = "0_test_1.asb", "aaaa"
	for _, tt := range []struct {
		name    string
		entry   catalog.ManifestEntry
		altered string // the error on "aaab"; "": none, only the size is recorded
		// collision: one recorded checksum is the altered bytes', as if
		// they collided; the other must still catch them.
		collision bool
	}{
		{"crc32c", entry(name, content, checksum.CRC32C), "CRC32C [0-9a-f]{8} differs from the [0-9a-f]{8} the backup wrote", false},
		{"sha256 (older backups)", entry(name, content, checksum.SHA256), "SHA-256 [0-9a-f]{64} differs from the [0-9a-f]{64} the backup wrote", false},
		{"both", entry(name, content, checksum.CRC32C, checksum.SHA256), "CRC32C [0-9a-f]{8} differs", false},
		{"both, crc32c collides", withSum(entry(name, content, checksum.SHA256), checksum.CRC32C, entry(name, "aaab", checksum.CRC32C).CRC32C),
			"SHA-256 [0-9a-f]{64} differs", true},
		{"both, sha256 collides", withSum(entry(name, content, checksum.CRC32C), checksum.SHA256, entry(name, "aaab", checksum.SHA256).SHA256),
			"CRC32C [0-9a-f]{8} differs", true},
		{"size only", entry(name, content), "", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := &expectations{meta: &catalog.Metadata{RecordCount: 3}, files: map[string]catalog.ManifestEntry{name: tt.entry}}
			c := newCheckingReader(nil, dir, e)
			f := c.wrap(models.File{Name: name, Reader: io.NopCloser(strings.NewReader("aaab"))})
			// Only the recorded algorithms are computed.
			if n := f.Reader.(*hashingReader).sums.Len(); n != len(tt.entry.Sums()) {
				t.Fatalf("computing %d checksums, the entry records %d", n, len(tt.entry.Sums()))
			}
			_, err := io.ReadAll(f.Reader)
			if tt.altered == "" {
				if err != nil {
					t.Fatalf("size-only entry: %v", err)
				}
				return
			}
			re := regexp.MustCompile("^data file " + regexp.QuoteMeta(dir+"/"+name) + ": " + tt.altered + ".* \\(the file was altered\\)$")
			if err == nil || !re.MatchString(err.Error()) {
				t.Fatalf("altered file: %v, want %s", err, re)
			}
			if err := c.after(e, 3); err == nil || !strings.Contains(err.Error(), name+" were not read to their end") {
				t.Fatalf("after an altered file: %v", err)
			}
			if tt.collision {
				return
			}
			// The intact file passes.
			c = newCheckingReader(nil, dir, e)
			f = c.wrap(models.File{Name: name, Reader: io.NopCloser(strings.NewReader(content))})
			if _, err := io.ReadAll(f.Reader); err != nil {
				t.Fatalf("intact file: %v", err)
			}
			if err := c.after(e, 3); err != nil {
				t.Fatalf("intact file: %v", err)
			}
		})
	}
	// A file the manifest does not list is not hashed.
	c := newCheckingReader(nil, dir, &expectations{files: map[string]catalog.ManifestEntry{}})
	if f := c.wrap(models.File{Name: "9_x.asb", Reader: io.NopCloser(strings.NewReader("x"))}); f.Reader.(*hashingReader).sums.Len() != 0 {
		t.Errorf("an unlisted file is hashed")
	}
}

func withSum(e catalog.ManifestEntry, a checksum.Algorithm, hex string) catalog.ManifestEntry {
	e.SetSum(checksum.Sum{Algorithm: a, Hex: hex})
	return e
}

// TestCheckingReaderAfter: a short record count fails the restore, and
// errors that name no file get the files being read.
func TestCheckingReaderAfter(t *testing.T) {
	e := &expectations{meta: &catalog.Metadata{RecordCount: 3},
		files: map[string]catalog.ManifestEntry{"0_test_1.asb": entry("0_test_1.asb", "aaaa", checksum.Default)}}
	c := newCheckingReader(nil, dir, e)
	f := c.wrap(models.File{Name: "0_test_1.asb", Reader: io.NopCloser(strings.NewReader("aaaa"))})
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
