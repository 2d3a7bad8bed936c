package catalog

import (
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/aerobackup/aerobackup/internal/checksum"
)

// An entry as versions before CRC32C wrote it (SHA-256 only), as they
// write it now (CRC32C only), with both, and with neither.
const manifestEntries = `files:
  - name: old.asb
    size: 10
    sha256: ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
  - name: new.asb
    size: 9
    crc32c: e3069283
  - name: both.asb
    size: 9
    sha256: 15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225
    crc32c: e3069283
  - name: bare.asb
    size: 1
`

func TestManifestEntrySums(t *testing.T) {
	var m Manifest
	if err := yaml.Unmarshal([]byte(manifestEntries), &m); err != nil {
		t.Fatal(err)
	}
	want := map[string][]checksum.Sum{
		"old.asb": {{Algorithm: checksum.SHA256, Hex: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"}},
		"new.asb": {{Algorithm: checksum.CRC32C, Hex: "e3069283"}},
		"both.asb": {{Algorithm: checksum.CRC32C, Hex: "e3069283"},
			{Algorithm: checksum.SHA256, Hex: "15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225"}},
		"bare.asb": nil,
	}
	for name, sums := range want {
		e, ok := m.File(name)
		if !ok {
			t.Fatalf("%s not read", name)
		}
		if got := e.Sums(); !slices.Equal(got, sums) {
			t.Errorf("%s: Sums = %v, want %v", name, got, sums)
		}
	}
}

// A new entry writes the crc32c key and no sha256 key.
func TestManifestEntryMarshalsOneChecksum(t *testing.T) {
	e := ManifestEntry{Name: "a.asb", Size: 9}
	e.SetSum(checksum.Sum{Algorithm: checksum.CRC32C, Hex: "e3069283"})
	out, err := yaml.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(out); got != "name: a.asb\nsize: 9\ncrc32c: e3069283\n" {
		t.Errorf("marshalled %q", got)
	}
	e = ManifestEntry{Name: "a.asb", Size: 9}
	e.SetSum(checksum.Sum{Algorithm: checksum.SHA256, Hex: "ab"})
	if out, _ := yaml.Marshal(e); strings.Contains(string(out), "crc32c") || !strings.Contains(string(out), "sha256: ab") {
		t.Errorf("marshalled %q", out)
	}
}

func TestResumeMarkerChecksum(t *testing.T) {
	for in, want := range map[string]checksum.Algorithm{
		"":       checksum.SHA256, // written before --checksum existed
		"crc32c": checksum.CRC32C,
		"sha256": checksum.SHA256,
	} {
		got, err := (&ResumeMarker{Checksum: in}).ChecksumAlgorithm()
		if err != nil || got != want {
			t.Errorf("marker checksum %q: %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := (&ResumeMarker{Checksum: "blake3"}).ChecksumAlgorithm(); err == nil ||
		!strings.Contains(err.Error(), `checksum "blake3"; this version knows crc32c or sha256`) {
		t.Errorf("unknown marker checksum: %v", err)
	}
}
