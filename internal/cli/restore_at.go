package cli

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	as "github.com/aerospike/aerospike-client-go/v8"
	"github.com/aerospike/backup-go"
	"github.com/spf13/cobra"

	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/cluster"
	"github.com/aerobackup/aerobackup/internal/lock"
	"github.com/aerobackup/aerobackup/internal/metrics"
	"github.com/aerobackup/aerobackup/internal/outcome"
	"github.com/aerobackup/aerobackup/internal/policy"
	"github.com/aerobackup/aerobackup/internal/restorejob"
	"github.com/aerobackup/aerobackup/internal/session"
	"github.com/aerobackup/aerobackup/internal/storage"
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

// nsPlan is one namespace's point-in-time plan and how it is applied.
type nsPlan struct {
	plan        catalog.Plan
	destination string
	reordered   bool
	reason      string
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
	at, err := parseTime("time", o.at)
	if err != nil {
		return err
	}
	if o.opts.Unique && o.disableReordering {
		return outcome.Usage("--unique with --disable-reordering would keep the oldest copy of every record; drop one of them")
	}
	nsMap, err := parseNamespaceMap(o.namespaceMap)
	if err != nil {
		return err
	}
	base, err := policy.NewRestore(o.opts)
	if err != nil {
		return err
	}
	t, err := app.resolveTarget(&o.target, false)
	if err != nil {
		return err
	}
	if err := o.checkAccessTier(t.routine.Storage().Kind()); err != nil {
		return err
	}
	validate := o.opts.ValidateOnly
	if !o.dryRun && !validate {
		app.reportRun(metrics.Restore, t.name(), "")
	}
	sess, err := session.Open(ctx, app.storeOpener(t, func(st storage.Store) storage.Store {
		return storage.WithAccessTier(st, o.accessTier, o.restorePoll, app.Log)
	}), app.sessionOptions(t, unlessDry(lock.Restore, o.dryRun), o.lock))
	if err != nil {
		return err
	}
	defer sess.Release()
	ctx, store, backups := sess.Context(), sess.Store, sess.Listing.Backups
	namespaces := restoreAtNamespaces(o.target.namespaces, t.routine.Namespaces, backups)
	if len(namespaces) == 0 {
		return outcome.Usage("routine %q has no backups in %s", t.name(), store)
	}
	for src := range nsMap {
		if !contains(namespaces, src) {
			return outcome.Usage("--namespace-map %s=...: routine %q has no backups of namespace %q", src, t.name(), src)
		}
	}
	var plans []*nsPlan
	var missing []string
	for _, ns := range namespaces {
		p, err := catalog.PointInTime(backups, ns, at)
		if errors.Is(err, catalog.ErrNoFullBackup) {
			missing = append(missing, ns)
			continue
		}
		if err != nil {
			return err
		}
		dst := ns
		if d, ok := nsMap[ns]; ok {
			dst = d
		}
		plans = append(plans, &nsPlan{plan: p, destination: dst})
	}
	if len(missing) > 0 {
		return outcome.Usage("routine %q: no full backup of namespace(s) %s at or before %s (see 'aerobackup list -r %s')",
			t.name(), strings.Join(missing, ", "), at.UTC().Format(time.RFC3339Nano), t.name())
	}
	for _, p := range plans {
		for _, w := range p.plan.Warnings {
			app.Log.Warn(w, "namespace", p.plan.Namespace)
		}
	}

	// --validate decodes into backup-go's discarding writers: no
	// cluster, so no emptiness test either; the order is chronological.
	var conn *cluster.Conn
	if !validate {
		dest, err := app.destinationCluster(t, o.destination, &o.target)
		if err != nil {
			return err
		}
		if conn, err = app.connect(ctx, t.cfg, dest); err != nil {
			return err
		}
		defer conn.Close()
	}
	for _, p := range plans {
		switch {
		case validate:
			p.reason = "--validate"
		case o.disableReordering:
			p.reason = "--disable-reordering"
		case o.opts.Unique:
			p.reordered, p.reason = true, "--unique"
		default:
			empty, err := namespaceEmpty(conn, p.destination)
			if err != nil {
				return err
			}
			p.reordered = empty
			p.reason = "destination namespace holds records"
			if empty {
				p.reason = "destination namespace is empty"
			}
		}
	}

	chains := make([]restorejob.Chain, 0, len(plans))
	for _, p := range plans {
		chains = append(chains, restorejob.Chain{Namespace: p.destination, Steps: chainSteps(p, base)})
	}
	recovery := plans[0].plan.RecoveryPoint
	for _, p := range plans {
		if p.plan.RecoveryPoint.Before(recovery) {
			recovery = p.plan.RecoveryPoint
		}
	}
	if o.dryRun {
		return printRestoreAtPlan(app, t.name(), at, recovery, plans, chains)
	}
	msg := "restoring to a point in time"
	if validate {
		msg = "validating the backups of a point in time"
	}
	app.Log.Info(msg, "routine", t.name(), "time", at.UTC().Format(time.RFC3339Nano),
		"recovery-point", recovery.UTC().Format(time.RFC3339Nano), "steps", countSteps(chains))
	return app.runRestoreJob(ctx, &restorejob.Job{Store: store, Conn: conn, Chains: chains, Parallel: true, WarmUp: o.opts.WarmUp,
		KeyFile: o.keyFile, KeyEnv: o.keyEnv, KeySecret: o.keySecret, SecretAgent: policy.SecretAgentConfig(routineAgent(t)),
		Progress: app.Progress(), Log: app.Log}, orderSummary(plans), &recovery)
}

func countSteps(chains []restorejob.Chain) int {
	n := 0
	for _, c := range chains {
		n += len(c.Steps)
	}
	return n
}

