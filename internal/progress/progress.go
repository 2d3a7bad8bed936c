// Package progress owns how a running operation reports how far it got: a
// progress bar on a terminal, periodic log lines elsewhere, nothing when
// quiet; a status line on SIGUSR1. It polls a counter supplied by the caller and knows nothing of
// backups or restores.
package progress

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/aerobackup/aerobackup/internal/logging"
)

// Counts is a snapshot of an operation's progress.
type Counts struct {
	Records uint64
	Bytes   uint64
	// Total is the expected record count when it becomes known after the
	// start (backup-go counts records in the background); 0: unchanged.
	Total int64
	// Estimated says Total is an estimate, which the records may pass:
	// backup-go counts a filtered scan from one sampled partition, and any
	// namespace changes while it is read.
	Estimated bool
}

// Options choose the reporting style.
type Options struct {
	// Writer is stderr. On a terminal, pass the *Screen the logger writes
	// to, so that log lines go above the bar instead of into it.
	Writer   io.Writer
	Terminal bool          // Writer is a terminal: draw a bar
	Quiet    bool          // report nothing
	Interval time.Duration // period of log lines when not drawing a bar
	Logger   *slog.Logger
}

// Reporter starts trackers; the zero value reports nothing.
type Reporter struct {
	opts   Options
	screen *Screen // where bars are drawn; nil off a terminal

	mu     sync.Mutex
	active map[*Tracker]*status
}

// Unit is what a tracker counts in Counts.Records: Short in the bar,
// Plural in log lines' keys.
type Unit struct{ Short, Plural string }

// The units counted.
var (
	Records = Unit{Short: "rec", Plural: "records"}
	Files   = Unit{Short: "files", Plural: "files"}
)

// status is what Status reports of a running tracker.
type status struct {
	unit  Unit
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
	r := &Reporter{opts: opts}
	if opts.Terminal && opts.Writer != nil {
		if s, ok := opts.Writer.(*Screen); ok {
			r.screen = s
		} else {
			r.screen = NewScreen(opts.Writer)
		}
	}
	return r
}

// Tracker follows one operation until Stop.
type Tracker struct {
	stop     chan struct{}
	done     chan struct{}
	once     sync.Once
	poll     func() Counts
	finalize func(Counts)
	owner    *Reporter
}

// Track starts following an operation named label whose expected record
// total is total (0 when unknown). poll is called periodically.
func (r *Reporter) Track(label string, total int64, poll func() Counts) *Tracker {
	return r.TrackUnit(label, Records, total, poll)
}

// TrackUnit is Track of an operation that counts unit in Counts.Records
// (a copy counts files).
func (r *Reporter) TrackUnit(label string, unit Unit, total int64, poll func() Counts) *Tracker {
	t := &Tracker{stop: make(chan struct{}), done: make(chan struct{}), poll: poll, owner: r}
	if r != nil {
		r.mu.Lock()
		if r.active == nil {
			r.active = map[*Tracker]*status{}
		}
		r.active[t] = &status{unit: unit, label: label, total: total, start: time.Now()}
		r.mu.Unlock()
	}
	if r == nil || r.opts.Quiet || r.opts.Writer == nil && !r.opts.Terminal && r.opts.Logger == nil {
		close(t.done)
		return t
	}
	start := time.Now()
	if r.screen != nil {
		b := newBar(label, unit, total, start)
		scr := r.screen
		scr.draw(b.frame(Counts{}, false, scr.columns()))
		go t.loop(200*time.Millisecond, func(c Counts) { scr.draw(b.frame(c, false, scr.columns())) })
		t.finalize = func(c Counts) { scr.finish(b.frame(c, true, scr.columns())) }
		return t
	}
	line := &lineReporter{log: r.opts.Logger, unit: unit, label: label, total: total, start: start}
	go t.loop(r.opts.Interval, line.report)
	return t
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

// Stop ends tracking; the bar, if any, is drawn a last time with the final
// counts and left on its own line.
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

// Percent is the progress of the running operations together, 0..100:
// the records read over the records expected; false while no operation
// knows its total.
func (r *Reporter) Percent() (float64, bool) {
	if r == nil {
		return 0, false
	}
	r.mu.Lock()
	type entry struct {
		t     *Tracker
		total int64
	}
	running := make([]entry, 0, len(r.active))
	for t, s := range r.active {
		running = append(running, entry{t, s.total})
	}
	r.mu.Unlock()
	var records uint64
	var total int64
	for _, e := range running {
		c := e.t.poll()
		if c.Total > 0 {
			e.total = c.Total
		}
		if e.total > 0 {
			records += c.Records
			total += e.total
		}
	}
	if total == 0 {
		return 0, false
	}
	return min(100, 100*float64(records)/float64(total)), true
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
	asked := logging.Asked(context.Background()) // written even when quiet
	if len(running) == 0 {
		r.opts.Logger.InfoContext(asked, "status: nothing running")
		return
	}
	for _, e := range running {
		l := &lineReporter{log: r.opts.Logger, unit: e.s.unit, label: "status: " + e.s.label, total: e.s.total, start: e.s.start, ctx: asked}
		l.report(e.t.poll())
	}
}

type lineReporter struct {
	log       *slog.Logger
	unit      Unit
	label     string
	total     int64
	estimated bool
	start     time.Time
	// ctx, when set, marks the lines as asked for (see logging.Asked).
	ctx context.Context
}

func (l *lineReporter) report(c Counts) {
	if c.Total > 0 {
		l.total, l.estimated = c.Total, c.Estimated
	}
	elapsed := time.Since(l.start)
	if l.unit.Plural == "" {
		l.unit = Records
	}
	attrs := []any{l.unit.Plural, c.Records}
	rate := float64(c.Records) / elapsed.Seconds()
	attrs = append(attrs, l.unit.Plural+"-per-second", int64(rate), "mib-per-second",
		fmt.Sprintf("%.1f", float64(c.Bytes)/elapsed.Seconds()/(1<<20)))
	p := percentOf(c.Records, l.total, l.estimated)
	if p.known {
		attrs = append(attrs, "total", l.total)
		if l.estimated {
			attrs = append(attrs, "total-estimated", true)
		}
		attrs = append(attrs, "percent", fmt.Sprintf("%.1f", p.value))
		if rate > 0 && int64(c.Records) < l.total {
			eta := time.Duration(float64(l.total-int64(c.Records)) / rate * float64(time.Second))
			attrs = append(attrs, "eta", eta.Round(time.Second).String())
		}
	} else if p.passed {
		attrs = append(attrs, "estimated-total-passed", l.total)
	}
	ctx := l.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	l.log.InfoContext(ctx, l.label, attrs...)
}

// percent is how far records are through a total.
type percent struct {
	value float64 // 0..100
	known bool    // there is a total the records have not proved wrong
	// passed: the records went past an estimated total, which therefore
	// says nothing more about how far the run is.
	passed bool
}

// percentOf never exceeds 100: an exact total that the records pass (a
// catalog count of a backup that held more) shows as complete.
func percentOf(records uint64, total int64, estimated bool) percent {
	switch {
	case total <= 0:
		return percent{}
	case estimated && int64(records) > total:
		return percent{passed: true}
	}
	return percent{value: min(float64(records)*100/float64(total), 100), known: true}
}
