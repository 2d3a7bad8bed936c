package plan

import (
	"errors"
	"slices"
	"sort"
	"strings"
	"time"

	as "github.com/aerospike/aerospike-client-go/v8"
	"github.com/aerospike/backup-go"

	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/restorejob"
)

// DefaultSupersededMiB is restore-at-timestamp's default memory for the
// digests of the records it writes newest first: about 4.8 million
// digests (restorejob.DigestBytes each).
const DefaultSupersededMiB = 256

// PointInTimeRequest is what restore-at-timestamp was asked to do.
type PointInTimeRequest struct {
	Routine string
	// Storage names the routine's storage in messages.
	Storage string
	At      time.Time
	// Namespaces named with --namespace; else the routine's; else every
	// namespace the routine has backups of.
	Namespaces, RoutineNamespaces []string
	// Map renames source namespaces (--namespace-map).
	Map map[string]string
	// How the chain may be applied.
	Validate, DisableReordering, Unique bool
	// Records is set when only selected records are restored (--key,
	// --digest, --keys-file): each from the newest backup of the chain
	// holding it, replacing the record whole (or, --unique, only where it
	// is absent).
	Records bool
	// Base is the restore's own configuration; the plan copies it per step
	// and never changes it.
	Base *backup.ConfigRestore
	// SupersededMiB is the memory, for all namespaces together, for the
	// digests of the records a newest-first chain writes, so that their
	// older versions are not sent (restorejob.DigestBudget); 0: every
	// version is sent and the server refuses the older ones.
	SupersededMiB int
}

// PointInTimePlan is every namespace's chain and how it is applied.
type PointInTimePlan struct {
	Namespaces []*RestoreNamespace
	// RecoveryPoint is the earliest of the namespaces' recovery points:
	// every change made before it is restored in every namespace.
	RecoveryPoint time.Time
	// SupersededMiB is the request's.
	SupersededMiB int
}

// RestoreNamespace is one namespace's chain, its order and write policies.
type RestoreNamespace struct {
	Chain       catalog.PointInTimeChain
	Destination string
	// NewestFirst applies the chain newest first with CREATE_ONLY, writing
	// each record once; otherwise it goes oldest first.
	NewestFirst bool
	// Reason says why the order was chosen.
	Reason string
	// Steps are the chain in application order, each with its policy.
	Steps []restorejob.Step
}

// Order names the application order as --json and the summary show it.
func (n *RestoreNamespace) Order() string {
	if n.NewestFirst {
		return "newest-first"
	}
	return "chronological"
}

// NeedsEmptiness reports whether the order depends on the destination
// namespaces being empty, which the caller must then ask the cluster.
func (r PointInTimeRequest) NeedsEmptiness() bool {
	return !r.Validate && !r.DisableReordering && !r.Unique && !r.Records
}

