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
