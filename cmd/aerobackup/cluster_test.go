package main

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	as "github.com/aerospike/aerospike-client-go/v8"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/aerobackup/aerobackup/internal/aerospiketest"
)

// racksCondition: multi-node clusters with racks (asd cluster, asd node)
// need the in-process test server. A real server, even a cluster, cannot
// be stopped node by node from a script, and Community Edition reports no
// racks.
func racksCondition() (bool, error) {
	real := os.Getenv(aerospiketest.EnvRealServer)
	return enterpriseCondition("racks", real == "",
		fmt.Sprintf("%s=%s is a real server: scripts cannot start, stop or rack its nodes", aerospiketest.EnvRealServer, real))
}

// nodesCondition: a cluster of several nodes, the in-process one or the
// real server when AEROBACKUP_TEST_AEROSPIKE_CLUSTER gives its node count.
func nodesCondition() (bool, error) {
	real := os.Getenv(aerospiketest.EnvRealServer)
	if real == "" {
		return true, nil
	}
	n, err := aerospiketest.RealClusterNodes()
	if err != nil {
		return false, err
	}
	return enterpriseCondition("nodes", n > 1,
		fmt.Sprintf("%s=%s is one node as far as the tests know: set %s to its cluster's node count", aerospiketest.EnvRealServer, real, aerospiketest.EnvRealCluster))
}

// cmdAsdCluster drives a multi-node test cluster (the [racks] steps):
//
//	asd cluster N [racks R1,R2,...] [rf K]
//	                      start N nodes (default rack 0, replication factor 2)
//	                      and point the script at them: ASHOST, ASHOSTNAME and
//	                      ASPORT name node 1, ASHOST1..N and ASPORT1..N each
//	                      node, NODE1..N their names; asd commands act on it.
//	                      On a real cluster ([nodes]) it names the cluster's N
//	                      nodes by name order instead (racks and rf ignored)
//	asd node stop I       stop node I (1-based) as a crash would
//	asd node start I      bring it back
//	asd node stop-after I N
//	                      stop node I once its scans read N more records
//	asd node bounce-after I N D
//	                      the same, and node I starts again D after stopping
//	asd node up I         node I is running (! : it is stopped)
//	asd reads             log what each node read
//	asd reads reset       zero the read counters
//	asd reads I[,J...] N [P]
//	                      nodes I... read exactly N records (and P partitions)
//	asd holdscans D       every scan waits D before reading (so that they overlap)
//	asd maxscans N        no node ran more than N scans at once (! : some did)
//	asd masters VAR NS I...
//	                      set VAR to the records of NS in the partitions
//	                      nodes I... master now
func cmdAsdCluster(ts *testscript.TestScript, s *scriptServer, neg bool, args []string) {
	if args[0] == "cluster" {
		startScriptCluster(ts, s, args)
		return
	}
	if args[0] == "masters" && s.cluster == nil && s.realNodes != nil {
		realMasters(ts, s, args)
		return
	}
	c := s.cluster
	if c == nil {
		ts.Fatalf("asd %s needs the in-process cluster: start one with asd cluster N (guard with [racks])", args[0])
	}
	// node is the 0-based index of a 1-based node number.
	node := func(arg string) int {
		n, err := strconv.Atoi(arg)
		if err != nil || n < 1 || n > len(c.Nodes()) {
			ts.Fatalf("asd %s: node %q: the cluster has nodes 1..%d", args[0], arg, len(c.Nodes()))
		}
		return n - 1
	}
	nodeArg := func(i int) int {
		if len(args) <= i {
			ts.Fatalf("asd %s: missing node number", args[0])
		}
		return node(args[i])
	}
	switch args[0] {
	case "node":
		if len(args) < 3 {
			ts.Fatalf("usage: asd node stop|start|up|stop-after|bounce-after I [N [D]]")
		}
		switch args[1] {
		case "stop":
			ts.Check(c.Stop(nodeArg(2)))
		case "start":
			ts.Check(c.Restart(nodeArg(2)))
		case "stop-after":
			ts.Check(c.StopAfterReads(nodeArg(2), int64(atoi(ts, args, 3))))
		case "bounce-after":
			if len(args) < 5 {
				ts.Fatalf("usage: asd node bounce-after I N D")
			}
			d, err := time.ParseDuration(args[4])
			ts.Check(err)
			ts.Check(c.BounceAfterReads(nodeArg(2), int64(atoi(ts, args, 3)), d))
		case "up":
			if up := c.Up(nodeArg(2)); up == neg {
				ts.Fatalf("node %s up: %v", args[2], up)
			}
		default:
			ts.Fatalf("asd node: unknown action %q", args[1])
		}
	case "reads":
		reads := c.Reads()
		switch {
		case len(args) == 1:
			for i, r := range reads {
				ts.Logf("node %d %s rack %d up=%v: %d records, %d partitions, at most %d scans at once",
					i+1, r.Name, r.Rack, r.Up, r.Records, r.Partitions, r.MaxConcurrentScans)
			}
		case args[1] == "reset":
			c.ResetReads()
		default:
			var records, parts int64
			for _, f := range strings.Split(args[1], ",") {
				r := reads[node(f)]
				records, parts = records+r.Records, parts+r.Partitions
			}
			ok := records == int64(atoi(ts, args, 2))
			if len(args) > 3 {
				ok = ok && parts == int64(atoi(ts, args, 3))
			}
			if ok == neg {
				ts.Fatalf("nodes %s read %d records in %d partitions; want %s", args[1], records, parts, strings.Join(args[2:], " in "))
			}
		}
	case "holdscans":
		d, err := time.ParseDuration(args[1])
		ts.Check(err)
		c.HoldScans(d)
	case "maxscans":
		limit := int64(atoi(ts, args, 1))
		most := int64(0)
		for _, r := range c.Reads() {
			most = max(most, r.MaxConcurrentScans)
		}
		if (most <= limit) == neg {
			ts.Fatalf("the most scans a node ran at once: %d; want at most %d (negated: %v)", most, limit, neg)
		}
		ts.Logf("the most scans a node ran at once: %d", most)
	case "masters":
		if len(args) < 4 {
			ts.Fatalf("usage: asd masters VAR NS I...")
		}
		var nodes []int
		for i := 3; i < len(args); i++ {
			nodes = append(nodes, nodeArg(i))
		}
		n := c.MasterRecords(args[2], nodes...)
		ts.Setenv(args[1], strconv.Itoa(n))
		ts.Logf("%s=%d (records of %s mastered by nodes %s)", args[1], n, args[2], strings.Join(args[3:], ","))
	}
}

