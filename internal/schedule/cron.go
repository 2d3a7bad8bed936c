package schedule

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Macros are the @-expressions go-quartz (and so ABS) accepts, with the
// Quartz expressions they stand for. Quartz counts weekdays from SUN=1.
var Macros = map[string]string{
	"@yearly":  "0 0 0 1 1 *",
	"@monthly": "0 0 0 1 * *",
	"@weekly":  "0 0 0 * * 1",
	"@daily":   "0 0 0 * * *",
	"@hourly":  "0 0 * * * *",
}

// DaySpecial is a day-of-month or day-of-week rule that a plain set of
// values cannot hold.
type DaySpecial int

// The day rules of Quartz.
const (
	DayPlain       DaySpecial = iota
	DayLast                   // day of month "L": the last day
	DayLastOffset             // "L-n": the last day minus N
	DayNearWeekday            // "nW": the weekday nearest day N
	DayLastWeekday            // "LW": the last weekday (Mon-Fri) of the month
	WeekdayNth                // "d#n": the Nth such weekday of the month
	WeekdayLast               // "dL": the last such weekday of the month
)

// Field is one parsed field: Any (wildcard) or a sorted set of values.
type Field struct {
	Any    bool
	Values []int
}

// Expr is a parsed Quartz cron expression. Weekdays are 0 (Sunday) to 6.
type Expr struct {
	Source string // as written in the config
	Quartz string // after macro expansion and whitespace folding

	Second, Minute, Hour, DayOfMonth, Month, DayOfWeek, Year Field

	// DomRule and DowRule carry L, W and # forms; N is their number (the
	// offset of L-n, the day of nW, the n of d#n).
	DomRule, DowRule DaySpecial
	N                int
}

