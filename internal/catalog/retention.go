package catalog

import (
	"errors"
	"fmt"
	"time"
)

// RetentionDecision is what happens to one backup, and why.
type RetentionDecision struct {
	Backup Backup
	Keep   bool
	Reason string
	// Rules are every reason that keeps the backup (Reason joins them).
	Rules []string
}

// RetentionPlan lists a decision for every backup, newest first within
// each routine (routines in name order).
type RetentionPlan struct {
	KeepFull, KeepIncremental int
	// Calendar is the calendar policy PlanCalendar applied (nil: the
	// count rule).
	Calendar  *CalendarPolicy
	Decisions []RetentionDecision
	// StalePins are the pins of backups no longer there: a prune removes
	// them.
	StalePins []Pin
}

// Remove returns the backups the plan deletes, oldest first within each
// routine, so that an interrupted prune eats a chain from its start.
func (p RetentionPlan) Remove() []Backup {
	var out []Backup
	for i := len(p.Decisions) - 1; i >= 0; i-- {
		if !p.Decisions[i].Keep {
			out = append(out, p.Decisions[i].Backup)
		}
	}
	return out
}

// Kept returns the backups the plan keeps, newest first.
func (p RetentionPlan) Kept() []Backup {
	var out []Backup
	for _, d := range p.Decisions {
		if d.Keep {
			out = append(out, d.Backup)
		}
	}
	return out
}

// PlanRetention applies ABS's retention rule to each routine's backups:
// keep the keepFull newest full backups, and keep incremental backups only
// when they started after the keepIncremental-th newest full (0: keep no
// incrementals). The newest full is always kept and an incremental is
// never kept without its full, so keepFull must be at least 1 and
// keepIncremental is capped at keepFull. While a routine has fewer fulls
// than the incremental count, its incrementals are all kept, as in ABS.
func PlanRetention(backups []Backup, keepFull, keepIncremental int) (RetentionPlan, error) {
	switch {
	case keepFull < 1:
		return RetentionPlan{}, errors.New("retention: keep-full must be at least 1; refusing a policy that would delete every full backup")
	case keepIncremental < 0:
		return RetentionPlan{}, errors.New("retention: keep-incremental must not be negative")
	}
	plan := RetentionPlan{KeepFull: keepFull, KeepIncremental: keepIncremental}

	for _, bs := range routinesNewestFirst(backups) {
		var fulls []time.Time
		for _, b := range bs {
			if b.Type == Full {
				fulls = append(fulls, b.Time)
			}
		}

		effIncr := min(keepIncremental, keepFull)
		capped := ""
		if keepIncremental > keepFull {
			capped = fmt.Sprintf(" (keep-incremental %d capped at keep-full %d: an incremental is useless without its full)", keepIncremental, keepFull)
		}
		// Incrementals at or before the boundary go; zero keeps them all.
		var boundary time.Time
		keepAllIncr := false
		switch {
		case effIncr == 0:
			boundary = time.Time{} // unused: every incremental goes
		case len(fulls) < effIncr:
			keepAllIncr = true
		default:
			boundary = fulls[effIncr-1]
		}

		fullRank := 0
		for _, b := range bs {
			d := RetentionDecision{Backup: b}
			switch b.Type {
			case Full:
				fullRank++
				if fullRank <= keepFull {
					d.Keep = true
					d.Reason = fmt.Sprintf("full #%d of the %d newest to keep", fullRank, keepFull)
					if fullRank == 1 {
						d.Reason = "newest full backup (always kept)"
					}
				} else {
					d.Reason = fmt.Sprintf("full older than the %d newest full backups", keepFull)
				}
			default:
				switch {
				case effIncr == 0:
					d.Reason = "incremental; policy keeps no incremental backups" + capped
				case keepAllIncr:
					d.Keep = true
					d.Reason = fmt.Sprintf("incremental; routine has only %d full backups, fewer than the %d whose incrementals are kept", len(fulls), effIncr) + capped
				case b.Time.After(boundary):
					d.Keep = true
					d.Reason = fmt.Sprintf("incremental after full #%d (%s)", effIncr, RunFolderName(boundary)) + capped
				default:
					d.Reason = fmt.Sprintf("incremental not after full #%d (%s)", effIncr, RunFolderName(boundary)) + capped
				}
			}
			plan.Decisions = append(plan.Decisions, d)
		}
	}
	return plan, nil
}
