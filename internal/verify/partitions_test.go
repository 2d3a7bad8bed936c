package verify

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"log/slog"
	"testing"

	as "github.com/aerospike/aerospike-client-go/v8"

	"github.com/aerobackup/aerobackup/internal/catalog"
)

// plainASB is a minimal plain .asb file holding one record of each key.
func plainASB(t *testing.T, keys ...*as.Key) []byte {
	t.Helper()
	var b bytes.Buffer
	b.WriteString("Version 3.1\n# namespace test\n# first-file\n")
	for _, k := range keys {
		fmt.Fprintf(&b, "+ n test\n+ d %s\n+ s demo\n+ g 1\n+ t 0\n+ b 1\n- I n 7\n", base64.StdEncoding.EncodeToString(k.Digest()))
	}
	return b.Bytes()
}

func TestPartitionCheck(t *testing.T) {
	var keys []*as.Key
	for i := range 40 {
		k, err := as.NewKey("test", "demo", i)
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k)
	}
	low, high := 0, 0 // records in partitions below and from 2048
	for _, k := range keys {
		if k.PartitionId() < 2048 {
			low++
		} else {
			high++
		}
	}
	if low == 0 || high == 0 {
		t.Fatalf("keys in %d low and %d high partitions: want both", low, high)
	}
	data := plainASB(t, keys...)
	for _, tt := range []struct {
		name    string
		ranges  []catalog.PartitionRange
		outside int
	}{
		{"no ranges: any partition", nil, 0},
		{"all partitions", []catalog.PartitionRange{{Begin: 0, Count: 4096}}, 0},
		{"the low half", []catalog.PartitionRange{{Begin: 0, Count: 2048}}, high},
		{"two ranges", []catalog.PartitionRange{{Begin: 0, Count: 1}, {Begin: 2048, Count: 2048}}, low},
		{"none of them", []catalog.PartitionRange{{Begin: 4095, Count: 1}}, len(keys)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			pc := &partitionCheck{entry: catalog.ManifestEntry{Name: "0_test_1.asb", Partitions: tt.ranges}, log: slog.New(slog.DiscardHandler)}
			pc.read(bytes.NewReader(data), "d/0_test_1.asb")
			if pc.outside != tt.outside {
				t.Fatalf("%d records outside, want %d (of %d)", pc.outside, tt.outside, len(keys))
			}
			pr, ok := pc.problem("d/0_test_1.asb")
			if ok != (tt.outside > 0) || (ok && (pr.Status != Corrupt || pr.File != "d/0_test_1.asb")) {
				t.Errorf("problem %+v %v", pr, ok)
			}
		})
	}
	var none *partitionCheck
	if _, ok := none.problem("x"); ok {
		t.Error("a nil check reported a problem")
	}
}

func TestRangesText(t *testing.T) {
	for _, tt := range []struct {
		in   []catalog.PartitionRange
		want string
	}{
		{[]catalog.PartitionRange{{Begin: 0, Count: 1024}}, "0..1023"},
		{[]catalog.PartitionRange{{Begin: 7, Count: 1}, {Begin: 2048, Count: 2048}}, "7, 2048..4095"},
	} {
		if got := rangesText(tt.in); got != tt.want {
			t.Errorf("rangesText(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
