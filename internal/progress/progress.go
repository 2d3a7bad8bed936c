// Package progress owns how a running operation reports how far it got: a
// progress bar on a terminal, periodic log lines elsewhere, nothing when
// quiet. It polls a counter supplied by the caller and knows nothing of
// backups or restores.
package progress

import (
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
)

// Counts is a snapshot of an operation's progress.
type Counts struct {
	Records uint64
	Bytes   uint64
	// Total is the expected record count when it becomes known after the
	// start (backup-go counts records in the background); 0: unchanged.
	Total int64
}

// Options choose the reporting style.
type Options struct {
	Writer   io.Writer     // stderr
	Terminal bool          // Writer is a terminal: draw a bar
	Quiet    bool          // report nothing
	Interval time.Duration // period of log lines when not drawing a bar
	Logger   *slog.Logger
}

// Reporter starts trackers; the zero value reports nothing.
type Reporter struct {
	opts Options

	mu     sync.Mutex
	active map[*Tracker]*status
}

// status is what Status reports of a running tracker.
type status struct {
	label string
	total int64
	start time.Time
}

// New builds a Reporter.
func New(opts Options) *Reporter {
	if opts.Interval <= 0 {
		opts.Interval = 10 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Reporter{opts: opts}
}

// Tracker follows one operation until Stop.
type Tracker struct {
	stop     chan struct{}
	done     chan struct{}
	once     sync.Once
	poll     func() Counts
	bar      *progressbar.ProgressBar
	finalize func(Counts)
	owner    *Reporter
}

// Track starts following an operation named label whose expected record
// total is total (0 when unknown). poll is called periodically.
func (r *Reporter) Track(label string, total int64, poll func() Counts) *Tracker {
	t := &Tracker{stop: make(chan struct{}), done: make(chan struct{}), poll: poll, owner: r}
	if r != nil {
		r.mu.Lock()
		if r.active == nil {
			r.active = map[*Tracker]*status{}
		}
		r.active[t] = &status{label: label, total: total, start: time.Now()}
		r.mu.Unlock()
	}
	if r == nil || r.opts.Quiet || r.opts.Writer == nil && !r.opts.Terminal && r.opts.Logger == nil {
		close(t.done)
		return t
	}
	o := r.opts
	if o.Terminal {
		t.bar = newBar(o.Writer, label, total)
		shown := total
		start := time.Now()
		set := func(c Counts) {
			if c.Total > 0 && c.Total != shown {
				shown = c.Total
				t.bar.ChangeMax64(c.Total)
			}
			// The bar shows records/s; bytes/s goes in the description.
			if secs := time.Since(start).Seconds(); secs > 0 && c.Bytes > 0 {
				t.bar.Describe(fmt.Sprintf("%s %.1f MiB/s", label, float64(c.Bytes)/secs/(1<<20)))
			}
			_ = t.bar.Set64(int64(c.Records))
		}
		go t.loop(200*time.Millisecond, set)
		t.finalize = func(c Counts) {
			set(c)
			_ = t.bar.Finish()
			fmt.Fprintln(o.Writer)
		}
		return t
	}
	start := time.Now()
	line := &lineReporter{log: o.Logger, label: label, total: total, start: start}
	go t.loop(o.Interval, line.report)
	return t
}

func newBar(w io.Writer, label string, total int64) *progressbar.ProgressBar {
	max := total
	if max <= 0 {
		max = -1 // spinner: the total is unknown
	}
	return progressbar.NewOptions64(max,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(label),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("rec"),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionFullWidth(),
		progressbar.OptionSetRenderBlankState(true),
	)
}

func (t *Tracker) loop(every time.Duration, update func(Counts)) {
	defer close(t.done)
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-t.stop:
			return
		case <-tick.C:
			update(t.poll())
		}
	}
}

// Stop ends tracking; the bar, if any, is completed with the final counts.
func (t *Tracker) Stop() {
	t.once.Do(func() {
		close(t.stop)
		<-t.done
		if t.finalize != nil {
			t.finalize(t.poll())
		}
		if t.owner != nil {
			t.owner.mu.Lock()
			delete(t.owner.active, t)
			t.owner.mu.Unlock()
		}
	})
}

// Status logs one line per running operation (records, percent, rate,
// ETA), whatever the display mode: it answers SIGUSR1 even under --quiet.
func (r *Reporter) Status() {
	if r == nil {
		return
	}
	r.mu.Lock()
	type entry struct {
		t *Tracker
		s status
	}
	var running []entry
	for t, s := range r.active {
		running = append(running, entry{t, *s})
	}
	r.mu.Unlock()
	if len(running) == 0 {
		r.opts.Logger.Info("status: nothing running")
		return
	}
	for _, e := range running {
		l := &lineReporter{log: r.opts.Logger, label: "status: " + e.s.label, total: e.s.total, start: e.s.start}
		l.report(e.t.poll())
	}
}

type lineReporter struct {
	log   *slog.Logger
	label string
	total int64
	start time.Time
}

func (l *lineReporter) report(c Counts) {
	if c.Total > 0 {
		l.total = c.Total
	}
	elapsed := time.Since(l.start)
	attrs := []any{"records", c.Records}
	rate := float64(c.Records) / elapsed.Seconds()
	attrs = append(attrs, "records-per-second", int64(rate), "mib-per-second",
		fmt.Sprintf("%.1f", float64(c.Bytes)/elapsed.Seconds()/(1<<20)))
	if l.total > 0 {
		pct := float64(c.Records) * 100 / float64(l.total)
		if pct > 100 {
			pct = 100
		}
		attrs = append(attrs, "total", l.total, "percent", fmt.Sprintf("%.1f", pct))
		if rate > 0 && int64(c.Records) < l.total {
			eta := time.Duration(float64(l.total-int64(c.Records)) / rate * float64(time.Second))
			attrs = append(attrs, "eta", eta.Round(time.Second).String())
		}
	}
	l.log.Info(l.label, attrs...)
}
