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
