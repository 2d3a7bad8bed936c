package aerospiketest

import (
	"encoding/base64"
	"slices"
)

// partitionMap places every partition on the live nodes of a cluster, as
// Aerospike's AP mode does: each partition has a fixed succession list of
// all nodes, and its copies are the first live nodes of that list, the
// replicas on racks other than the master's while there are any. A node
// that leaves hands its copies to the next nodes in line; when it comes
// back it takes them again. Data never moves (the nodes share one store),
// so every copy is complete at once: there is no migration to wait for.
type partitionMap struct {
	racks      []int   // rack of each node
	succession [][]int // per partition, node indexes in order of preference
	rf         int
	owners     [][]int // per partition, the live copies, master first
}

// newPartitionMap orders the nodes of each partition by a hash of the
// partition and node (rendezvous hashing): deterministic, and about as
// many partitions mastered by each node.
func newPartitionMap(racks []int, rf int) *partitionMap {
	n := len(racks)
	pm := &partitionMap{racks: racks, rf: min(max(rf, 1), n), succession: make([][]int, partitionCount)}
	for pid := range partitionCount {
		order := make([]int, n)
		weight := make([]uint64, n)
		for i := range n {
			order[i] = i
			weight[i] = mix64(uint64(pid)<<32 | uint64(i))
		}
		slices.SortFunc(order, func(a, b int) int {
			switch {
			case weight[a] > weight[b]:
				return -1
			case weight[a] < weight[b]:
				return 1
			}
			return a - b
		})
		pm.succession[pid] = order
	}
	return pm
}

// mix64 is splitmix64's finalizer: every input bit moves every output
// bit, so the order of nodes differs from partition to partition.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

// place computes the owners for the live nodes (live[i]: node i is up).
func (pm *partitionMap) place(live []bool) {
	pm.owners = make([][]int, partitionCount)
	for pid, order := range pm.succession {
		var copies []int
		racksUsed := map[int]bool{}
		// First the nodes on racks without a copy, then any.
		for _, newRackOnly := range []bool{true, false} {
			for _, n := range order {
				if len(copies) == pm.rf {
					break
				}
				if !live[n] || slices.Contains(copies, n) || (newRackOnly && racksUsed[pm.racks[n]]) {
					continue
				}
				copies = append(copies, n)
				racksUsed[pm.racks[n]] = true
			}
		}
		pm.owners[pid] = copies
	}
}

// holds reports whether node n has a copy of partition pid.
func (pm *partitionMap) holds(n, pid int) bool {
	return slices.Contains(pm.owners[pid], n)
}

// master is the node mastering pid, or -1 when every node is down.
func (pm *partitionMap) master(pid int) int {
	if len(pm.owners[pid]) == 0 {
		return -1
	}
	return pm.owners[pid][0]
}

// bitmaps are node n's partitions per replica position (0: master), in
// the base64 bitmaps of the "replicas" info answer: partition p is bit
// 0x80>>(p%8) of byte p/8.
func (pm *partitionMap) bitmaps(n int) []string {
	out := make([]string, pm.rf)
	for pos := range pm.rf {
		bm := make([]byte, partitionCount/8)
		for pid, copies := range pm.owners {
			if pos < len(copies) && copies[pos] == n {
				bm[pid/8] |= 0x80 >> (pid % 8)
			}
		}
		out[pos] = base64.StdEncoding.EncodeToString(bm)
	}
	return out
}

// allPartitionsBitmap is a lone node's answer: it holds everything.
func allPartitionsBitmap() string {
	bm := make([]byte, partitionCount/8)
	for i := range bm {
		bm[i] = 0xFF
	}
	return base64.StdEncoding.EncodeToString(bm)
}
