package backupjob

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aerospike/backup-go"

	"github.com/aerobackup/aerobackup/internal/aerospiketest"
	"github.com/aerobackup/aerobackup/internal/cluster"
	"github.com/aerobackup/aerobackup/internal/logging"
)

// fakeConfigs is a policy: the default configuration per namespace, with
// nodeList, or err for the namespace named bad.
type fakeConfigs struct {
	nodeList []string
	bad      string
}

func (f fakeConfigs) For(ns string) (*backup.ConfigBackup, error) {
	if ns == f.bad {
		return nil, fmt.Errorf("namespace %q: bad policy", ns)
	}
	c := backup.NewDefaultBackupConfig()
	c.Namespace = ns
	c.NodeList = slices.Clone(f.nodeList)
	return c, nil
}

func connectTest(t *testing.T) (*cluster.Conn, *aerospiketest.Server, string) {
	t.Helper()
	host, port, srv := aerospiketest.TestCluster(t)
	conn, err := cluster.Connect(context.Background(), cluster.Settings{Seeds: []cluster.Seed{{Host: host, Port: port}},
		ConnTimeout: 5 * time.Second}, logging.Discard())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(conn.Close)
	return conn, srv, cluster.Seed{Host: host, Port: port}.String()
}

// seedTest empties the namespace and stores n seeded records in it, on the
// in-process test server or a real one.
func seedTest(t *testing.T, conn *cluster.Conn, srv *aerospiketest.Server, ns string, n int, seed int64) {
	t.Helper()
	if err := aerospiketest.EmptyNamespaces(conn.Aerospike, ns); err != nil {
		t.Fatal(err)
	}
	if err := aerospiketest.SeedCluster(conn.Aerospike, srv, ns, n, seed); err != nil {
		t.Fatal(err)
	}
}

// TestNamespaceFor: the seed address in a node-list names the node it
// reached; other entries stay; the lower bound is kept.
func TestNamespaceFor(t *testing.T) {
	conn, _, seed := connectTest(t)
	node := conn.Aerospike.GetNodes()[0].GetName()
	from := time.UnixMilli(1763712000000)
	ns, err := NamespaceFor(conn, fakeConfigs{nodeList: []string{seed, "10.9.9.9:3000"}}, "test", from)
	if err != nil {
		t.Fatal(err)
	}
	if ns.Name != "test" || !ns.From.Equal(from) || !slices.Equal(ns.Config.NodeList, []string{node, "10.9.9.9:3000"}) {
		t.Errorf("got %s from %v, node-list %v; want test, %v, [%s 10.9.9.9:3000]", ns.Name, ns.From, ns.Config.NodeList, from, node)
	}
	if _, err := NamespaceFor(conn, fakeConfigs{bad: "test"}, "test", time.Time{}); err == nil || !strings.Contains(err.Error(), "bad policy") {
		t.Errorf("policy error: %v", err)
	}
}

// TestEstimate: one estimate per namespace, more for more records; a
// policy error stops it, an estimate error names routine and namespace.
func TestEstimate(t *testing.T) {
	conn, srv, _ := connectTest(t)
	seedTest(t, conn, srv, "test", 2000, 1)
	seedTest(t, conn, srv, "bar", 200, 2)
	ctx := context.Background()
	got, err := Estimate(ctx, conn, fakeConfigs{}, "nightly", []string{"test", "bar"}, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Namespace != "test" || got[1].Namespace != "bar" || got[1].Bytes == 0 || got[0].Bytes <= got[1].Bytes {
		t.Errorf("estimates %+v: want test then bar, test larger, both above 0", got)
	}
	if _, err := Estimate(ctx, conn, fakeConfigs{bad: "bar"}, "nightly", []string{"test", "bar"}, 100); err == nil ||
		!strings.Contains(err.Error(), "bad policy") {
		t.Errorf("policy error: %v", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, err = Estimate(cctx, conn, fakeConfigs{}, "nightly", []string{"test"}, 100)
	if err == nil || !strings.HasPrefix(err.Error(), `routine "nightly": estimating namespace "test": `) {
		t.Errorf("estimate error: %v", err)
	}
}
