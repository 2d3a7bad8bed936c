package backupslice

import (
	"strings"
	"testing"
	"time"

	"github.com/aerobackup/aerobackup/internal/config"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Spec
		err  string
	}{
		{in: "0/4", want: Spec{0, 4}},
		{in: "3/4", want: Spec{3, 4}},
		{in: "0/1", want: Spec{0, 1}},
		{in: "4095/4096", want: Spec{4095, 4096}},
		{in: "4/4", err: "slice index 4: want 0..3"},
		{in: "-1/4", err: "slice index -1"},
		{in: "0/0", err: "slice count 0"},
		{in: "0/4097", err: "slice count 4097: want 1..4096"},
		{in: "1", err: "want I/N"},
		{in: "a/b", err: "whole numbers"},
		{in: "", err: "want I/N"},
	} {
		got, err := Parse(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("Parse(%q) = %v, %v; want error containing %q", tc.in, got, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("Parse(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

func TestFromEnv(t *testing.T) {
	if s, err := FromEnv(4, "2", true); err != nil || s != (Spec{2, 4}) {
		t.Errorf("FromEnv(4, 2) = %v, %v", s, err)
	}
	for _, tc := range []struct {
		v       string
		present bool
		err     string
	}{
		{"", false, "JOB_COMPLETION_INDEX, which is not set"},
		{"x", true, "not a whole number"},
		{"4", true, "JOB_COMPLETION_INDEX=4 with --slices 4: slice index 4"},
	} {
		if _, err := FromEnv(4, tc.v, tc.present); err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("FromEnv(4, %q) error %v, want %q", tc.v, err, tc.err)
		}
	}
}

// TestPartitionsCoverEveryPartitionOnce: for any N the slices' shares are
// disjoint, cover the selection, and differ in size by at most one.
func TestPartitionsCoverEveryPartitionOnce(t *testing.T) {
	sels := map[string][]config.PartitionRange{
		"all":      nil,
		"two runs": {{Begin: 4000, Count: 96}, {Begin: 0, Count: 100}},
		"single":   {{Begin: 7, Count: 1}, {Begin: 9, Count: 1}, {Begin: 8, Count: 1}},
	}
	for name, sel := range sels {
		want := map[int]bool{}
		total := 0
		if sel == nil {
			total = config.Partitions
			for i := 0; i < total; i++ {
				want[i] = true
			}
		}
		for _, p := range sel {
			for id := p.Begin; id < p.End(); id++ {
				want[id] = true
				total++
			}
		}
		for _, n := range []int{1, 2, 3, 4, 7, 64, total} {
			if n > total {
				continue
			}
			seen := map[int]int{}
			minSize, maxSize := total, 0
			for i := 0; i < n; i++ {
				parts, err := Spec{i, n}.Partitions(sel)
				if err != nil {
					t.Fatalf("%s: %d/%d: %v", name, i, n, err)
				}
				size := 0
				for _, p := range parts {
					for id := p.Begin; id < p.End(); id++ {
						seen[id]++
						size++
					}
				}
				minSize, maxSize = min(minSize, size), max(maxSize, size)
			}
			for id := range want {
				if seen[id] != 1 {
					t.Errorf("%s, %d slices: partition %d in %d slices", name, n, id, seen[id])
				}
			}
			if len(seen) != len(want) {
				t.Errorf("%s, %d slices: %d partitions covered, want %d", name, n, len(seen), len(want))
			}
			if maxSize-minSize > 1 {
				t.Errorf("%s, %d slices: shares of %d to %d partitions", name, n, minSize, maxSize)
			}
		}
	}
	// The shares are contiguous ranges: 4 slices of all are quarters.
	parts, _ := Spec{1, 4}.Partitions(nil)
	if len(parts) != 1 || parts[0] != (config.PartitionRange{Begin: 1024, Count: 1024}) {
		t.Errorf("slice 1/4 of all = %v, want 1024-1024", parts)
	}
}

func TestPartitionsRefusals(t *testing.T) {
	if _, err := (Spec{0, 2}).Partitions([]config.PartitionRange{{Digest: "EjRWeJq83vEjRWeJq83vEjRWeJo="}}); err == nil ||
		!strings.Contains(err.Error(), "record digest") {
		t.Errorf("digest entry: %v", err)
	}
	if _, err := (Spec{0, 5}).Partitions([]config.PartitionRange{{Begin: 0, Count: 4}}); err == nil ||
		!strings.Contains(err.Error(), "5 slices of 4 partitions") {
		t.Errorf("more slices than partitions: %v", err)
	}
}

func TestRecordNames(t *testing.T) {
	s := Spec{2, 4}
	if s.FilePrefix() != "slice-2-of-4_" || s.RecordName() != "slice-2-of-4.yaml" {
		t.Errorf("names: %q %q", s.FilePrefix(), s.RecordName())
	}
	if got, ok := ParseRecordName(s.RecordName()); !ok || got != s {
		t.Errorf("ParseRecordName(%q) = %v, %v", s.RecordName(), got, ok)
	}
	for _, bad := range []string{"slice-4-of-4.yaml", "slice-1-of-4.yml", "metadata.yaml", "slice-x-of-4.yaml"} {
		if _, ok := ParseRecordName(bad); ok {
			t.Errorf("ParseRecordName(%q) accepted", bad)
		}
	}
	if !(Spec{0, 3}).CarriesMetadata() || (Spec{1, 3}).CarriesMetadata() {
		t.Error("only slice 0 carries indexes and UDFs")
	}
}

func TestScheduledTime(t *testing.T) {
	want := time.Date(2026, 11, 21, 2, 0, 0, 0, time.UTC)
	for _, in := range []string{
		"2026-11-21T02:00:00Z",
		"2026-11-21T03:00:00+01:00",
		"1795226400000",
		// CronJob "aerobackup-prod-sliced" scheduled at 02:00 names its Job so
		"aerobackup-prod-sliced-29920440",
	} {
		got, err := ScheduledTime(in)
		if err != nil || !got.Equal(want) {
			t.Errorf("ScheduledTime(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"yesterday", "job-12", "prod-", ""} {
		if _, err := ScheduledTime(in); err == nil {
			t.Errorf("ScheduledTime(%q) accepted", in)
		}
	}
}
