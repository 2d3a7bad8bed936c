package aerospiketest

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"os"
	"strconv"
	"strings"

	as "github.com/aerospike/aerospike-client-go/v8"
)

// EnvRealCluster, with AEROBACKUP_TEST_AEROSPIKE, says that server seeds a
// cluster of this many nodes: tests of several nodes (node-list backups
// adding up) then run on it too. Tests that rack, stop or start nodes
// still need the in-process Cluster.
const EnvRealCluster = "AEROBACKUP_TEST_AEROSPIKE_CLUSTER"

// RealClusterNodes is the node count EnvRealCluster gives (0: unset).
func RealClusterNodes() (int, error) {
	v := os.Getenv(EnvRealCluster)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("%s=%q: want the number of nodes %s seeds", EnvRealCluster, v, EnvRealServer)
	}
	return n, nil
}

// MasteredPartitions asks a node which partitions of ns it masters (the
// first bitmap of its "replicas" answer).
func MasteredPartitions(n *as.Node, ns string) (map[int]bool, error) {
	info, err := n.RequestInfo(as.NewInfoPolicy(), "replicas")
	if err != nil {
		return nil, fmt.Errorf("node %s: replicas: %w", n.GetName(), err)
	}
	for _, entry := range strings.Split(info["replicas"], ";") {
		name, rest, ok := strings.Cut(entry, ":")
		if !ok || name != ns {
			continue
		}
		// "<regime>,<count>,<master>,<replica>..."; servers before 5.0
		// send the master bitmap alone.
		fields := strings.Split(rest, ",")
		bitmap := fields[0]
		if len(fields) >= 3 {
			bitmap = fields[2]
		}
		bm, err := base64.StdEncoding.DecodeString(bitmap)
		if err != nil || len(bm) < partitionCount/8 {
			return nil, fmt.Errorf("node %s: replicas of %s: bad bitmap %q", n.GetName(), ns, bitmap)
		}
		out := map[int]bool{}
		for pid := range partitionCount {
			if bm[pid/8]&(0x80>>(pid%8)) != 0 {
				out[pid] = true
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("node %s: replicas: no namespace %s", n.GetName(), ns)
}

// MasterRecordsOf counts the records of ns in the partitions the named
// nodes master, as the cluster reports them: what a node-list backup of
// those nodes holds.
func MasterRecordsOf(c *as.Client, ns string, nodeNames ...string) (int, error) {
	mastered := map[int]bool{}
	for _, name := range nodeNames {
		n, aerr := c.Cluster().GetNodeByName(name)
		if aerr != nil {
			return 0, fmt.Errorf("node %s: %w", name, aerr)
		}
		parts, err := MasteredPartitions(n, ns)
		if err != nil {
			return 0, err
		}
		for pid := range parts {
			mastered[pid] = true
		}
	}
	snap, err := ScanSnapshot(c, ns)
	if err != nil {
		return 0, err
	}
	count := 0
	for digest := range snap.Records {
		d, err := hex.DecodeString(digest)
		if err != nil || len(d) < 4 {
			return 0, fmt.Errorf("record digest %q: not hex", digest)
		}
		if mastered[partitionOf(d)] {
			count++
		}
	}
	return count, nil
}
