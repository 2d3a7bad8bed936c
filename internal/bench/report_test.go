package bench

import (
	"testing"
	"time"
)

func TestRatioIsTheRoundsMedian(t *testing.T) {
	// Medians of the two columns would give 2s/2s = 1; the rounds, each
	// measured side by side, say aerobackup took longer in two of three.
	r := Row{
		CLI:    Sample{Elapsed: 2 * time.Second},
		Direct: Sample{Elapsed: 2 * time.Second},
		Ratios: []float64{0.9, 1.2, 0.8},
	}
	if got := r.Ratio(); got != 0.9 {
		t.Fatalf("Ratio = %v, want the rounds' median 0.9", got)
	}
	r.Ratios = []float64{1.0, 0.8, 0.9, 1.2}
	if got := r.Ratio(); got < 0.9499 || got > 0.9501 {
		t.Fatalf("Ratio of an even count = %v, want 0.95", got)
	}
	if r.Ratios[0] != 1.0 {
		t.Fatal("Ratio reordered the row's rounds")
	}
	r.Ratios = nil
	r.Direct.Elapsed = time.Second
	if got := r.Ratio(); got != 0.5 {
		t.Fatalf("Ratio without rounds = %v, want the medians' 0.5", got)
	}
}
