package checksum

import (
	"strings"
	"testing"
)

// The standard check values: CRC-32C of "123456789" is 0xe3069283
// (RFC 3720, B.4), written big-endian; SHA-256 of "abc" is FIPS 180-2's.
const (
	checkInput  = "123456789"
	checkCRC32C = "e3069283"
	abcSHA256   = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
)

func sumOf(a Algorithm, s string) string {
	h := a.New()
	h.Write([]byte(s))
	return Format(h)
}

func TestKnownValues(t *testing.T) {
	if got := sumOf(CRC32C, checkInput); got != checkCRC32C {
		t.Errorf("CRC32C(%q) = %s, want %s", checkInput, got, checkCRC32C)
	}
	if got := sumOf(SHA256, "abc"); got != abcSHA256 {
		t.Errorf("SHA-256(abc) = %s, want %s", got, abcSHA256)
	}
	// Leading zero bytes keep their digits: always 8.
	if got := sumOf(CRC32C, ""); got != "00000000" {
		t.Errorf("CRC32C of nothing = %q, want 00000000", got)
	}
}

func TestParse(t *testing.T) {
	for in, want := range map[string]Algorithm{"crc32c": CRC32C, "CRC32C": CRC32C, "sha256": SHA256, "SHA256": SHA256} {
		if got, ok := Parse(in); !ok || got != want {
			t.Errorf("Parse(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "md5", "sha-256", "crc32"} {
		if got, ok := Parse(in); ok {
			t.Errorf("Parse(%q) = %q, want refused", in, got)
		}
	}
	if Default != CRC32C {
		t.Errorf("Default = %s, want crc32c", Default)
	}
	if CRC32C.Name() != "CRC32C" || SHA256.Name() != "SHA-256" {
		t.Errorf("names: %s, %s", CRC32C.Name(), SHA256.Name())
	}
}

func TestVerifier(t *testing.T) {
	data := checkInput
	good := []Sum{{CRC32C, checkCRC32C}, {SHA256, sumOf(SHA256, data)}}
	tests := []struct {
		name     string
		want     []Sum
		n        int
		mismatch Algorithm // "": none
	}{
		{"none: size only", nil, 0, ""},
		{"empty sums skipped", []Sum{{CRC32C, ""}, {SHA256, ""}}, 0, ""},
		{"crc32c", good[:1], 1, ""},
		{"sha256", good[1:], 1, ""},
		{"both", good, 2, ""},
		{"crc32c differs", []Sum{{CRC32C, "00000000"}}, 1, CRC32C},
		{"sha256 differs, crc32c matches", []Sum{good[0], {SHA256, abcSHA256}}, 2, SHA256},
		{"crc32c differs, sha256 matches", []Sum{{CRC32C, "00000000"}, good[1]}, 2, CRC32C},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := NewVerifier(tt.want)
			if v.Len() != tt.n {
				t.Fatalf("Len = %d, want %d", v.Len(), tt.n)
			}
			// Written in pieces, as a reader hands it over.
			for _, piece := range []string{data[:2], data[2:7], data[7:]} {
				if n, err := v.Write([]byte(piece)); n != len(piece) || err != nil {
					t.Fatalf("Write = %d, %v", n, err)
				}
			}
			m := v.Check()
			if tt.mismatch == "" {
				if m != nil {
					t.Fatalf("Check = %v, want a match", m)
				}
				return
			}
			if m == nil || m.Algorithm != tt.mismatch {
				t.Fatalf("Check = %v, want a %s mismatch", m, tt.mismatch)
			}
			if m.Got != sumOf(m.Algorithm, data) || !strings.HasPrefix(m.Error(), tt.mismatch.Name()+" "+m.Got) {
				t.Fatalf("mismatch %+v: %v", m, m)
			}
		})
	}
}

func TestFlag(t *testing.T) {
	a := CRC32C
	f := Flag{Alg: &a}
	if err := f.Set("sha256"); err != nil || a != SHA256 || f.String() != string(SHA256) {
		t.Fatalf("Set(sha256): %v, alg %q", err, a)
	}
	if err := f.Set("md5"); err == nil || !strings.Contains(err.Error(), Choices()) || a != SHA256 {
		t.Errorf("Set(md5) = %v, alg %q: want a refusal naming the choices, the value unchanged", err, a)
	}
}
