package cli

import (
	"context"
	"fmt"
	"math"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/config"
	"github.com/aerobackup/aerobackup/internal/lock"
	"github.com/aerobackup/aerobackup/internal/outcome"
	"github.com/aerobackup/aerobackup/internal/session"
)

type retentionOptions struct {
	target          targetFlags
	keepFull        int
	keepIncremental int
	dryRun          bool
	lock            lockFlags
}

func newRetentionCmd(app *App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "retention",
		Short: "Apply retention policies to stored backups",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newRetentionPruneCmd(app))
	return cmd
}

func newRetentionPruneCmd(app *App) *cobra.Command {
	o := &retentionOptions{}
	cmd := &cobra.Command{
		Use:   "prune",
		Short: "Delete the backups a routine's retention policy no longer keeps",
		Long: `Delete the backups of a routine that its policy's retention (full: N,
incremental: M) or --keep-full N --keep-incremental M no longer keeps: the
newest N full backups stay, and incrementals only when they started after
the M-th newest full. The newest full is never deleted, a kept incremental
never loses its full, and a policy that keeps nothing is refused.

Deletion is oldest first and removes each backup's metadata.yaml before its
files, so a prune cut short leaves no half-readable backup; run it again to
finish (the leftover folders of failed backups and interrupted prunes older
than the newest full are deleted too). It never runs beside a backup or a
restore of the routine (exit 3).`,
		Example: `  aerobackup retention prune -r daily --dry-run
  aerobackup retention prune -r daily --keep-full 7 --keep-incremental 2 --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f := cmd.Flags()
			return runRetentionPrune(cmd.Context(), app, o, f.Changed("keep-full"), f.Changed("keep-incremental"))
		},
	}
	o.target.register(cmd, false)
	f := cmd.Flags()
	f.IntVar(&o.keepFull, "keep-full", 0, "keep this many newest full backups (overrides the policy's retention.full)")
	f.IntVar(&o.keepIncremental, "keep-incremental", 0, "keep incrementals after the this-many-th newest full (overrides retention.incremental)")
	f.BoolVar(&o.dryRun, "dry-run", false, "list what would be kept and removed, delete nothing")
	o.lock.register(cmd)
	return cmd
}

// retentionCounts resolves the numbers from the policy and the flags.
// Policy nil fields follow ABS: no full count keeps every full; no
// incremental count keeps the incrementals of every kept full.
func retentionCounts(routine string, ret *config.RetentionPolicy, keepFull, keepIncr int, fullSet, incrSet bool) (int, int, error) {
	var pf, pi *int
	if ret != nil {
		pf, pi = ret.Full, ret.Incremental
	}
	if fullSet {
		pf = &keepFull
	}
	if incrSet {
		pi = &keepIncr
	}
	if pf == nil && pi == nil {
		return 0, 0, outcome.Usage("routine %q: no retention policy (set retention: {full: N, incremental: M} in its backup policy, or pass --keep-full N --keep-incremental M); refusing to guess", routine)
	}
	full := math.MaxInt
	if pf != nil {
		full = *pf
	}
	if full < 1 {
		return 0, 0, outcome.Usage("routine %q: keep-full %d would delete every full backup; it must be at least 1", routine, full)
	}
	incr := full
	if pi != nil {
		incr = *pi
	}
	if incr < 0 {
		return 0, 0, outcome.Usage("routine %q: keep-incremental must not be negative, got %d", routine, incr)
	}
	return full, incr, nil
}

// pruneDecision is one row of the prune report.
type pruneDecision struct {
	Action  string    `json:"action"` // keep, remove, removed
	Key     string    `json:"key"`
	Type    string    `json:"type"`
	Created time.Time `json:"created"`
	Reason  string    `json:"reason"`
}

type pruneSummary struct {
	Type            string          `json:"type"`
	Routine         string          `json:"routine"`
	DryRun          bool            `json:"dry-run"`
	KeepFull        *int            `json:"keep-full,omitempty"`
	KeepIncremental int             `json:"keep-incremental"`
	Decisions       []pruneDecision `json:"decisions"`
	Leftovers       []pruneDecision `json:"leftovers,omitempty"`
	Removed         int             `json:"removed"`
	Kept            int             `json:"kept"`
}

func runRetentionPrune(ctx context.Context, app *App, o *retentionOptions, fullSet, incrSet bool) error {
	t, err := app.resolveTarget(&o.target, false)
	if err != nil {
		return err
	}
	keepFull, keepIncr, err := retentionCounts(t.routine.Name, t.routine.Policy().Retention, o.keepFull, o.keepIncremental, fullSet, incrSet)
	if err != nil {
		return err
	}
	s, err := session.Open(ctx, app.storeOpener(t, nil), app.sessionOptions(t, unlessDry(lock.Prune, o.dryRun), o.lock))
	if err != nil {
		return err
	}
	defer s.Release()
	sum, err := app.prune(s, t.routine.Name, keepFull, keepIncr, o.dryRun)
	if sum != nil {
		if perr := app.printPrune(sum); perr != nil && err == nil {
			err = perr
		}
	}
	return err
}

// prune plans and (unless dryRun) applies retention to the session's
// catalog, read under the prune lock unless dryRun.
func (a *App) prune(s *session.Session, routine string, keepFull, keepIncr int, dryRun bool) (*pruneSummary, error) {
	ctx, store, listing := s.Context(), s.Store, s.Listing
	plan, err := catalog.PlanRetention(listing.Backups, keepFull, keepIncr)
	if err != nil {
		return nil, outcome.AsUsage(err)
	}
	leftovers := catalog.Leftovers(listing)
	sum := &pruneSummary{Type: "retention-prune", Routine: routine, DryRun: dryRun, KeepIncremental: plan.KeepIncremental,
		Decisions: []pruneDecision{}}
	if keepFull != math.MaxInt {
		sum.KeepFull = &keepFull
	}
	for _, d := range plan.Decisions {
		action := "keep"
		if !d.Keep {
			action = "remove"
			sum.Removed++
		} else {
			sum.Kept++
		}
		sum.Decisions = append(sum.Decisions, pruneDecision{Action: action, Key: d.Backup.Key, Type: string(d.Backup.Type),
			Created: d.Backup.Time, Reason: d.Reason})
	}
	for _, l := range leftovers {
		sum.Leftovers = append(sum.Leftovers, pruneDecision{Action: "remove", Key: l.Path, Type: string(l.Type), Created: l.Time,
			Reason: "incomplete (" + l.Reason + ") and older than the newest full: leftover of a failed backup or an interrupted prune"})
	}
	if dryRun {
		return sum, nil
	}
	res, err := catalog.ApplyRetention(ctx, store, plan, leftovers)
	removed := map[string]bool{}
	for _, k := range res.Removed {
		removed[k] = true
	}
	for _, k := range res.Leftovers {
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
	if err != nil {
		return sum, fmt.Errorf("routine %q: prune stopped after removing %d backups (run it again to finish): %w", routine, len(res.Removed), err)
	}
	a.Log.Info("retention applied", "routine", routine, "removed", len(res.Removed), "leftovers-removed", len(res.Leftovers),
		"kept", sum.Kept)
	return sum, nil
}

func (a *App) printPrune(sum *pruneSummary) error {
	if a.Globals.JSON {
		return a.writeJSON(sum)
	}
	if len(sum.Decisions) == 0 && len(sum.Leftovers) == 0 {
		fmt.Fprintf(a.IO.Err, "routine %q: no backups\n", sum.Routine)
		return nil
	}
	tw := tabwriter.NewWriter(a.IO.Out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ACTION\tCREATED\tTYPE\tKEY\tREASON")
	for _, d := range append(append([]pruneDecision(nil), sum.Decisions...), sum.Leftovers...) {
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
	fmt.Fprintf(a.IO.Err, "routine %q: %s %d backups and %d leftover folders, keeping %d\n", sum.Routine, verb, sum.Removed,
		len(sum.Leftovers), sum.Kept)
	return nil
}
