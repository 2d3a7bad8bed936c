package schedule

import (
	"testing"
	"time"

	"github.com/aerobackup/aerobackup/internal/config"
)

var gapFrom = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func TestLongestGap(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skipf("no zone data for Europe/Paris: %v", err)
	}
	const day = 24 * time.Hour
	for _, c := range []struct {
		expr string
		loc  *time.Location
		want time.Duration // 0: fires fewer than twice
	}{
		{"0 0 2 * * ?", time.UTC, day},
		{"@hourly", time.UTC, time.Hour},
		{"*/10 * * * * ?", time.UTC, 10 * time.Second},
		{"0 0 1,5 * * ?", time.UTC, 20 * time.Hour},    // 05:00 to 01:00, not 01:00 to 05:00
		{"0 0 2 ? * MON-FRI", time.UTC, 3 * day},       // Friday to Monday
		{"@weekly", time.UTC, 7 * day},                 //
		{"0 0 0 L * ?", time.UTC, 31 * day},            // 28 February to 31 March
		{"0 0 0 31 * ?", time.UTC, 61 * day},           // 31 March to 31 May
		{"0 0 0 29 2 ?", time.UTC, (4*365 + 1) * day},  // 2028 to 2032
		{"0 0 0 1 1 ? 2027-2029", time.UTC, 366 * day}, // across 2028
		{"0 0 0 L-2 2 ?", time.UTC, 366 * day},         // 26 February 2027 to 27 February 2028
		{"0 30 12 * * ?", paris, 25 * time.Hour},       // the October night is an hour longer
		{"0 30 12 * * ?", time.UTC, day},               //
		{"0 0 3 ? * 1#1", time.UTC, 5 * 7 * day},       // first Sundays are 4 or 5 weeks apart
		{"0 0 0 ? * 2L", time.UTC, 5 * 7 * day},        // last Mondays too
		{"0 0 12 LW * ?", time.UTC, 33 * day},          // Fri 29 Dec 2028 to Wed 31 Jan 2029
		{"0 0 12 1W * ?", time.UTC, 33 * day},          // Wed 1 Jul 2026 to Mon 3 Aug 2026
		{"0 0 0 1 1 ? 2027", time.UTC, 0},              // once
		{"0 0 0 30 2 ?", time.UTC, 0},                  // never
	} {
		e, err := Parse(c.expr)
		if err != nil {
			t.Fatalf("Parse(%q): %v", c.expr, err)
		}
		got, ok := e.LongestGap(gapFrom, c.loc)
		if ok != (c.want != 0) || got != c.want {
			t.Errorf("LongestGap(%q, %s) = %v, %v; want %v", c.expr, c.loc, got, ok, c.want)
		}
	}
}

// TestFiresOn checks Quartz's day rules on days of 2026.
func TestFiresOn(t *testing.T) {
	for _, c := range []struct {
		expr string
		date string
		want bool
	}{
		{"0 0 0 15W * ?", "2026-02-16", true}, // the 15th is a Sunday: Monday
		{"0 0 0 15W * ?", "2026-02-15", false},
		{"0 0 0 15W * ?", "2026-08-14", true}, // a Saturday: Friday
		{"0 0 0 15W * ?", "2026-03-16", true}, // a Monday
		{"0 0 0 1W * ?", "2026-08-03", true},  // Saturday the 1st: Monday the 3rd, not Friday in July
		{"0 0 0 1W * ?", "2026-07-31", false},
		{"0 0 0 31W * ?", "2026-05-29", true}, // Sunday the 31st: Friday the 29th, not June 1st
		{"0 0 0 31W * ?", "2026-04-30", false},
		{"0 0 0 LW * ?", "2026-05-29", true},
		{"0 0 0 LW * ?", "2026-01-30", true}, // the 31st is a Saturday
		{"0 0 0 LW * ?", "2026-03-31", true},
		{"0 0 0 L * ?", "2026-02-28", true},
		{"0 0 0 L-3 * ?", "2026-02-25", true},
		{"0 0 0 ? * 6#3", "2026-05-15", true}, // the third Friday (Quartz 6 is FRI)
		{"0 0 0 ? * 6#3", "2026-05-08", false},
		{"0 0 0 ? * 2L", "2026-05-25", true}, // the last Monday
		{"0 0 0 ? * 2L", "2026-05-18", false},
		{"0 0 0 ? * SAT", "2026-05-30", true},
		{"0 0 0 ? * SAT", "2026-05-31", false},
		{"0 0 0 1 JAN,JUL ?", "2026-07-01", true},
		{"0 0 0 1 JAN,JUL ?", "2026-06-01", false},
		{"0 0 0 * * ? 2027", "2026-06-01", false},
	} {
		e, err := Parse(c.expr)
		if err != nil {
			t.Fatalf("Parse(%q): %v", c.expr, err)
		}
		d, err := time.Parse(time.DateOnly, c.date)
		if err != nil {
			t.Fatal(err)
		}
		if got := e.firesOn(d.Add(12 * time.Hour)); got != c.want {
			t.Errorf("%q fires on %s (%s) = %v, want %v", c.expr, c.date, d.Weekday(), got, c.want)
		}
	}
}

func TestLongestGaps(t *testing.T) {
	str := func(s string) *string { return &s }
	yes := true
	for _, c := range []struct {
		name       string
		r          *config.Routine
		full, incr time.Duration
	}{
		{"full only", &config.Routine{IntervalCron: "@daily"}, 24 * time.Hour, 0},
		{"both", &config.Routine{IntervalCron: "0 0 2 ? * SUN", IncrIntervalCron: str("0 0 */6 * * ?")}, 7 * 24 * time.Hour, 6 * time.Hour},
		{"a time zone", &config.Routine{IntervalCron: "0 30 12 * * ?", ScheduleTimezone: str("Europe/Paris")}, 25 * time.Hour, 0},
		{"an unknown zone reads as UTC", &config.Routine{IntervalCron: "0 30 12 * * ?", ScheduleTimezone: str("Mars/Olympus")}, 24 * time.Hour, 0},
		{"disabled: nothing runs it", &config.Routine{IntervalCron: "@daily", Disabled: &yes}, 0, 0},
		{"an expression that does not parse", &config.Routine{IntervalCron: "@fortnightly", IncrIntervalCron: str("@hourly")}, 0, time.Hour},
		{"no routine", nil, 0, 0},
	} {
		full, incr := LongestGaps(c.r, gapFrom)
		if full != c.full || incr != c.incr {
			t.Errorf("%s: LongestGaps = %v, %v; want %v, %v", c.name, full, incr, c.full, c.incr)
		}
	}
}
