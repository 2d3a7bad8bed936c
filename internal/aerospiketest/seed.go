package aerospiketest

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	as "github.com/aerospike/aerospike-client-go/v8"
)

// SeedSets are the sets Seed spreads records over; "" is the null set.
var SeedSets = []string{"alpha", "beta", ""}

// Seed deterministically stores n records in the namespace: every particle
// type a backup must keep (integer, double, string, blob, bool, list,
// unordered and key-ordered map, GeoJSON, HLL), int/string/blob user keys
// (every seventh record without a stored key), three sets, and a TTL on
// every fourth record. The same (n, seed) always yields the same digests and
// bins; last-update times come from the server clock.
func (s *Server) Seed(nsName string, n int, seed int64) error {
	ns := s.ns(nsName)
	if ns == nil {
		return fmt.Errorf("aerospiketest: seed: no namespace %q", nsName)
	}
	now := s.clock.now()
	for i := range n {
		rng := rand.New(rand.NewPCG(uint64(seed), uint64(i)))
		set := SeedSets[i%len(SeedSets)]
		userKey, k, err := seedKey(nsName, set, i, seed)
		if err != nil {
			return err
		}
		r := &record{set: set, gen: 1, lut: now.UnixMilli(), bins: seedBins(rng, i)}
		if i%7 != 3 {
			r.key = encodeKey(userKey)
		}
		if i%4 == 1 {
			r.voidTime = now.Unix() + int64(3600+rng.IntN(86400))
		}
		var d digest
		copy(d[:], k.Digest())
		ns.put(d, r)
	}
	return nil
}

// seedKey returns record i's user key (int, string or blob in turn) and its
// Aerospike key, the same for Seed and SeedClient.
func seedKey(nsName, set string, i int, seed int64) (any, *as.Key, error) {
	var userKey any
	switch i % 3 {
	case 0:
		userKey = int64(seed)*1_000_000 + int64(i)
	case 1:
		userKey = fmt.Sprintf("key-%d-%d", seed, i)
	default:
		userKey = []byte(fmt.Sprintf("blob-%d-%d", seed, i))
	}
	k, err := as.NewKey(nsName, set, userKey)
	if err != nil {
		return nil, nil, fmt.Errorf("aerospiketest: seed key %d: %w", i, err)
	}
	return userKey, k, nil
}

func seedBins(rng *rand.Rand, i int) []bin {
	bins := []bin{
		{name: "int", ptype: ptInteger, value: be64(uint64(rng.Int64() - math.MaxInt64/2))},
		{name: "float", ptype: ptFloat, value: be64(math.Float64bits(rng.NormFloat64() * 1e6))},
		{name: "str", ptype: ptString, value: []byte(fmt.Sprintf("value-%d-%x", i, rng.Uint32()))},
		{name: "blob", ptype: ptBlob, value: randBytes(rng, 1+rng.IntN(48))},
		{name: "bool", ptype: ptBool, value: []byte{byte(i % 2)}},
	}
	if i%2 == 0 {
		list := mpArrayHeader(nil, 3)
		list = mpPutInt(list, int64(i))
		list = mpPutStr(list, fmt.Sprintf("item-%d", i))
		list = mpPutInt(list, -rng.Int64N(1000))
		bins = append(bins, bin{name: "list", ptype: ptList, value: list})
	}
	if i%3 == 0 {
		m := mpMapHeader(nil, 2)
		m = mpPutStr(m, "b")
		m = mpPutInt(m, int64(i))
		m = mpPutStr(m, "a")
		m = mpPutStr(m, "x")
		bins = append(bins, bin{name: "map", ptype: ptMap, value: m})
	}
	if i%3 == 1 {
		// Key-ordered map: one extra leading pair whose key is the ext
		// carrying the order flag, then the pairs sorted by key.
		m := mpMapHeader(nil, 3)
		m = append(m, 0xc7, 0x00, 0x01, 0xc0)
		m = mpPutStr(m, "a")
		m = mpPutInt(m, int64(i))
		m = mpPutStr(m, "z")
		m = mpPutInt(m, rng.Int64N(100))
		bins = append(bins, bin{name: "omap", ptype: ptMap, value: m})
	}
	if i%5 == 0 {
		geo := fmt.Sprintf(`{"type":"Point","coordinates":[%.4f,%.4f]}`, rng.Float64()*360-180, rng.Float64()*180-90)
		bins = append(bins, bin{name: "geo", ptype: ptGeoJSON, value: append([]byte{0, 0, 0}, geo...)})
	}
	if i%5 == 2 {
		// HLL particle: index bits, min-hash bits, then registers.
		// A valid HLL: flags 0, 4 index bits, no min-hash, an 8-byte
		// cache, then 12 bytes of registers. Sixteen bytes are drawn so
		// the generator's sequence, and every later value, stays put.
		regs := randBytes(rng, 16)
		hll := append([]byte{0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0}, regs[:12]...)
		bins = append(bins, bin{name: "hll", ptype: ptHLL, value: hll})
	}
	return bins
}

