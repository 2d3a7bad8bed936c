package aerospiketest

import (
	"encoding/base64"
	"slices"
	"strings"
	"testing"
	"time"

	as "github.com/aerospike/aerospike-client-go/v8"
)

func TestPartitionMapPlacement(t *testing.T) {
	for _, tc := range []struct {
		name  string
		racks []int
		rf    int
		down  []int
		// wantCopies per partition; distinctRacks: copies on as many
		// racks as there are (live racks, at most the copies).
		wantCopies int
	}{
		{"three nodes rf2", []int{0, 0, 0}, 2, nil, 2},
		{"racks 1,1,2", []int{1, 1, 2}, 2, nil, 2},
		{"racks 1,1,2 rack 2 down", []int{1, 1, 2}, 2, []int{2}, 2},
		{"racks 1,2,3 rf3", []int{1, 2, 3}, 3, nil, 3},
		{"one node left", []int{1, 1, 2}, 2, []int{0, 2}, 1},
		{"rf above nodes", []int{0, 0}, 5, nil, 2},
		{"five nodes two racks", []int{1, 2, 1, 2, 1}, 2, []int{1}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pm := newPartitionMap(tc.racks, tc.rf)
			live := make([]bool, len(tc.racks))
			for i := range live {
				live[i] = !slices.Contains(tc.down, i)
			}
			pm.place(live)
			liveRacks := map[int]bool{}
			for i, up := range live {
				if up {
					liveRacks[tc.racks[i]] = true
				}
			}
			masters := make([]int, len(tc.racks))
			for pid, copies := range pm.owners {
				if len(copies) != tc.wantCopies {
					t.Fatalf("partition %d has %d copies %v, want %d", pid, len(copies), copies, tc.wantCopies)
				}
				racks := map[int]bool{}
				for i, n := range copies {
					if !live[n] {
						t.Fatalf("partition %d has a copy on stopped node %d", pid, n)
					}
					if slices.Index(copies, n) != i {
						t.Fatalf("partition %d has two copies on node %d", pid, n)
					}
					racks[tc.racks[n]] = true
				}
				if want := min(len(liveRacks), len(copies)); len(racks) != want {
					t.Fatalf("partition %d: copies %v on %d racks, want %d", pid, copies, len(racks), want)
				}
				masters[copies[0]]++
			}
			for i, m := range masters {
				// Masters are the first live node of each succession
				// list: about a fair share each.
				if fair := partitionCount / (len(tc.racks) - len(tc.down)); live[i] && (m < fair*8/10 || m > fair*12/10) {
					t.Errorf("node %d masters only %d partitions (%v)", i, m, masters)
				}
				if !live[i] && m != 0 {
					t.Errorf("stopped node %d masters %d partitions", i, m)
				}
			}
		})
	}
}

func TestPartitionMapBitmaps(t *testing.T) {
	pm := newPartitionMap([]int{1, 1, 2}, 2)
	pm.place([]bool{true, true, true})
	for n := range 3 {
		bms := pm.bitmaps(n)
		if len(bms) != 2 {
			t.Fatalf("node %d: %d bitmaps, want 2", n, len(bms))
		}
	}
	// Every partition appears in exactly one node's bitmap per position.
	for pos := range 2 {
		seen := make([]int, partitionCount)
		for n := range 3 {
			bm := decodeBitmap(t, pm.bitmaps(n)[pos])
			for pid := range partitionCount {
				if bm[pid/8]&(0x80>>(pid%8)) != 0 {
					seen[pid]++
					if pm.owners[pid][pos] != n {
						t.Fatalf("position %d partition %d: bitmap of node %d, owners %v", pos, pid, n, pm.owners[pid])
					}
				}
			}
		}
		for pid, k := range seen {
			if k != 1 {
				t.Fatalf("position %d partition %d in %d bitmaps", pos, pid, k)
			}
		}
	}
}

func newClusterClient(t *testing.T, c *Cluster, rackAware bool, racks ...int) *as.Client {
	t.Helper()
	p := as.NewClientPolicy()
	p.TendInterval = 100 * time.Millisecond
	if rackAware {
		p.RackAware, p.RackIds = true, racks
	}
	n := c.Node(0)
	cl, err := as.NewClientWithPolicy(p, n.Host(), n.Port())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return cl
}