var (
	months = []string{"", "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}
	days   = []string{"", "SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}

	spaces       = regexp.MustCompile(`\s+`)
	lastOffsetRe = regexp.MustCompile(`^L(-[0-9]+)?$`)
	nearWeekRe   = regexp.MustCompile(`^[0-9]+W$`)
	lastDowRe    = regexp.MustCompile(`^[a-zA-Z0-9]*L$`)
	nthDowRe     = regexp.MustCompile(`^[a-zA-Z0-9]+#[0-9]+$`)
)

// Parse reads a cron expression as ABS does: a macro, or six or seven
// space-separated Quartz fields (second minute hour day-of-month month
// day-of-week [year]).
func Parse(expr string) (*Expr, error) {
	q := strings.TrimSpace(spaces.ReplaceAllString(expr, " "))
	if m, ok := Macros[q]; ok {
		q = m
	}
	if q == "" {
		return nil, fmt.Errorf("cron expression %q is empty", expr)
	}
	if strings.HasPrefix(q, "@") {
		return nil, fmt.Errorf("cron expression %q: unknown macro (ABS accepts @yearly, @monthly, @weekly, @daily, @hourly)", expr)
	}
	tok := strings.Split(q, " ")
	if len(tok) < 6 || len(tok) > 7 {
		return nil, fmt.Errorf("cron expression %q has %d fields, want 6 or 7 (second minute hour day-of-month month day-of-week [year])", expr, len(tok))
	}
	if len(tok) == 6 {
		tok = append(tok, "*")
	}
	wild := func(s string) bool { return s == "*" || s == "?" }
	if !wild(tok[3]) && !wild(tok[5]) {
		return nil, fmt.Errorf("cron expression %q sets both day-of-month and day-of-week; one of them must be ?", expr)
	}
	e := &Expr{Source: expr, Quartz: q}
	var err error
	fail := func(name string, err error) (*Expr, error) {
		return nil, fmt.Errorf("cron expression %q: %s: %w", expr, name, err)
	}
	if e.Second, err = parseField(tok[0], 0, 59, nil); err != nil {
		return fail("second", err)
	}
	if e.Minute, err = parseField(tok[1], 0, 59, nil); err != nil {
		return fail("minute", err)
	}
	if e.Hour, err = parseField(tok[2], 0, 23, nil); err != nil {
		return fail("hour", err)
	}
	if err = e.parseDayOfMonth(tok[3]); err != nil {
		return fail("day-of-month", err)
	}
	if e.Month, err = parseField(tok[4], 1, 12, months); err != nil {
		return fail("month", err)
	}
	if err = e.parseDayOfWeek(tok[5]); err != nil {
		return fail("day-of-week", err)
	}
	if e.Year, err = parseField(tok[6], 1970, 1970*2, nil); err != nil {
		return fail("year", err)
	}
	return e, nil
}

func (e *Expr) parseDayOfMonth(s string) error {
	switch {
	case s == "L":
		e.DomRule = DayLast
		return nil
	case lastOffsetRe.MatchString(s):
		n, err := strconv.Atoi(s[2:])
		if err != nil || n < 1 || n > 31 {
			return fmt.Errorf("%q: the offset of L-n must be 1..31", s)
		}
		e.DomRule, e.N = DayLastOffset, n
		return nil
	case s == "LW":
		e.DomRule = DayLastWeekday
		return nil
	case nearWeekRe.MatchString(s):
		n, err := strconv.Atoi(strings.TrimSuffix(s, "W"))
		if err != nil || n < 1 || n > 31 {
			return fmt.Errorf("%q: the day of nW must be 1..31", s)
		}
		e.DomRule, e.N = DayNearWeekday, n
		e.DayOfMonth = Field{Values: []int{n}}
		return nil
	}
	f, err := parseField(s, 1, 31, nil)
	e.DayOfMonth = f
	return err
}

func (e *Expr) parseDayOfWeek(s string) error {
	switch {
	case strings.Contains(s, "L") && lastDowRe.MatchString(s):
		d := 7 // a bare L is the last Saturday, as go-quartz reads it
		if day := strings.TrimSuffix(s, "L"); day != "" {
			var err error
			if d, err = normalize(day, days); err != nil || d < 1 || d > 7 {
				return fmt.Errorf("%q: want dL with d 1..7 or SUN..SAT", s)
			}
		}
		e.DowRule = WeekdayLast
		e.DayOfWeek = Field{Values: []int{d - 1}}
		return nil
	case nthDowRe.MatchString(s):
		parts := strings.Split(s, "#")
		d, err := normalize(parts[0], days)
		if err != nil || d < 1 || d > 7 {
			return fmt.Errorf("%q: want d#n with d 1..7 or SUN..SAT", s)
		}
		n, err := strconv.Atoi(parts[1])
		if err != nil || n < 1 || n > 5 {
			return fmt.Errorf("%q: want d#n with n 1..5", s)
		}
		e.DowRule, e.N = WeekdayNth, n
		e.DayOfWeek = Field{Values: []int{d - 1}}
		return nil
	}
	f, err := parseField(s, 1, 7, days)
	for i := range f.Values {
		f.Values[i]-- // Quartz SUN=1 to time.Weekday SUN=0
	}
	e.DayOfWeek = f
	return err
}

// parseField reads "*", "?", values, names, ranges a-b, steps x/n, a-b/n
// and */n, and comma lists of these, within lo..hi.
func parseField(s string, lo, hi int, names []string) (Field, error) {
	if s == "*" || s == "?" {
		return Field{Any: true}, nil
	}
	set := map[int]bool{}
	for _, item := range strings.Split(s, ",") {
		if err := addItem(set, item, lo, hi, names); err != nil {
			return Field{}, err
		}
	}
	vals := make([]int, 0, len(set))
	for v := range set {
		vals = append(vals, v)
	}
	sort.Ints(vals)
	return Field{Values: vals}, nil
}

func addItem(set map[int]bool, item string, lo, hi int, names []string) error {
	from, to, step := 0, hi, 1
	var err error
	rng := item
	if i := strings.IndexByte(item, '/'); i >= 0 {
		if step, err = strconv.Atoi(item[i+1:]); err != nil || step < 1 || step > hi {
			return fmt.Errorf("%q: bad step", item)
		}
		rng = item[:i]
	}
	switch {
	case rng == "*":
		from = lo
	case strings.Contains(rng, "-"):
		ab := strings.Split(rng, "-")
		if len(ab) != 2 {
			return fmt.Errorf("%q: bad range", item)
		}
		if from, err = normalize(ab[0], names); err != nil {
			return fmt.Errorf("%q: %w", item, err)
		}
		if to, err = normalize(ab[1], names); err != nil {
			return fmt.Errorf("%q: %w", item, err)
		}
		if to < from {
			return fmt.Errorf("%q: a range must run low to high", item)
		}
	default:
		if from, err = normalize(rng, names); err != nil {
			return fmt.Errorf("%q: %w", item, err)
		}
		if !strings.Contains(item, "/") {
			to = from
		}
	}
	if from < lo || from > hi || to < lo || to > hi {
		return fmt.Errorf("%q: out of range %d..%d", item, lo, hi)
	}
	for v := from; v <= to; v += step {
		set[v] = true
	}
	return nil
}

func normalize(s string, names []string) (int, error) {
	if n, err := strconv.Atoi(s); err == nil {
		return n, nil
	}
	up := strings.ToUpper(s)
	for i, n := range names {
		if n != "" && n == up {
			return i, nil
		}
	}
	return 0, fmt.Errorf("%q is not a number or a known name", s)
}

// runs groups sorted values into arithmetic runs for compact rendering.
type run struct{ from, to, step int }

// compress renders a set as runs: one progression when the whole set is
// one, otherwise consecutive ranges and single values.
func compress(vals []int) []run {
	if len(vals) >= 3 {
		d := vals[1] - vals[0]
		prog := d > 1
		for i := 2; i < len(vals) && prog; i++ {
			prog = vals[i]-vals[i-1] == d
		}
		if prog {
			return []run{{vals[0], vals[len(vals)-1], d}}
		}
	}
	var out []run
	for i := 0; i < len(vals); {
		j := i
		for j+1 < len(vals) && vals[j+1] == vals[j]+1 {
			j++
		}
		out = append(out, run{vals[i], vals[j], 1})
		i = j + 1
	}
	return out
}
