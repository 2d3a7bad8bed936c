package plan

import (
	"fmt"
	"math"

	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/config"
)

// Keep is how many backups retention keeps: the Full newest fulls
// (math.MaxInt: every one) and the incrementals after the Incremental-th
// newest full.
type Keep struct {
	Full, Incremental int
	Reason            string // where the numbers come from
}

// KeepOverride is --keep-full / --keep-incremental; nil when not given.
type KeepOverride struct{ Full, Incremental *int }

// RetentionCounts resolves the numbers from the policy's retention and the
// overrides. Nil fields follow ABS: no full count keeps every full; no
// incremental count keeps the incrementals of every kept full. A policy
// that keeps nothing is a usage error.
func RetentionCounts(routine string, ret *config.RetentionPolicy, over KeepOverride) (Keep, error) {
	var pf, pi *int
	fullFrom, incrFrom := "the policy", "the policy"
	if ret != nil {
		pf, pi = ret.Full, ret.Incremental
	}
	if over.Full != nil {
		pf, fullFrom = over.Full, "--keep-full"
	}
	if over.Incremental != nil {
		pi, incrFrom = over.Incremental, "--keep-incremental"
	}
	if pf == nil && pi == nil {
		return Keep{}, refuse("routine %q: no retention policy (set retention: {full: N, incremental: M} in its backup policy, or pass --keep-full N --keep-incremental M); refusing to guess", routine)
	}
	k := Keep{Full: math.MaxInt}
	fullSays := "every full (no full count)"
	if pf != nil {
		k.Full = *pf
		fullSays = newest(k.Full) + " (" + fullFrom + ")"
	}
	if k.Full < 1 {
		return Keep{}, refuse("routine %q: keep-full %d would delete every full backup; it must be at least 1", routine, k.Full)
	}
	k.Incremental = k.Full
	incrSays := "the incrementals of every kept full (no incremental count)"
	if pi != nil {
		k.Incremental = *pi
		incrSays = "the incrementals of " + newest(k.Incremental) + " (" + incrFrom + ")"
		if k.Incremental == 0 {
			incrSays = "no incrementals (" + incrFrom + ")"
		}
	}
	if k.Incremental < 0 {
		return Keep{}, refuse("routine %q: keep-incremental must not be negative, got %d", routine, k.Incremental)
	}
	k.Reason = "keep " + fullSays + " and " + incrSays
	return k, nil
}

func newest(n int) string {
	if n == 1 {
		return "the newest full"
	}
	return fmt.Sprintf("the %d newest fulls", n)
}

// Leftover is an incomplete folder retention removes, and why.
type Leftover struct {
	catalog.Incomplete
	Reason string
}

// RetentionPlan is what a prune removes and keeps, each with its reason.
type RetentionPlan struct {
	Keep Keep
	catalog.RetentionPlan
	Leftovers []Leftover
}

// Retention plans a prune of the listing's backups under keep: ABS's rule
// (catalog.PlanRetention), plus the leftover folders of failed backups and
// interrupted prunes older than the newest full. retention prune and
// backup --prune share it.
func Retention(l catalog.Listing, keep Keep) (RetentionPlan, error) {
	rp, err := catalog.PlanRetention(l.Backups, keep.Full, keep.Incremental)
	if err != nil {
		return RetentionPlan{}, &RefusedError{Err: err}
	}
	p := RetentionPlan{Keep: keep, RetentionPlan: rp}
	for _, inc := range catalog.Leftovers(l) {
		p.Leftovers = append(p.Leftovers, Leftover{Incomplete: inc,
			Reason: "incomplete (" + inc.Reason + ") and older than the newest full: leftover of a failed backup or an interrupted prune"})
	}
	return p, nil
}

// LeftoverFolders are the leftovers as catalog.ApplyRetention takes them.
func (p RetentionPlan) LeftoverFolders() []catalog.Incomplete {
	out := make([]catalog.Incomplete, len(p.Leftovers))
	for i, l := range p.Leftovers {
		out[i] = l.Incomplete
	}
	return out
}
