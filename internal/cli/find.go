package cli

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/aerobackup/aerobackup/internal/lock"
	"github.com/aerobackup/aerobackup/internal/outcome"
	"github.com/aerobackup/aerobackup/internal/plan"
	"github.com/aerobackup/aerobackup/internal/records"
	"github.com/aerobackup/aerobackup/internal/report"
	"github.com/aerobackup/aerobackup/internal/session"
)

type findOptions struct {
	target   targetFlags
	records  recordFlags
	key      keyFlags
	lock     lockFlags
	from, to string
}

func newFindCmd(app *App) *cobra.Command {
	o := &findOptions{}
	cmd := &cobra.Command{
		Use:   "find",
		Short: "List every backup of a routine holding a record, newest first",
		Long: `Find a record, by user key (--key, with --set and --key-type) or by digest
(--digest), in a routine's backups, newest first: each copy's backup, time,
type, generation, expiry and bins (names, types, sizes), and whether a later
full backup of the namespace lacks it (deleted, or expired, before that full).

A lookup reads only the data files that can hold the record's partition: the
manifest (aerobackup.yaml) records each file's partitions. Backups written
without one (by ABS) are read whole. Encrypted backups are read with the
routine's key unless a key flag names another.

Exit status: 0 every record asked for is in a backup searched; 1 one is in
none (or the search failed); 2 usage or configuration error.`,
		Example: `  aerobackup find -r nightly --set users --key customer-42
  aerobackup find -r nightly --key 42 --key-type int --from '2d ago'
  aerobackup find -r nightly --digest 5bd5e56fd5a1cdde4fe9a0b0a9d8bb48bd1e1b6e --json | jq '.records[].versions[].backup'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runFind(cmd.Context(), app, o)
		},
	}
	o.target.register(cmd, true)
	o.records.register(cmd)
	o.key.register(cmd)
	o.lock.register(cmd)
	f := cmd.Flags()
	f.StringVar(&o.from, "from", "", "only backups taken at or after this time (RFC 3339, Unix ms, now, -2h or 2h ago)")
	f.StringVar(&o.to, "to", "", "only backups taken at or before this time")
	return cmd
}

func runFind(ctx context.Context, app *App, o *findOptions) error {
	sel, err := o.records.selection()
	if err != nil {
		return err
	}
	if sel == nil {
		return outcome.Usage("find needs --key, --digest or --keys-file")
	}
	fo := records.FindOptions{Namespaces: o.target.namespaces}
	if fo.From, fo.To, err = plan.Window(o.from, o.to, app.Now()); err != nil {
		return outcome.AsUsage(err)
	}
	t, err := app.resolveTarget(&o.target, false)
	if err != nil {
		return err
	}
	// A restore lock: a prune does not delete a backup being read.
	sess, err := session.Open(ctx, app.runtime().Opener(t, nil), app.sessionOptions(t, lock.Restore, o.lock))
	if err != nil {
		return err
	}
	defer sess.Release()
	res, err := records.Find(sess.Context(), sess.Store, o.key.reader(app, t), sess.Listing.Backups, sel, fo)
	if err != nil {
		return err
	}
	doc, err := report.NewFind(t.Name(), res)
	if err != nil {
		return err
	}
	if err := app.emit(doc); err != nil {
		return err
	}
	return res.MissingError(t.Name())
}
