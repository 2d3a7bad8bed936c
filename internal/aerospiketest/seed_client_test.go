package aerospiketest

import (
	"testing"

	as "github.com/aerospike/aerospike-client-go/v8"
)

// Seeding through a client must store exactly what Seed stores directly,
// so scripts seeded either way compare equal.
func TestSeedClientMatchesSeed(t *testing.T) {
	srv := NewServer(t, Options{})
	if err := srv.Seed("test", 300, 5); err != nil {
		t.Fatal(err)
	}
	c, err := as.NewClient(srv.Host(), srv.Port())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := SeedClient(c, "bar", 300, 5); err != nil {
		t.Fatal(err)
	}
	a, b := srv.Snapshot("test"), srv.Snapshot("bar")
	if len(a.Records) != 300 || len(b.Records) != 300 {
		t.Fatalf("got %d and %d records", len(a.Records), len(b.Records))
	}
	if diff := Diff(a, b, CompareOptions{}); len(diff) > 0 {
		t.Fatalf("client seeding differs:\n%v", diff[:min(len(diff), 10)])
	}
}
