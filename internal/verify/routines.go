package verify

import (
	"context"
	"errors"
	"fmt"

	"github.com/aerospike/backup-go"

	"github.com/aerobackup/aerobackup/internal/routine"
	"github.com/aerobackup/aerobackup/internal/storage"
)

// RunStores verifies the routines of each store in turn (see RunRoutines)
// and keeps the results of namespaces (none: every namespace).
func RunStores(ctx context.Context, stores []routine.Stores, o Options,
	agentOf func(routine string) *backup.SecretAgentConfig, namespaces []string) ([]Result, error) {
	var out []Result
	for _, s := range stores {
		rs, err := RunRoutines(ctx, s.Store, s.Routines, o, agentOf)
		if err != nil {
			return nil, err
		}
		out = append(out, KeepNamespaces(rs, namespaces)...)
	}
	return out, nil
}

// RunRoutines verifies the backups of each of routines in store (none:
// every routine in it), each routine's keys resolved through the secret
// agent agentOf names for it (nil: none). Results are in routines' order.
// ErrKeyNeeded comes back as Run returns it; another error names store.
func RunRoutines(ctx context.Context, store storage.Store, routines []string, o Options,
	agentOf func(routine string) *backup.SecretAgentConfig) ([]Result, error) {
	if len(routines) == 0 {
		routines = []string{""}
	}
	var out []Result
	for _, r := range routines {
		opts := o
		opts.Routine = r
		if agentOf != nil && r != "" {
			opts.SecretAgent = agentOf(r)
		}
		if opts.Log != nil {
			opts.Log.Debug("verifying", "storage", store.String(), "routine", r, "read-data", opts.ReadData)
		}
		rs, err := Run(ctx, store, opts)
		if errors.Is(err, ErrKeyNeeded) {
			return nil, err
		}
		if err != nil {
			return nil, fmt.Errorf("verify %s: %w", store, err)
		}
		out = append(out, rs...)
	}
	return out, nil
}
