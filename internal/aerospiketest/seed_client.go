package aerospiketest

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"

	as "github.com/aerospike/aerospike-client-go/v8"
)

// SeedClient stores the same records as Server.Seed through an ordinary
// client, so tests that need seeded data also run against a real server
// (AEROBACKUP_TEST_AEROSPIKE). Lists and maps go over the wire as the
// packed bytes Seed stores, so both paths hold identical bins.
func SeedClient(c *as.Client, nsName string, n int, seed int64) error {
	for i := range n {
		rng := rand.New(rand.NewPCG(uint64(seed), uint64(i)))
		set := SeedSets[i%len(SeedSets)]
		_, k, err := seedKey(nsName, set, i, seed)
		if err != nil {
			return err
		}
		bins := seedBins(rng, i)
		wp := as.NewWritePolicy(0, as.TTLDontExpire)
		wp.SendKey = i%7 != 3
		if i%4 == 1 {
			// Same draw order as Seed: the TTL comes after the bins.
			wp.Expiration = uint32(3600 + rng.IntN(86400))
		}
		clientBins := make([]*as.Bin, 0, len(bins))
		for _, b := range bins {
			v, err := clientValue(b)
			if err != nil {
				return fmt.Errorf("aerospiketest: seed record %d bin %s: %w", i, b.name, err)
			}
			clientBins = append(clientBins, as.NewBin(b.name, v))
		}
		if aerr := c.PutBins(wp, k, clientBins...); aerr != nil {
			return fmt.Errorf("aerospiketest: seed record %d: %w", i, aerr)
		}
	}
	return nil
}

// clientValue turns a stored particle back into a client value.
func clientValue(b bin) (as.Value, error) {
	switch b.ptype {
	case ptInteger:
		return as.NewIntegerValue(int(int64(binary.BigEndian.Uint64(b.value)))), nil
	case ptFloat:
		return as.NewFloatValue(math.Float64frombits(binary.BigEndian.Uint64(b.value))), nil
	case ptString:
		return as.NewStringValue(string(b.value)), nil
	case ptBlob:
		return as.NewBytesValue(b.value), nil
	case ptBool:
		return as.NewBoolValue(len(b.value) > 0 && b.value[0] != 0), nil
	case ptGeoJSON:
		// Stored with the server's three-byte header (flags, cell count).
		if len(b.value) < 3 {
			return nil, fmt.Errorf("short GeoJSON particle")
		}
		return as.NewGeoJSONValue(string(b.value[3:])), nil
	case ptHLL:
		return as.NewHLLValue(b.value), nil
	case ptList, ptMap:
		return as.NewRawBlobValue(int(b.ptype), b.value), nil
	}
	return nil, fmt.Errorf("particle type %d", b.ptype)
}

// SeedMetadataClient creates through a client the secondary index and UDF
// that SeedMetadata registers directly, waiting until both are in place.
func SeedMetadataClient(c *as.Client, nsName string) error {
	task, err := c.CreateIndex(nil, nsName, "alpha", nsName+"_alpha_int", "int", as.NUMERIC)
	if err != nil && !err.Matches(200) { // INDEX_ALREADY_EXISTS
		return fmt.Errorf("aerospiketest: seed sindex: %w", err)
	}
	if task != nil {
		if err := <-task.OnComplete(); err != nil {
			return fmt.Errorf("aerospiketest: seed sindex: %w", err)
		}
	}
	utask, err := c.RegisterUDF(nil, []byte(seedUDF), "seed_udf.lua", as.LUA)
	if err != nil {
		return fmt.Errorf("aerospiketest: seed udf: %w", err)
	}
	if err := <-utask.OnComplete(); err != nil {
		return fmt.Errorf("aerospiketest: seed udf: %w", err)
	}
	return nil
}

// SeedCluster stores Seed's records in the server TestCluster returned:
// directly into srv, or through c when srv is nil (a real server), so a
// test that needs seeded data runs on both. Last-update times then come
// from that server's clock.
func SeedCluster(c *as.Client, srv *Server, nsName string, n int, seed int64) error {
	if srv != nil {
		return srv.Seed(nsName, n, seed)
	}
	return SeedClient(c, nsName, n, seed)
}
