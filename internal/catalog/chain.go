package catalog

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// Chain logic works per namespace on the metadata's created/from times,
// as ABS does; a namespace missing from a partial run simply has no link
// there. The backups passed in must belong to one routine.

// ErrNoFullBackup is returned (wrapped) when a namespace has no full
// backup to build on or restore from.
var ErrNoFullBackup = errors.New("no full backup")

// Link is one backup of a namespace in a chain.
type Link struct {
	Key       string
	Type      Type
	Namespace string
	Dir       string
	Metadata  Metadata
}

// namespaceLinks returns the namespace's backups sorted by created time.
func namespaceLinks(backups []Backup, namespace string) []Link {
	var steps []Link
	for i := range backups {
		b := &backups[i]
		if n, ok := b.Namespace(namespace); ok {
			steps = append(steps, Link{Key: b.Key, Type: b.Type, Namespace: namespace, Dir: n.Dir, Metadata: n.Metadata})
		}
	}
	slices.SortStableFunc(steps, func(a, b Link) int {
		if c := a.Metadata.Created.Compare(b.Metadata.Created); c != 0 {
			return c
		}
		if a.Type == b.Type {
			return 0
		}
		if a.Type == Full {
			return -1
		}
		return 1
	})
	return steps
}

func lastFull(steps []Link) int {
	for i := len(steps) - 1; i >= 0; i-- {
		if steps[i].Type == Full {
			return i
		}
	}
	return -1
}

// IncrementalBase is the `from` time of the namespace's next differential
// incremental (ABS's default incr-mode): the start of the last full or of
// the last incremental after it, whichever is later. ok is false when the
// namespace has no full backup.
func IncrementalBase(backups []Backup, namespace string) (from time.Time, ok bool) {
	steps := namespaceLinks(backups, namespace)
	f := lastFull(steps)
	if f < 0 {
		return time.Time{}, false
	}
	return steps[len(steps)-1].Metadata.Created, true
}

// CumulativeBase is the `from` time of the namespace's next cumulative
// incremental: the start of its last full. ok is false without a full.
func CumulativeBase(backups []Backup, namespace string) (from time.Time, ok bool) {
	steps := namespaceLinks(backups, namespace)
	f := lastFull(steps)
	if f < 0 {
		return time.Time{}, false
	}
	return steps[f].Metadata.Created, true
}

// PointInTimeChain is what to restore, in order, to bring a namespace to a
// point in time.
type PointInTimeChain struct {
	Namespace string
	Target    time.Time
	// Links are the full backup followed by its incrementals, oldest first.
	Links []Link
	// RecoveryPoint is the start of the last step: every change made
	// before it is in the plan.
	RecoveryPoint time.Time
	// Warnings name gaps in the chain: changes no backup holds.
	Warnings []string
}

// PointInTime plans the restore of namespace to time t: the latest full
// that started at or before t, then every incremental that started after
// that full and at or before t, oldest first (the rule ABS's
// restore-at-timestamp uses).
func PointInTime(backups []Backup, namespace string, t time.Time) (PointInTimeChain, error) {
	steps := namespaceLinks(backups, namespace)
	plan := PointInTimeChain{Namespace: namespace, Target: t}
	f := -1
	for i, s := range steps {
		if s.Metadata.Created.After(t) {
			break
		}
		if s.Type == Full {
			f = i
		}
	}
	if f < 0 {
		return plan, fmt.Errorf("%w of namespace %q at or before %s", ErrNoFullBackup, namespace, t.UTC().Format(time.RFC3339))
	}
	plan.Links = append(plan.Links, steps[f])
	for _, s := range steps[f+1:] {
		if s.Metadata.Created.After(t) {
			break
		}
		if s.Type != Incremental {
			continue // a full at the same instant; cannot happen after the loop above picked the last
		}
		prev := plan.Links[len(plan.Links)-1]
		if s.Metadata.From.After(prev.Metadata.Created) {
			plan.Warnings = append(plan.Warnings, fmt.Sprintf(
				"gap: incremental %s holds changes from %s, but the previous backup %s started at %s; changes in between are in no backup",
				s.Key, s.Metadata.From.UTC().Format(time.RFC3339Nano), prev.Key, prev.Metadata.Created.UTC().Format(time.RFC3339Nano)))
		}
		plan.Links = append(plan.Links, s)
	}
	plan.RecoveryPoint = plan.Links[len(plan.Links)-1].Metadata.Created
	return plan, nil
}