func startScriptCluster(ts *testscript.TestScript, s *scriptServer, args []string) {
	if s.srv == nil {
		adoptRealCluster(ts, s, atoi(ts, args, 1))
		return
	}
	if s.cluster != nil {
		ts.Fatalf("asd cluster: the script already runs a cluster")
	}
	opts := aerospiketest.ClusterOptions{Nodes: atoi(ts, args, 1)}
	for i := 2; i+1 < len(args); i += 2 {
		switch args[i] {
		case "racks":
			for _, f := range strings.Split(args[i+1], ",") {
				r, err := strconv.Atoi(f)
				if err != nil {
					ts.Fatalf("asd cluster: racks %q: want comma-separated rack ids", args[i+1])
				}
				opts.Racks = append(opts.Racks, r)
			}
		case "rf":
			opts.ReplicationFactor = atoi(ts, args, i+1)
		default:
			ts.Fatalf("usage: asd cluster N [racks R1,R2,...] [rf K]")
		}
	}
	c, err := aerospiketest.StartCluster(opts)
	ts.Check(err)
	ts.Defer(func() { c.Close() })
	s.cluster, s.srv = c, c.Node(0)
	s.host, s.port = s.srv.Host(), s.srv.Port()
	if s.client != nil {
		s.client.Close()
		s.client = nil
	}
	ts.Setenv("ASHOST", c.Addr(0))
	ts.Setenv("ASHOSTNAME", s.host)
	ts.Setenv("ASPORT", strconv.Itoa(s.port))
	for i, n := range c.Nodes() {
		ts.Setenv(fmt.Sprintf("ASHOST%d", i+1), c.Addr(i))
		ts.Setenv(fmt.Sprintf("ASPORT%d", i+1), strconv.Itoa(n.Port()))
		ts.Setenv(fmt.Sprintf("NODE%d", i+1), aerospiketest.NodeName(i))
	}
}

