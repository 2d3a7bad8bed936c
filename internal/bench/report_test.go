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
	run := func(who string, d time.Duration) runner {
		return runner{who, func(i int) (Sample, error) {
			order = append(order, fmt.Sprintf("%s%d", who, i))
			return Sample{Elapsed: d * time.Duration(i+2), CPU: d * time.Duration(3-i%2)}, nil
		}}
	}
	got, err := s.blocks("x", 2, run("c", 2*time.Millisecond), run("d", time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"c-1", "d-1", "c0", "d0", "d1", "c1", "c2", "d2", "d3", "c3"}
	if !slices.Equal(order, want) {
		t.Fatalf("order %v, want %v", order, want)
	}
	if len(got) != 2 || len(got[0].samples) != 4 || len(got[1].samples) != 4 {
		t.Fatalf("%d series, want 2 of 4 samples each (the warm-up discarded)", len(got))
	}
	if len(got[0].ratios) != 0 || len(got[1].ratios) != 2 || len(got[1].cpu) != 2 {
		t.Fatalf("%d, %d ratios and %d CPU ratios, want none for aerobackup and one of each per block for backup-go",
			len(got[0].ratios), len(got[1].ratios), len(got[1].cpu))
	}
	for b := range 2 {
		if got[1].ratios[b] != 0.5 || got[1].cpu[b] != 0.5 {
			t.Fatalf("block %d: ratio %v, CPU %v; want 0.5", b, got[1].ratios[b], got[1].cpu[b])
		}
	}
	// A block's ratio is of its sums: 1+3 over 2+2 is 1, where the
	// pairs' own ratios (0.5 and 1.5) would be anything their order made.
	times := map[string]time.Duration{"c0": 2, "d0": 1, "d1": 3, "c1": 2}
	timed := func(who string) runner {
		return runner{who, func(i int) (Sample, error) {
			return Sample{Elapsed: times[fmt.Sprintf("%s%d", who, i)] * time.Second}, nil
		}}
	}
	if got, err := s.blocks("x", 1, timed("c"), timed("d")); err != nil || got[1].ratios[0] != 1 {
		t.Fatalf("block ratio %v (%v), want 1", got, err)
	}
	fail := runner{"d", func(int) (Sample, error) { return Sample{}, io.ErrUnexpectedEOF }}
	if _, err := s.blocks("x", 3, run("c", 1), fail); err == nil {
		t.Fatal("a failing run did not fail the measurement")
	}
}

