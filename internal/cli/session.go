package cli

import (
	"time"

	"github.com/spf13/cobra"

	"github.com/aerobackup/aerobackup/internal/lock"
	"github.com/aerobackup/aerobackup/internal/routine"
	"github.com/aerobackup/aerobackup/internal/session"
)

// lockFlags tune the routine lock.
type lockFlags struct{ staleAfter time.Duration }

func (f *lockFlags) register(cmd *cobra.Command) {
	cmd.Flags().DurationVar(&f.staleAfter, "lock-stale-after", lock.DefaultStaleAfter,
		"take over a routine lock whose heartbeat is older than this (its holder is presumed dead)")
}

// sessionOptions are the session of t's routine under the lock kind
// ("" for none: a dry run only reads).
func (a *App) sessionOptions(t *routine.Target, kind lock.Kind, f lockFlags) session.Options {
	return session.Options{Routine: t.Routine.Name, Kind: kind, StaleAfter: f.staleAfter,
		Now: a.Now, Log: a.Log}
}

// unlessDry is kind, or no lock for a dry run.
func unlessDry(kind lock.Kind, dryRun bool) lock.Kind {
	if dryRun {
		return ""
	}
	return kind
}
