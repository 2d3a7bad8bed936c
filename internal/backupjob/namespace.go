package backupjob

import (
	"context"
	"fmt"
	"time"

	"github.com/aerospike/backup-go"

	"github.com/aerobackup/aerobackup/internal/cluster"
)

// Configs gives each namespace's backup-go configuration: a routine's
// backup policy.
type Configs interface {
	For(namespace string) (*backup.ConfigBackup, error)
}

// NamespaceFor is namespace ns of a run whose lower bound is from (zero
// for a full): its configuration from configs, with the node-list entries
// that are the address a node was reached at replaced by its name (see
// cluster.Conn.ResolveNodeList).
func NamespaceFor(conn *cluster.Conn, configs Configs, ns string, from time.Time) (Namespace, error) {
	c, err := configs.For(ns)
	if err != nil {
		return Namespace{}, err
	}
	c.NodeList = conn.ResolveNodeList(c.NodeList)
	return Namespace{Name: ns, Config: c, From: from}, nil
}

// NamespaceEstimate is the estimated size of a full backup of one
// namespace.
type NamespaceEstimate struct {
	Namespace string `json:"namespace"`
	Bytes     uint64 `json:"estimated-bytes"`
}

// Estimate asks backup-go for the size of a full backup of each of
// namespaces (their record count times the mean encoded size of samples
// sampled records, after compression). It only reads the cluster.
func Estimate(ctx context.Context, conn *cluster.Conn, configs Configs, routine string, namespaces []string, samples int64) ([]NamespaceEstimate, error) {
	var out []NamespaceEstimate
	for _, name := range namespaces {
		ns, err := NamespaceFor(conn, configs, name, time.Time{})
		if err != nil {
			return nil, err
		}
		n, err := conn.Backup.Estimate(ctx, ns.Config, samples)
		if err != nil {
			return nil, fmt.Errorf("routine %q: estimating namespace %q: %w", routine, name, err)
		}
		out = append(out, NamespaceEstimate{Namespace: name, Bytes: n})
	}
	return out, nil
}