// waitNodes waits until the client sees want nodes.
func waitNodes(t *testing.T, cl *as.Client, want int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for len(cl.GetNodes()) != want {
		if time.Now().After(deadline) {
			t.Fatalf("the client sees %d nodes, want %d", len(cl.GetNodes()), want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// scanDigests scans ns and counts each record's digest.
func scanDigests(t *testing.T, cl *as.Client, ns string) map[string]int {
	t.Helper()
	sp := as.NewScanPolicy()
	sp.SleepBetweenRetries = 50 * time.Millisecond
	rs, err := cl.ScanAll(sp, ns, "")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for res := range rs.Results() {
		if res.Err != nil {
			t.Fatalf("scan: %v", res.Err)
		}
		got[string(res.Record.Key.Digest())]++
	}
	return got
}

func exactlyOnce(t *testing.T, got map[string]int, want int) {
	t.Helper()
	if len(got) != want {
		t.Fatalf("scan read %d distinct records, want %d", len(got), want)
	}
	for d, n := range got {
		if n != 1 {
			t.Fatalf("record %x read %d times", d, n)
		}
	}
}

func TestClusterClientSeesNodesAndScansOnce(t *testing.T) {
	c := NewCluster(t, ClusterOptions{Racks: []int{1, 1, 2}})
	if err := c.Node(1).Seed("test", 3000, 1); err != nil {
		t.Fatal(err)
	}
	cl := newClusterClient(t, c, false)
	waitNodes(t, cl, 3)
	names := []string{}
	for _, n := range cl.GetNodes() {
		names = append(names, n.GetName())
	}
	slices.Sort(names)
	if want := []string{NodeName(0), NodeName(1), NodeName(2)}; !slices.Equal(names, want) {
		t.Fatalf("nodes %v, want %v", names, want)
	}

	exactlyOnce(t, scanDigests(t, cl, "test"), 3000)
	reads := c.Reads()
	var sum int64
	for i, r := range reads {
		if want := int64(c.MasterRecords("test", i)); r.Records != want {
			t.Errorf("node %d read %d records, want its masters' %d", i, r.Records, want)
		}
		sum += r.Records
	}
	if sum != 3000 {
		t.Errorf("nodes read %d records in all, want 3000", sum)
	}

	// Writes through the client land in the shared store, whichever node
	// masters them.
	wp := as.NewWritePolicy(0, 0)
	for i := range 200 {
		k, _ := as.NewKey("bar", "s", i)
		if err := cl.Put(wp, k, as.BinMap{"v": i}); err != nil {
			t.Fatal(err)
		}
	}
	if n := c.Count("bar"); n != 200 {
		t.Fatalf("bar holds %d records after 200 writes", n)
	}
}

func TestClusterNodeStoppedMidScan(t *testing.T) {
	c := NewCluster(t, ClusterOptions{Racks: []int{1, 1, 2}})
	if err := c.Node(0).Seed("test", 3000, 1); err != nil {
		t.Fatal(err)
	}
	cl := newClusterClient(t, c, false)
	waitNodes(t, cl, 3)
	// Node 1 crashes after reading 300 of its records; the client resumes
	// its partitions on the replicas from the last digest it got.
	if err := c.StopAfterReads(1, 300); err != nil {
		t.Fatal(err)
	}
	exactlyOnce(t, scanDigests(t, cl, "test"), 3000)
	if r := c.Reads()[1]; r.Up || r.Records != 300 {
		t.Fatalf("node 1: up=%v read %d records, want stopped after 300", r.Up, r.Records)
	}
	waitNodes(t, cl, 2)
	for pid := range partitionCount {
		if slices.Contains(c.Owners(pid), 1) {
			t.Fatalf("stopped node 1 still holds partition %d", pid)
		}
	}

	// With the node down, scans and writes still see everything.
	exactlyOnce(t, scanDigests(t, cl, "test"), 3000)
	wp := as.NewWritePolicy(0, 0)
	for i := range 100 {
		k, _ := as.NewKey("bar", "s", i)
		if err := cl.Put(wp, k, as.BinMap{"v": i}); err != nil {
			t.Fatal(err)
		}
	}
	if n := c.Count("bar"); n != 100 {
		t.Fatalf("bar holds %d records after 100 writes", n)
	}

	// Back: the client finds it again and it masters partitions again.
	if err := c.Restart(1); err != nil {
		t.Fatal(err)
	}
	waitNodes(t, cl, 3)
	if len(c.Masters(1)) == 0 {
		t.Fatal("restarted node 1 masters no partition")
	}
	exactlyOnce(t, scanDigests(t, cl, "test"), 3000)
}

func TestClusterRackAwareScanReadsPreferredRack(t *testing.T) {
	c := NewCluster(t, ClusterOptions{Racks: []int{1, 1, 2}})
	if err := c.Node(0).Seed("test", 2000, 1); err != nil {
		t.Fatal(err)
	}
	cl := newClusterClient(t, c, true, 2)
	waitNodes(t, cl, 3)
	sp := as.NewScanPolicy()
	sp.ReplicaPolicy = as.PREFER_RACK
	rs, err := cl.ScanAll(sp, "test", "")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for res := range rs.Results() {
		if res.Err != nil {
			t.Fatal(res.Err)
		}
		n++
	}
	reads := c.Reads()
	if n != 2000 || reads[2].Records != 2000 || reads[2].Partitions != partitionCount ||
		reads[0].Records+reads[1].Records != 0 {
		t.Fatalf("read %d records; per node %+v: want all 2000 and %d partitions from node 2 (rack 2)", n, reads, partitionCount)
	}
}

func TestClusterInfo(t *testing.T) {
	c := NewCluster(t, ClusterOptions{Racks: []int{1, 1, 2}})
	info := func(i int, cmd string) string { return c.Node(i).infoValue(cmd) }
	if got, want := info(0, "racks"), "ns=test:rack_1="+NodeName(0)+","+NodeName(1)+":rack_2="+NodeName(2); !strings.HasPrefix(got, want+";") {
		t.Errorf("racks = %q, want it to start %q", got, want)
	}
	peers := info(2, "peers-clear-std")
	if !strings.Contains(peers, "["+NodeName(0)+",,["+c.Addr(0)+"]]") || strings.Contains(peers, NodeName(2)) {
		t.Errorf("node 2's peers = %q: want node 0 and not itself", peers)
	}
	gen := info(0, "partition-generation")
	if err := c.Stop(1); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(info(0, "peers-clear-std"), NodeName(1)) || info(0, "partition-generation") == gen {
		t.Errorf("after stopping node 1: peers %q, partition generation %s (was %s)", info(0, "peers-clear-std"), info(0, "partition-generation"), gen)
	}
	if got := info(0, "statistics"); !strings.HasPrefix(got, "cluster_size=2;") {
		t.Errorf("statistics = %q, want cluster_size=2", got)
	}
	if err := c.Stop(1); err == nil {
		t.Error("stopping a stopped node: no error")
	}
	if err := c.Restart(0); err == nil {
		t.Error("restarting a running node: no error")
	}
}

func decodeBitmap(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// MasterRecordsOf, what scripts on a real cluster count, agrees with the
// in-process cluster's own map, and the nodes' counts add up.
func TestMasterRecordsOfClient(t *testing.T) {
	c := NewCluster(t, ClusterOptions{Racks: []int{1, 1, 2}})
	if err := c.Node(0).Seed("test", 1500, 1); err != nil {
		t.Fatal(err)
	}
	cl := newClusterClient(t, c, false)
	waitNodes(t, cl, 3)
	sum := 0
	for i := range 3 {
		got, err := MasterRecordsOf(cl, "test", NodeName(i))
		if err != nil {
			t.Fatal(err)
		}
		if want := c.MasterRecords("test", i); got != want || got == 0 {
			t.Errorf("node %d: %d records by the client, %d by the map", i, got, want)
		}
		sum += got
	}
	if sum != 1500 {
		t.Errorf("the nodes master %d records, want 1500", sum)
	}
	if _, err := MasterRecordsOf(cl, "nosuch", NodeName(0)); err == nil {
		t.Error("a namespace the cluster lacks: no error")
	}
}

func TestClusterNodeBouncedMidScan(t *testing.T) {
	c := NewCluster(t, ClusterOptions{Racks: []int{1, 1, 2}})
	if err := c.Node(0).Seed("test", 3000, 1); err != nil {
		t.Fatal(err)
	}
	cl := newClusterClient(t, c, false)
	waitNodes(t, cl, 3)
	if err := c.BounceAfterReads(1, 0, time.Second); err == nil {
		t.Fatal("a zero read count is accepted")
	}
	if err := c.BounceAfterReads(1, 300, 0); err == nil {
		t.Fatal("a zero restart delay is accepted")
	}
	if err := c.BounceAfterReads(1, 300, 200*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	exactlyOnce(t, scanDigests(t, cl, "test"), 3000)
	if r := c.Reads()[1]; r.Records != 300 {
		t.Fatalf("node 1 read %d records, want 300 before its crash", r.Records)
	}
	deadline := time.Now().Add(5 * time.Second)
	for !c.Up(1) {
		if time.Now().After(deadline) {
			t.Fatal("node 1 never started again")
		}
		time.Sleep(20 * time.Millisecond)
	}
	waitNodes(t, cl, 3)
	if len(c.Masters(1)) == 0 {
		t.Fatal("restarted node 1 masters no partition")
	}
	exactlyOnce(t, scanDigests(t, cl, "test"), 3000)
}
