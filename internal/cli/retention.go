package cli

import (
	"context"
	"fmt"
	"io"
	"math"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/lock"
	"github.com/aerobackup/aerobackup/internal/plan"
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
			var over plan.KeepOverride
			if cmd.Flags().Changed("keep-full") {
				over.Full = &o.keepFull
			}
			if cmd.Flags().Changed("keep-incremental") {
				over.Incremental = &o.keepIncremental
			}
			return runRetentionPrune(cmd.Context(), app, o, over)
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

func runRetentionPrune(ctx context.Context, app *App, o *retentionOptions, over plan.KeepOverride) error {
	t, err := app.resolveTarget(&o.target, false)
	if err != nil {
		return err
	}
	keep, err := plan.RetentionCounts(t.routine.Name, t.routine.Policy().Retention, over)
	if err != nil {
		return err
	}
	s, err := session.Open(ctx, app.storeOpener(t, nil), app.sessionOptions(t, unlessDry(lock.Prune, o.dryRun), o.lock))
	if err != nil {
		return err
	}
	defer s.Release()
	sum, err := app.prune(s, t.routine.Name, keep, o.dryRun)
	if sum != nil {
		if perr := app.emit(sum); perr != nil && err == nil {
			err = perr
		}
	}
	return err
}

// prune plans and (unless dryRun) applies retention to the session's
// catalog, read under the prune lock unless dryRun.
func (a *App) prune(s *session.Session, routine string, keep plan.Keep, dryRun bool) (*pruneSummary, error) {
	p, err := plan.Retention(s.Listing, keep)
	if err != nil {
		return nil, err
	}
	sum := &pruneSummary{Type: "retention-prune", Routine: routine, DryRun: dryRun, KeepIncremental: p.KeepIncremental,
		Decisions: []pruneDecision{}}
	if keep.Full != math.MaxInt {
		sum.KeepFull = &keep.Full
	}
	for _, d := range p.Decisions {
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
	for _, l := range p.Leftovers {
		sum.Leftovers = append(sum.Leftovers, pruneDecision{Action: "remove", Key: l.Path, Type: string(l.Type), Created: l.Time,
			Reason: l.Reason})
	}
	if dryRun {
		return sum, nil
	}
	res, err := catalog.ApplyRetention(s.Context(), s.Store, p.RetentionPlan, p.LeftoverFolders())
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

// human prints the decisions as a table and what they came to.
func (sum *pruneSummary) Human(out, errOut io.Writer) error {
	if len(sum.Decisions) == 0 && len(sum.Leftovers) == 0 {
		fmt.Fprintf(errOut, "routine %q: no backups\n", sum.Routine)
		return nil
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
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
	fmt.Fprintf(errOut, "routine %q: %s %d backups and %d leftover folders, keeping %d\n", sum.Routine, verb, sum.Removed,
		len(sum.Leftovers), sum.Kept)
	return nil
}
