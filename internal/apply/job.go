package apply

import (
	"context"
	"log/slog"
	"time"

	"github.com/aerobackup/aerobackup/internal/backupjob"
	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/cluster"
	"github.com/aerobackup/aerobackup/internal/config"
	"github.com/aerobackup/aerobackup/internal/plan"
	"github.com/aerobackup/aerobackup/internal/policy"
)

// BackupJob fills j, whose store, connection and reporting the caller set,
// with what p decided for req and pol configures: the type and window,
// the slice and its run folder, the run to continue, and each namespace's
// configuration from its lower bound. A resumable plan pages pol's scans
// (policy.Backup.MakeResumable) first. Only a full saves the cluster's
// configuration, when the routine's policy (req.Policy) says
// with-cluster-configuration.
func BackupJob(j *backupjob.Job, req plan.BackupRequest, p plan.BackupPlan, pol *policy.Backup) error {
	if p.Resumable {
		if err := pol.MakeResumable(); err != nil {
			return err
		}
	}
	j.Type, j.Start, j.Until, j.Resumable = p.Type, p.Start, p.Until, p.Resumable
	j.Compression, j.Encryption, j.Retry, j.Selection = pol.Compression, pol.Encryption, pol.Retry, pol.Selection()
	j.Slice, j.RunFolder = req.Slice, req.RunFolder
	j.ClusterConfiguration = p.Type == catalog.Full && req.Policy != nil && isTrue(req.Policy.WithClusterConfiguration)
	if p.Resume.Action == plan.Continue {
		j.Resume = p.Resume.Run.Marker
	}
	for _, n := range p.Namespaces {
		ns, err := backupjob.NamespaceFor(j.Conn, pol, n.Name, n.From)
		if err != nil {
			return err
		}
		j.Namespaces = append(j.Namespaces, ns)
	}
	return nil
}

// Namespaces are named (else all of conn's cluster's), once the cluster is
// checked to serve pol's rack selection for them.
func Namespaces(conn *cluster.Conn, pol *policy.Backup, named []string, log *slog.Logger) ([]string, error) {
	namespaces, err := conn.NamespacesOr(named)
	if err != nil {
		return nil, err
	}
	return namespaces, conn.CheckRacks(log, pol.RackList(), pol.PreferRacks, namespaces)
}

// OpenStream is the stream of one of r's namespaces a backup with
// --output - writes, with no lock, no folder and no metadata: an
// incremental reads r's catalog (backups) for its lower bound and nothing
// else, a full reads none; then connect connects to the cluster, whose
// connection the stream holds (the caller closes it). A routine naming
// more than one namespace is refused before anything is opened.
func OpenStream(ctx context.Context, r *config.Routine, pol *policy.Backup, incremental bool, started time.Time,
	backups func(context.Context) ([]catalog.Backup, error), connect func(context.Context) (*cluster.Conn, error),
	log *slog.Logger) (*backupjob.Stream, error) {
	req := plan.NewStreamRequest(r, incremental)
	if _, err := plan.StreamNamespace(req, nil); err != nil {
		return nil, err
	}
	var existing []catalog.Backup
	if incremental {
		var err error
		if existing, err = backups(ctx); err != nil {
			return nil, err
		}
	}
	conn, err := connect(ctx)
	if err != nil {
		return nil, err
	}
	s, err := Stream(conn, pol, req, existing, started, log)
	if err != nil {
		conn.Close()
		return nil, err
	}
	return s, nil
}

// Stream is the stream req asks of conn's cluster: its namespace
// (req's, else the cluster's only one), checked to be served with pol's
// rack selection, and its window over existing, the routine's catalog (nil
// for a full). The caller sets Out and Progress.
func Stream(conn *cluster.Conn, pol *policy.Backup, req plan.StreamRequest, existing []catalog.Backup, started time.Time, log *slog.Logger) (*backupjob.Stream, error) {
	namespaces, err := conn.NamespacesOr(req.Named)
	if err != nil {
		return nil, err
	}
	name, err := plan.StreamNamespace(req, namespaces)
	if err != nil {
		return nil, err
	}
	if err := conn.CheckRacks(log, pol.RackList(), pol.PreferRacks, namespaces); err != nil {
		return nil, err
	}
	ns, err := backupjob.NamespaceFor(conn, pol, name, time.Time{})
	if err != nil {
		return nil, err
	}
	p, err := plan.Stream(req, name, existing, started)
	if err != nil {
		return nil, err
	}
	log.Debug("stream planned", "namespace", name, "type", string(p.Type), "reason", p.Reason)
	ns.From = p.From
	return &backupjob.Stream{Conn: conn, Routine: req.Routine, Type: p.Type, Namespace: ns, Until: p.Until, Log: log}, nil
}

func isTrue(b *bool) bool { return b != nil && *b }
