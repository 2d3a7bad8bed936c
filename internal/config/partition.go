package config

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Partitions is the number of partitions of an Aerospike namespace.
const Partitions = 4096

// digestSize is the length of a record digest (RIPEMD-160).
const digestSize = 20

// PartitionRange selects Count partitions starting at Begin. A digest entry
// selects the one partition holding that digest; Digest keeps the base64
// text as written so callers can hand it to backup-go.
type PartitionRange struct {
	Begin  int
	Count  int
	Digest string
}

// End is one past the last selected partition.
func (p PartitionRange) End() int { return p.Begin + p.Count }

// String writes the range back in partition-list syntax.
func (p PartitionRange) String() string {
	switch {
	case p.Digest != "":
		return p.Digest
	case p.Count == 1:
		return strconv.Itoa(p.Begin)
	}
	return fmt.Sprintf("%d-%d", p.Begin, p.Count)
}

// ParsePartitionList parses ABS's partition-list: comma-separated entries,
// each "<begin>-<count>" (a range: "100-50" is partitions 100..149), "<id>"
// (one partition, 0..4095) or a base64 record digest (the partition holding
// it). Whitespace, empty entries, ranges past partition 4095 and entries that
// select a partition twice are errors, as in ABS. The result keeps the order
// written.
func ParsePartitionList(s string) ([]PartitionRange, error) {
	if s == "" {
		return nil, errors.New("is empty")
	}
	if i := strings.IndexFunc(s, isSpace); i >= 0 {
		return nil, fmt.Errorf("must not contain whitespace (at offset %d)", i)
	}
	entries := strings.Split(s, ",")
	out := make([]PartitionRange, 0, len(entries))
	for i, e := range entries {
		r, err := parsePartitionEntry(e)
		if err != nil {
			return nil, fmt.Errorf("entry %d %q: %w", i+1, e, err)
		}
		out = append(out, r)
	}
	if err := checkDisjoint(out); err != nil {
		return nil, err
	}
	return out, nil
}

func isSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f'
}

func parsePartitionEntry(e string) (PartitionRange, error) {
	if e == "" {
		return PartitionRange{}, errors.New("empty entry")
	}
	if begin, count, ok := strings.Cut(e, "-"); ok && allDigits(begin) && allDigits(count) {
		b, errB := atoiBounded(begin)
		c, errC := atoiBounded(count)
		switch {
		case errB != nil || b >= Partitions:
			return PartitionRange{}, fmt.Errorf("begin must be between 0 and %d", Partitions-1)
		case errC != nil || c < 1:
			return PartitionRange{}, errors.New("count must be at least 1")
		case b+c > Partitions:
			return PartitionRange{}, fmt.Errorf("range ends at partition %d, past the last partition %d", b+c-1, Partitions-1)
		}
		return PartitionRange{Begin: b, Count: c}, nil
	}
	if allDigits(e) {
		id, err := atoiBounded(e)
		if err != nil || id >= Partitions {
			return PartitionRange{}, fmt.Errorf("partition must be between 0 and %d", Partitions-1)
		}
		return PartitionRange{Begin: id, Count: 1}, nil
	}
	raw, err := base64.StdEncoding.Strict().DecodeString(e)
	if err != nil {
		return PartitionRange{}, errors.New(`not a partition ID, a "<begin>-<count>" range or a base64 digest`)
	}
	if len(raw) != digestSize {
		return PartitionRange{}, fmt.Errorf("digest must decode to %d bytes, got %d", digestSize, len(raw))
	}
	return PartitionRange{Begin: DigestPartition(raw), Count: 1, Digest: e}, nil
}

// DigestPartition returns the partition a record digest belongs to, the way
// the Aerospike client computes it: the low 12 bits of its first two bytes,
// little-endian.
func DigestPartition(digest []byte) int {
	return int(binary.LittleEndian.Uint16(digest[:2])) & (Partitions - 1)
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// atoiBounded parses digits, refusing values too long to be meaningful and
// leading zeros, which backup-go's parser (used by ABS) does not accept.
func atoiBounded(s string) (int, error) {
	if len(s) > 6 {
		return 0, errors.New("too large")
	}
	if len(s) > 1 && s[0] == '0' {
		return 0, errors.New("leading zero")
	}
	return strconv.Atoi(s)
}

func checkDisjoint(ranges []PartitionRange) error {
	sorted := append([]PartitionRange(nil), ranges...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Begin < sorted[j].Begin })
	for i := 1; i < len(sorted); i++ {
		if sorted[i].Begin < sorted[i-1].End() {
			return fmt.Errorf("entries %s and %s select the same partition", sorted[i-1], sorted[i])
		}
	}
	return nil
}
