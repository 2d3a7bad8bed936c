package bench

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"sort"
	"strings"
	"syscall"
	"time"
)

// Sample is one measured process run.
type Sample struct {
	Elapsed time.Duration
	// CPU is the child's user plus system time: unlike Elapsed it barely
	// moves when other processes share the machine.
	CPU    time.Duration
	MaxRSS int64 // bytes, from the child's rusage
	Stdout string
	Stderr string
}

// measure runs name with args as a child process and returns its wall time
// and peak resident set size (ru_maxrss, which Linux reports in KiB).
func measure(ctx context.Context, name string, args ...string) (Sample, error) {
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	elapsed := time.Since(start)
	if err != nil {
		return Sample{}, fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, tail(stderr.String(), 2000))
	}
	s := Sample{Elapsed: elapsed, Stdout: stdout.String(), Stderr: stderr.String()}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		s.MaxRSS = int64(ru.Maxrss) * 1024
	}
	s.CPU = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	return s, nil
}

func tail(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}

// median of the samples' wall times, CPU times and peak RSS, taken
// separately.
func median(samples []Sample) Sample {
	if len(samples) == 0 {
		return Sample{}
	}
	d := make([]time.Duration, len(samples))
	c := make([]time.Duration, len(samples))
	r := make([]int64, len(samples))
	for i, s := range samples {
		d[i], c[i], r[i] = s.Elapsed, s.CPU, s.MaxRSS
	}
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	sort.Slice(c, func(i, j int) bool { return c[i] < c[j] })
	sort.Slice(r, func(i, j int) bool { return r[i] < r[j] })
	return Sample{Elapsed: d[len(d)/2], CPU: c[len(c)/2], MaxRSS: r[len(r)/2]}
}
