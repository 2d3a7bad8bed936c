package catalog

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzParseMetadata feeds the metadata.yaml reader arbitrary bytes: it must
// never panic, anything it accepts must carry what listings and restores
// rely on, and anything that also validates must survive being written and
// read back (what aerobackup writes, it can read).
func FuzzParseMetadata(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*metadata.yaml"))
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{
		"",
		"created: 2025-11-21T10:00:00Z\nnamespace: test\n",
		"created: 2025-11-21T10:00:00Z\nnamespace: test\nfrom: 2025-11-22T10:00:00Z\n",
		"created: 2025-11-21T10:00:00Z\nfinished: 2025-11-20T10:00:00Z\nnamespace: test\n",
		"created: 2025-11-21T10:00:00Z\nnamespace: test\ncompression: LZ4\nencryption: ROT13\n",
		"created: 2025-11-21T10:00:00Z\nnamespace: test\nrecord-count: -1\n",
		"created: 2025-11-21T10:00:00Z\nnamespace: test\nrecord-count: 18446744073709551616\n",
		"created: 2025-11-21\nnamespace: [a, b]\n",
		"created: not a time\nnamespace: test\n",
		"- created: 2025-11-21T10:00:00Z\n",
		"created: &a 2025-11-21T10:00:00Z\nfinished: *a\nnamespace: test\n",
		"{created: 2025-11-21T10:00:00.123456789+02:00, namespace: \"t\\x00\"}",
		"created: 2025-11-21T10:00:00Z\nnamespace: test\nnamespace: again\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseMetadata(data)
		if err != nil {
			if m != nil {
				t.Fatalf("error %v with a non-nil result", err)
			}
			return
		}
		if m.Created.IsZero() || m.Finished.IsZero() || m.Namespace == "" {
			t.Fatalf("accepted without created, finished or namespace: %+v", m)
		}
		if m.Compression == "" || m.Encryption == "" {
			t.Fatalf("accepted with empty compression or encryption: %+v", m)
		}
		if m.Validate() != nil {
			return
		}
		out, err := m.Marshal()
		if err != nil {
			t.Fatalf("valid metadata does not marshal: %v\n%+v", err, m)
		}
		back, err := ParseMetadata(out)
		if err != nil {
			t.Fatalf("written metadata does not read back: %v\n%s", err, out)
		}
		ms := func(x time.Time) time.Time { return x.Truncate(time.Millisecond) }
		if !back.Created.Equal(ms(m.Created)) || !back.Finished.Equal(ms(m.Finished)) || !back.From.Equal(ms(m.From)) {
			t.Fatalf("times changed on the round trip:\n%+v\n%+v", m, back)
		}
		if back.Namespace != m.Namespace || back.RecordCount != m.RecordCount || back.ByteCount != m.ByteCount ||
			back.FileCount != m.FileCount || back.SecondaryIndexCount != m.SecondaryIndexCount ||
			back.UDFCount != m.UDFCount || back.Compression != m.Compression || back.Encryption != m.Encryption {
			t.Fatalf("fields changed on the round trip:\n%+v\n%+v", m, back)
		}
		if back.IsIncremental() != m.IsIncremental() {
			t.Fatalf("full/incremental changed on the round trip:\n%+v\n%+v", m, back)
		}
	})
}
