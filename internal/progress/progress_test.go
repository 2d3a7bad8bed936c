package progress

import (
	"bytes"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestLogLinesCarryPercentRateAndETA(t *testing.T) {
	// The tracker's goroutine logs while the test reads.
	var buf lockedBuffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	var n atomic.Uint64
	r := New(Options{Writer: &buf, Interval: 20 * time.Millisecond, Logger: log})
	tr := r.Track("backup test", 1000, func() Counts { return Counts{Records: n.Add(100), Bytes: 4096} })
	deadline := time.Now().Add(2 * time.Second)
	for !strings.Contains(buf.String(), "percent=") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	tr.Stop()
	out := buf.String()
	for _, want := range []string{"backup test", "percent=", "records-per-second=", "eta=", "total=1000"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lines lack %q:\n%s", want, out)
		}
	}
}

func TestQuietReportsNothing(t *testing.T) {
	var buf bytes.Buffer
	r := New(Options{Writer: &buf, Quiet: true, Terminal: true, Interval: time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(&buf, nil))})
	tr := r.Track("x", 10, func() Counts { return Counts{Records: 5} })
	time.Sleep(20 * time.Millisecond)
	tr.Stop()
	if buf.Len() != 0 {
		t.Errorf("quiet wrote %q", buf.String())
	}
}

func TestBarDrawsOnTerminal(t *testing.T) {
	var buf bytes.Buffer
	r := New(Options{Writer: &buf, Terminal: true})
	tr := r.Track("restore test", 10, func() Counts { return Counts{Records: 10} })
	tr.Stop()
	tr.Stop() // idempotent
	if !strings.Contains(buf.String(), "restore test") || !strings.Contains(buf.String(), "100%") {
		t.Errorf("bar output %q", buf.String())
	}
}

func TestStatusReportsRunningOperations(t *testing.T) {
	var buf bytes.Buffer
	r := New(Options{Writer: &buf, Quiet: true, Logger: slog.New(slog.NewTextHandler(&buf, nil))})
	r.Status()
	if !strings.Contains(buf.String(), "nothing running") {
		t.Errorf("idle status: %q", buf.String())
	}
	buf.Reset()
	tr := r.Track("backup nightly test", 200, func() Counts { return Counts{Records: 50, Bytes: 1 << 20} })
	r.Status()
	out := buf.String()
	for _, want := range []string{"status: backup nightly test", "records=50", "percent=25.0", "total=200"} {
		if !strings.Contains(out, want) {
			t.Errorf("status lacks %q: %s", want, out)
		}
	}
	tr.Stop()
	buf.Reset()
	r.Status()
	if !strings.Contains(buf.String(), "nothing running") {
		t.Errorf("a stopped tracker is still reported: %q", buf.String())
	}
}

func TestLogLinesSayWhenTheTotalIsAnEstimate(t *testing.T) {
	var buf bytes.Buffer
	l := &lineReporter{log: slog.New(slog.NewTextHandler(&buf, nil)), label: "backup", start: time.Now().Add(-time.Second)}
	l.report(Counts{Records: 400, Total: 1000, Estimated: true})
	l.report(Counts{Records: 1200, Total: 1000, Estimated: true})
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("want 2 lines: %q", buf.String())
	}
	for _, want := range []string{"total=1000", "total-estimated=true", "percent=40.0", "eta="} {
		if !strings.Contains(lines[0], want) {
			t.Errorf("under the estimate: %q lacks %q", lines[0], want)
		}
	}
	if !strings.Contains(lines[1], "estimated-total-passed=1000") || strings.Contains(lines[1], "percent=") {
		t.Errorf("past the estimate: %q", lines[1])
	}
}

// Percent adds up the running operations that know their totals, a total
// learnt after the start included; none known: false.
func TestPercent(t *testing.T) {
	var none *Reporter
	if _, ok := none.Percent(); ok {
		t.Fatal("a nil reporter knows a percent")
	}
	r := New(Options{Quiet: true})
	if _, ok := r.Percent(); ok {
		t.Fatal("percent with nothing running")
	}
	a := r.Track("a", 100, func() Counts { return Counts{Records: 50} })
	b := r.Track("b", 0, func() Counts { return Counts{Records: 25, Total: 300} })
	c := r.Track("c", 0, func() Counts { return Counts{Records: 999} }) // no total: left out
	if p, ok := r.Percent(); !ok || p != 18.75 {
		t.Fatalf("Percent = %v %v, want 18.75 (75 of 400)", p, ok)
	}
	a.Stop()
	b.Stop()
	c.Stop()
	if _, ok := r.Percent(); ok {
		t.Fatal("percent after every operation stopped")
	}
}

func TestTrackUnitNamesWhatItCounts(t *testing.T) {
	var buf lockedBuffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	r := New(Options{Writer: &buf, Interval: 20 * time.Millisecond, Logger: log})
	tr := r.TrackUnit("copy nightly", Files, 0, func() Counts { return Counts{Records: 3, Bytes: 1 << 20} })
	deadline := time.Now().Add(2 * time.Second)
	for !strings.Contains(buf.String(), "files=3") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	tr.Stop()
	if out := buf.String(); !strings.Contains(out, "files=3") || !strings.Contains(out, "files-per-second=") || strings.Contains(out, "records") {
		t.Errorf("log lines:\n%s", out)
	}
	var term bytes.Buffer
	tr = New(Options{Writer: &term, Terminal: true}).TrackUnit("copy nightly", Files, 4, func() Counts { return Counts{Records: 4} })
	tr.Stop()
	if !strings.Contains(term.String(), "4/4 files") || strings.Contains(term.String(), " rec") {
		t.Errorf("bar: %q", term.String())
	}
}
