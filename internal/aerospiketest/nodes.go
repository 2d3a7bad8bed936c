package aerospiketest

import (
	"errors"
	"fmt"
	"maps"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// ClusterOptions configure a Cluster. The zero value is three nodes on
// rack 0 with replication factor 2.
type ClusterOptions struct {
	// Nodes is the number of nodes; default 3, or len(Racks).
	Nodes int
	// Racks is each node's rack id (len Nodes); default all 0.
	Racks []int
	// ReplicationFactor is the copies of each partition; default 2,
	// at most Nodes.
	ReplicationFactor int
	// Server is what every node is started with (namespaces, clock,
	// build...); its NodeName and RackID are replaced per node. Its Addr
	// is the first node's (default 127.0.0.1:0); node i listens on the
	// port i above it, or on a free port when that port is 0.
	Server Options
}

// Cluster is N test server nodes in this process sharing one store and
// one partition map. Each node listens on its own port with its own name
// and rack, names the other live nodes as its peers, reports the
// partitions it holds, and scans only those: a client sees a real
// cluster's topology. Writes and reads reach the one store from any node,
// as a real node proxies them. Its methods are safe for concurrent use.
type Cluster struct {
	nodes []*Server
	addrs []string

	mu       sync.RWMutex // guards live, pm.owners, peersGen
	live     []bool
	pm       *partitionMap
	peersGen int64

	scanHold atomic.Int64 // time.Duration each scan waits before reading
}

// nodeState is a node's place in its cluster and what it served.
type nodeState struct {
	cluster *Cluster // nil for a lone server
	idx     int

	records, partitions atomic.Int64 // read by scans
	scans, maxScans     atomic.Int64 // running now, most at once
	stopAfter           atomic.Int64 // stop on reading this many records (0: never)
	bounce              atomic.Int64 // time.Duration after which a stopAfter crash restarts (0: never)
	down                atomic.Bool  // stopped: scans send nothing more
}

// NodeName is the name of node i (0-based) of a cluster.
func NodeName(i int) string { return fmt.Sprintf("BB9%012X", i+1) }

// StartCluster starts the nodes on free ports of 127.0.0.1.
func StartCluster(opts ClusterOptions) (*Cluster, error) {
	if opts.Nodes == 0 {
		opts.Nodes = max(len(opts.Racks), 3)
	}
	if opts.Racks == nil {
		opts.Racks = make([]int, opts.Nodes)
	}
	if len(opts.Racks) != opts.Nodes {
		return nil, fmt.Errorf("aerospiketest: %d racks for %d nodes: want one rack per node", len(opts.Racks), opts.Nodes)
	}
	if opts.ReplicationFactor == 0 {
		opts.ReplicationFactor = 2
	}
	if opts.Server.TLS != nil {
		// Each node would need its own TLS port, peers-tls-std and restart.
		return nil, errors.New("aerospiketest: a cluster serves clear connections only (Options.TLS)")
	}
	c := &Cluster{live: make([]bool, opts.Nodes), pm: newPartitionMap(opts.Racks, opts.ReplicationFactor)}
	for i := range c.live {
		c.live[i] = true
	}
	c.pm.place(c.live)
	host, port := "127.0.0.1", 0
	if opts.Server.Addr != "" {
		h, p, err := net.SplitHostPort(opts.Server.Addr)
		if err != nil {
			return nil, fmt.Errorf("aerospiketest: cluster address %q: %w", opts.Server.Addr, err)
		}
		if port, err = strconv.Atoi(p); err != nil {
			return nil, fmt.Errorf("aerospiketest: cluster address %q: bad port", opts.Server.Addr)
		}
		host = h
	}
	var sh *shared
	for i := range opts.Nodes {
		o := opts.Server
		o.NodeName, o.RackID = NodeName(i), opts.Racks[i]
		o.Addr = net.JoinHostPort(host, "0")
		if port > 0 {
			o.Addr = net.JoinHostPort(host, strconv.Itoa(port+i))
		}
		n, err := start(o, sh, func(s *Server) { s.node.cluster, s.node.idx = c, i })
		if err != nil {
			c.Close()
			return nil, err
		}
		sh = n.shared
		c.nodes = append(c.nodes, n)
		c.addrs = append(c.addrs, n.Addr())
	}
	return c, nil
}

// NewCluster starts a cluster closed when the test ends.
func NewCluster(t testing.TB, opts ClusterOptions) *Cluster {
	t.Helper()
	c, err := StartCluster(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// Nodes are the cluster's nodes, stopped ones included; any of them
// reaches the shared records (Seed, Snapshot, Truncate...).
func (c *Cluster) Nodes() []*Server { return c.nodes }

// Node is node i (0-based).
func (c *Cluster) Node(i int) *Server { return c.nodes[i] }

// Addr is node i's "host:port", also while it is stopped.
func (c *Cluster) Addr(i int) string { return c.addrs[i] }

// Close stops every node.
func (c *Cluster) Close() error {
	var errs []error
	for i, n := range c.nodes {
		c.mu.RLock()
		up := c.live[i]
		c.mu.RUnlock()
		if up {
			errs = append(errs, n.Close())
			continue
		}
		n.closed.Store(true)
		n.wg.Wait()
	}
	return errors.Join(errs...)
}

// Count is the number of live records in the namespace, on every node.
func (c *Cluster) Count(nsName string) int {
	ns := c.nodes[0].ns(nsName)
	if ns == nil {
		return 0
	}
	return ns.objects()
}

func (c *Cluster) check(i int) error {
	if i < 0 || i >= len(c.nodes) {
		return fmt.Errorf("aerospiketest: no node %d (the cluster has nodes 0..%d)", i, len(c.nodes)-1)
	}
	return nil
}

// Stop takes node i out as a crash would: its listener closes, its
// connections drop, and the others take over its partitions (the
// partition and peers generations move on, so clients re-read the map).
// It may be called from inside the node's own handlers.
func (c *Cluster) Stop(i int) error {
	if err := c.check(i); err != nil {
		return err
	}
	c.mu.Lock()
	if !c.live[i] {
		c.mu.Unlock()
		return fmt.Errorf("aerospiketest: node %d is already stopped", i)
	}
	c.live[i] = false
	c.replace()
	c.mu.Unlock()
	n := c.nodes[i]
	n.node.down.Store(true)
	n.ln.Close()
	n.DropConnections()
	return nil
}

// Restart brings stopped node i back on its address; it takes back its
// partitions.
func (c *Cluster) Restart(i int) error {
	if err := c.check(i); err != nil {
		return err
	}
	c.mu.RLock()
	up := c.live[i]
	c.mu.RUnlock()
	if up {
		return fmt.Errorf("aerospiketest: node %d is running", i)
	}
	n := c.nodes[i]
	n.wg.Wait() // the old accept loop and handlers are gone
	ln, err := net.Listen("tcp", c.addrs[i])
	if err != nil {
		return fmt.Errorf("aerospiketest: restart node %d on %s: %w", i, c.addrs[i], err)
	}
	n.ln = ln
	n.node.stopAfter.Store(0)
	n.node.down.Store(false)
	n.wg.Add(1)
	go n.acceptLoop(ln)
	c.mu.Lock()
	c.live[i] = true
	c.replace()
	c.mu.Unlock()
	return nil
}

// StopAfterReads makes node i stop (see Stop) once its scans have read
// n more records, the connection of the scan that reads the n-th one
// dropping after sending it, and its other scans sending nothing more: a
// node crashing mid-backup at a known point.
func (c *Cluster) StopAfterReads(i int, n int64) error {
	if err := c.check(i); err != nil {
		return err
	}
	st := &c.nodes[i].node
	st.stopAfter.Store(st.records.Load() + n)
	return nil
}

// BounceAfterReads is StopAfterReads, and the node starts again (see
// Restart) d after it stopped: a node restarting mid-backup.
func (c *Cluster) BounceAfterReads(i int, n int64, d time.Duration) error {
	if n <= 0 || d <= 0 {
		return fmt.Errorf("aerospiketest: node %d: bounce after %d reads and %v: want both more than 0", i, n, d)
	}
	if err := c.StopAfterReads(i, n); err != nil {
		return err
	}
	c.nodes[i].node.bounce.Store(int64(d))
	return nil
}

// Up reports whether node i is running.
func (c *Cluster) Up(i int) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return i >= 0 && i < len(c.live) && c.live[i]
}

// replace recomputes the map for the live nodes; the caller holds c.mu.
func (c *Cluster) replace() {
	c.pm.place(c.live)
	c.peersGen++
	c.nodes[0].partGen.Add(1)
}

// HoldScans makes every scan wait d (running, as far as the concurrent
// scan count goes) before it reads: scans started together overlap.
func (c *Cluster) HoldScans(d time.Duration) { c.scanHold.Store(int64(d)) }

// NodeReads is what one node served.
type NodeReads struct {
	Name string
	Rack int
	Up   bool
	// Records and Partitions are what its scans read.
	Records, Partitions int64
	// MaxConcurrentScans is the most scans it ran at once.
	MaxConcurrentScans int64
}

// Reads reports each node's reads since the start or ResetReads.
func (c *Cluster) Reads() []NodeReads {
	c.mu.RLock()
	defer c.mu.RUnlock()
	out := make([]NodeReads, len(c.nodes))
	for i, n := range c.nodes {
		out[i] = NodeReads{Name: n.opts.NodeName, Rack: n.opts.RackID, Up: c.live[i],
			Records: n.node.records.Load(), Partitions: n.node.partitions.Load(), MaxConcurrentScans: n.node.maxScans.Load()}
	}
	return out
}

// ResetReads zeroes the read counters of every node.
func (c *Cluster) ResetReads() {
	for _, n := range c.nodes {
		n.node.records.Store(0)
		n.node.partitions.Store(0)
		n.node.maxScans.Store(0)
		n.node.stopAfter.Store(0)
	}
}

// Masters lists the partitions node i masters now.
func (c *Cluster) Masters(i int) []int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	var out []int
	for pid := range partitionCount {
		if c.pm.master(pid) == i {
			out = append(out, pid)
		}
	}
	return out
}

// Owners lists the nodes holding partition pid now, master first.
func (c *Cluster) Owners(pid int) []int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return slices.Clone(c.pm.owners[pid])
}

