package routine

import (
	"context"
	"log/slog"

	"github.com/aerobackup/aerobackup/internal/cluster"
	"github.com/aerobackup/aerobackup/internal/config"
)

// ConnectOptions tune a cluster connection.
type ConnectOptions struct {
	// PreferRacks asks for a rack-aware client that reads from these racks
	// first (none: an ordinary client). Only backups ask for it: a restore
	// writes to masters whatever the racks.
	PreferRacks []int
	// Info is the info commands' timeout and retries (nil: the client's).
	Info *cluster.Info
	Log  *slog.Logger
}

// Connect opens c's connection, with its settings from ClusterSettings.
func (s *Secrets) Connect(ctx context.Context, cfg *config.Config, c *config.AerospikeCluster, o ConnectOptions) (*cluster.Conn, error) {
	set, err := s.ClusterSettings(ctx, cfg, c)
	if err != nil {
		return nil, err
	}
	set.PreferRacks = o.PreferRacks
	set.Info = o.Info
	o.Log.Debug("connecting", "cluster", set.Name, "seeds", len(set.Seeds))
	return cluster.Connect(ctx, set, o.Log)
}

// Pending is a cluster connection opening in the background, so a backup
// overlaps connecting with opening its storage.
type Pending struct {
	done   chan struct{}
	conn   *cluster.Conn
	err    error
	cancel context.CancelFunc
	taken  bool
}

// InBackground starts connect; the caller must call Wait or Discard
// (Discard after Wait does nothing).
func InBackground(ctx context.Context, connect func(context.Context) (*cluster.Conn, error)) *Pending {
	cctx, cancel := context.WithCancel(ctx)
	p := &Pending{done: make(chan struct{}), cancel: cancel}
	go func() {
		defer close(p.done)
		p.conn, p.err = connect(cctx)
	}()
	return p
}

// Wait returns the connection, which the caller then owns.
func (p *Pending) Wait() (*cluster.Conn, error) {
	<-p.done
	p.taken = true
	p.cancel() // the context only bounds the connecting
	return p.conn, p.err
}

// Discard stops an unclaimed connection attempt and closes what it opened.
func (p *Pending) Discard() {
	if p.taken {
		return
	}
	p.taken = true
	p.cancel()
	<-p.done
	p.conn.Close()
}
