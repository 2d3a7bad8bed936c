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
	// Medians of the two columns would give 2s/2s = 1; the blocks, each
	// measured side by side, say aerobackup took longer in two of three.
	r := Row{
		CLI:    Sample{Elapsed: 2 * time.Second},
		Direct: Sample{Elapsed: 2 * time.Second},
		Ratios: []float64{0.9, 1.2, 0.8},
	}
	if got := r.Ratio(); got != 0.9 {
		t.Fatalf("Ratio = %v, want the blocks' median 0.9", got)
	}
	r.Ratios = []float64{1.0, 0.8, 0.9, 1.2}
	if got := r.Ratio(); got < 0.9499 || got > 0.9501 {
		t.Fatalf("Ratio of an even count = %v, want 0.95", got)
	}
	if r.Ratios[0] != 1.0 {
		t.Fatal("Ratio reordered the row's blocks")
	}
	r.Ratios = nil
	r.Direct.Elapsed = time.Second
	if got := r.Ratio(); got != 0.5 {
		t.Fatalf("Ratio without blocks = %v, want the medians' 0.5", got)
	}
}

func TestCPURatio(t *testing.T) {
	r := Row{CLI: Sample{CPU: 2 * time.Second}, Direct: Sample{CPU: time.Second}, CPURatios: []float64{1.1, 0.9, 1.0}}
	if got := r.CPURatio(); got != 1.0 {
		t.Fatalf("CPURatio = %v, want the blocks' median 1.0", got)
	}
	r.CPURatios = nil
	if got := r.CPURatio(); got != 0.5 {
		t.Fatalf("CPURatio without blocks = %v, want 0.5", got)
	}
}

// TestBlocks: a discarded warm-up run of each, then blocks of aerobackup,
// backup-go, backup-go, aerobackup, each block's ratio from its own four
// runs.
func TestBlocks(t *testing.T) {
	s := &suite{cfg: Config{Log: io.Discard}}
	var order []string
	// Each program's runs take longer the later they come; aerobackup's
	// twice backup-go's.
	run := func(who string, d time.Duration) func(int) (Sample, error) {
		return func(i int) (Sample, error) {
			order = append(order, fmt.Sprintf("%s%d", who, i))
			return Sample{Elapsed: d * time.Duration(i+2), CPU: d * time.Duration(3-i%2)}, nil
		}
	}
	cli, dir, ratios, cpu, err := s.blocks("x", 2, run("c", 2*time.Millisecond), run("d", time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"c-1", "d-1", "c0", "d0", "d1", "c1", "c2", "d2", "d3", "c3"}
	if !slices.Equal(order, want) {
		t.Fatalf("order %v, want %v", order, want)
	}
	if len(cli) != 4 || len(dir) != 4 {
		t.Fatalf("%d and %d samples, want 4 each (the warm-up discarded)", len(cli), len(dir))
	}
	if len(ratios) != 2 || len(cpu) != 2 {
		t.Fatalf("%d ratios and %d CPU ratios, want one of each per block", len(ratios), len(cpu))
	}
	for b := range 2 {
		if ratios[b] != 0.5 || cpu[b] != 0.5 {
			t.Fatalf("block %d: ratio %v, CPU %v; want 0.5", b, ratios[b], cpu[b])
		}
	}
	// A block's ratio is of its sums: 1+3 over 2+2 is 1, where the
	// pairs' own ratios (0.5 and 1.5) would be anything their order made.
	times := map[string]time.Duration{"c0": 2, "d0": 1, "d1": 3, "c1": 2}
	timed := func(who string) func(int) (Sample, error) {
		return func(i int) (Sample, error) {
			return Sample{Elapsed: times[fmt.Sprintf("%s%d", who, i)] * time.Second}, nil
		}
	}
	if _, _, ratios, _, err := s.blocks("x", 1, timed("c"), timed("d")); err != nil || ratios[0] != 1 {
		t.Fatalf("block ratio %v (%v), want 1", ratios, err)
	}
	if _, _, _, _, err := s.blocks("x", 3, run("c", 1), func(int) (Sample, error) { return Sample{}, io.ErrUnexpectedEOF }); err == nil {
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
		"- backup 200k, no compression: ratio 0.96 (middle half of 5 blocks 0.90-1.00) >= 0.95: PASS",
		"- restore 200k into an empty namespace: ratio 0.90 >= 0.95: FAIL",
	}
	if !slices.Equal(res.Checks[:3], want) {
		t.Fatalf("checks:\n%s\nwant:\n%s", strings.Join(res.Checks, "\n"), strings.Join(want, "\n"))
	}
}

// The long chain's targets: no "already present" answer, one write per
// record, and restore-at-timestamp within x1.10 of its baseline's time; its
// row goes in a table of its own, as its baseline is not backup-go alone.
func TestLongChainChecks(t *testing.T) {
	chainRow := func(exists, writes int64, ratios ...float64) Row {
		return Row{Name: "restore-at-timestamp, full + 48 incrementals", Records: 580_000, Ratios: ratios, WritesCLI: writes,
			WritesDir: -1, Chain: &ChainStats{Incrementals: 48, Records: 100_000, Exists: exists}}
	}
	for _, tc := range []struct {
		name string
		row  Row
		want []string
	}{
		{"on target", chainRow(0, 100_000, 0.95, 0.92, 1.0),
			[]string{`- long chain: 0 "already present" answers from the server, 100000 writes for 100000 records (want 0 and one each): PASS`,
				"- long chain: restore-at-timestamp takes x1.05 the time of " + chainBaseline + " (want <= x1.10): PASS"}},
		{"superseded versions sent", chainRow(19_419, 100_000, 0.5),
			[]string{`- long chain: 19419 "already present" answers from the server, 100000 writes for 100000 records (want 0 and one each): FAIL`,
				"- long chain: restore-at-timestamp takes x2.00 the time of " + chainBaseline + " (want <= x1.10): FAIL"}},
		{"not counted", chainRow(-1, -1, 1),
			[]string{`- long chain: "already present" answers: not measured (the server does not answer aerospiketest-stats)`,
				"- long chain: restore-at-timestamp takes x1.00 the time of " + chainBaseline + " (want <= x1.10): PASS"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := &Result{Rows: []Row{tc.row}}
			res.Check(Config{Records: 200_000, Small: 50_000})
			if !slices.Equal(res.Checks, tc.want) {
				t.Fatalf("checks:\n%s\nwant:\n%s", strings.Join(res.Checks, "\n"), strings.Join(tc.want, "\n"))
			}
			var b strings.Builder
			res.WriteTable(&b, 200_000, 6)
			if strings.Contains(b.String(), "backup-go alone") || !strings.Contains(b.String(), "| "+chainBaseline+" |") {
				t.Errorf("table:\n%s", b.String())
			}
		})
	}
	// Beside the other rows, the 3-incremental row keeps its own check.
	res := &Result{Rows: []Row{{Name: "restore-at-timestamp, full + 3 incrementals", WritesCLI: 200_000}, chainRow(0, 100_000, 1)}}
	res.Check(Config{Records: 200_000, Small: 50_000})
	if !strings.HasSuffix(res.Checks[0], "200000 writes for 200000 records (backup-go alone, newest first with CREATE_ONLY: 0): PASS") {
		t.Errorf("checks %q", res.Checks)
	}
}
