package bench

import (
	"fmt"
	"io"
	"slices"
	"strings"
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

func TestCPURatio(t *testing.T) {
	r := Row{CLI: Sample{CPU: 2 * time.Second}, Direct: Sample{CPU: time.Second}, CPURatios: []float64{1.1, 0.9, 1.0}}
	if got := r.CPURatio(); got != 1.0 {
		t.Fatalf("CPURatio = %v, want the rounds' median 1.0", got)
	}
	r.CPURatios = nil
	if got := r.CPURatio(); got != 0.5 {
		t.Fatalf("CPURatio without rounds = %v, want 0.5", got)
	}
}

// TestPairs: a discarded warm-up round, then rounds alternating which
// program goes first, each round's ratio from its own two runs.
func TestPairs(t *testing.T) {
	s := &suite{cfg: Config{Log: io.Discard}}
	var order []string
	run := func(who string, d time.Duration) func(int) (Sample, error) {
		return func(round int) (Sample, error) {
			order = append(order, fmt.Sprintf("%s%d", who, round))
			return Sample{Elapsed: d * time.Duration(round+2), CPU: d}, nil
		}
	}
	cli, dir, ratios, cpu, err := s.pairs("x", 3, run("c", 2*time.Millisecond), run("d", time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"c-1", "d-1", "c0", "d0", "d1", "c1", "c2", "d2"}
	if !slices.Equal(order, want) {
		t.Fatalf("order %v, want %v", order, want)
	}
	if len(cli) != 3 || len(dir) != 3 {
		t.Fatalf("%d and %d samples, want 3 each (the warm-up discarded)", len(cli), len(dir))
	}
	for i := range 3 {
		if ratios[i] != 0.5 || cpu[i] != 0.5 {
			t.Fatalf("round %d: ratios %v, CPU %v; want 0.5", i, ratios[i], cpu[i])
		}
	}
	if _, _, _, _, err := s.pairs("x", 3, run("c", 1), func(int) (Sample, error) { return Sample{}, io.ErrUnexpectedEOF }); err == nil {
		t.Fatal("a failing run did not fail the measurement")
	}
}

func TestCheckTargetsTheFullDataSet(t *testing.T) {
	cfg := Config{Records: 200_000, Small: 50_000}
	res := &Result{Rows: []Row{
		{Name: "backup 50k, no compression", Records: 50_000, Ratios: []float64{0.5}},
		{Name: "backup 200k, no compression", Records: 200_000, Ratios: []float64{1.2, 0.96, 0.7, 0.9, 1.0}},
		{Name: "restore 200k into an empty namespace", Records: 200_000, Ratios: []float64{0.9}},
	}}
	res.Check(cfg)
	want := []string{
		"- backup 50k, no compression: ratio 0.50 (CPU 0.00), start-up included; for the RSS check below, not a target",
		"- backup 200k, no compression: ratio 0.96 (middle half of 5 rounds 0.90-1.00) >= 0.95: PASS",
		"- restore 200k into an empty namespace: ratio 0.90 >= 0.95: FAIL",
	}
	if !slices.Equal(res.Checks[:3], want) {
		t.Fatalf("checks:\n%s\nwant:\n%s", strings.Join(res.Checks, "\n"), strings.Join(want, "\n"))
	}
}
