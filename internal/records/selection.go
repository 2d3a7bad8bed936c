package records

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"

	as "github.com/aerospike/aerospike-client-go/v8"
	"github.com/aerospike/backup-go/models"
)

// Partitions is the number of partitions of a namespace.
const Partitions = 4096

// PartitionOf is the partition of a record's digest, as the client and
// server compute it.
func PartitionOf(digest []byte) int {
	if len(digest) < 4 {
		return 0
	}
	return int(binary.LittleEndian.Uint32(digest[:4])&0xFFFF) & (Partitions - 1)
}

// Want is one record asked for: by user key (in a set) or by digest.
type Want struct {
	// Label names the record as the user gave it: `key "k1" (string) in
	// set "s"`, or `digest 2f…`.
	Label  string
	Digest [20]byte
}

// Partition is the record's partition.
func (w Want) Partition() int { return PartitionOf(w.Digest[:]) }

// DigestHex is the digest in lowercase hex.
func (w Want) DigestHex() string { return hex.EncodeToString(w.Digest[:]) }

// Spec is a selection as the command line gives it.
type Spec struct {
	Keys     []string
	KeyType  string // string (default), int or bytes (hex)
	Set      string
	Digests  []string // hex (40 digits) or base64 (of 20 bytes)
	KeysFile string   // one per line: [string:|int:|bytes:|digest:]VALUE; # comments
}

// Empty reports whether the spec selects nothing, i.e. every record.
func (s Spec) Empty() bool { return len(s.Keys) == 0 && len(s.Digests) == 0 && s.KeysFile == "" }

// Selection is the records a command is limited to, by digest.
type Selection struct {
	Wants    []Want
	byDigest map[[20]byte]int
}

// Select resolves a spec into the digests it names; the same record named
// twice is kept once.
func Select(s Spec) (*Selection, error) {
	sel := &Selection{byDigest: map[[20]byte]int{}}
	for _, k := range s.Keys {
		w, err := keyWant(s.Set, s.KeyType, k)
		if err != nil {
			return nil, err
		}
		sel.add(w)
	}
	for _, d := range s.Digests {
		w, err := digestWant(d)
		if err != nil {
			return nil, err
		}
		sel.add(w)
	}
	if s.KeysFile != "" {
		if err := sel.addFile(s); err != nil {
			return nil, err
		}
	}
	if len(sel.Wants) == 0 {
		return nil, fmt.Errorf("no records selected: give --key, --digest or a --keys-file that names some")
	}
	return sel, nil
}

func (sel *Selection) add(w Want) {
	if _, ok := sel.byDigest[w.Digest]; ok {
		return
	}
	sel.byDigest[w.Digest] = len(sel.Wants)
	sel.Wants = append(sel.Wants, w)
}

func (sel *Selection) addFile(s Spec) error {
	b, err := os.ReadFile(s.KeysFile)
	if err != nil {
		return fmt.Errorf("--keys-file: %w", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		var w Want
		typ, val, typed := strings.Cut(line, ":")
		switch {
		case typed && typ == "digest":
			w, err = digestWant(val)
		case typed && (typ == "string" || typ == "int" || typ == "bytes"):
			w, err = keyWant(s.Set, typ, val)
		default:
			w, err = keyWant(s.Set, s.KeyType, line)
		}
		if err != nil {
			return fmt.Errorf("--keys-file %s:%d: %w", s.KeysFile, n, err)
		}
		sel.add(w)
	}
	return sc.Err()
}

// keyWant computes the digest of a user key of the given type in set.
func keyWant(set, typ, k string) (Want, error) {
	var v any
	switch typ {
	case "", "string":
		typ, v = "string", k
	case "int", "integer":
		i, err := strconv.ParseInt(k, 10, 64)
		if err != nil {
			return Want{}, fmt.Errorf("key %q is not an integer (--key-type int)", k)
		}
		typ, v = "int", i
	case "bytes", "blob":
		b, err := hex.DecodeString(k)
		if err != nil {
			return Want{}, fmt.Errorf("key %q is not hex (--key-type bytes takes the bytes in hex)", k)
		}
		typ, v = "bytes", b
	default:
		return Want{}, fmt.Errorf("--key-type %q: use string, int or bytes", typ)
	}
	key, err := as.NewKey("ns", set, v)
	if err != nil {
		return Want{}, fmt.Errorf("key %q: %w", k, err)
	}
	w := Want{Label: fmt.Sprintf("key %q (%s)", k, typ)}
	if set != "" {
		w.Label += fmt.Sprintf(" in set %q", set)
	}
	copy(w.Digest[:], key.Digest())
	return w, nil
}

func digestWant(d string) (Want, error) {
	d = strings.TrimSpace(d)
	b, err := hex.DecodeString(d)
	if err != nil || len(b) != 20 {
		b, err = base64.StdEncoding.DecodeString(d)
	}
	if err != nil || len(b) != 20 {
		return Want{}, fmt.Errorf("digest %q: give its 20 bytes as 40 hex digits or in base64", d)
	}
	w := Want{}
	copy(w.Digest[:], b)
	w.Label = "digest " + w.DigestHex()
	return w, nil
}

// Partitions are the distinct partitions of the selected records, sorted.
func (sel *Selection) Partitions() []int {
	seen := map[int]bool{}
	var out []int
	for _, w := range sel.Wants {
		if p := w.Partition(); !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	sort.Ints(out)
	return out
}

// Match returns the index in Wants of the record, if it is selected.
func (sel *Selection) Match(r *models.Record) (int, bool) {
	if r == nil || r.Record == nil || r.Key == nil {
		return 0, false
	}
	var d [20]byte
	copy(d[:], r.Key.Digest())
	i, ok := sel.byDigest[d]
	return i, ok
}
