package timeflag

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// SpanForms is the accepted forms of a span, for error messages and help.
const SpanForms = `a calendar span such as 1y2m3d4h (y years, m months, w weeks, d days, h hours, in that order, as restic's --keep-within) or a Go duration such as 36h30m`

// Span is a length of calendar time: years, months and days applied with
// calendar arithmetic (a month back from March 31 is March 3 or 2, as
// time.AddDate normalises), then a clock duration.
type Span struct {
	Years, Months, Days int
	Clock               time.Duration
	text                string
}

// String is the span as it was written.
func (s Span) String() string { return s.text }

// IsZero reports whether the span is absent.
func (s Span) IsZero() bool { return s.Years == 0 && s.Months == 0 && s.Days == 0 && s.Clock == 0 }

// Before is the time s before t.
func (s Span) Before(t time.Time) time.Time {
	return t.AddDate(-s.Years, -s.Months, -s.Days).Add(-s.Clock)
}

// calendarSpan is restic's form: every part optional, in this order.
var calendarSpan = regexp.MustCompile(`^(?:(\d+)y)?(?:(\d+)m)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?$`)

// ParseSpan reads a span: restic's calendar form (where m is months, so
// "90m" is 90 months), else a Go duration ("1h30m", "45s"). It must be
// positive.
func ParseSpan(v string) (Span, error) {
	s := strings.TrimSpace(v)
	if s == "" {
		return Span{}, errors.New("empty span; want " + SpanForms)
	}
	sp := Span{text: s}
	if m := calendarSpan.FindStringSubmatch(s); m != nil {
		n := make([]int, len(m))
		for i, part := range m[1:] {
			if part == "" {
				continue
			}
			v, err := strconv.Atoi(part)
			if err != nil || v > 1_000_000 {
				return Span{}, fmt.Errorf("span %q: %q is too large", s, part)
			}
			n[i+1] = v
		}
		sp.Years, sp.Months, sp.Days, sp.Clock = n[1], n[2], n[3]*7+n[4], time.Duration(n[5])*time.Hour
	} else {
		d, err := time.ParseDuration(s)
		if err != nil {
			return Span{}, fmt.Errorf("span %q: want %s", s, SpanForms)
		}
		sp.Clock = d
	}
	if sp.IsZero() || sp.Clock < 0 {
		return Span{}, fmt.Errorf("span %q: must be longer than zero", s)
	}
	return sp, nil
}
