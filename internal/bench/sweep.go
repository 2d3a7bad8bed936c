package bench

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// SweepConfig says which settings the defaults sweep tries.
type SweepConfig struct {
	BackupParallel  []int // backup --parallel values
	RestoreParallel []int // restore --parallel values, at the default batch size
	BatchSize       []int // restore --batch-size values, at the default parallel
}

// SweepRow is one setting measured with aerobackup (medians).
type SweepRow struct {
	Op      string // "backup" or "restore"
	Flag    string // e.g. "--parallel 8"
	Records int
	Bytes   int64
	Sample  Sample
}

// SweepResult is the whole sweep.
type SweepResult struct {
	Rows []SweepRow
}

// Sweep seeds cfg.Records records and measures aerobackup's uncompressed
// backup at each backup parallelism, then restores of one of those backups
// at each restore parallelism and batch size. The repetitions go round the
// settings in turn, so that a slow spell of the machine hits every
// setting alike rather than one.
func Sweep(ctx context.Context, cfg Config, sw SweepConfig) (*SweepResult, error) {
	s, closeFn, err := open(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer closeFn()
	if err := s.seed(cfg.Records); err != nil {
		return nil, err
	}
	res := &SweepResult{}

	backups := make([][]Sample, len(sw.BackupParallel))
	var bytes int64
	for i := range cfg.Repeat {
		for j, p := range sw.BackupParallel {
			store := filepath.Join(s.cfg.WorkDir, fmt.Sprintf("sweep-%d", p))
			smp, err := s.cliBackup(ctx, store, "bench", "NONE", "--parallel", strconv.Itoa(p))
			if err != nil {
				return nil, err
			}
			backups[j] = append(backups[j], smp)
			if i == 0 && j == 0 {
				// Kept: the restores read it.
				s.plainKey = strings.TrimSpace(smp.Stdout)
				if err := os.Rename(store, s.plainStore()); err != nil {
					return nil, err
				}
				if bytes, err = asbBytes(filepath.Join(s.plainStore(), filepath.FromSlash(s.plainKey))); err != nil {
					return nil, err
				}
			} else if err := os.RemoveAll(store); err != nil {
				return nil, err
			}
			s.logf("backup --parallel %d run %d: %s, CPU %s", p, i+1, smp.Elapsed.Round(time.Millisecond), smp.CPU.Round(time.Millisecond))
		}
	}
	for j, p := range sw.BackupParallel {
		res.Rows = append(res.Rows, SweepRow{Op: "backup", Flag: fmt.Sprintf("--parallel %d", p),
			Records: cfg.Records, Bytes: bytes, Sample: median(backups[j])})
	}

	type setting struct{ flag, value string }
	var settings []setting
	for _, p := range sw.RestoreParallel {
		settings = append(settings, setting{"--parallel", strconv.Itoa(p)})
	}
	for _, b := range sw.BatchSize {
		settings = append(settings, setting{"--batch-size", strconv.Itoa(b)})
	}
	restores := make([][]Sample, len(settings))
	for i := range cfg.Repeat {
		for j, st := range settings {
			if err := s.truncate(cfg.Restore); err != nil {
				return nil, err
			}
			smp, err := s.measure(ctx, cfg.CLI, "restore", "--host", s.addr(), "--storage", s.plainStore(), "-r", "bench",
				"--backup", s.plainKey, "--namespace-map", cfg.Namespace+"="+cfg.Restore, "--quiet", "--log-level", "error",
				st.flag, st.value)
			if err != nil {
				return nil, err
			}
			if err := s.expectCount(cfg.Restore, cfg.Records); err != nil {
				return nil, fmt.Errorf("restore %s %s: %w", st.flag, st.value, err)
			}
			restores[j] = append(restores[j], smp)
			s.logf("restore %s %s run %d: %s, CPU %s", st.flag, st.value, i+1, smp.Elapsed.Round(time.Millisecond), smp.CPU.Round(time.Millisecond))
		}
	}
	for j, st := range settings {
		res.Rows = append(res.Rows, SweepRow{Op: "restore", Flag: st.flag + " " + st.value,
			Records: cfg.Records, Bytes: bytes, Sample: median(restores[j])})
	}
	return res, nil
}

// WriteTable prints the sweep as a Markdown table.
func (res *SweepResult) WriteTable(w io.Writer, repeat int) {
	fmt.Fprintf(w, "| aerobackup (median of %d) | time | rec/s | MiB/s | CPU (user+sys) | CPU per 100k records | peak RSS |\n", repeat)
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|")
	for _, r := range res.Rows {
		smp := r.Sample
		per := time.Duration(0)
		if r.Records > 0 {
			per = smp.CPU * 100_000 / time.Duration(r.Records)
		}
		fmt.Fprintf(w, "| %s %dk `%s` | %s | %.0f | %.1f | %s | %s | %.0f MiB |\n", r.Op, r.Records/1000, r.Flag,
			smp.Elapsed.Round(time.Millisecond), rate(float64(r.Records), smp.Elapsed), rate(float64(r.Bytes)/mib, smp.Elapsed),
			smp.CPU.Round(time.Millisecond), per.Round(time.Millisecond), float64(smp.MaxRSS)/mib)
	}
}

// ParseInts reads a comma-separated list of positive integers.
func ParseInts(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%q: want positive integers separated by commas", s)
		}
		out = append(out, n)
	}
	return out, nil
}
