package aerospiketest

import (
	"bytes"
	"encoding/binary"
	"slices"
	"sync"
	"time"
)

// partitionCount is fixed by the protocol: clients map digests onto 4096
// partitions and expect one owner per partition.
const partitionCount = 4096

// digest is a record's RIPEMD-160 key digest, as the client computes it.
type digest [20]byte

// bin is one stored bin: the particle type and the bytes exactly as the
// client sent them, so lists, maps, GeoJSON and HLL round-trip without being
// interpreted.
type bin struct {
	name  string
	ptype byte
	value []byte
}

// record is one stored record. Records are never modified in place (a write
// stores a new *record), so scans can stream them without holding locks.
// Times follow the server clock: voidTime in Unix seconds (0 = never
// expires), lut in Unix milliseconds, the precision the server keeps.
type record struct {
	set      string
	key      []byte // particle type byte + key bytes; nil when not sent
	bins     []bin
	gen      uint32
	voidTime int64
	lut      int64
}

func (r *record) expired(now time.Time) bool {
	return r.voidTime != 0 && r.voidTime <= now.Unix()
}

func (r *record) bin(name string) (bin, bool) {
	for _, b := range r.bins {
		if b.name == name {
			return b, true
		}
	}
	return bin{}, false
}

// size approximates the stored size for device/record-size expressions and
// the data_used_bytes statistics.
func (r *record) size() int {
	n := 36 + len(r.key)
	for _, b := range r.bins {
		n += 5 + len(b.name) + len(b.value)
	}
	return n
}

// namespace holds records in per-partition maps. One RWMutex guards them:
// writes are short, and scans copy a partition's pointers before streaming.
type namespace struct {
	name  string
	mu    sync.RWMutex
	parts []map[digest]*record
}

func newNamespace(name string) *namespace {
	ns := &namespace{name: name, parts: make([]map[digest]*record, partitionCount)}
	for i := range ns.parts {
		ns.parts[i] = make(map[digest]*record)
	}
	return ns
}

// partitionOf maps a digest exactly as the client does: the low 12 bits of
// the little-endian first word.
func partitionOf(d []byte) int {
	return int(binary.LittleEndian.Uint32(d[0:4])&0xFFFF) & (partitionCount - 1)
}

// get returns the live record or nil.
func (ns *namespace) get(d digest, now time.Time) *record {
	ns.mu.RLock()
	r := ns.parts[partitionOf(d[:])][d]
	ns.mu.RUnlock()
	if r == nil || r.expired(now) {
		return nil
	}
	return r
}

// objects counts stored records the way the server's "objects" statistic
// does: expired records count until they are removed.
func (ns *namespace) objects() int {
	ns.mu.RLock()
	defer ns.mu.RUnlock()
	n := 0
	for _, part := range ns.parts {
		n += len(part)
	}
	return n
}

// put stores a record unconditionally (seeding).
func (ns *namespace) put(d digest, r *record) {
	ns.mu.Lock()
	ns.parts[partitionOf(d[:])][d] = r
	ns.mu.Unlock()
}

type digestRecord struct {
	d digest
	r *record
}

// partition returns the records of one partition in digest order, the order
// scans stream and "resume after digest" relies on.
func (ns *namespace) partition(pid int) []digestRecord {
	ns.mu.RLock()
	part := ns.parts[pid]
	out := make([]digestRecord, 0, len(part))
	for d, r := range part {
		out = append(out, digestRecord{d, r})
	}
	ns.mu.RUnlock()
	slices.SortFunc(out, func(a, b digestRecord) int { return bytes.Compare(a.d[:], b.d[:]) })
	return out
}

// each visits live records in partition order (unsorted within a partition).
func (ns *namespace) each(now time.Time, fn func(d digest, r *record)) {
	ns.mu.RLock()
	defer ns.mu.RUnlock()
	for _, part := range ns.parts {
		for d, r := range part {
			if !r.expired(now) {
				fn(d, r)
			}
		}
	}
}

// truncate removes records of the set (every set when set is "") whose
// last-update time is before lutMillis (all of them when lutMillis <= 0).
func (ns *namespace) truncate(set string, lutMillis int64) {
	ns.mu.Lock()
	defer ns.mu.Unlock()
	for _, part := range ns.parts {
		for d, r := range part {
			if (set == "" || r.set == set) && (lutMillis <= 0 || r.lut < lutMillis) {
				delete(part, d)
			}
		}
	}
}

// sindex is secondary-index metadata; the server stores and lists it but
// never builds or queries the index.
type sindex struct {
	ns, set, name, bin, binType, indexType, context, exp string
}

// udfFile is a registered UDF package; stored, never executed.
type udfFile struct {
	name    string
	content []byte
	lang    string
}

// clock is the server's time source. Frozen (after SetTime) it only moves
// with Advance, so last-update times in tests are exact; running it follows
// the wall clock plus an offset.
type clock struct {
	mu     sync.Mutex
	frozen bool
	at     time.Time     // the frozen time
	offset time.Duration // added to the wall clock when running
	fn     func() time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.fn != nil:
		return c.fn().Add(c.offset)
	case c.frozen:
		return c.at
	}
	return time.Now().Add(c.offset)
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fn != nil {
		c.offset = t.Sub(c.fn())
		return
	}
	c.frozen, c.at = true, t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.frozen && c.fn == nil {
		c.at = c.at.Add(d)
		return
	}
	c.offset += d
}

func (c *clock) unfreeze() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.frozen {
		c.offset = time.Until(c.at)
		c.frozen = false
	}
}

// wireVoidTime converts a stored void time to what a response carries:
// seconds since 2010-01-01 on the wall clock, shifted by the server clock's
// offset so that the TTL the client derives from the wall clock equals the
// TTL left on the server clock (0 = never expires).
func (s *Server) wireVoidTime(voidTime int64) uint32 {
	if voidTime == 0 {
		return 0
	}
	ttl := voidTime - s.clock.now().Unix()
	wall := time.Now().Unix() + max(ttl, 1) - citrusleafEp
	if wall <= 0 {
		return 1
	}
	return uint32(wall)
}
