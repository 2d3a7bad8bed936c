package routine

import (
	"context"
	"log/slog"
	"sync"

	"github.com/aerobackup/aerobackup/internal/cluster"
	"github.com/aerobackup/aerobackup/internal/config"
	"github.com/aerobackup/aerobackup/internal/storage"
)

// Runtime is how one run reaches what its routines name: the clusters,
// with the client's info settings, and the stores, with their tuning,
// through one cache of resolved secrets for the whole run.
type Runtime struct {
	// Info is the info commands' timeout and retries (nil: the client's).
	Info  *cluster.Info
	Store StoreOptions
	Log   *slog.Logger

	// once makes the cache once: a backup's background connection and its
	// store opener ask for it at the same time.
	once    sync.Once
	secrets *Secrets
}

// Secrets is the run's cache of resolved secret-agent references.
func (r *Runtime) Secrets() *Secrets {
	r.once.Do(func() {
		if r.secrets == nil {
			r.secrets = NewSecrets(nil)
		}
	})
	return r.secrets
}

// Connect opens c's connection (cfg, nil in ad-hoc mode, names the secret
// agents), reading from preferRacks first (see ConnectOptions).
func (r *Runtime) Connect(ctx context.Context, cfg *config.Config, c *config.AerospikeCluster, preferRacks []int) (*cluster.Conn, error) {
	return r.Secrets().Connect(ctx, cfg, c, ConnectOptions{PreferRacks: preferRacks, Info: r.Info, Log: r.Log})
}

// OpenStore opens t's storage with the run's tuning.
func (r *Runtime) OpenStore(ctx context.Context, t *Target) (storage.Store, error) {
	return t.OpenStore(ctx, r.Secrets(), r.Store)
}

// Opener opens t's storage when called, wrapped by wrap when it is not nil
// (a session's opener: see package session).
func (r *Runtime) Opener(t *Target, wrap func(storage.Store) storage.Store) func(context.Context) (storage.Store, error) {
	return func(ctx context.Context) (storage.Store, error) {
		st, err := r.OpenStore(ctx, t)
		if err != nil || wrap == nil {
			return st, err
		}
		return wrap(st), nil
	}
}
