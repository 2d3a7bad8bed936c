package cli

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/outcome"
	"github.com/aerobackup/aerobackup/internal/plan"
	"github.com/aerobackup/aerobackup/internal/report"
	"github.com/aerobackup/aerobackup/internal/routine"
)

type listOptions struct {
	target   targetFlags
	typ      string
	from, to string
}

func newListCmd(app *App) *cobra.Command {
	o := &listOptions{}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the backups of every routine (or --routine), newest last",
		Long: `List the catalog: one row per namespace of each backup, read from the
metadata.yaml files in storage (backups written by ABS included). Folders
without metadata.yaml are failed, interrupted or running backups, or sliced
runs still missing a slice: they are listed apart as incomplete, with the
reason, and are never restored or built on.`,
		Example: `  aerobackup list
  aerobackup list -r daily --type incremental --from 2026-11-01T00:00:00Z
  aerobackup list --json | jq '.backups[].key'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runList(cmd.Context(), app, o, cmd.Flags().Changed("routine"))
		},
	}
	o.target.register(cmd, false)
	f := cmd.Flags()
	f.StringVar(&o.typ, "type", "", "full or incremental (default: both)")
	f.StringVar(&o.from, "from", "", "only backups taken at or after this time (RFC 3339, Unix ms, now, -2h or 2h ago)")
	f.StringVar(&o.to, "to", "", "only backups taken at or before this time")
	_ = cmd.RegisterFlagCompletionFunc("type", fixedCompletion("full", "incremental"))
	return cmd
}

func runList(ctx context.Context, app *App, o *listOptions, routineGiven bool) error {
	filter, err := plan.ListFilter(o.typ, o.from, o.to, o.target.namespaces, app.Now())
	if err != nil {
		return outcome.AsUsage(err)
	}
	stores, err := app.openStores(ctx, &o.target, routineGiven)
	if err != nil {
		return err
	}
	defer routine.CloseStores(stores)
	doc := report.NewList()
	if err := routine.ScanStores(ctx, stores, filter, func(name string, l catalog.Listing) { doc.Add(l, name, o.target.namespaces) }); err != nil {
		return err
	}
	doc.Sort()
	return app.emit(doc)
}

// openStores opens the storage of the routine asked, or of every routine
// in the config grouped by storage, or the ad-hoc --storage.
func (a *App) openStores(ctx context.Context, f *targetFlags, routineGiven bool) ([]routine.Stores, error) {
	cfg, err := a.loadConfig()
	if err != nil {
		return nil, err
	}
	return routine.OpenStores(ctx, cfg, f.request(false), routineGiven, a.runtime().OpenStore)
}
