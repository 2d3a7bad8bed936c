package catalog

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aerobackup/aerobackup/internal/storage"
)

// Leftovers picks the incomplete folders of a listing that are safe to
// delete: those of runs older than the routine's newest complete full.
// They are what a failed backup or an interrupted prune leaves (a prune
// deletes metadata.yaml first). Newer incomplete folders may belong to a
// backup still running (ABS takes no aerobackup locks) and are left alone.
func Leftovers(l Listing) []Incomplete {
	newestFull := map[string]time.Time{}
	for _, b := range l.Backups {
		if b.Type == Full && b.Time.After(newestFull[b.Routine]) {
			newestFull[b.Routine] = b.Time
		}
	}
	var out []Incomplete
	for _, inc := range l.Incomplete {
		nf, ok := newestFull[inc.Routine]
		if !ok || inc.Time.IsZero() || !inc.Time.Before(nf) {
			continue
		}
		out = append(out, inc)
	}
	return out
}

// PruneResult lists what ApplyRetention deleted.
type PruneResult struct {
	Removed   []string // run keys
	Leftovers []string // folders
	Pins      []string // pin objects of backups no longer there
}

// ApplyRetention deletes the plan's backups, oldest first, then the
// leftover folders, then the pins of backups no longer there. Every deletion is idempotent, so a prune cut short
// (crash, signal, storage error) is finished by running it again: a
// half-deleted run no longer lists as a backup and comes back as a
// leftover. It stops at the first error.
func ApplyRetention(ctx context.Context, store storage.Store, plan RetentionPlan, leftovers []Incomplete) (PruneResult, error) {
	var res PruneResult
	// The backups kept replace those removed: they must be on disk first
	// (backup-go does not sync the data files it writes).
	if sy, ok := store.(storage.Syncer); ok && len(plan.Remove())+len(leftovers) > 0 {
		if err := sy.Sync(ctx); err != nil {
			return res, fmt.Errorf("before pruning: %w", err)
		}
	}
	for _, b := range plan.Remove() {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		if err := RemoveRun(ctx, store, b.Key); err != nil {
			return res, err
		}
		res.Removed = append(res.Removed, b.Key)
	}
	for _, inc := range leftovers {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		if err := store.DeleteAll(ctx, inc.Path); err != nil && !errors.Is(err, storage.ErrNotFound) {
			return res, fmt.Errorf("remove leftover %s from %s: %w", inc.Path, store, err)
		}
		res.Leftovers = append(res.Leftovers, inc.Path)
	}
	for _, p := range plan.StalePins {
		if err := store.Delete(ctx, p.Path); err != nil && !errors.Is(err, storage.ErrNotFound) {
			return res, fmt.Errorf("remove the pin %s of a backup no longer there from %s: %w", p.Path, store, err)
		}
		res.Pins = append(res.Pins, p.Path)
	}
	return res, nil
}
