package bench

import (
	"testing"
	"time"
)

func TestMedian(t *testing.T) {
	got := median([]Sample{{Elapsed: 3 * time.Second, CPU: 5, MaxRSS: 10}, {Elapsed: time.Second, CPU: 4, MaxRSS: 30}, {Elapsed: 2 * time.Second, CPU: 6, MaxRSS: 20}})
	if got.Elapsed != 2*time.Second || got.CPU != 5 || got.MaxRSS != 20 {
		t.Fatalf("median = %+v, want 2s, 5ns and 20", got)
	}
	if (median(nil) != Sample{}) {
		t.Fatal("median of nothing is not zero")
	}
}

func TestParseInts(t *testing.T) {
	got, err := ParseInts(" 1, 2,16,")
	if err != nil || len(got) != 3 || got[0] != 1 || got[1] != 2 || got[2] != 16 {
		t.Fatalf("ParseInts = %v, %v; want [1 2 16]", got, err)
	}
	for _, bad := range []string{"0", "x", "1,-2"} {
		if _, err := ParseInts(bad); err == nil {
			t.Errorf("ParseInts(%q) accepted", bad)
		}
	}
}
