package schedule

import (
	"fmt"
	"strconv"
	"strings"
)

var dayNames = []string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}

// OnCalendar renders e as a systemd OnCalendar= value
// ("DOW YYYY-MM-DD HH:MM:SS [ZONE]"), or says why it cannot.
func (e *Expr) OnCalendar(zone string) (string, error) {
	if e.DomRule == DayNearWeekday || e.DomRule == DayLastWeekday {
		return "", fmt.Errorf("cron expression %q: systemd calendars cannot express Quartz's W (nearest weekday)", e.Source)
	}
	var b strings.Builder
	if !e.DayOfWeek.Any {
		b.WriteString(join(compress(e.DayOfWeek.Values), func(v int) string { return dayNames[v] }, ".."))
		b.WriteByte(' ')
	}
	pad := func(v int) string { return fmt.Sprintf("%02d", v) }
	b.WriteString(calField(e.Year, 3940, strconv.Itoa))
	b.WriteByte('-')
	b.WriteString(calField(e.Month, 12, pad))
	switch {
	case e.DomRule == DayLast:
		b.WriteString("~01")
	case e.DomRule == DayLastOffset:
		// go-quartz: L-n is the last day minus n; systemd's ~01 is the last day.
		b.WriteString("~" + pad(e.N+1))
	case e.DowRule == WeekdayLast:
		b.WriteString("~07/1")
	case e.DowRule == WeekdayNth:
		b.WriteString("-" + pad(7*e.N-6) + ".." + pad(7*e.N))
	default:
		b.WriteString("-" + calField(e.DayOfMonth, 31, pad))
	}
	b.WriteByte(' ')
	b.WriteString(calField(e.Hour, 23, pad) + ":" + calField(e.Minute, 59, pad) + ":" + calField(e.Second, 59, pad))
	if zone != "" && !strings.EqualFold(zone, "Local") {
		b.WriteString(" " + zone)
	}
	return b.String(), nil
}

// calField renders one systemd calendar component: "*", a repetition
// "start/step" when it runs to the end of the field, or a list of values
// and ranges "a..b".
func calField(f Field, hi int, format func(int) string) string {
	if f.Any {
		return "*"
	}
	rs := compress(f.Values)
	if len(rs) == 1 && rs[0].step > 1 && rs[0].to+rs[0].step > hi {
		return format(rs[0].from) + "/" + strconv.Itoa(rs[0].step)
	}
	return join(rs, format, "..")
}

// Cron renders e as the five fields of a crontab line (also Kubernetes's
// CronJob schedule), or says why it cannot.
func (e *Expr) Cron() (string, error) {
	why := ""
	switch {
	case e.Second.Any || len(e.Second.Values) != 1 || e.Second.Values[0] != 0:
		why = "cron has no seconds field; it fires at second 0 only"
	case !e.Year.Any:
		why = "cron has no year field"
	case e.DomRule == DayLast || e.DomRule == DayLastOffset:
		why = "cron cannot express the last day of the month (L)"
	case e.DomRule == DayNearWeekday || e.DomRule == DayLastWeekday:
		why = "cron cannot express the nearest weekday (W)"
	case e.DowRule == WeekdayLast:
		why = "cron cannot express the last given weekday of the month (dL)"
	case e.DowRule == WeekdayNth:
		why = "cron cannot express the Nth weekday of the month (d#n): a day-of-month range with a weekday means either, not both"
	}
	if why != "" {
		return "", fmt.Errorf("cron expression %q: %s", e.Source, why)
	}
	return strings.Join([]string{
		cronField(e.Minute, 0, 59), cronField(e.Hour, 0, 23), cronField(e.DayOfMonth, 1, 31),
		cronField(e.Month, 1, 12), cronField(e.DayOfWeek, 0, 6),
	}, " "), nil
}

func cronField(f Field, lo, hi int) string {
	if f.Any || len(f.Values) == hi-lo+1 {
		return "*"
	}
	rs := compress(f.Values)
	if len(rs) == 1 && rs[0].step > 1 && rs[0].to+rs[0].step > hi {
		if rs[0].from == lo {
			return "*/" + strconv.Itoa(rs[0].step)
		}
		return fmt.Sprintf("%d-%d/%d", rs[0].from, hi, rs[0].step)
	}
	return join(rs, strconv.Itoa, "-")
}

func join(rs []run, format func(int) string, rangeSep string) string {
	parts := make([]string, 0, len(rs))
	for _, r := range rs {
		switch {
		case r.step > 1:
			for v := r.from; v <= r.to; v += r.step {
				parts = append(parts, format(v))
			}
		case r.from == r.to:
			parts = append(parts, format(r.from))
		case r.to == r.from+1:
			parts = append(parts, format(r.from), format(r.to))
		default:
			parts = append(parts, format(r.from)+rangeSep+format(r.to))
		}
	}
	return strings.Join(parts, ",")
}
