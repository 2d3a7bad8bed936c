package aerospiketest

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"slices"
	"time"

	as "github.com/aerospike/aerospike-client-go/v8"
	ptype "github.com/aerospike/aerospike-client-go/v8/types/particle_type"
)

// Snapshot is the content of one namespace at a moment, keyed by the hex
// digest, in a form both the in-process server and a client scan of a real
// server produce, so the same comparison works against either.
type Snapshot struct {
	Namespace string
	Records   map[string]SnapRecord
}

// SnapRecord is one record. Key is the user key as particle type byte plus
// bytes (nil when the key was not stored). TTL is the time left, -1 for
// records that never expire.
type SnapRecord struct {
	Set        string
	Key        []byte
	Bins       map[string]SnapBin
	Generation uint32
	TTL        time.Duration
}

// SnapBin is a bin's particle type and value bytes. GeoJSON keeps only its
// JSON text: the cell header is the server's business.
type SnapBin struct {
	Type  byte
	Value []byte
}

// Snapshot copies the namespace's live records.
func (s *Server) Snapshot(nsName string) Snapshot {
	snap := Snapshot{Namespace: nsName, Records: map[string]SnapRecord{}}
	ns := s.ns(nsName)
	if ns == nil {
		return snap
	}
	now := s.clock.now()
	ns.each(now, func(d digest, r *record) {
		sr := SnapRecord{Set: r.set, Key: bytes.Clone(r.key), Generation: r.gen, TTL: -1, Bins: map[string]SnapBin{}}
		if r.voidTime != 0 {
			sr.TTL = time.Duration(r.voidTime-now.Unix()) * time.Second
		}
		for _, b := range r.bins {
			v := b.value
			if b.ptype == ptGeoJSON {
				v = geoJSONText(v)
			}
			sr.Bins[b.name] = SnapBin{Type: b.ptype, Value: bytes.Clone(v)}
		}
		snap.Records[hex.EncodeToString(d[:])] = sr
	})
	return snap
}

// ScanSnapshot reads a namespace through the client (raw CDTs, so lists and
// maps compare byte for byte); it works against any server.
func ScanSnapshot(c *as.Client, nsName string) (Snapshot, error) {
	snap := Snapshot{Namespace: nsName, Records: map[string]SnapRecord{}}
	sp := as.NewScanPolicy()
	sp.RawCDT = true
	rs, err := c.ScanAll(sp, nsName, "")
	if err != nil {
		return snap, fmt.Errorf("scan %s: %w", nsName, err)
	}
	for res := range rs.Results() {
		if res.Err != nil {
			return snap, fmt.Errorf("scan %s: %w", nsName, res.Err)
		}
		r := res.Record
		sr := SnapRecord{Set: r.Key.SetName(), Generation: r.Generation, TTL: -1, Bins: map[string]SnapBin{}}
		if r.Expiration != math.MaxUint32 {
			sr.TTL = time.Duration(r.Expiration) * time.Second
		}
		if v := r.Key.Value(); v != nil {
			k, kerr := clientParticle(v.GetObject())
			if kerr != nil {
				return snap, kerr
			}
			sr.Key = k
		}
		for name, v := range r.Bins {
			b, err := clientParticle(v)
			if err != nil {
				return snap, fmt.Errorf("bin %q: %w", name, err)
			}
			sr.Bins[name] = SnapBin{Type: b[0], Value: b[1:]}
		}
		snap.Records[hex.EncodeToString(r.Key.Digest())] = sr
	}
	return snap, nil
}

// clientParticle encodes a value the client decoded back into particle type
// plus bytes, the form the server stores.
func clientParticle(v any) ([]byte, error) {
	switch x := v.(type) {
	case int:
		return append([]byte{ptInteger}, be64(uint64(x))...), nil
	case int64:
		return append([]byte{ptInteger}, be64(uint64(x))...), nil
	case float64:
		return append([]byte{ptFloat}, be64(math.Float64bits(x))...), nil
	case string:
		return append([]byte{ptString}, x...), nil
	case []byte:
		return append([]byte{ptBlob}, x...), nil
	case bool:
		if x {
			return []byte{ptBool, 1}, nil
		}
		return []byte{ptBool, 0}, nil
	case as.GeoJSONValue:
		return append([]byte{ptGeoJSON}, string(x)...), nil
	case as.HLLValue:
		return append([]byte{ptHLL}, x...), nil
	case *as.RawBlobValue:
		return append([]byte{byte(x.ParticleType)}, x.Data...), nil
	case as.Value:
		return clientParticle(x.GetObject())
	}
	return nil, fmt.Errorf("unsupported value type %T", v)
}