// TestBlocksWithAbsctl: with four programs a block runs them in order,
// then backwards, and each further program's ratio is its two times over
// aerobackup's two.
func TestBlocksWithAbsctl(t *testing.T) {
	s := &suite{cfg: Config{Log: io.Discard}}
	var order []string
	run := func(who string, d time.Duration) runner {
		return runner{who, func(i int) (Sample, error) {
			order = append(order, fmt.Sprintf("%s%d", who, i))
			return Sample{Elapsed: d, CPU: d / 2}, nil
		}}
	}
	row, err := s.measureRow("x", 2, run("c", 2*time.Second), run("d", time.Second), run("a", 3*time.Second), run("p", 8*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"c-1", "d-1", "a-1", "p-1", "c0", "d0", "a0", "p0", "p1", "a1", "d1", "c1", "c2", "d2", "a2", "p2", "p3", "a3", "d3", "c3"}
	if !slices.Equal(order, want) {
		t.Fatalf("order %v, want %v", order, want)
	}
	if row.Ratio() != 0.5 || row.CLI.Elapsed != 2*time.Second || row.Direct.Elapsed != time.Second {
		t.Fatalf("row %+v: want backup-go's ratio 0.5 and medians 2s and 1s", row)
	}
	if len(row.Others) != 2 || row.Others[0].Label != "a" || row.Others[1].Label != "p" {
		t.Fatalf("others %+v, want a and p", row.Others)
	}
	for i, want := range []float64{1.5, 4} {
		o := row.Others[i]
		if o.Ratio() != want || len(o.Ratios) != 2 || len(o.CPURatios) != 2 || o.CPURatios[0] != want {
			t.Fatalf("%s: ratio %v (blocks %v, CPU %v), want %v in each of 2 blocks", o.Label, o.Ratio(), o.Ratios, o.CPURatios, want)
		}
	}
	if row, err := s.measureRow("x", 1, run("c", 1), run("d", 1)); err != nil || row.Others != nil {
		t.Fatalf("two programs: others %v (%v), want none", row.Others, err)
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
	for _, c := range res.Checks {
		if strings.Contains(c, "absctl") {
			t.Fatalf("check %q without absctl", c)
		}
	}

	// absctl's rows get a line each, with the spread of its blocks.
	res.Checks = nil
	res.Rows[1].Others = []Other{{Label: absctlSame, Ratios: []float64{1.1, 1.3, 0.9, 1.2, 1.0}, CPURatios: []float64{1.5, 1.4}},
		{Label: absctlDefaults, Ratios: []float64{2}}}
	res.Check(cfg)
	want = []string{
		"- backup 200k, no compression, beside absctl (same settings): throughput ratio 1.10 (middle half of 5 blocks 1.00-1.20), CPU ratio 1.45 (aerobackup's over its; not a target)",
		"- backup 200k, no compression, beside absctl (its defaults): throughput ratio 2.00, CPU ratio 0.00 (aerobackup's over its; not a target)",
	}
	if got := res.Checks[len(res.Checks)-2:]; !slices.Equal(got, want) {
		t.Fatalf("absctl checks:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestWriteTable(t *testing.T) {
	backup := Row{Name: "backup 1k, no compression", Records: 1000, Bytes: 2 * mib,
		CLI:    Sample{Elapsed: time.Second, CPU: 500 * time.Millisecond, MaxRSS: 20 * mib},
		Direct: Sample{Elapsed: 2 * time.Second, CPU: 400 * time.Millisecond, MaxRSS: 10 * mib},
		Ratios: []float64{1.9, 2.1}, CPURatios: []float64{0.8}}
	list := Row{Name: "list of 4 backups (local storage)", Items: 4,
		CLI:    Sample{Elapsed: 100 * time.Millisecond, CPU: 50 * time.Millisecond, MaxRSS: 30 * mib},
		Direct: Sample{Elapsed: 50 * time.Millisecond, CPU: 25 * time.Millisecond, MaxRSS: 15 * mib}}
	res := &Result{Rows: []Row{backup, list}, Checks: []string{"- a check"}}
	var b strings.Builder
	res.WriteTable(&b, 1000, 2)
	want := `| operation (medians; 16 blocks of each 1k backup, 2 of the others) | aerobackup | backup-go alone | throughput ratio (median of the blocks') | CPU ratio | RSS ratio |
|---|---|---|---|---|---|
| backup 1k, no compression | 1000 rec/s, 2.0 MiB/s, CPU 500ms, RSS 20 MiB | 500 rec/s, 1.0 MiB/s, CPU 400ms, RSS 10 MiB | 2.00 | 0.80 | 2.00 |
| list of 4 backups (local storage) | 100ms (40 backups/s), CPU 50ms, RSS 30 MiB | 50ms (80 backups/s), CPU 25ms, RSS 15 MiB | 0.50 | 0.50 | 2.00 |

- a check
`
	if b.String() != want {
		t.Fatalf("without absctl:\n%s\nwant:\n%s", b.String(), want)
	}

	// With absctl: two columns per variant, and the rows it did not run
	// say so.
	res.Rows[0].Others = []Other{
		{Label: absctlSame, Sample: Sample{Elapsed: 1250 * time.Millisecond, CPU: 600 * time.Millisecond, MaxRSS: 40 * mib}, Ratios: []float64{1.2, 1.3}},
		{Label: absctlDefaults, Sample: Sample{Elapsed: 4 * time.Second, CPU: 300 * time.Millisecond, MaxRSS: 8 * mib}, Ratios: []float64{4, 4}},
	}
	b.Reset()
	res.WriteTable(&b, 1000, 2)
	want = `| operation (medians; 16 blocks of each 1k backup, 2 of the others) | aerobackup | backup-go alone | throughput ratio (median of the blocks') | CPU ratio | RSS ratio | absctl (same settings) | throughput ratio over absctl (same settings) | absctl (its defaults) | throughput ratio over absctl (its defaults) |
|---|---|---|---|---|---|---|---|---|---|
| backup 1k, no compression | 1000 rec/s, 2.0 MiB/s, CPU 500ms, RSS 20 MiB | 500 rec/s, 1.0 MiB/s, CPU 400ms, RSS 10 MiB | 2.00 | 0.80 | 2.00 | 800 rec/s, 1.6 MiB/s, CPU 600ms, RSS 40 MiB | 1.25 | 250 rec/s, 0.5 MiB/s, CPU 300ms, RSS 8 MiB | 4.00 |
| list of 4 backups (local storage) | 100ms (40 backups/s), CPU 50ms, RSS 30 MiB | 50ms (80 backups/s), CPU 25ms, RSS 15 MiB | 0.50 | 0.50 | 2.00 | not run | - | not run | - |

- a check
`
	if b.String() != want {
		t.Fatalf("with absctl:\n%s\nwant:\n%s", b.String(), want)
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
