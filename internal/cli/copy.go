package cli

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/copyjob"
	"github.com/aerobackup/aerobackup/internal/outcome"
	"github.com/aerobackup/aerobackup/internal/plan"
	"github.com/aerobackup/aerobackup/internal/report"
)

type copyOptions struct {
	target      targetFlags
	lock        lockFlags
	to, backup  string
	from, until string
	dryRun      bool
	parallel    int
	pause       time.Duration
}

func newCopyCmd(app *App) *cobra.Command {
	o := &copyOptions{}
	cmd := &cobra.Command{
		Use:   "copy",
		Short: "Copy a routine's backups that another storage lacks, checked, metadata.yaml last",
		Long: `Copy every complete backup of the routine that the storage --to (a config
storage name or a storage URL) lacks, fulls first; --backup or --from/--until
choose some, with what the destination lacks of their chains. Files are checked
against the manifest while they stream, metadata.yaml last: an interrupted copy
never lists there and the next run completes it. See docs/copy.md.`,
		Example: `  aerobackup copy -r nightly --to offsite
  aerobackup copy --backup nightly/incremental/1763712000000 --to offsite --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runCopy(cmd.Context(), app, o) },
	}
	o.target.register(cmd, false)
	o.lock.register(cmd)
	f := cmd.Flags()
	f.StringVar(&o.to, "to", "", "destination: a storage name of the config, or a storage URL")
	f.StringVar(&o.backup, "backup", "", "copy only this backup (and what the destination lacks of its chain)")
	f.StringVar(&o.from, "from", "", "only backups taken at or after this time (RFC 3339, Unix ms, now, -2h or 2h ago)")
	f.StringVar(&o.until, "until", "", "only backups taken at or before this time (--to names the destination)")
	f.BoolVar(&o.dryRun, "dry-run", false, "list what would be copied and why, copy nothing")
	f.IntVar(&o.parallel, "parallel", 4, "files copied at the same time")
	f.DurationVar(&o.pause, "pause-per-file", 0, "wait this long before each file (tests)")
	_ = f.MarkHidden("pause-per-file")
	_ = cmd.MarkFlagRequired("to")
	cmd.MarkFlagsMutuallyExclusive("backup", "from")
	cmd.MarkFlagsMutuallyExclusive("backup", "until")
	cmd.SetUsageTemplate(cmd.UsageTemplate() + `
Exit status:
  0    every backup chosen is at the destination (or nothing to copy)
  1    the copy failed: a corrupt source file, a destination backup that differs
  2    usage or configuration error
  3    skipped: a routine lock (here or at the destination) is held
  130  interrupted (SIGINT; 143 SIGTERM): the next run completes the copy
`)
	return cmd
}

func runCopy(ctx context.Context, app *App, o *copyOptions) error {
	sel := copyjob.Selection{Backup: o.backup}
	var err error
	if sel.From, sel.To, err = plan.Window(o.from, o.until, app.Now()); err != nil {
		return outcome.AsUsage(err)
	}
	if o.parallel < 1 {
		return outcome.Usage("--parallel %d: want at least 1", o.parallel)
	}
	if k, kerr := catalog.ParseKey(o.backup); o.target.routine == "" && kerr == nil {
		o.target.routine = k.Routine
	}
	src, err := app.resolveTarget(&o.target, false)
	if err != nil {
		return err
	}
	dst, err := src.WithStorage("--to", o.to)
	if err != nil {
		return err
	}
	rt := app.runtime()
	res, err := copyjob.Run(ctx, copyjob.Options{Routine: src.Name(), Source: rt.Opener(src, nil), Dest: rt.Opener(dst, nil),
		SourceName: src.Routine.StorageName, DestName: dst.Routine.StorageName, Selection: sel, Namespaces: o.target.namespaces, DryRun: o.dryRun,
		Parallel: o.parallel, Pause: o.pause, StaleAfter: o.lock.staleAfter, Progress: app.Progress(), Now: app.Now, Log: app.Log})
	if res != nil && (err == nil || res.Err != nil) {
		if eerr := app.emit(report.NewCopy(res)); eerr != nil && err == nil {
			return eerr
		}
	}
	return err
}
