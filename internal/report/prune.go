package report

import (
	"fmt"
	"io"
	"math"
	"text/tabwriter"
	"time"

	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/plan"
)

// PruneDecision is one row of the prune report.
type PruneDecision struct {
	Action  string    `json:"action"` // keep, remove, removed
	Key     string    `json:"key"`
	Type    string    `json:"type"`
	Created time.Time `json:"created"`
	Reason  string    `json:"reason"`
	// Rules are every rule that keeps the backup (pins included).
	Rules []string `json:"rules,omitempty"`
}

// Prune is what retention prune (and backup --prune) decided and did.
type Prune struct {
	Type            string `json:"type"`
	Routine         string `json:"routine"`
	DryRun          bool   `json:"dry-run"`
	KeepFull        *int   `json:"keep-full,omitempty"`
	KeepIncremental *int   `json:"keep-incremental,omitempty"`
	// Calendar is the calendar rules, when they replace the counts.
	Calendar *CalendarRules `json:"calendar,omitempty"`
	// Rule says which retention applies, and where it comes from.
	Rule      string          `json:"rule"`
	Decisions []PruneDecision `json:"decisions"`
	Leftovers []PruneDecision `json:"leftovers,omitempty"`
	Removed   int             `json:"removed"`
	Kept      int             `json:"kept"`
}

// CalendarRules are the calendar rules of a prune (0: off, -1: unlimited).
type CalendarRules struct {
	Last    int    `json:"keep-last,omitempty"`
	Hourly  int    `json:"keep-hourly,omitempty"`
	Daily   int    `json:"keep-daily,omitempty"`
	Weekly  int    `json:"keep-weekly,omitempty"`
	Monthly int    `json:"keep-monthly,omitempty"`
	Yearly  int    `json:"keep-yearly,omitempty"`
	Within  string `json:"keep-within,omitempty"`
	Zone    string `json:"time-zone"`
}

// NewPrune reports a retention plan before it is applied: each backup to
// keep or remove and each leftover folder and stale pin to remove, with
// its reason. The counts (an unlimited full count left out) or the
// calendar rules say what was applied.
func NewPrune(routine string, p plan.RetentionPlan, dryRun bool) *Prune {
	sum := &Prune{Type: "retention-prune", Routine: routine, DryRun: dryRun, Rule: p.Keep.Reason, Decisions: []PruneDecision{}}
	if c := p.Keep.Calendar; c != nil {
		sum.Calendar = &CalendarRules{Last: c.Last, Hourly: c.Hourly, Daily: c.Daily, Weekly: c.Weekly, Monthly: c.Monthly,
			Yearly: c.Yearly, Within: c.Within.String(), Zone: c.Location.String()}
	} else {
		incr := p.KeepIncremental
		sum.KeepIncremental = &incr
		if full := p.Keep.Full; full != math.MaxInt {
			sum.KeepFull = &full
		}
	}
	for _, d := range p.Decisions {
		action := "keep"
		if !d.Keep {
			action = "remove"
			sum.Removed++
		} else {
			sum.Kept++
		}
		sum.Decisions = append(sum.Decisions, PruneDecision{Action: action, Key: d.Backup.Key, Type: string(d.Backup.Type),
			Created: d.Backup.Time, Reason: d.Reason, Rules: d.Rules})
	}
	for _, l := range p.Leftovers {
		sum.Leftovers = append(sum.Leftovers, PruneDecision{Action: "remove", Key: l.Path, Type: string(l.Type), Created: l.Time,
			Reason: l.Reason})
	}
	for _, pin := range p.StalePins {
		sum.Leftovers = append(sum.Leftovers, PruneDecision{Action: "remove", Key: pin.Path, Type: "pin", Created: pin.PinnedAt,
			Reason: "pin of " + pin.Key + ", which is no longer there"})
	}
	return sum
}

// MarkRemoved turns "remove" into "removed" for what the prune deleted;
// a prune cut short leaves the rest at "remove".
func (sum *Prune) MarkRemoved(res catalog.PruneResult) {
	removed := map[string]bool{}
	for _, k := range res.Removed {
		removed[k] = true
	}
	for _, k := range append(res.Leftovers, res.Pins...) {
		removed[k] = true
	}
	for i := range sum.Decisions {
		if removed[sum.Decisions[i].Key] {
			sum.Decisions[i].Action = "removed"
		}
	}
	for i := range sum.Leftovers {
		if removed[sum.Leftovers[i].Key] {
			sum.Leftovers[i].Action = "removed"
		}
	}
}

// QuietHuman prints nothing: the table reports the prune, which, when it
// fails, says so in its error.
func (sum *Prune) QuietHuman(io.Writer) error { return nil }

// Human prints the decisions as a table and what they came to.
func (sum *Prune) Human(out, errOut io.Writer) error {
	if len(sum.Decisions) == 0 && len(sum.Leftovers) == 0 {
		fmt.Fprintf(errOut, "routine %q: no backups\n", sum.Routine)
		return nil
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ACTION\tCREATED\tTYPE\tKEY\tREASON")
	for _, d := range append(append([]PruneDecision(nil), sum.Decisions...), sum.Leftovers...) {
		created := "-"
		if !d.Created.IsZero() {
			created = d.Created.UTC().Format("2006-01-02T15:04:05.000Z07:00")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", d.Action, created, d.Type, d.Key, d.Reason)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	verb := "removed"
	if sum.DryRun {
		verb = "would remove"
	}
	fmt.Fprintf(errOut, "routine %q: %s %d backups and %d leftover folders, keeping %d\n", sum.Routine, verb, sum.Removed,
		len(sum.Leftovers), sum.Kept)
	return nil
}
