package cli

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"github.com/aerobackup/aerobackup/internal/apply"
	"github.com/aerobackup/aerobackup/internal/lock"
	"github.com/aerobackup/aerobackup/internal/plan"
	"github.com/aerobackup/aerobackup/internal/session"
)

type retentionOptions struct {
	target          targetFlags
	keepFull        int
	keepIncremental int
	calendar        plan.CalendarFlags
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

The calendar flags (or the policy's keep-* settings in aerobackup's second
config document) apply restic's forget rules to restore points, every
complete backup, in the local time zone (TZ) instead: a kept point keeps the
full and incrementals restoring it needs. Pinned backups (pin) and their
chains are always kept. --dry-run lists every backup with the rules that
keep it.

Deletion is oldest first and removes each backup's metadata.yaml before its
files, so a prune cut short leaves no half-readable backup; run it again to
finish (the leftover folders of failed backups and interrupted prunes older
than the newest full are deleted too). It never runs beside a backup or a
restore of the routine (exit 3).`,
		Example: `  aerobackup retention prune -r daily --dry-run
  aerobackup retention prune -r daily --keep-full 7 --keep-incremental 2 --json
  aerobackup retention prune -r daily --keep-daily 7 --keep-weekly 4 --keep-monthly 12 --keep-within 2d`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var over plan.KeepOverride
			if cmd.Flags().Changed("keep-full") {
				over.Full = &o.keepFull
			}
			if cmd.Flags().Changed("keep-incremental") {
				over.Incremental = &o.keepIncremental
			}
			for _, n := range []string{"keep-last", "keep-hourly", "keep-daily", "keep-weekly", "keep-monthly", "keep-yearly", "keep-within"} {
				if cmd.Flags().Changed(n) {
					over.Calendar = &o.calendar
				}
			}
			return runRetentionPrune(cmd.Context(), app, o, over)
		},
	}
	o.target.register(cmd, false)
	f := cmd.Flags()
	f.IntVar(&o.keepFull, "keep-full", 0, "keep this many newest full backups (overrides the policy's retention.full)")
	f.IntVar(&o.keepIncremental, "keep-incremental", 0, "keep incrementals after the this-many-th newest full (overrides retention.incremental)")
	c := &o.calendar
	for _, r := range []struct {
		n    string
		p    *int
		what string
	}{{"last", &c.Last, "the N newest restore points"}, {"hourly", &c.Hourly, "the newest point of each of the last N hours"},
		{"daily", &c.Daily, "the newest point of each of the last N days"}, {"weekly", &c.Weekly, "the newest point of each of the last N ISO weeks"},
		{"monthly", &c.Monthly, "the newest point of each of the last N months"}, {"yearly", &c.Yearly, "the newest point of each of the last N years"}} {
		f.IntVar(r.p, "keep-"+r.n, 0, "calendar rule: keep "+r.what+" (-1: unlimited)")
	}
	f.StringVar(&o.calendar.Within, "keep-within", "", "calendar rule: keep every restore point within this span of the newest (1y2m3d4h, 36h)")
	f.BoolVar(&o.dryRun, "dry-run", false, "list what would be kept and removed, delete nothing")
	o.lock.register(cmd)
	return cmd
}

func runRetentionPrune(ctx context.Context, app *App, o *retentionOptions, over plan.KeepOverride) error {
	t, err := app.resolveTarget(&o.target, false)
	if err != nil {
		return err
	}
	keep, err := plan.RetentionKeep(t.Routine.Name, t.Routine.Policy(), over, time.Local)
	if err != nil {
		return err
	}
	s, err := session.Open(ctx, app.runtime().Opener(t, nil), app.sessionOptions(t, unlessDry(lock.Prune, o.dryRun), o.lock))
	if err != nil {
		return err
	}
	defer s.Release()
	sum, err := apply.Retention(s, t.Routine.Name, keep, o.dryRun, app.Log)
	if sum != nil {
		if perr := app.emit(sum); perr != nil && err == nil {
			err = perr
		}
	}
	return err
}
