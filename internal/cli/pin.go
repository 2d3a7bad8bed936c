package cli

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/aerobackup/aerobackup/internal/apply"
	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/lock"
	"github.com/aerobackup/aerobackup/internal/outcome"
	"github.com/aerobackup/aerobackup/internal/session"
)

type pinOptions struct {
	target targetFlags
	reason string
	dryRun bool
	lock   lockFlags
}

// newPinCmd is pin, or with unpin, unpin.
func newPinCmd(app *App, unpin bool) *cobra.Command {
	o := &pinOptions{}
	cmd := &cobra.Command{
		Use:   "pin KEY",
		Short: "Keep a backup, and what restoring it needs, from every retention",
		Long: `Pin the backup KEY (as list prints it): no retention prune, calendar or ABS
count rule, nor backup --prune, removes it or the full and incrementals it
builds on. The pin is stored beside the routine's backups, in
<routine>/.pins/, where ABS never looks; list shows it with its reason.
Pinning again replaces the reason. A backup that is not there cannot be
pinned (exit 1). A pin and a prune of the routine never run together.`,
		Example: `  aerobackup pin nightly/backup/1763712000000 --reason "before the 8.1 upgrade"
  aerobackup list -r nightly --json | jq '.backups[] | select(.pinned)'`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: app.completeBackupKeys,
		RunE:              func(cmd *cobra.Command, args []string) error { return runPin(cmd.Context(), app, o, args[0], unpin) },
	}
	if unpin {
		cmd.Use, cmd.Short, cmd.Example = "unpin KEY", "Let retention remove a pinned backup again", "  aerobackup unpin nightly/backup/1763712000000"
		cmd.Long = "Remove the pin of the backup KEY. Unpinning a backup that is not pinned\nchanges nothing and says so (exit 0)."
	} else {
		cmd.Flags().StringVar(&o.reason, "reason", "", "why the backup is kept (list and retention prune show it)")
	}
	o.target.register(cmd, false)
	cmd.Flags().BoolVar(&o.dryRun, "dry-run", false, "say what would change, change nothing")
	o.lock.register(cmd)
	return cmd
}

func runPin(ctx context.Context, app *App, o *pinOptions, arg string, unpin bool) error {
	key, err := catalog.ParseKey(arg)
	if err != nil {
		return outcome.Usage("%v (take a key from 'aerobackup list')", err)
	}
	if o.target.routine == "" {
		o.target.routine = key.Routine
	}
	t, err := app.resolveTarget(&o.target, false)
	if err != nil {
		return err
	}
	so := app.sessionOptions(t, unlessDry(lock.Pin, o.dryRun), o.lock)
	apply.PinScope(key)(&so)
	sess, err := session.Open(ctx, app.runtime().Opener(t, nil), so)
	if err != nil {
		return err
	}
	defer sess.Release()
	doc, err := apply.Pin(sess, key, o.reason, unpin, o.dryRun, app.Now())
	if err != nil {
		return err
	}
	return app.emit(doc)
}