// CompareOptions tune Diff.
type CompareOptions struct {
	// TTLTolerance is how far TTLs may differ (default one second).
	TTLTolerance time.Duration
	// Generation compares generations too (restores reset them unless
	// they run with the generation policy).
	Generation bool
	// IgnoreKeys skips user-key comparison.
	IgnoreKeys bool
}

// Diff lists the differences between two snapshots in digest order:
// missing and extra records, set, key, bin, TTL and (when asked)
// generation differences. An empty result means equal.
func Diff(a, b Snapshot, opts CompareOptions) []string {
	if opts.TTLTolerance == 0 {
		opts.TTLTolerance = time.Second
	}
	var out []string
	keys := make([]string, 0, len(a.Records)+len(b.Records))
	for k := range a.Records {
		keys = append(keys, k)
	}
	for k := range b.Records {
		if _, ok := a.Records[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		ra, okA := a.Records[k]
		rb, okB := b.Records[k]
		switch {
		case !okB:
			out = append(out, fmt.Sprintf("%s: missing from %s (set %q)", k, b.Namespace, ra.Set))
			continue
		case !okA:
			out = append(out, fmt.Sprintf("%s: extra in %s (set %q)", k, b.Namespace, rb.Set))
			continue
		}
		if ra.Set != rb.Set {
			out = append(out, fmt.Sprintf("%s: set %q != %q", k, ra.Set, rb.Set))
		}
		if !opts.IgnoreKeys && !bytes.Equal(ra.Key, rb.Key) {
			out = append(out, fmt.Sprintf("%s: key %s != %s", k, fmtParticle(ra.Key), fmtParticle(rb.Key)))
		}
		if opts.Generation && ra.Generation != rb.Generation {
			out = append(out, fmt.Sprintf("%s: generation %d != %d", k, ra.Generation, rb.Generation))
		}
		if (ra.TTL < 0) != (rb.TTL < 0) || absDur(ra.TTL-rb.TTL) > opts.TTLTolerance {
			out = append(out, fmt.Sprintf("%s: ttl %v != %v", k, ra.TTL, rb.TTL))
		}
		names := make([]string, 0, len(ra.Bins)+len(rb.Bins))
		for n := range ra.Bins {
			names = append(names, n)
		}
		for n := range rb.Bins {
			if _, ok := ra.Bins[n]; !ok {
				names = append(names, n)
			}
		}
		slices.Sort(names)
		for _, n := range names {
			ba, okA := ra.Bins[n]
			bb, okB := rb.Bins[n]
			switch {
			case !okB:
				out = append(out, fmt.Sprintf("%s: bin %q missing from %s", k, n, b.Namespace))
			case !okA:
				out = append(out, fmt.Sprintf("%s: bin %q extra in %s", k, n, b.Namespace))
			case ba.Type != bb.Type || !bytes.Equal(ba.Value, bb.Value):
				out = append(out, fmt.Sprintf("%s: bin %q: type %d %x != type %d %x", k, n, ba.Type, ba.Value, bb.Type, bb.Value))
			}
		}
	}
	return out
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

func fmtParticle(p []byte) string {
	if len(p) == 0 {
		return "none"
	}
	switch p[0] {
	case ptype.INTEGER:
		if len(p) == 9 {
			return fmt.Sprintf("int(%d)", int64(binary.BigEndian.Uint64(p[1:])))
		}
	case ptype.STRING:
		return fmt.Sprintf("string(%q)", p[1:])
	}
	return fmt.Sprintf("type%d(%x)", p[0], p[1:])
}
