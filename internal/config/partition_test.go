package config

import (
	"encoding/base64"
	"reflect"
	"strings"
	"testing"

	"github.com/aerospike/backup-go"
)

func TestParsePartitionList(t *testing.T) {
	digest := base64.StdEncoding.EncodeToString([]byte{0x34, 0x12, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19})
	tests := []struct {
		in      string
		want    []PartitionRange
		wantErr string
	}{
		{in: "0", want: []PartitionRange{{Begin: 0, Count: 1}}},
		{in: "4095", want: []PartitionRange{{Begin: 4095, Count: 1}}},
		{in: "0-1000,2000", want: []PartitionRange{{Begin: 0, Count: 1000}, {Begin: 2000, Count: 1}}},
		{in: "100-50,0-100", want: []PartitionRange{{Begin: 100, Count: 50}, {Begin: 0, Count: 100}}},
		{in: "0-4096", want: []PartitionRange{{Begin: 0, Count: 4096}}},
		// 0x1234 & 0xfff = 0x234 = 564
		{in: digest, want: []PartitionRange{{Begin: 564, Count: 1, Digest: digest}}},
		{in: "", wantErr: "is empty"},
		{in: "4096", wantErr: "partition must be between 0 and 4095"},
		{in: "4096-1", wantErr: "begin must be between 0 and 4095"},
		{in: "10-0", wantErr: "count must be at least 1"},
		{in: "4000-97", wantErr: "past the last partition 4095"},
		{in: "1,,2", wantErr: `entry 2 "": empty entry`},
		{in: "1,", wantErr: "empty entry"},
		{in: "1, 2", wantErr: "whitespace"},
		{in: "-5", wantErr: "not a partition ID"},
		{in: "1-2-3", wantErr: "not a partition ID"},
		{in: "abc", wantErr: "not a partition ID"},
		{in: "AAAA", wantErr: "digest must decode to 20 bytes, got 3"},
		{in: "0-10,5", wantErr: "entries 0-10 and 5 select the same partition"},
		{in: "7,7", wantErr: "select the same partition"},
		{in: "99999999999999999999", wantErr: "partition must be between"},
		{in: "0000", wantErr: "partition must be between"},
		{in: "01-5", wantErr: "begin must be between"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParsePartitionList(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestDigestPartitionMatchesBackupGo checks our digest arithmetic against the
// partition backup-go (and the Aerospike client) assigns to the same digest.
func TestDigestPartitionMatchesBackupGo(t *testing.T) {
	for i := 0; i < 64; i++ {
		raw := make([]byte, digestSize)
		for j := range raw {
			raw[j] = byte(i*37 + j*11)
		}
		b64 := base64.StdEncoding.EncodeToString(raw)
		ours, err := ParsePartitionList(b64)
		if err != nil {
			t.Fatal(err)
		}
		theirs, err := backup.NewPartitionFilterByDigest("test", b64)
		if err != nil {
			t.Fatal(err)
		}
		if ours[0].Begin != theirs.Begin || theirs.Count != 1 {
			t.Fatalf("digest %s: ours %d, backup-go %d/%d", b64, ours[0].Begin, theirs.Begin, theirs.Count)
		}
	}
}

func TestPartitionRangeStringRoundTrip(t *testing.T) {
	in := "0-1000,2000,3000-96"
	got, err := ParsePartitionList(in)
	if err != nil {
		t.Fatal(err)
	}
	parts := make([]string, len(got))
	for i, r := range got {
		parts[i] = r.String()
	}
	if out := strings.Join(parts, ","); out != in {
		t.Fatalf("round trip %q -> %q", in, out)
	}
}

// FuzzParsePartitionList: never panics, and every accepted list stays within
// the partition space, is disjoint, and agrees with backup-go's parser on the
// numeric entries.
func FuzzParsePartitionList(f *testing.F) {
	for _, s := range []string{"0", "0-4096", "0-1000,2000", "100-50,0-100", "4095", "1,,2", "AAAAAAAAAAAAAAAAAAAAAAAAAAA=", "x-1", "0-0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParsePartitionList(s)
		if err != nil {
			return
		}
		used := make([]bool, Partitions)
		for _, r := range got {
			if r.Begin < 0 || r.Count < 1 || r.End() > Partitions {
				t.Fatalf("%q: range %+v outside the partition space", s, r)
			}
			for p := r.Begin; p < r.End(); p++ {
				if used[p] {
					t.Fatalf("%q: partition %d selected twice", s, p)
				}
				used[p] = true
			}
		}
		if strings.ContainsAny(s, "+/=") || strings.IndexFunc(s, func(r rune) bool { return r >= 'A' }) >= 0 {
			return // digest entries: backup-go also needs a namespace
		}
		theirs, err := backup.ParsePartitionFilterListString("", s)
		if err != nil {
			t.Fatalf("%q: accepted by us, rejected by backup-go: %v", s, err)
		}
		for i, r := range got {
			if theirs[i].Begin != r.Begin || theirs[i].Count != r.Count {
				t.Fatalf("%q entry %d: ours %+v, backup-go %d/%d", s, i, r, theirs[i].Begin, theirs[i].Count)
			}
		}
	})
}
