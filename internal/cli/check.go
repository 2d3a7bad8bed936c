package cli

import (
	"context"
	"errors"
	"time"

	"github.com/spf13/cobra"

	"github.com/aerobackup/aerobackup/internal/outcome"
	"github.com/aerobackup/aerobackup/internal/report"
	"github.com/aerobackup/aerobackup/internal/verify"
)

type checkOptions struct {
	target     targetFlags
	maxAge     time.Duration
	minRecords uint64
	alsoIn     []string
}

func newCheckCmd(app *App) *cobra.Command {
	o := &checkOptions{}
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Probe a routine: exit 0 when a recent backup exists and the chain restores to now",
		Long: `Check a routine's catalog for monitoring (Nagios, systemd, Kubernetes probes):
exit 0 when the newest successful backup is younger than --max-age and every
namespace of the latest full backup restores to now (the full plus its
incrementals, without gaps), and, with --min-records, that full holds at
least that many records, and with --also-in, that the newest backup is
complete in each storage named (copies). Otherwise exit 1 with a one-line
reason. Only metadata.yaml files are read; use verify to check the data.`,
		Example: `  aerobackup check -r nightly --max-age 26h
  aerobackup check -r nightly --max-age 1h --min-records 1000000 --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runCheck(cmd.Context(), app, o)
		},
	}
	o.target.register(cmd, false)
	f := cmd.Flags()
	f.DurationVar(&o.maxAge, "max-age", 0, "the newest backup must be younger than this (e.g. 26h)")
	f.Uint64Var(&o.minRecords, "min-records", 0, "the latest full backup must hold at least this many records")
	f.StringArrayVar(&o.alsoIn, "also-in", nil, "the newest backup must be complete in this storage too, a name or URL (repeatable)")
	_ = cmd.MarkFlagRequired("max-age")
	cmd.SetUsageTemplate(cmd.UsageTemplate() + `
Exit status:
  0    fresh and restorable
  1    stale, not restorable to now, too few records, or storage unreadable
  2    usage or configuration error
`)
	return cmd
}

func runCheck(ctx context.Context, app *App, o *checkOptions) error {
	if o.maxAge <= 0 {
		return outcome.Usage("--max-age %s: want a positive duration, e.g. 26h", o.maxAge)
	}
	t, err := app.resolveTarget(&o.target, false)
	if err != nil {
		return err
	}
	store, err := app.runtime().OpenStore(ctx, t)
	if err != nil {
		return err
	}
	defer store.Close()
	var also []verify.AlsoIn
	for _, v := range o.alsoIn {
		c, err := t.WithStorage("--also-in", v)
		if err != nil {
			return err
		}
		also = append(also, verify.AlsoIn{Name: c.Routine.StorageName, Open: app.runtime().Opener(c, nil)})
	}
	res, err := verify.CheckStoreAlsoIn(ctx, store, t.Name(), o.target.namespaces, app.Now(), o.maxAge, o.minRecords, also)
	if err != nil {
		return err
	}
	if err := app.emit(report.NewCheck(res)); err != nil {
		return err
	}
	if !res.OK {
		return errors.New(res.Reason)
	}
	return nil
}
