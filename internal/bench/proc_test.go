package bench

import (
	"testing"
	"time"
)

func TestMedian(t *testing.T) {
	got := median([]Sample{{Elapsed: 3 * time.Second, MaxRSS: 10}, {Elapsed: time.Second, MaxRSS: 30}, {Elapsed: 2 * time.Second, MaxRSS: 20}})
	if got.Elapsed != 2*time.Second || got.MaxRSS != 20 {
		t.Fatalf("median = %+v, want 2s and 20", got)
	}
	if (median(nil) != Sample{}) {
		t.Fatal("median of nothing is not zero")
	}
}
