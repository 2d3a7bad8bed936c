package schedule

import (
	"slices"
	"time"

	"github.com/aerobackup/aerobackup/internal/config"
)

// gapHorizonDays is how far ahead LongestGap looks: eight years hold every
// combination of month lengths, weekdays and leap days (a schedule on
// 29 February fires at least twice in them), the Gregorian century rule
// aside.
const gapHorizonDays = 8*365 + 2

// LongestGap is the longest time between two consecutive firings of e, in
// the zone loc, over the eight years from the day of from on: the age the
// routine's newest backup can reach on schedule before the next run starts.
// ok is false when e fires fewer than twice in that time (a schedule
// limited to one year, say). A daylight saving shift inside a day is not
// counted; one between two days of firings is.
func (e *Expr) LongestGap(from time.Time, loc *time.Location) (longest time.Duration, ok bool) {
	tod := e.timesOfDay()
	start := from.In(loc)
	y, m, d0 := start.Date()
	var prevLast time.Time
	days := 0
	for i := range gapHorizonDays {
		// Noon: a day's date survives any zone's midnight shift.
		day := time.Date(y, m, d0+i, 12, 0, 0, 0, loc)
		if !e.firesOn(day) {
			continue
		}
		days++
		if days > 1 {
			longest = max(longest, at(day, tod[0]).Sub(prevLast))
		}
		prevLast = at(day, tod[len(tod)-1])
	}
	if days == 0 || (days == 1 && len(tod) == 1) {
		return 0, false
	}
	for i := 1; i < len(tod); i++ {
		longest = max(longest, time.Duration(tod[i]-tod[i-1])*time.Second)
	}
	return longest, true
}

// at is the wall-clock time secs seconds after the start of day's date.
func at(day time.Time, secs int) time.Time {
	y, m, d := day.Date()
	return time.Date(y, m, d, secs/3600, secs/60%60, secs%60, 0, day.Location())
}

// timesOfDay are the seconds after midnight at which e fires on a day it
// fires on, ascending.
func (e *Expr) timesOfDay() []int {
	all := func(f Field, hi int) []int {
		if !f.Any {
			return f.Values
		}
		v := make([]int, hi+1)
		for i := range v {
			v[i] = i
		}
		return v
	}
	var out []int
	for _, h := range all(e.Hour, 23) {
		for _, m := range all(e.Minute, 59) {
			for _, s := range all(e.Second, 59) {
				out = append(out, h*3600+m*60+s)
			}
		}
	}
	slices.Sort(out)
	return out
}

// firesOn reports whether e fires on day's date, Quartz's day rules
// included.
func (e *Expr) firesOn(day time.Time) bool {
	y, m, d := day.Date()
	in := func(f Field, v int) bool { return f.Any || slices.Contains(f.Values, v) }
	if !in(e.Year, y) || !in(e.Month, int(m)) {
		return false
	}
	last := time.Date(y, m+1, 0, 12, 0, 0, 0, day.Location()).Day()
	wd := int(day.Weekday())
	switch e.DomRule {
	case DayLast:
		return d == last
	case DayLastOffset:
		return d == last-e.N
	case DayLastWeekday:
		return d == nearestWeekday(day, last, last)
	case DayNearWeekday:
		return e.N <= last && d == nearestWeekday(day, e.N, last)
	}
	if !in(e.DayOfMonth, d) {
		return false
	}
	switch e.DowRule {
	case WeekdayNth:
		return in(e.DayOfWeek, wd) && (d-1)/7+1 == e.N
	case WeekdayLast:
		return in(e.DayOfWeek, wd) && d+7 > last
	}
	return in(e.DayOfWeek, wd)
}

// nearestWeekday is Quartz's nW: the Monday-to-Friday day nearest day n of
// day's month (of last days), never leaving the month.
func nearestWeekday(day time.Time, n, last int) int {
	y, m, _ := day.Date()
	switch time.Date(y, m, n, 12, 0, 0, 0, day.Location()).Weekday() {
	case time.Saturday:
		if n == 1 {
			return 3
		}
		return n - 1
	case time.Sunday:
		if n == last {
			return n - 2
		}
		return n + 1
	}
	return n
}

// LongestGaps are the longest gaps (see LongestGap) of a routine's full
// and incremental schedules from from on, 0 for a schedule it has not: no
// incr-interval-cron, a disabled routine (nothing runs it), an expression
// that does not parse (schedule export says why) or that fires fewer than
// twice. An unknown schedule-timezone is read as UTC, which moves daylight
// saving shifts only.
func LongestGaps(r *config.Routine, from time.Time) (full, incr time.Duration) {
	if r == nil || r.IsDisabled() {
		return 0, 0
	}
	loc := time.UTC
	if r.ScheduleTimezone != nil {
		if l, err := time.LoadLocation(*r.ScheduleTimezone); err == nil {
			loc = l
		}
	}
	gap := func(expr string) time.Duration {
		e, err := Parse(expr)
		if err != nil {
			return 0
		}
		g, _ := e.LongestGap(from, loc)
		return g
	}
	full = gap(r.IntervalCron)
	if r.IncrIntervalCron != nil {
		incr = gap(*r.IncrIntervalCron)
	}
	return full, incr
}
