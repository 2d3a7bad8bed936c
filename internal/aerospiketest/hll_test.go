package aerospiketest

import (
	"testing"

	as "github.com/aerospike/aerospike-client-go/v8"
	"github.com/aerospike/aerospike-client-go/v8/types"
)

func TestValidHLL(t *testing.T) {
	ok := append([]byte{0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0}, make([]byte, 12)...)
	withMinhash := append([]byte{0, 4, 4, 0, 0, 0, 0, 0, 0, 0, 0}, make([]byte, 20)...)
	tests := []struct {
		name string
		b    []byte
		want bool
	}{
		{"index 4", ok, true},
		{"index 4 minhash 4", withMinhash, true},
		{"flags", append([]byte{1}, ok[1:]...), false},
		{"short", ok[:20], false},
		{"long", append(ok, 0), false},
		{"index 3", append([]byte{0, 3, 0}, ok[3:]...), false},
		{"minhash 2", append([]byte{0, 4, 2}, ok[3:]...), false},
		{"header only", ok[:11], false},
	}
	for _, tt := range tests {
		if got := validHLL(tt.b); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

// A malformed HLL is refused with PARAMETER_ERROR, as a real server does.
func TestMalformedHLLRefused(t *testing.T) {
	host, port, _ := TestCluster(t)
	c, err := as.NewClient(host, port)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	key, _ := as.NewKey("test", "hll", 1)
	err = c.PutBins(nil, key, as.NewBin("h", as.NewHLLValue([]byte{4, 0, 1, 2, 3})))
	if err == nil || !err.Matches(types.PARAMETER_ERROR) {
		t.Fatalf("want PARAMETER_ERROR, got %v", err)
	}
	good := append([]byte{0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0}, make([]byte, 12)...)
	if err := c.PutBins(nil, key, as.NewBin("h", as.NewHLLValue(good))); err != nil {
		t.Fatalf("valid HLL refused: %v", err)
	}
}
