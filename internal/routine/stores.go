package routine

import (
	"context"
	"fmt"

	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/config"
	"github.com/aerobackup/aerobackup/internal/storage"
)

// Stores is one storage opened for reading the catalog, and the routines
// whose backups to read there (none: every routine in it, ad hoc).
type Stores struct {
	Name     string // the storage entry's name
	Store    storage.Store
	Routines []string
}

// OpenStores opens the storage of each routine a catalog command reads:
// the routine asked for (routineGiven, or a --storage URL, or no config),
// else every routine of cfg grouped by storage, each storage opened once.
// On error nothing is left open.
func OpenStores(ctx context.Context, cfg *config.Config, req Request, routineGiven bool,
	open func(context.Context, *Target) (storage.Store, error)) ([]Stores, error) {
	if cfg == nil || routineGiven || req.Storage != "" {
		t, err := Resolve(cfg, req)
		if err != nil {
			return nil, err
		}
		st, err := open(ctx, t)
		if err != nil {
			return nil, err
		}
		var routines []string
		if routineGiven || cfg != nil {
			routines = []string{t.Name()}
		}
		return []Stores{{Name: t.Routine.StorageName, Store: st, Routines: routines}}, nil
	}
	var out []Stores
	for _, g := range cfg.RoutinesByStorage() {
		st, err := open(ctx, &Target{Config: cfg, Routine: cfg.BackupRoutines[g.Routines[0]]})
		if err != nil {
			CloseStores(out)
			return nil, err
		}
		out = append(out, Stores{Name: g.Storage, Store: st, Routines: g.Routines})
	}
	return out, nil
}

// CloseStores closes every store of ss.
func CloseStores(ss []Stores) {
	for _, s := range ss {
		s.Store.Close()
	}
}

// ScanStores reads the catalog of each store's routines through f (its
// Routines replaced by the store's), handing add each listing with its
// storage's name; a failure names the store.
func ScanStores(ctx context.Context, stores []Stores, f catalog.Filter, add func(storage string, l catalog.Listing)) error {
	for _, s := range stores {
		sf := f
		sf.Routines = s.Routines
		listing, err := catalog.Scan(ctx, s.Store, sf)
		if err != nil {
			return fmt.Errorf("listing %s: %w", s.Store, err)
		}
		add(s.Name, listing)
	}
	return nil
}

// Backups lists the routine's backups in its storage, opened with open.
func (t *Target) Backups(ctx context.Context, open func(context.Context, *Target) (storage.Store, error)) ([]catalog.Backup, error) {
	store, err := open(ctx, t)
	if err != nil {
		return nil, err
	}
	defer store.Close()
	backups, err := catalog.List(ctx, store, catalog.Filter{Routines: []string{t.Name()}})
	if err != nil {
		return nil, fmt.Errorf("routine %q: reading the catalog: %w", t.Name(), err)
	}
	return backups, nil
}

// ReadableBackups lists the backups of the stores' routines and closes the
// stores, passing over a store that cannot be read: for offering choices
// (shell completion), where a failure must not surface.
func ReadableBackups(ctx context.Context, stores []Stores) []catalog.Backup {
	var backups []catalog.Backup
	for _, s := range stores {
		listing, err := catalog.Scan(ctx, s.Store, catalog.Filter{Routines: s.Routines})
		s.Store.Close()
		if err == nil {
			backups = append(backups, listing.Backups...)
		}
	}
	return backups
}
