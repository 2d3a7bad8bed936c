package progress

import (
	"fmt"
	"strings"
	"time"
)

// bar renders a tracker's line on a terminal:
//
//	backup nightly test ~45% |█████      | 4500/~10000 rec, 1500 rec/s, 2.1 MiB/s [3s eta ~4s]
//
// "~" marks what rests on an estimated total. Once the records pass an
// estimate, the percent and the ETA go: the line shows the count alone.
type bar struct {
	label     string
	total     int64
	estimated bool
	start     time.Time
	spin      int
}

// minBar is the narrowest bar worth drawing; below it the line goes without.
const minBar = 10

func (b *bar) frame(c Counts, done bool, cols int) string {
	return b.render(c, time.Since(b.start), done, cols)
}

// render is the line for c after elapsed, at most cols-1 runes wide: a line
// that wraps cannot be redrawn from column 0.
func (b *bar) render(c Counts, elapsed time.Duration, done bool, cols int) string {
	if c.Total > 0 {
		b.total, b.estimated = c.Total, c.Estimated
	}
	approx := ""
	if b.estimated {
		approx = "~"
	}
	// A rate over less than a second says little and can be absurd.
	rate := 0.0
	if elapsed >= time.Second {
		rate = float64(c.Records) / elapsed.Seconds()
	}
	p := percentOf(c.Records, b.total, b.estimated)

	var stats strings.Builder
	switch {
	case p.known:
		fmt.Fprintf(&stats, "%d/%s%d rec", c.Records, approx, b.total)
	case p.passed:
		fmt.Fprintf(&stats, "%d rec (past the estimate of %d)", c.Records, b.total)
	default:
		fmt.Fprintf(&stats, "%d rec", c.Records)
	}
	if rate > 0 {
		fmt.Fprintf(&stats, ", %d rec/s", int64(rate))
	}
	if c.Bytes > 0 && elapsed >= time.Second {
		fmt.Fprintf(&stats, ", %.1f MiB/s", float64(c.Bytes)/elapsed.Seconds()/(1<<20))
	}
	fmt.Fprintf(&stats, " [%s", elapsed.Round(time.Second))
	if p.known && !done && rate > 0 && int64(c.Records) < b.total {
		eta := time.Duration(float64(b.total-int64(c.Records)) / rate * float64(time.Second))
		fmt.Fprintf(&stats, " eta %s%s", approx, eta.Round(time.Second))
	}
	stats.WriteString("]")

	var line string
	if p.known {
		pct := fmt.Sprintf("%4s", fmt.Sprintf("%s%d%%", approx, int(p.value)))
		line = b.label + " " + pct + " "
		if w := cols - 1 - width(line) - width(stats.String()) - 3; w >= minBar {
			filled := int(p.value / 100 * float64(w))
			line += "|" + strings.Repeat("█", filled) + strings.Repeat(" ", w-filled) + "| "
		}
		line += stats.String()
	} else {
		line = b.label + " "
		if !done {
			line += string(`|/-\`[b.spin%4]) + " "
			b.spin++
		}
		line += stats.String()
	}
	if r := []rune(line); len(r) > cols-1 {
		line = string(r[:max(cols-1, 0)])
	}
	return line
}
