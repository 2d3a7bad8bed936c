package cli

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/metrics"
	"github.com/aerobackup/aerobackup/internal/outcome"
	"github.com/aerobackup/aerobackup/internal/plan"
	"github.com/aerobackup/aerobackup/internal/policy"
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
    holding it; older copies are refused by the server without a write.
  - oldest first otherwise, or with --disable-reordering: the full with the
    restore's write policy, then each incremental with REPLACE and no
    generation check (a newer backup's record is the whole, newer record).
Both orders give the same result. Backups record no deletions: a record
deleted after the full comes back, in either order; a record whose newest
backed-up copy has expired since is skipped and its older copy restored.
Namespaces are restored in parallel.

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

No full backup at or before T is a usage error (exit 2): nothing is touched.`,
		Example: `  aerobackup restore-at-timestamp -r daily --time 2026-11-21T10:00:00Z
  aerobackup restore-at-timestamp -r daily --time 1763719200000 --namespace-map test=test_copy --dry-run
  aerobackup restore-at-timestamp -r daily --time 2026-11-21T10:00:00Z --validate`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.tune.apply(cmd, app, nil); err != nil {
				return err
			}
			return runRestoreAt(cmd.Context(), app, o)
		},
	}
	o.register(cmd)
	o.registerValidate(cmd)
	f := cmd.Flags()
	f.StringVar(&o.at, "time", "", "point in time to restore: RFC 3339 or Unix milliseconds")
	f.BoolVar(&o.disableReordering, "disable-reordering", false, "apply the backups oldest first even into an empty namespace")
	_ = cmd.MarkFlagRequired("time")
	return cmd
}

// restoreAtStep is one line of the dry-run plan.
type restoreAtStep struct {
	Order       int       `json:"order"`
	Key         string    `json:"key"`
	Type        string    `json:"type"`
	Created     time.Time `json:"created"`
	From        time.Time `json:"from,omitzero"`
	Records     uint64    `json:"record-count"`
	WritePolicy string    `json:"write-policy"`
}

type restoreAtNamespace struct {
	Source        string          `json:"source-namespace"`
	Destination   string          `json:"destination-namespace"`
	Order         string          `json:"order"` // newest-first or chronological
	Why           string          `json:"order-reason"`
	RecoveryPoint time.Time       `json:"recovery-point"`
	Steps         []restoreAtStep `json:"steps"`
	Warnings      []string        `json:"warnings,omitempty"`
}

type restoreAtPlanDoc struct {
	Type          string               `json:"type"`
	Outcome       string               `json:"outcome"`
	DryRun        bool                 `json:"dry-run"`
	Routine       string               `json:"routine"`
	Time          time.Time            `json:"time"`
	RecoveryPoint time.Time            `json:"recovery-point"`
	Namespaces    []restoreAtNamespace `json:"namespaces"`
}

func runRestoreAt(ctx context.Context, app *App, o *restoreAtOptions) error {
	req, t, err := o.request(app)
	if err != nil {
		return err
	}
	if !o.dryRun && !req.Validate {
		app.reportRun(metrics.Restore, t.name(), "")
	}
	sess, err := o.openSession(ctx, app, t, nil)
	if err != nil {
		return err
	}
	defer sess.Release()
	ctx, backups := sess.Context(), sess.Listing.Backups
	req.Storage = sess.Store.String()
	// Plan once without the cluster, so a missing backup is reported
	// before anything is contacted; then ask what the order needs.
	p, err := plan.PointInTime(req, backups, nil)
	if err != nil {
		return err
	}
	for _, n := range p.Namespaces {
		for _, w := range n.Chain.Warnings {
			app.Log.Warn(w, "namespace", n.Chain.Namespace)
		}
	}
	dest, err := o.destinationCluster(app, t)
	if err != nil {
		return err
	}
	conn, err := o.connect(ctx, app, t, dest)
	if err != nil {
		return err
	}
	defer conn.Close()
	if req.NeedsEmptiness() {
		empty, err := conn.NamespacesEmpty(p.Destinations())
		if err != nil {
			return err
		}
		if p, err = plan.PointInTime(req, backups, empty); err != nil {
			return err
		}
	}
	if o.dryRun {
		return printRestoreAtPlan(app, t.name(), req.At, p)
	}
	job := o.job(app, t, sess.Store, conn, p.Chains())
	msg := "restoring to a point in time"
	if req.Validate {
		msg = "validating the backups of a point in time"
	}
	app.Log.Info(msg, "routine", t.name(), "time", req.At.UTC().Format(time.RFC3339Nano),
		"recovery-point", p.RecoveryPoint.UTC().Format(time.RFC3339Nano), "steps", job.StepCount())
	return app.runRestoreJob(ctx, job, p.Summary(), &p.RecoveryPoint)
}

// request reads restore-at-timestamp's flags and resolves its routine.
func (o *restoreAtOptions) request(app *App) (plan.PointInTimeRequest, *target, error) {
	var req plan.PointInTimeRequest
	at, err := parseTime("time", o.at)
	if err != nil {
		return req, nil, err
	}
	order := plan.PointInTimeRequest{Unique: o.opts.Unique, DisableReordering: o.disableReordering}
	if err := order.CheckOrder(); err != nil {
		return req, nil, outcome.AsUsage(err)
	}
	nsMap, base, err := o.parse()
	if err != nil {
		return req, nil, err
	}
	t, err := app.resolveTarget(&o.target, false)
	if err != nil {
		return req, nil, err
	}
	if err := o.checkAccessTier(t.routine.Storage().Kind()); err != nil {
		return req, nil, err
	}
	return plan.PointInTimeRequest{Routine: t.name(), At: at, Namespaces: o.target.namespaces,
		RoutineNamespaces: t.routine.Namespaces, Map: nsMap, Validate: o.opts.ValidateOnly,
		DisableReordering: o.disableReordering, Unique: o.opts.Unique, Base: base}, t, nil
}

func printRestoreAtPlan(app *App, routine string, at time.Time, p *plan.PointInTimePlan) error {
	doc := restoreAtPlanDoc{Type: "restore-at-timestamp", Outcome: "dry-run", DryRun: true, Routine: routine, Time: at,
		RecoveryPoint: p.RecoveryPoint}
	for _, ns := range p.Namespaces {
		n := restoreAtNamespace{Source: ns.Chain.Namespace, Destination: ns.Destination, Order: ns.Order(), Why: ns.Reason,
			RecoveryPoint: ns.Chain.RecoveryPoint, Warnings: ns.Chain.Warnings}
		byKey := map[string]catalog.Link{}
		for _, l := range ns.Chain.Links {
			byKey[l.Key] = l
		}
		for j, s := range ns.Steps {
			cs := byKey[s.Label]
			n.Steps = append(n.Steps, restoreAtStep{Order: j + 1, Key: s.Label, Type: string(cs.Type), Created: cs.Metadata.Created,
				From: cs.Metadata.From, Records: s.ExpectedRecords, WritePolicy: policy.WriteMode(s.Config)})
		}
		doc.Namespaces = append(doc.Namespaces, n)
	}
	return app.emit(&doc)
}

// human prints the dry run's plan: per namespace its order and steps.
func (d *restoreAtPlanDoc) human(w, _ io.Writer) error {
	fmt.Fprintf(w, "dry run: would restore routine %q to %s\n", d.Routine, d.Time.UTC().Format(time.RFC3339Nano))
	for _, n := range d.Namespaces {
		fmt.Fprintf(w, "namespace %s -> %s: %s (%s), recovery point %s\n", n.Source, n.Destination, n.Order, n.Why,
			n.RecoveryPoint.UTC().Format(time.RFC3339Nano))
		for _, s := range n.Steps {
			fmt.Fprintf(w, "  %2d. %-12s %s  created %s  %d records  %s\n", s.Order, s.Type, s.Key,
				s.Created.UTC().Format(time.RFC3339Nano), s.Records, s.WritePolicy)
		}
		for _, warn := range n.Warnings {
			fmt.Fprintf(w, "  warning: %s\n", warn)
		}
	}
	fmt.Fprintf(w, "recovery point: %s\n", d.RecoveryPoint.UTC().Format(time.RFC3339Nano))
	return nil
}
