package progress

import (
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
)

// bar is a tracker's line on a terminal. progressbar draws the percent, the
// bar, the rate and the elapsed time and ETA; the line starts with the label
// and a description of ours that says what progressbar cannot:
//
//	backup nightly test 4500/~10000 rec, 2.1 MiB/s  45% |█████      | (1500 rec/s) [3s:4s]
//	backup nightly test | 189235 rec (past the estimate of 172032) (18923 rec/s) [10s]
//
// "~" marks a total that is backup-go's estimate. Once the records pass an
// estimate the percent means nothing, so the spinner's line takes over.
type bar struct {
	unit      string // what is counted, short: "rec"
	label     string
	total     int64
	estimated bool
	start     time.Time

	// Both are fed every count, so that whichever is shown has the elapsed
	// time and the rate of the whole run: progressbar cannot turn one bar
	// from a spinner into a bar or back without losing its count.
	known *progressbar.ProgressBar // percent, bar, rate, ETA against the total
	spin  *progressbar.ProgressBar // spinner, rate, elapsed: no total, or one passed

	width    int // the known bar's, fitted to the terminal at every frame
	settled  bool
	last     uint64    // records at the previous frame
	lastMove time.Time // when the records last moved
}

// minBar is the narrowest bar drawn; on a terminal too narrow for it the
// line is cut at the edge rather than let wrap.
const minBar = 10

// spinEvery turns the spinner by time, not by render, so that the several
// renders of one frame show the same glyph.
const spinEvery = 200 * time.Millisecond

// stallAfter is how long the records may stand still before the ETA goes:
// progressbar averages its rate over its last few seconds, and over a stall
// that rate is 0 and its ETA meaningless.
const stallAfter = 5 * time.Second

func newBar(label string, unit Unit, total int64, start time.Time) *bar {
	// progressbar renders into String(); the Screen does the writing, so
	// that log lines go above the bar.
	common := []progressbar.Option{
		progressbar.OptionSetWriter(io.Discard),
		progressbar.OptionSetItsString(unit.Short),
		progressbar.OptionSetPredictTime(false), // until there is a rate
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionShowElapsedTimeOnFinish(),
		// 0: no goroutine of the bar's own renders behind the Screen's
		// back; the interval is set right after.
		progressbar.OptionSetSpinnerChangeInterval(0),
		progressbar.OptionSetRenderBlankState(true), // starts its clock now
	}
	b := &bar{unit: unit.Short, label: label, total: total, start: start, width: minBar, lastMove: start}
	// Until the total is known the bar cannot be reached: reaching its max
	// is what ends a progressbar.
	b.known = progressbar.NewOptions64(math.MaxInt64, append(common, progressbar.OptionSetWidth(b.width))...)
	b.spin = progressbar.NewOptions64(-1, common...)
	progressbar.OptionSetSpinnerChangeInterval(spinEvery)(b.spin)
	return b
}

// frame is the line for c, at most cols-1 runes wide: a line that wraps
// cannot be redrawn from column 0. The progressbars are driven from one
// goroutine only (the tracker's loop, then Stop after it), which is what
// lets options be applied to them between renders.
func (b *bar) frame(c Counts, done bool, cols int) string {
	if c.Total > 0 {
		b.total, b.estimated = c.Total, c.Estimated
	}
	n := int64(c.Records)
	now := time.Now()
	elapsed := now.Sub(b.start)
	if c.Records != b.last {
		b.last, b.lastMove = c.Records, now
	}
	// The max moves up ahead of the count, never under it: a count reaching
	// the max ends the bar at 100%, and one stepping past it shows 109%.
	if b.total > 0 {
		if m := max(b.total, n); m != b.known.GetMax64() {
			b.known.ChangeMax64(m)
		}
	}
	_ = b.known.Set64(n)
	_ = b.spin.Set64(n)

	// A rate over less than a second says little and can be absurd.
	if !b.settled && elapsed >= time.Second {
		b.settled = true
		progressbar.OptionShowIts()(b.known)
		progressbar.OptionShowIts()(b.spin)
	}
	p := percentOf(c.Records, b.total, b.estimated)
	desc := b.describe(c, p, elapsed)
	if !p.known {
		if done {
			progressbar.OptionSpinnerCustom([]string{""})(b.spin)
		}
		b.spin.Describe(desc)
		return fit(b.label+" "+line(b.spin), cols)
	}
	predict := b.settled && !done && now.Sub(b.lastMove) < stallAfter
	progressbar.OptionSetPredictTime(predict)(b.known)
	b.known.Describe(desc)
	l := b.label + " " + line(b.known)
	// The bar takes what the rest of the line leaves of the terminal.
	if w := max(b.width+cols-1-width(l), minBar); w != b.width {
		b.width = w
		progressbar.OptionSetWidth(w)(b.known)
		b.known.Describe(desc)
		l = b.label + " " + line(b.known)
	}
	return fit(l, cols)
}

// describe is what goes before progressbar's part of the line: the count
// against the total, "~" on an estimate, and the bytes' rate.
func (b *bar) describe(c Counts, p percent, elapsed time.Duration) string {
	var s strings.Builder
	switch {
	case p.known && b.estimated:
		fmt.Fprintf(&s, "%d/~%d %s", c.Records, b.total, b.unit)
	case p.known:
		fmt.Fprintf(&s, "%d/%d %s", c.Records, b.total, b.unit)
	case p.passed:
		fmt.Fprintf(&s, "%d %s (past the estimate of %d)", c.Records, b.unit, b.total)
	default:
		fmt.Fprintf(&s, "%d %s", c.Records, b.unit)
	}
	if c.Bytes > 0 && elapsed >= time.Second {
		fmt.Fprintf(&s, ", %.1f MiB/s", float64(c.Bytes)/elapsed.Seconds()/(1<<20))
	}
	return s.String()
}

// line is a progressbar's last render without its carriage return and the
// padding around it, nor the gap its empty rate leaves before the time.
func line(pb *progressbar.ProgressBar) string {
	l := strings.TrimSpace(strings.ReplaceAll(pb.String(), "\r", ""))
	return strings.Replace(l, "  [", " [", 1)
}

// fit cuts l at the terminal's last column but one.
func fit(l string, cols int) string {
	if r := []rune(l); len(r) > cols-1 {
		return string(r[:max(cols-1, 0)])
	}
	return l
}