func TestClusterConditions(t *testing.T) {
	for _, tc := range []struct {
		name, real, nodes, require string
		racks, nodesOK             bool
		err                        string // of [racks] or [nodes]
	}{
		{name: "in-process", racks: true, nodesOK: true},
		{name: "in-process, required", require: "1", racks: true, nodesOK: true},
		{name: "real server", real: "10.0.0.1:3000"},
		{name: "real cluster", real: "10.0.0.1:3000", nodes: "3", nodesOK: true},
		{name: "real single node", real: "10.0.0.1:3000", nodes: "1"},
		{name: "real server, required", real: "10.0.0.1:3000", nodes: "3", require: "1", nodesOK: true,
			err: "[racks] is false (AEROBACKUP_TEST_AEROSPIKE=10.0.0.1:3000 is a real server: scripts cannot start, stop or rack its nodes) and AEROBACKUP_REQUIRE_ENTERPRISE=1 requires it"},
		{name: "bad node count", real: "10.0.0.1:3000", nodes: "three",
			err: `AEROBACKUP_TEST_AEROSPIKE_CLUSTER="three": want the number of nodes AEROBACKUP_TEST_AEROSPIKE seeds`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(aerospiketest.EnvRealServer, tc.real)
			t.Setenv(aerospiketest.EnvRealCluster, tc.nodes)
			t.Setenv(envRequireEnterprise, tc.require)
			racks, rerr := racksCondition()
			nodes, nerr := nodesCondition()
			var errs []string
			for _, e := range []error{rerr, nerr} {
				if e != nil {
					errs = append(errs, e.Error())
				}
			}
			if got := strings.Join(errs, "; "); got != tc.err {
				t.Fatalf("errors %q, want %q", got, tc.err)
			}
			if tc.err == "" && (racks != tc.racks || nodes != tc.nodesOK) {
				t.Fatalf("[racks] %v [nodes] %v, want %v %v", racks, nodes, tc.racks, tc.nodesOK)
			}
		})
	}
}

// adoptRealCluster names the nodes of the real cluster as asd cluster
// names the in-process one's.
func adoptRealCluster(ts *testscript.TestScript, s *scriptServer, want int) {
	n, err := aerospiketest.RealClusterNodes()
	ts.Check(err)
	if n < 2 {
		ts.Fatalf("asd cluster on a real server needs %s (guard with [nodes])", aerospiketest.EnvRealCluster)
	}
	if n != want {
		s.t.Skip(fmt.Sprintf("the script wants a cluster of %d nodes; %s=%d", want, aerospiketest.EnvRealCluster, n))
	}
	c := s.conn(ts)
	deadline := time.Now().Add(10 * time.Second)
	for len(c.GetNodes()) != n {
		if time.Now().After(deadline) {
			ts.Fatalf("the client sees %d nodes of %s, want %s=%d", len(c.GetNodes()), aerospiketest.EnvRealServer, aerospiketest.EnvRealCluster, n)
		}
		time.Sleep(50 * time.Millisecond)
	}
	nodes := c.GetNodes()
	slices.SortFunc(nodes, func(a, b *as.Node) int { return strings.Compare(a.GetName(), b.GetName()) })
	s.realNodes = nil
	for i, node := range nodes {
		h := node.GetHost()
		s.realNodes = append(s.realNodes, node.GetName())
		ts.Setenv(fmt.Sprintf("ASHOST%d", i+1), h.String())
		ts.Setenv(fmt.Sprintf("ASPORT%d", i+1), strconv.Itoa(h.Port))
		ts.Setenv(fmt.Sprintf("NODE%d", i+1), node.GetName())
	}
}

// realMasters is asd masters on a real cluster: from the nodes' own maps.
func realMasters(ts *testscript.TestScript, s *scriptServer, args []string) {
	if len(args) < 4 {
		ts.Fatalf("usage: asd masters VAR NS I...")
	}
	var names []string
	for _, a := range args[3:] {
		i, err := strconv.Atoi(a)
		if err != nil || i < 1 || i > len(s.realNodes) {
			ts.Fatalf("asd masters: node %q: the cluster has nodes 1..%d", a, len(s.realNodes))
		}
		names = append(names, s.realNodes[i-1])
	}
	n, err := aerospiketest.MasterRecordsOf(s.conn(ts), args[2], names...)
	ts.Check(err)
	ts.Setenv(args[1], strconv.Itoa(n))
	ts.Logf("%s=%d (records of %s mastered by nodes %s)", args[1], n, args[2], strings.Join(args[3:], ","))
}