// restoreAtNamespaces: --namespace, else the routine's list, else every
// namespace the routine has backups of.
func restoreAtNamespaces(flag, routine []string, backups []catalog.Backup) []string {
	if len(flag) > 0 {
		return flag
	}
	if len(routine) > 0 {
		return routine
	}
	seen := map[string]bool{}
	var out []string
	for _, b := range backups {
		for _, n := range b.Namespaces {
			if !seen[n.Namespace] {
				seen[n.Namespace] = true
				out = append(out, n.Namespace)
			}
		}
	}
	sort.Strings(out)
	return out
}

// chainSteps turns a plan into restore steps in application order, each
// with its write policy.
//
// Newest first, CREATE_ONLY: the first step to hold a record creates it
// and every older copy is refused, so each live record ends up as its
// newest backed-up version, written once. That equals the oldest-first
// result because every step holds whole records (a backup stores all bins
// of each record it saw) and a newer step's copy is the newer state.
// Records a newer step holds but that have expired since are skipped by
// backup-go in both orders, so neither order can tell them apart from
// records the newer step did not hold.
//
// Oldest first: the full uses the restore's own policy; each incremental
// replaces whole records with no generation check, because a record
// deleted and re-created since the full restarts its generation, and a bin
// removed since the full must not survive a merge.
func chainSteps(p *nsPlan, base *backup.ConfigRestore) []restorejob.Step {
	steps := make([]restorejob.Step, 0, len(p.plan.Steps))
	for i, s := range p.plan.Steps {
		cfg := base
		switch {
		case p.reordered:
			cfg = withWrite(base, as.CREATE_ONLY, as.NONE)
		case i > 0:
			cfg = withWrite(base, as.REPLACE, as.NONE)
		}
		if s.Type == catalog.Incremental {
			// Incrementals carry no indexes or UDFs.
			c := *cfg
			c.NoIndexes, c.NoUDFs = true, true
			cfg = &c
		}
		steps = append(steps, restorejob.Step{Label: s.Key, Dir: s.Dir, Source: s.Namespace, Destination: p.destination,
			Compression: s.Metadata.Compression, Encryption: s.Metadata.Encryption,
			ExpectedRecords: s.Metadata.RecordCount, Config: cfg})
	}
	if p.reordered {
		for i, j := 0, len(steps)-1; i < j; i, j = i+1, j-1 {
			steps[i], steps[j] = steps[j], steps[i]
		}
	}
	return steps
}

func withWrite(base *backup.ConfigRestore, action as.RecordExistsAction, gen as.GenerationPolicy) *backup.ConfigRestore {
	c := *base
	wp := *base.WritePolicy
	wp.RecordExistsAction = action
	wp.GenerationPolicy = gen
	c.WritePolicy = &wp
	return &c
}

// namespaceEmpty asks every node for the namespace's object count.
// Expired records not yet removed count too, which only errs towards the
// chronological order.
func namespaceEmpty(conn *cluster.Conn, ns string) (bool, error) {
	answers, err := conn.Info("namespace/" + ns)
	if err != nil {
		return false, fmt.Errorf("destination namespace %q: %w", ns, err)
	}
	if len(answers) == 0 {
		return false, fmt.Errorf("destination namespace %q: no node answered", ns)
	}
	for node, a := range answers {
		if a == "" || strings.HasPrefix(a, "ERROR") || strings.HasPrefix(a, "type=unknown") {
			return false, fmt.Errorf("destination namespace %q: node %s does not know it (%s)", ns, node, a)
		}
		found := false
		for _, kv := range strings.Split(a, ";") {
			k, v, _ := strings.Cut(kv, "=")
			if k != "objects" {
				continue
			}
			found = true
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n != 0 {
				return false, nil
			}
		}
		if !found {
			return false, nil
		}
	}
	return true, nil
}

func orderSummary(plans []*nsPlan) string {
	var parts []string
	for _, p := range plans {
		order := "chronological"
		if p.reordered {
			order = "newest-first CREATE_ONLY"
		}
		parts = append(parts, p.destination+": "+order)
	}
	return strings.Join(parts, "; ")
}

func printRestoreAtPlan(app *App, routine string, at, recovery time.Time, plans []*nsPlan, chains []restorejob.Chain) error {
	doc := restoreAtPlanDoc{Type: "restore-at-timestamp", Outcome: "dry-run", DryRun: true, Routine: routine, Time: at,
		RecoveryPoint: recovery}
	for i, p := range plans {
		n := restoreAtNamespace{Source: p.plan.Namespace, Destination: p.destination, Order: "chronological", Why: p.reason,
			RecoveryPoint: p.plan.RecoveryPoint, Warnings: p.plan.Warnings}
		if p.reordered {
			n.Order = "newest-first"
		}
		byKey := map[string]catalog.Step{}
		for _, s := range p.plan.Steps {
			byKey[s.Key] = s
		}
		for j, s := range chains[i].Steps {
			cs := byKey[s.Label]
			n.Steps = append(n.Steps, restoreAtStep{Order: j + 1, Key: s.Label, Type: string(cs.Type), Created: cs.Metadata.Created,
				From: cs.Metadata.From, Records: s.ExpectedRecords, WritePolicy: policy.WriteMode(s.Config)})
		}
		doc.Namespaces = append(doc.Namespaces, n)
	}
	if app.Globals.JSON {
		return app.writeJSON(doc)
	}
	w := app.IO.Out
	fmt.Fprintf(w, "dry run: would restore routine %q to %s\n", routine, at.UTC().Format(time.RFC3339Nano))
	for _, n := range doc.Namespaces {
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
	fmt.Fprintf(w, "recovery point: %s\n", recovery.UTC().Format(time.RFC3339Nano))
	return nil
}
