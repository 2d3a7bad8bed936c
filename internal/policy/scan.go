package policy

import (
	"slices"
	"strings"
	"time"

	as "github.com/aerospike/aerospike-client-go/v8"
	"github.com/aerospike/backup-go"

	"github.com/aerobackup/aerobackup/internal/config"
)

// scanTuning sets the scan policy's timeouts, the client's own scan
// retries, node concurrency and wire compression: the policy's values,
// then the command line's.
//
// The scan's retries (--max-retries, --sleep-between-retries, absctl's
// meaning) re-send the partitions a scan attempt missed, within one
// backup-go operation; the policy's retry-policy (Backup.Retry) instead
// starts a failed namespace backup again from the beginning.
func scanTuning(sp *as.ScanPolicy, p *config.BackupPolicy, o BackupOverrides) error {
	sp.SocketTimeout = p.SocketTimeoutDuration()
	sp.TotalTimeout = p.TotalTimeoutDuration()
	for _, d := range []struct {
		name string
		v    *time.Duration
		dst  *time.Duration
	}{
		{"--socket-timeout", o.SocketTimeout, &sp.SocketTimeout},
		{"--total-timeout", o.TotalTimeout, &sp.TotalTimeout},
		{"--sleep-between-retries", o.SleepBetweenRetries, &sp.SleepBetweenRetries},
	} {
		if d.v == nil {
			continue
		}
		if *d.v < 0 {
			return invalid("%s must not be negative, got %s", d.name, *d.v)
		}
		*d.dst = *d.v
	}
	if o.MaxRetries != nil {
		if *o.MaxRetries < 0 {
			return invalid("--max-retries must not be negative, got %d", *o.MaxRetries)
		}
		sp.MaxRetries = *o.MaxRetries
	}
	if p != nil {
		// ABS's max-concurrent-nodes and use-scan-compression, applied to
		// the scan policy as ABS does (its scan.go sets the same fields).
		if p.MaxConcurrentNodes != nil {
			sp.MaxConcurrentNodes = *p.MaxConcurrentNodes
		}
		if p.UseScanCompression != nil {
			sp.UseCompression = *p.UseScanCompression
		}
	}
	return nil
}

// nodeSelection applies --node-list or --rack-list, which replace the
// routine's node-list and rack-list, and refuses what backup-go would
// refuse late: a node or rack selection together with partition filters.
func nodeSelection(r *config.Routine, o BackupOverrides, c *backup.ConfigBackup) error {
	switch {
	case o.NodeList != nil && o.RackList != nil:
		return invalid("--node-list and --rack-list are mutually exclusive")
	case o.NodeList != nil:
		nodes := make([]string, 0, len(o.NodeList))
		for _, n := range o.NodeList {
			n = strings.TrimSpace(n)
			if n == "" {
				return invalid("--node-list: want <host>:<port> or node names, comma-separated, got an empty entry")
			}
			if slices.Contains(nodes, n) {
				return invalid("--node-list: node %q is listed twice", n)
			}
			nodes = append(nodes, n)
		}
		if len(nodes) == 0 {
			return invalid("--node-list: want at least one node")
		}
		c.NodeList, c.RackList = nodes, nil
	case o.RackList != nil:
		if len(o.RackList) == 0 {
			return invalid("--rack-list: want at least one rack id")
		}
		for i, id := range o.RackList {
			if id < 0 || id > config.MaxRackID {
				return invalid("--rack-list: rack id %d: want 0..%d", id, config.MaxRackID)
			}
			if slices.Contains(o.RackList[:i], id) {
				return invalid("--rack-list: rack %d is listed twice", id)
			}
		}
		c.NodeList, c.RackList = nil, append([]int(nil), o.RackList...)
	}
	flag := ""
	switch {
	case o.NodeList != nil:
		flag = "--node-list"
	case o.RackList != nil:
		flag = "--rack-list"
	}
	selected := len(c.NodeList) > 0 || len(c.RackList) > 0
	switch {
	case !selected:
	case o.PartitionList != nil && flag != "":
		return invalid("%s and --partition-list are mutually exclusive", flag)
	case o.PartitionList != nil:
		return invalid("--partition-list cannot be combined with the node-list or rack-list of routine %q: backup-go scans either partitions or nodes", r.Name)
	case flag != "" && len(r.Partitions()) > 0:
		return invalid("%s cannot be combined with the partition-list of routine %q: backup-go scans either partitions or nodes", flag, r.Name)
	}
	return nil
}
