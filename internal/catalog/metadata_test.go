package catalog

import (
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/aerobackup/aerobackup/internal/storage"
	"github.com/aerobackup/aerobackup/internal/storage/localstore"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// absFields are the keys ABS's BackupMetadata marshals, in its order.
var absFields = []string{
	"created", "finished", "from", "namespace", "record-count", "byte-count",
	"file-count", "secondary-index-count", "udf-count", "compression", "encryption",
}

func TestParseABSMetadata(t *testing.T) {
	plus2 := time.FixedZone("", 2*3600)
	tests := []struct {
		file string
		want Metadata
	}{
		{"abs-full-metadata.yaml", Metadata{
			Created:             time.Date(2025, 11, 21, 10, 0, 0, 123e6, plus2),
			Finished:            time.Date(2025, 11, 21, 10, 4, 31, 900e6, plus2),
			Namespace:           "test",
			RecordCount:         1000000,
			ByteCount:           524288000,
			FileCount:           4,
			SecondaryIndexCount: 2,
			UDFCount:            1,
			Compression:         "ZSTD",
			Encryption:          "AES256",
		}},
		{"abs-incremental-metadata.yaml", Metadata{
			Created:     time.Date(2025, 11, 21, 9, 0, 0, 0, time.UTC),
			Finished:    time.Date(2025, 11, 21, 9, 0, 5, 500e6, time.UTC),
			From:        time.Date(2025, 11, 21, 8, 0, 0, 123e6, time.UTC),
			Namespace:   "test",
			RecordCount: 42, ByteCount: 8192, FileCount: 1,
			Compression: "NONE", Encryption: "NONE",
		}},
		// Written by an old ABS: no finished (defaults like ABS to
		// created+1ms), no compression/encryption (NONE), and an unknown
		// key that must be ignored.
		{"abs-old-metadata.yaml", Metadata{
			Created:     time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC),
			Finished:    time.Date(2024, 3, 1, 0, 0, 0, 1e6, time.UTC),
			Namespace:   "bar",
			RecordCount: 7, ByteCount: 100, FileCount: 1,
			Compression: "NONE", Encryption: "NONE",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			got, err := ParseMetadata(data)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Created.Equal(tt.want.Created) || !got.Finished.Equal(tt.want.Finished) || !got.From.Equal(tt.want.From) {
				t.Errorf("times = %v %v %v, want %v %v %v", got.Created, got.Finished, got.From, tt.want.Created, tt.want.Finished, tt.want.From)
			}
			got.Created, got.Finished, got.From = tt.want.Created, tt.want.Finished, tt.want.From
			if *got != tt.want {
				t.Errorf("ParseMetadata = %+v\nwant %+v", *got, tt.want)
			}
			if got.IsIncremental() != !tt.want.From.IsZero() {
				t.Errorf("IsIncremental = %v", got.IsIncremental())
			}
		})
	}
}

func TestParseMetadataRejects(t *testing.T) {
	tests := map[string]string{
		"empty":             "  \n",
		"no created":        "finished: 2025-01-01T00:00:00Z\nnamespace: test\n",
		"no namespace":      "created: 2025-01-01T00:00:00Z\nfinished: 2025-01-01T00:00:01Z\n",
		"not yaml":          "created: [unclosed\n",
		"time not RFC 3339": "created: yesterday\nnamespace: test\n",
	}
	for name, in := range tests {
		if _, err := ParseMetadata([]byte(in)); err == nil {
			t.Errorf("%s: ParseMetadata accepted %q", name, in)
		}
	}
}

func TestWriteMetadataGolden(t *testing.T) {
	created := time.Date(2025, 11, 21, 10, 0, 0, 123456789, time.FixedZone("", 2*3600))
	tests := []struct {
		golden string
		md     Metadata
	}{
		{"written-full-metadata.yaml", Metadata{
			Created: created, Finished: created.Add(4*time.Minute + 31*time.Second),
			Namespace: "test", RecordCount: 1000000, ByteCount: 524288000, FileCount: 4,
			SecondaryIndexCount: 2, UDFCount: 1, Compression: "ZSTD", Encryption: "AES256",
		}},
		{"written-incremental-metadata.yaml", Metadata{
			Created: created.Add(time.Hour), Finished: created.Add(time.Hour + 5*time.Second),
			From: created, Namespace: "test", RecordCount: 42, ByteCount: 8192, FileCount: 1,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			got, err := tt.md.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", tt.golden)
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create)", err)
			}
			if string(got) != string(want) {
				t.Errorf("Marshal =\n%s\nwant\n%s", got, want)
			}
			checkABSShape(t, got)

			// What we write reads back to the same backup (at ms precision).
			back, err := ParseMetadata(got)
			if err != nil {
				t.Fatal(err)
			}
			if !back.Created.Equal(tt.md.Created.Truncate(time.Millisecond)) || !back.From.Equal(tt.md.From.Truncate(time.Millisecond)) {
				t.Errorf("round trip times: %v %v", back.Created, back.From)
			}
			if back.RecordCount != tt.md.RecordCount || back.Namespace != tt.md.Namespace {
				t.Errorf("round trip = %+v", back)
			}
		})
	}
}