// ChainNamespaces are the source namespaces the plan covers.
func (r PointInTimeRequest) ChainNamespaces(backups []catalog.Backup) []string {
	if len(r.Namespaces) > 0 {
		return r.Namespaces
	}
	if len(r.RoutineNamespaces) > 0 {
		return r.RoutineNamespaces
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

// Destination is where namespace ns is restored to.
func (r PointInTimeRequest) Destination(ns string) string {
	if d, ok := r.Map[ns]; ok {
		return d
	}
	return ns
}

// PointInTime plans restore-at-timestamp over the routine's backups: per
// namespace the latest full at or before the time and its incrementals up
// to it, then the order. empty tells, for each destination namespace,
// whether it holds no records; it is read only when NeedsEmptiness.
func PointInTime(r PointInTimeRequest, backups []catalog.Backup, empty map[string]bool) (*PointInTimePlan, error) {
	namespaces := r.ChainNamespaces(backups)
	if len(namespaces) == 0 {
		return nil, refuse("routine %q has no backups in %s", r.Routine, r.Storage)
	}
	for src := range r.Map {
		if !slices.Contains(namespaces, src) {
			return nil, refuse("--namespace-map %s=...: routine %q has no backups of namespace %q", src, r.Routine, src)
		}
	}
	p := &PointInTimePlan{SupersededMiB: r.SupersededMiB}
	var missing []string
	for _, ns := range namespaces {
		c, err := catalog.PointInTime(backups, ns, r.At)
		if errors.Is(err, catalog.ErrNoFullBackup) {
			missing = append(missing, ns)
			continue
		}
		if err != nil {
			return nil, err
		}
		n := &RestoreNamespace{Chain: c, Destination: r.Destination(ns)}
		n.NewestFirst, n.Reason = r.order(empty[n.Destination])
		n.Steps = r.chainSteps(n, r.Base)
		p.Namespaces = append(p.Namespaces, n)
		if p.RecoveryPoint.IsZero() || c.RecoveryPoint.Before(p.RecoveryPoint) {
			p.RecoveryPoint = c.RecoveryPoint
		}
	}
	if len(missing) > 0 {
		return nil, refuse("routine %q: no full backup of namespace(s) %s at or before %s (see 'aerobackup list -r %s')",
			r.Routine, strings.Join(missing, ", "), r.At.UTC().Format(time.RFC3339Nano), r.Routine)
	}
	return p, nil
}

// order decides a namespace's application order. Newest first writes each
// record once, but only into an empty namespace (or under --unique) can it
// not leave an older copy standing where the cluster holds a newer one.
func (r PointInTimeRequest) order(empty bool) (newestFirst bool, reason string) {
	switch {
	case r.Validate:
		// Decoding needs no order: chronological, as backups were taken.
		return false, "--validate"
	case r.Records:
		return true, "selected records: each from the newest backup holding it"
	case r.DisableReordering:
		return false, "--disable-reordering"
	case r.Unique:
		return true, "--unique"
	case empty:
		return true, "destination namespace is empty"
	}
	return false, "destination namespace holds records"
}

// chainSteps turns a namespace's chain into restore steps in application
// order, each with its write policy.
//
// Newest first, CREATE_ONLY: the first step to hold a record creates it
// and every older copy is refused, so each live record ends up as its
// newest backed-up version, written once. An older copy of a record the
// run wrote is refused client-side, not sent, while the digests fit in
// SupersededMiB (restorejob.DigestBudget); beyond, the server refuses it. That equals the oldest-first
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
func (r PointInTimeRequest) chainSteps(n *RestoreNamespace, base *backup.ConfigRestore) []restorejob.Step {
	steps := make([]restorejob.Step, 0, len(n.Chain.Links))
	for i, l := range n.Chain.Links {
		cfg := base
		switch {
		case r.Records:
			cfg = RecordWrite(base)
		case n.NewestFirst:
			cfg = withWrite(base, as.CREATE_ONLY, as.NONE)
		case i > 0:
			cfg = withWrite(base, as.REPLACE, as.NONE)
		}
		if l.Type == catalog.Incremental {
			// Incrementals carry no indexes or UDFs.
			c := *cfg
			c.NoIndexes, c.NoUDFs = true, true
			cfg = &c
		}
		steps = append(steps, restorejob.Step{Label: l.Key, Dir: l.Dir, Source: l.Namespace, Destination: n.Destination,
			Compression: l.Metadata.Compression, Encryption: l.Metadata.Encryption,
			ExpectedRecords: l.Metadata.RecordCount, Config: cfg,
			Indexes: l.Metadata.SecondaryIndexCount, UDFs: l.Metadata.UDFCount})
	}
	if n.NewestFirst {
		for i, j := 0, len(steps)-1; i < j; i, j = i+1, j-1 {
			steps[i], steps[j] = steps[j], steps[i]
		}
	}
	return steps
}

// RecordWrite is the write policy of a restore of selected records: each
// replaces the record whole whatever its generation (the point is to undo
// a change made since), unless base says --unique: then only records now
// absent are written; with --bin-list only those bins are written back
// (UPDATE), the record's other bins left as they are.
func RecordWrite(base *backup.ConfigRestore) *backup.ConfigRestore {
	switch {
	case base.WritePolicy != nil && base.WritePolicy.RecordExistsAction == as.CREATE_ONLY:
		return withWrite(base, as.CREATE_ONLY, as.NONE)
	case len(base.BinList) > 0:
		return withWrite(base, as.UPDATE, as.NONE)
	}
	return withWrite(base, as.REPLACE, as.NONE)
}

func withWrite(base *backup.ConfigRestore, action as.RecordExistsAction, gen as.GenerationPolicy) *backup.ConfigRestore {
	c := *base
	wp := *base.WritePolicy
	wp.RecordExistsAction = action
	wp.GenerationPolicy = gen
	c.WritePolicy = &wp
	return &c
}

// Destinations are the namespaces the plan writes to, in its order.
func (p *PointInTimePlan) Destinations() []string {
	var out []string
	for _, n := range p.Namespaces {
		out = append(out, n.Destination)
	}
	return out
}

// Summary names each destination's order, for the restore's log line.
func (p *PointInTimePlan) Summary() string {
	parts := make([]string, 0, len(p.Namespaces))
	for _, n := range p.Namespaces {
		order := "chronological"
		if n.NewestFirst {
			order = "newest-first CREATE_ONLY"
		}
		parts = append(parts, n.Destination+": "+order)
	}
	return strings.Join(parts, "; ")
}

// Chains are the plan's restore chains, one per destination namespace.
// The newest-first ones share one budget for the digests of the records
// they write, and send no version older than one they wrote.
func (p *PointInTimePlan) Chains() []restorejob.Chain {
	budget := restorejob.NewDigestBudget(int64(p.SupersededMiB) << 20)
	out := make([]restorejob.Chain, 0, len(p.Namespaces))
	for _, n := range p.Namespaces {
		c := restorejob.Chain{Namespace: n.Destination, Steps: n.Steps}
		if n.NewestFirst {
			c.Superseded = budget
		}
		out = append(out, c)
	}
	return out
}
