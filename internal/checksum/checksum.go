// Package checksum names the algorithms of the per-file checksums in a
// backup's manifest (aerobackup.yaml) and computes them: while a backup
// writes, while a restore reads, and in verify --read-data.
//
// The checksum guards against accidental damage (bit rot, truncation, a
// bad copy), not tampering: it is stored unprotected beside the data, so
// whoever can alter a file can alter its checksum too. A cryptographic
// hash therefore buys nothing over a CRC, and CRC32C, hardware-accelerated
// on amd64 and arm64, costs about a fifth of the CPU of SHA-256. It is
// the default for that reason (as for PostgreSQL's backup manifests, and
// what GCS and S3 report for object integrity); SHA-256 stays available
// for operators who want it, and manifests written before CRC32C existed
// hold SHA-256 only.
package checksum

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"hash/crc32"
	"strings"
)

// Algorithm is a checksum algorithm, named as the manifest's key for it.
type Algorithm string

const (
	// CRC32C is CRC-32 with the Castagnoli polynomial, written as the 8
	// lowercase hex digits of its big-endian value.
	CRC32C Algorithm = "crc32c"
	// SHA256 is SHA-256, written as 64 lowercase hex digits.
	SHA256 Algorithm = "sha256"
)

// Default is the algorithm new backups record.
const Default = CRC32C

// algorithms lists every algorithm Parse accepts.
var algorithms = []Algorithm{CRC32C, SHA256}

// Choices names the accepted values for messages: "crc32c or sha256".
func Choices() string { return string(CRC32C) + " or " + string(SHA256) }

// Parse reads an algorithm's name, in any case.
func Parse(s string) (Algorithm, bool) {
	for _, a := range algorithms {
		if strings.EqualFold(s, string(a)) {
			return a, true
		}
	}
	return "", false
}

// Name is the algorithm as messages spell it: CRC32C, SHA-256.
func (a Algorithm) Name() string {
	if a == SHA256 {
		return "SHA-256"
	}
	return strings.ToUpper(string(a))
}

// castagnoli is built once; hash/crc32 recognises this table and uses the
// CPU's CRC32 instructions for it.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// New returns a fresh hash of the algorithm. It panics on an algorithm
// Parse does not know, which only a programming error can produce.
func (a Algorithm) New() hash.Hash {
	switch a {
	case CRC32C:
		return crc32.New(castagnoli)
	case SHA256:
		return sha256.New()
	}
	panic("checksum: unknown algorithm " + string(a))
}

// Format writes h's sum as the manifest does: lowercase hex of h.Sum,
// which for a CRC is its big-endian value.
func Format(h hash.Hash) string { return hex.EncodeToString(h.Sum(nil)) }

// Sum is one recorded checksum.
type Sum struct {
	Algorithm Algorithm
	Hex       string
}

// Mismatch is a checksum that differs from the recorded one.
type Mismatch struct {
	Algorithm Algorithm
	Got, Want string
}

func (m *Mismatch) Error() string {
	return m.Algorithm.Name() + " " + m.Got + " differs from the recorded " + m.Want
}

// Verifier hashes a stream with exactly the algorithms of the sums it is
// to be compared with, and nothing when there are none (a manifest entry
// recording its size only), so a reader pays only for what it checks.
type Verifier struct {
	want   []Sum
	hashes []hash.Hash
}

// NewVerifier returns a Verifier for want; empty sums are skipped.
func NewVerifier(want []Sum) *Verifier {
	v := &Verifier{}
	for _, s := range want {
		if s.Hex == "" {
			continue
		}
		v.want = append(v.want, s)
		v.hashes = append(v.hashes, s.Algorithm.New())
	}
	return v
}

// Len is the number of checksums compared.
func (v *Verifier) Len() int { return len(v.want) }

// Write implements io.Writer; it never fails.
func (v *Verifier) Write(p []byte) (int, error) {
	for _, h := range v.hashes {
		h.Write(p)
	}
	return len(p), nil
}

// Check compares the stream written so far with the recorded sums, in
// the order they were given, and returns the first that differs (nil:
// all match).
func (v *Verifier) Check() *Mismatch {
	for i, s := range v.want {
		if got := Format(v.hashes[i]); got != s.Hex {
			return &Mismatch{Algorithm: s.Algorithm, Got: got, Want: s.Hex}
		}
	}
	return nil
}

// Flag is a command-line flag (a pflag.Value) setting *Alg, checked as it
// is set, so that a bad value from the command line or from an environment
// variable is a usage error naming the flag.
type Flag struct{ Alg *Algorithm }

func (f Flag) String() string { return string(*f.Alg) }

// Type names the value in help.
func (f Flag) Type() string { return "string" }

// Set parses s, refusing an unknown algorithm.
func (f Flag) Set(s string) error {
	a, ok := Parse(s)
	if !ok {
		return fmt.Errorf("want %s", Choices())
	}
	*f.Alg = a
	return nil
}
