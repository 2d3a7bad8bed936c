package cli

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/aerobackup/aerobackup/internal/plan"
	"github.com/aerobackup/aerobackup/internal/report"
	"github.com/aerobackup/aerobackup/internal/restoresource"
)

type restoreAtOptions struct {
	restoreFlags
	at                string
	disableReordering bool
}

func newRestoreAtCmd(app *App) *cobra.Command {
	o := &restoreAtOptions{}
	cmd := &cobra.Command{
		Use:   "restore-at-timestamp",
		Short: "Restore a routine's namespaces as they were at a point in time",
		Long: `Restore each namespace of a routine to --time T: the latest full backup that
started at or before T, then every incremental after it that started at or
before T. The recovery point reached is the start of the last backup applied.

Order and write policy, per namespace:
  - newest first with CREATE_ONLY when the destination namespace is empty or
    --unique is given: every record is written once, by the newest backup
    holding it; its older copies are not sent while --skip-superseded-memory
    holds the digests written (beyond, the server refuses them, no write).
  - oldest first otherwise, or with --disable-reordering: the full with the
    restore's write policy, then each incremental with REPLACE and no
    generation check (a newer backup's record is the whole, newer record).
Both orders give the same result; namespaces are restored in parallel.
Backups record no deletions: a record deleted after the full comes back, in
either order; a record whose newest copy has expired comes from an older one.

A gap in the chain (an incremental whose "from" is later than the start of
the backup before it) is reported with a warning naming both. --dry-run
prints the plan, the order, the write policies and the recovery point.

--validate decodes and checks every backup of the plan (the full and its
incrementals, through the same reader and integrity checks as a restore),
writes nothing and connects to no cluster. --warm-up N opens N connections
per node of the destination before the first step.

Records the server refuses (too big for the namespace, forbidden by its
configuration...) fail the restore (exit 1, saying how many and why) and
stop the namespace's chain; --ignore-record-error accepts them with a warning.

--key (with --set and --key-type), --digest and --keys-file restore only those
records as they were at T: each whole from the newest backup of the chain
holding it (REPLACE, whatever its generation; --unique: only where it is
absent), the files of its partition alone read. A record no backup of the
chain holds did not exist at T (or was never backed up): it is reported, not
deleted (exit 1 when no selected record is found).

No full backup at or before T is a usage error (exit 2): nothing is touched.`,
		Example: `  aerobackup restore-at-timestamp -r daily --time 2026-11-21T10:00:00Z
  aerobackup restore-at-timestamp -r daily --time 1763719200000 --namespace-map test=test_copy --dry-run
  aerobackup restore-at-timestamp -r daily --time 2026-11-21T10:00:00Z --validate
  aerobackup restore-at-timestamp -r daily --time '2h ago' --set users --key customer-42 --dry-run`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.tune.apply(cmd, app); err != nil {
				return err
			}
			return runRestoreAt(cmd.Context(), app, o)
		},
	}
	o.register(cmd)
	o.registerValidate(cmd)
	f := cmd.Flags()
	f.StringVar(&o.at, "time", "", "point in time to restore: RFC 3339 (any offset), Unix ms, now, -2h or 2h ago")
	f.BoolVar(&o.disableReordering, "disable-reordering", false, "apply the backups oldest first even into an empty namespace")
	f.IntVar(&o.opts.SupersededMiB, "skip-superseded-memory", plan.DefaultSupersededMiB, "MiB for the digests of the records written newest first, so that none of their older versions is sent (0: send every version)")
	_ = cmd.MarkFlagRequired("time")
	return cmd
}

func runRestoreAt(ctx context.Context, app *App, o *restoreAtOptions) error {
	ask := restoresource.PointInTimeAsk{Ask: o.ask(), At: o.at, DisableReordering: o.disableReordering}
	req, only, err := ask.Request(app.Now())
	if err != nil {
		return err
	}
	o.only = only
	src, err := restoresource.OpenPointInTime(ctx, req, o.opening(app), app.Log)
	if err != nil {
		return err
	}
	defer src.Release()
	ctx, t, p := src.Ctx, src.Target, src.PointInTime
	if o.only != nil {
		return o.restoreRecords(ctx, app, t, src.Store, src.Dest, p.Chains(), &p.RecoveryPoint)
	}
	conn, err := o.connect(ctx, app, t, src.Dest)
	if err != nil {
		return err
	}
	defer conn.Close()
	if err := src.Reorder(conn.NamespacesEmpty); err != nil {
		return err
	}
	p = src.PointInTime
	if o.dryRun {
		return app.emit(report.NewRestoreAtPlan(t.Name(), req.At, p))
	}
	job := o.job(app, t, src.Store, conn, p.Chains())
	src.LogStart(app.Log, job.StepCount())
	return app.runRestoreJob(ctx, job, p.Summary(), &p.RecoveryPoint)
}