// checkABSShape asserts exactly ABS's keys, in ABS's order, with ABS's
// value formats; anything extra would make a strict ABS reader reject it.
func checkABSShape(t *testing.T, data []byte) {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	m := doc.Content[0]
	var keys []string
	values := map[string]string{}
	for i := 0; i < len(m.Content); i += 2 {
		keys = append(keys, m.Content[i].Value)
		values[m.Content[i].Value] = m.Content[i+1].Value
	}
	if strings.Join(keys, ",") != strings.Join(absFields, ",") {
		t.Errorf("keys = %v, want exactly %v", keys, absFields)
	}
	rfc3339 := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,3})?Z$`)
	for _, k := range []string{"created", "finished", "from"} {
		if !rfc3339.MatchString(values[k]) {
			t.Errorf("%s = %q, want RFC 3339 UTC with at most ms", k, values[k])
		}
	}
	for _, k := range []string{"record-count", "byte-count", "file-count", "secondary-index-count", "udf-count"} {
		if !regexp.MustCompile(`^\d+$`).MatchString(values[k]) {
			t.Errorf("%s = %q, want an integer", k, values[k])
		}
	}
	if c := values["compression"]; c != "NONE" && c != "ZSTD" {
		t.Errorf("compression = %q", c)
	}
	if e := values["encryption"]; e != "NONE" && e != "AES128" && e != "AES256" {
		t.Errorf("encryption = %q", e)
	}
}

func TestFullFromIsZeroTime(t *testing.T) {
	md := Metadata{Created: time.Unix(1, 0), Finished: time.Unix(2, 0), Namespace: "n"}
	data, err := md.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "from: 0001-01-01T00:00:00Z\n") {
		t.Errorf("full backup's from is not ABS's zero time:\n%s", data)
	}
}

func TestMetadataValidate(t *testing.T) {
	ok := Metadata{Created: time.Unix(10, 0), Finished: time.Unix(20, 0), Namespace: "n"}
	tests := []struct {
		name   string
		change func(*Metadata)
	}{
		{"no created", func(m *Metadata) { m.Created = time.Time{} }},
		{"no finished", func(m *Metadata) { m.Finished = time.Time{} }},
		{"no namespace", func(m *Metadata) { m.Namespace = "" }},
		{"finished before created", func(m *Metadata) { m.Finished = time.Unix(5, 0) }},
		{"from after created", func(m *Metadata) { m.From = time.Unix(11, 0) }},
		{"bad compression", func(m *Metadata) { m.Compression = "gzip" }},
		{"bad encryption", func(m *Metadata) { m.Encryption = "AES512" }},
	}
	if err := ok.Validate(); err != nil {
		t.Fatalf("valid metadata rejected: %v", err)
	}
	for _, tt := range tests {
		m := ok
		tt.change(&m)
		if err := m.Validate(); err == nil {
			t.Errorf("%s: accepted", tt.name)
		}
		if _, err := m.Marshal(); err == nil {
			t.Errorf("%s: Marshal accepted", tt.name)
		}
	}
}

func TestReadWriteMetadataAndManifest(t *testing.T) {
	ctx := context.Background()
	s, err := localstore.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	nsDir := "r/backup/1000/data/ns"
	if _, err := ReadMetadata(ctx, s, nsDir); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("ReadMetadata(missing) = %v, want ErrNotFound", err)
	}
	man := &Manifest{Tool: "aerobackup", ToolVersion: "1.0.0", Routine: "r", Type: Full, Namespace: "ns",
		Files: []ManifestEntry{{Name: "ns_0.asb", Size: 10, SHA256: "ab", CRC32C: "0a0b0c0d",
			Partitions: []PartitionRange{{Begin: 0, Count: 1024}, {Begin: 2048, Count: 1}}}}}
	if err := WriteManifest(ctx, s, nsDir, man); err != nil {
		t.Fatal(err)
	}
	md := &Metadata{Created: time.UnixMilli(1000), Finished: time.UnixMilli(2000), Namespace: "ns", FileCount: 1}
	if err := WriteMetadata(ctx, s, nsDir, md); err != nil {
		t.Fatal(err)
	}
	got, err := ReadMetadata(ctx, s, nsDir)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Created.Equal(md.Created) || got.FileCount != 1 || got.Compression != "NONE" {
		t.Errorf("ReadMetadata = %+v", got)
	}
	gotMan, err := ReadManifest(ctx, s, nsDir)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(gotMan.Files[0], man.Files[0]) || gotMan.Type != Full {
		t.Errorf("ReadManifest = %+v", gotMan)
	}
	if err := s.WriteFile(ctx, MetadataPath(nsDir), []byte("namespace: ns\n")); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadMetadata(ctx, s, nsDir); !errors.Is(err, ErrBadMetadata) {
		t.Errorf("ReadMetadata(damaged) = %v, want ErrBadMetadata", err)
	}
}
