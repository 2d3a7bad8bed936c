package aerospiketest

import (
	"errors"
	"testing"
	"time"

	as "github.com/aerospike/aerospike-client-go/v8"
	"github.com/aerospike/aerospike-client-go/v8/types"
)

// newClient connects the unmodified v8 client to the test target.
func newClient(t testing.TB, host string, port int) *as.Client {
	t.Helper()
	cp := as.NewClientPolicy()
	cp.Timeout = 5 * time.Second
	c, err := as.NewClientWithPolicy(cp, host, port)
	if err != nil {
		t.Fatalf("connect to %s:%d: %v", host, port, err)
	}
	t.Cleanup(c.Close)
	return c
}

func TestClientPutGet(t *testing.T) {
	srv := NewServer(t, Options{})
	c := newClient(t, srv.Host(), srv.Port())

	key, err := as.NewKey("test", "demo", "k1")
	if err != nil {
		t.Fatal(err)
	}
	wp := as.NewWritePolicy(0, 0)
	wp.SendKey = true
	if err := c.Put(wp, key, as.BinMap{"i": 7, "s": "hello", "f": 1.5}); err != nil {
		t.Fatalf("put: %v", err)
	}
	rec, err := c.Get(nil, key)
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	if rec.Bins["i"] != 7 || rec.Bins["s"] != "hello" || rec.Bins["f"] != 1.5 {
		t.Fatalf("bins = %v", rec.Bins)
	}
	if rec.Generation != 1 {
		t.Fatalf("generation = %d, want 1", rec.Generation)
	}
	if got := srv.Count("test"); got != 1 {
		t.Fatalf("Count = %d, want 1", got)
	}
	ok, err := c.Delete(nil, key)
	if err != nil || !ok {
		t.Fatalf("delete = %v, %v", ok, err)
	}
	_, err = c.Get(nil, key)
	var ae as.Error
	if !errors.As(err, &ae) || !ae.Matches(types.KEY_NOT_FOUND_ERROR) {
		t.Fatalf("get after delete: %v, want KEY_NOT_FOUND", err)
	}
}

// TestCompressionAndLogin: compressed requests (proto type 4) are inflated,
// and a client configured with credentials connects because the server
// answers SECURITY_NOT_ENABLED.
func TestCompressionAndLogin(t *testing.T) {
	srv := NewServer(t, Options{})
	cp := as.NewClientPolicy()
	cp.User, cp.Password = "admin", "secret"
	c, err := as.NewClientWithPolicy(cp, srv.Host(), srv.Port())
	if err != nil {
		t.Fatalf("connect with credentials: %v", err)
	}
	defer c.Close()

	wp := as.NewWritePolicy(0, 0)
	wp.UseCompression = true
	big := make([]byte, 64<<10)
	for i := range big {
		big[i] = byte(i % 7)
	}
	key, _ := as.NewKey("bar", "z", "big")
	if err := c.Put(wp, key, as.BinMap{"b": big}); err != nil {
		t.Fatalf("compressed put: %v", err)
	}
	bp := as.NewBatchPolicy()
	bp.UseCompression = true
	recs, err := c.BatchGet(bp, []*as.Key{key})
	if err != nil || recs[0] == nil || len(recs[0].Bins["b"].([]byte)) != len(big) {
		t.Fatalf("batch get after compressed put: %v", err)
	}

	// Unknown info commands get an error string, never silence.
	info, err := c.GetNodes()[0].RequestInfo(as.NewInfoPolicy(), "no-such-command")
	if err != nil || info["no-such-command"] == "" {
		t.Fatalf("unknown info command: %q, %v", info, err)
	}
}

// TestClientRackAware: a rack-aware v8 client asks "rack-ids" on every
// tend and refuses to connect when the answer is missing; it then reads
// with PREFER_RACK from the node of the preferred rack.
func TestClientRackAware(t *testing.T) {
	for _, rack := range []int{0, 3} {
		srv := NewServer(t, Options{RackID: rack})
		cp := as.NewClientPolicy()
		cp.Timeout = 5 * time.Second
		cp.RackAware = true
		cp.RackIds = []int{7, rack}
		c, err := as.NewClientWithPolicy(cp, srv.Host(), srv.Port())
		if err != nil {
			t.Fatalf("rack %d: rack-aware connect: %v", rack, err)
		}
		nodes := c.GetNodes()
		if len(nodes) != 1 {
			t.Fatalf("rack %d: %d nodes", rack, len(nodes))
		}
		for _, ns := range []string{"test", "bar"} {
			got, err := nodes[0].Rack(ns)
			if err != nil || got != rack {
				t.Errorf("rack %d: node rack of %s = %d, %v", rack, ns, got, err)
			}
		}
		key, _ := as.NewKey("test", "demo", "k")
		if err := c.Put(nil, key, as.BinMap{"v": 1}); err != nil {
			t.Fatal(err)
		}
		rp := as.NewPolicy()
		rp.ReplicaPolicy = as.PREFER_RACK
		if rec, err := c.Get(rp, key); err != nil || rec.Bins["v"] != 1 {
			t.Fatalf("rack %d: PREFER_RACK read: %v, %v", rack, rec, err)
		}
		sp := as.NewScanPolicy()
		sp.ReplicaPolicy = as.PREFER_RACK
		rs, err := c.ScanAll(sp, "test", "demo")
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for r := range rs.Results() {
			if r.Err != nil {
				t.Fatal(r.Err)
			}
			n++
		}
		if n != 1 {
			t.Fatalf("rack %d: PREFER_RACK scan: %d records", rack, n)
		}
		c.Close()
	}
}