// MasterRecords counts the live records of nsName in the partitions the
// given nodes master now: what a node-list backup of them holds.
func (c *Cluster) MasterRecords(nsName string, nodes ...int) int {
	ns := c.nodes[0].ns(nsName)
	if ns == nil {
		return 0
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	n := 0
	ns.each(c.nodes[0].clock.now(), func(d digest, _ *record) {
		if slices.Contains(nodes, c.pm.master(partitionOf(d[:]))) {
			n++
		}
	})
	return n
}

// The hooks below are how a node answers differently inside a cluster.

// holdsPartition reports whether this node has a copy of pid (a lone
// server holds all).
func (s *Server) holdsPartition(pid int) bool {
	c := s.node.cluster
	if c == nil {
		return true
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.pm.holds(s.node.idx, pid)
}

// rcPartitionUnavailable marks a partition a node cannot scan; the
// client retries it on another replica after re-reading the map.
const rcPartitionUnavailable = 11

// partitionUnavailable answers a scan's partition the node does not hold.
func (s *Server) partitionUnavailable(st *stream, pid int, partDone bool) error {
	if !partDone {
		return nil
	}
	return st.add(msgHeader{info3: info3PartDone, resultCode: rcPartitionUnavailable, generation: uint32(pid)}, nil, nil)
}

// scanBegin counts a running scan; the returned func (idempotent) ends it.
func (s *Server) scanBegin() func() {
	st := &s.node
	now := st.scans.Add(1)
	for {
		m := st.maxScans.Load()
		if now <= m || st.maxScans.CompareAndSwap(m, now) {
			break
		}
	}
	if c := st.cluster; c != nil {
		time.Sleep(time.Duration(c.scanHold.Load()))
	}
	var once sync.Once
	return func() { once.Do(func() { st.scans.Add(-1) }) }
}

// errNodeDown ends a scan on a stopped node without sending what it
// buffered.
var errNodeDown = errors.New("node stopped")

// admitRead counts a record a scan is about to send. A stopped node sends
// no more; last is the node's StopAfterReads record, after which it stops.
func (s *Server) admitRead() (last bool, err error) {
	st := &s.node
	if st.down.Load() {
		return false, errNodeDown
	}
	n := st.records.Add(1)
	limit := st.stopAfter.Load()
	if limit > 0 && n > limit {
		// Another scan of the node read the last record.
		st.records.Add(-1)
		return false, errNodeDown
	}
	return limit > 0 && n == limit, nil
}

// crash sends what the scan buffered, its last record included, then
// stops the node and drops the connection.
func (s *Server) crash(st *stream) error {
	st.flush(true)
	if c := s.node.cluster; c != nil {
		i := s.node.idx
		c.Stop(i)
		if d := time.Duration(s.node.bounce.Swap(0)); d > 0 {
			time.AfterFunc(d, func() { c.Restart(i) })
		}
	}
	return errDrop
}

func (s *Server) peersGeneration() int64 {
	c := s.node.cluster
	if c == nil {
		return 1
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.peersGen
}

// peers answers "peers-clear-std": "<generation>,<default port>,[[<node>,,[<host:port>]],...]"
// for the other live nodes.
func (s *Server) peers() string {
	c := s.node.cluster
	if c == nil {
		return fmt.Sprintf("1,%d,[]", s.Port())
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	var list []string
	for i, n := range c.nodes {
		if i != s.node.idx && c.live[i] {
			list = append(list, "["+n.opts.NodeName+",,["+c.addrs[i]+"]]")
		}
	}
	_, port, _ := net.SplitHostPort(c.addrs[s.node.idx])
	return fmt.Sprintf("%d,%s,[%s]", c.peersGen, port, strings.Join(list, ","))
}

// rackNodes is a namespace's part of "racks": "rack_<id>=<node>,...:rack_<id>=..."
// over the live nodes.
func (s *Server) rackNodes() string {
	c := s.node.cluster
	if c == nil {
		return "rack_" + strconv.Itoa(s.opts.RackID) + "=" + s.opts.NodeName
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	byRack := map[int][]string{}
	for i, n := range c.nodes {
		if c.live[i] {
			byRack[n.opts.RackID] = append(byRack[n.opts.RackID], n.opts.NodeName)
		}
	}
	var parts []string
	for _, r := range slices.Sorted(maps.Keys(byRack)) {
		parts = append(parts, "rack_"+strconv.Itoa(r)+"="+strings.Join(byRack[r], ","))
	}
	return strings.Join(parts, ":")
}

// replicaBitmaps are the partitions this node holds per replica position.
func (s *Server) replicaBitmaps() []string {
	c := s.node.cluster
	if c == nil {
		return []string{allPartitionsBitmap()}
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.pm.bitmaps(s.node.idx)
}

// nodeObjects counts the records of the partitions this node holds.
func (s *Server) nodeObjects(nsName string) int {
	if s.node.cluster == nil {
		return s.ns(nsName).objects()
	}
	n, _, _ := s.counts(nsName)
	return n
}

func (s *Server) replicationFactor() int {
	if s.node.cluster == nil {
		return 1
	}
	return s.node.cluster.pm.rf
}

// clusterSize counts the live nodes.
func (s *Server) clusterSize() int {
	c := s.node.cluster
	if c == nil {
		return 1
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	n := 0
	for _, up := range c.live {
		if up {
			n++
		}
	}
	return n
}
