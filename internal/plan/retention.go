package plan

import (
	"fmt"
	"math"
	"time"

	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/config"
	"github.com/aerobackup/aerobackup/internal/timeflag"
)

// Keep is how many backups retention keeps: the Full newest fulls
// (math.MaxInt: every one) and the incrementals after the Incremental-th
// newest full.
type Keep struct {
	Full, Incremental int
	Reason            string // where the numbers come from
	// Calendar, when set, replaces the counts: restic's forget rules over
	// restore points (catalog.PlanCalendar).
	Calendar *catalog.CalendarPolicy
}

// KeepOverride is --keep-full / --keep-incremental, and the calendar
// flags; nil when not given.
type KeepOverride struct {
	Full, Incremental *int
	Calendar          *CalendarFlags
}

// CalendarFlags are --keep-last, -hourly, -daily, -weekly, -monthly,
// -yearly (0: off, -1: unlimited) and --keep-within ("" off).
type CalendarFlags struct {
	Last, Hourly, Daily, Weekly, Monthly, Yearly int
	Within                                       string
}

// RetentionKeep resolves the retention of routine under policy pol: the
// calendar flags, else the count flags over the policy's ABS retention,
// else the policy's calendar retention (aerobackup's second config
// document), which replaces its ABS counts, else those counts. Calendar
// buckets begin in loc. Mixing count and calendar flags, a bad
// --keep-within and a policy that keeps nothing are usage errors.
func RetentionKeep(routine string, pol *config.BackupPolicy, over KeepOverride, loc *time.Location) (Keep, error) {
	var cal catalog.CalendarPolicy
	from := ""
	switch c := over.Calendar; {
	case c != nil && (over.Full != nil || over.Incremental != nil):
		return Keep{}, refuse("--keep-full/--keep-incremental (ABS's count rule) and --keep-last/-hourly/-daily/-weekly/-monthly/-yearly/-within (calendar rules) do not mix: give one kind")
	case c != nil:
		cal = catalog.CalendarPolicy{Last: c.Last, Hourly: c.Hourly, Daily: c.Daily, Weekly: c.Weekly, Monthly: c.Monthly, Yearly: c.Yearly}
		if c.Within != "" {
			sp, err := timeflag.ParseSpan(c.Within)
			if err != nil {
				return Keep{}, refuse("--keep-within: %v", err)
			}
			cal.Within = sp
		}
		from = "the flags"
	case over.Full == nil && over.Incremental == nil && pol.Calendar != nil:
		n := pol.Calendar.Counts()
		cal = catalog.CalendarPolicy{Last: n[0], Hourly: n[1], Daily: n[2], Weekly: n[3], Monthly: n[4], Yearly: n[5],
			Within: pol.Calendar.Within}
		from = fmt.Sprintf("%s.backup-policies.%s, in place of its ABS retention", config.ExtensionKey, pol.Name)
	default:
		return RetentionCounts(routine, pol.Retention, over)
	}
	cal.Location = loc
	if err := cal.Validate(); err != nil {
		return Keep{}, refuse("routine %q: %v", routine, err)
	}
	return Keep{Calendar: &cal, Reason: "calendar rules " + cal.Rules() + " (" + from + ")"}, nil
}

// RetentionCounts resolves the numbers from the policy's retention and the
// overrides. Nil fields follow ABS: no full count keeps every full; no
// incremental count keeps the incrementals of every kept full. A policy
// that keeps nothing is a usage error.
func RetentionCounts(routine string, ret *config.RetentionPolicy, over KeepOverride) (Keep, error) {
	var pf, pi *int
	fullFrom, incrFrom := "the policy", "the policy"
	if ret != nil {
		pf, pi = ret.Full, ret.Incremental
	}
	if over.Full != nil {
		pf, fullFrom = over.Full, "--keep-full"
	}
	if over.Incremental != nil {
		pi, incrFrom = over.Incremental, "--keep-incremental"
	}
	if pf == nil && pi == nil {
		return Keep{}, refuse("routine %q: no retention policy (set retention: {full: N, incremental: M} in its backup policy, or pass --keep-full N --keep-incremental M); refusing to guess", routine)
	}
	k := Keep{Full: math.MaxInt}
	fullSays := "every full (no full count)"
	if pf != nil {
		k.Full = *pf
		fullSays = newest(k.Full) + " (" + fullFrom + ")"
	}
	if k.Full < 1 {
		return Keep{}, refuse("routine %q: keep-full %d would delete every full backup; it must be at least 1", routine, k.Full)
	}
	k.Incremental = k.Full
	incrSays := "the incrementals of every kept full (no incremental count)"
	if pi != nil {
		k.Incremental = *pi
		incrSays = "the incrementals of " + newest(k.Incremental) + " (" + incrFrom + ")"
		if k.Incremental == 0 {
			incrSays = "no incrementals (" + incrFrom + ")"
		}
	}
	if k.Incremental < 0 {
		return Keep{}, refuse("routine %q: keep-incremental must not be negative, got %d", routine, k.Incremental)
	}
	k.Reason = "keep " + fullSays + " and " + incrSays
	return k, nil
}

func newest(n int) string {
	if n == 1 {
		return "the newest full"
	}
	return fmt.Sprintf("the %d newest fulls", n)
}

// Leftover is an incomplete folder retention removes, and why.
type Leftover struct {
	catalog.Incomplete
	Reason string
}

// RetentionPlan is what a prune removes and keeps, each with its reason.
type RetentionPlan struct {
	Keep Keep
	catalog.RetentionPlan
	Leftovers []Leftover
}

// Retention plans a prune of the listing's backups under keep: ABS's rule
// (catalog.PlanRetention) or the calendar rules (catalog.PlanCalendar),
// keeping the listing's pinned backups and their chains either way, plus the leftover folders of failed backups and
// interrupted prunes older than the newest full. retention prune and
// backup --prune share it.
func Retention(l catalog.Listing, keep Keep) (RetentionPlan, error) {
	var rp catalog.RetentionPlan
	var err error
	if keep.Calendar != nil {
		rp, err = catalog.PlanCalendar(l.Backups, *keep.Calendar, l.Pins)
	} else if rp, err = catalog.PlanRetention(l.Backups, keep.Full, keep.Incremental); err == nil {
		rp.KeepPinned(l.Pins)
	}
	if err != nil {
		return RetentionPlan{}, &RefusedError{Err: err}
	}
	p := RetentionPlan{Keep: keep, RetentionPlan: rp}
	for _, inc := range catalog.Leftovers(l) {
		p.Leftovers = append(p.Leftovers, Leftover{Incomplete: inc,
			Reason: "incomplete (" + inc.Reason + ") and older than the newest full: leftover of a failed backup or an interrupted prune"})
	}
	return p, nil
}

// LeftoverFolders are the leftovers as catalog.ApplyRetention takes them.
func (p RetentionPlan) LeftoverFolders() []catalog.Incomplete {
	out := make([]catalog.Incomplete, len(p.Leftovers))
	for i, l := range p.Leftovers {
		out[i] = l.Incomplete
	}
	return out
}