// SeedMetadata registers one secondary index on the seeded "int" bin of set
// alpha and one small Lua UDF package, so metadata backups have content.
func (s *Server) SeedMetadata(nsName string) error {
	if s.ns(nsName) == nil {
		return fmt.Errorf("aerospiketest: seed metadata: no namespace %q", nsName)
	}
	if r := s.sindexCreate(map[string]string{
		"namespace": nsName, "set": "alpha", "indexname": nsName + "_alpha_int",
		"bin": "int", "type": "numeric",
	}); r != "OK" {
		return fmt.Errorf("aerospiketest: seed sindex: %s", r)
	}
	s.mu.Lock()
	s.udfs["seed_udf.lua"] = &udfFile{name: "seed_udf.lua", lang: "LUA", content: []byte(seedUDF)}
	s.mu.Unlock()
	return nil
}

const seedUDF = `-- Seeded by aerospiketest; stored, never executed.
function add_bin(rec, name, value)
  rec[name] = value
  aerospike:update(rec)
end
`

// encodeKey stores a user key as the server does: particle type, then bytes.
func encodeKey(k any) []byte {
	switch v := k.(type) {
	case int64:
		return append([]byte{ptInteger}, be64(uint64(v))...)
	case int:
		return append([]byte{ptInteger}, be64(uint64(v))...)
	case string:
		return append([]byte{ptString}, v...)
	case []byte:
		return append([]byte{ptBlob}, v...)
	}
	panic(fmt.Sprintf("aerospiketest: unsupported key type %T", k))
}

func be64(u uint64) []byte { return binary.BigEndian.AppendUint64(nil, u) }

func randBytes(rng *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.UintN(256))
	}
	return b
}

// Minimal msgpack writers for seeded lists and maps. Strings inside CDTs
// carry the string particle type as their first byte, as clients pack them.
func mpArrayHeader(b []byte, n int) []byte { return append(b, 0x90|byte(n)) }
func mpMapHeader(b []byte, n int) []byte   { return append(b, 0x80|byte(n)) }

func mpPutInt(b []byte, v int64) []byte {
	return binary.BigEndian.AppendUint64(append(b, 0xd3), uint64(v))
}

func mpPutStr(b []byte, s string) []byte {
	n := len(s) + 1
	switch {
	case n < 32:
		b = append(b, 0xa0|byte(n))
	case n < 256:
		b = append(b, 0xd9, byte(n))
	default:
		b = binary.BigEndian.AppendUint16(append(b, 0xda), uint16(n))
	}
	return append(append(b, ptString), s...)
}

// PutRecord stores one record directly (no client round trip), for tests
// that need exact metadata: ttl 0 means never expires.
func (s *Server) PutRecord(nsName, set string, userKey any, bins map[string]any, ttl time.Duration) error {
	ns := s.ns(nsName)
	if ns == nil {
		return fmt.Errorf("aerospiketest: no namespace %q", nsName)
	}
	k, err := as.NewKey(nsName, set, userKey)
	if err != nil {
		return err
	}
	now := s.clock.now()
	r := &record{set: set, key: encodeKey(userKey), gen: 1, lut: now.UnixMilli()}
	names := make([]string, 0, len(bins))
	for n := range bins {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		b, err := encodeBin(n, bins[n])
		if err != nil {
			return err
		}
		r.bins = append(r.bins, b)
	}
	if ttl > 0 {
		r.voidTime = now.Add(ttl).Unix()
	}
	var d digest
	copy(d[:], k.Digest())
	ns.put(d, r)
	return nil
}

func encodeBin(name string, v any) (bin, error) {
	switch x := v.(type) {
	case int:
		return bin{name, ptInteger, be64(uint64(x))}, nil
	case int64:
		return bin{name, ptInteger, be64(uint64(x))}, nil
	case float64:
		return bin{name, ptFloat, be64(math.Float64bits(x))}, nil
	case string:
		return bin{name, ptString, []byte(x)}, nil
	case []byte:
		return bin{name, ptBlob, x}, nil
	case bool:
		if x {
			return bin{name, ptBool, []byte{1}}, nil
		}
		return bin{name, ptBool, []byte{0}}, nil
	}
	return bin{}, fmt.Errorf("aerospiketest: bin %q: unsupported type %T", name, v)
}
