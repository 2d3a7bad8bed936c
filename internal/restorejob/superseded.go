package restorejob

import (
	"sync"
	"sync/atomic"

	as "github.com/aerospike/aerospike-client-go/v8"
	"github.com/aerospike/aerospike-client-go/v8/types"
)

// A chain applied newest first with CREATE_ONLY writes each record from
// the newest backup holding it; the server refuses every older version,
// a round trip that changes nothing (a full and 48 hourly incrementals
// changing a tenth of the records each send five times more refused
// versions than written records). A chain given a DigestBudget remembers
// the digests its steps wrote, and refusalClient answers an older version
// of one of them KEY_EXISTS itself, without sending it, as the server
// would have: backup-go counts it as existed, and the step's counts move
// it from Existed to Superseded.
//
// Only records this run wrote are remembered: a record the server refused
// (already present under --unique, too big...) is sent again from older
// backups, as without the budget. Once the budget is spent, further
// digests are not remembered and their older versions are sent and
// refused by the server: slower, with the same result.

// DigestBytes is the memory one remembered digest is reckoned to take:
// the 20-byte digest and its 4-byte tag in a Go map, the map's control
// bytes and the room its tables keep free (55.8 bytes of live heap per
// digest measured with Go 1.26, from 0.5 to 4 million digests). The
// process's peak RSS also holds the garbage the collector lets grow
// beside the live heap (GOGC).
const DigestBytes = 56

// maxChainSteps is the longest chain whose steps the digests' tags can
// number (16 bits each); longer chains send every record.
const maxChainSteps = 1<<16 - 1

// errSuperseded answers a version not sent: the server's answer to it
// under CREATE_ONLY. backup-go only matches its code; nothing changes it.
var errSuperseded as.Error = &as.AerospikeError{ResultCode: types.KEY_EXISTS_ERROR}

// DigestBudget bounds the digests a job's chains remember, together.
type DigestBudget struct {
	limit  int64
	used   atomic.Int64
	spent  atomic.Bool // a digest was not remembered for want of room
	warned atomic.Bool
}

// NewDigestBudget is a budget of bytes of memory; nil (every record is
// sent) when bytes holds no digest.
func NewDigestBudget(bytes int64) *DigestBudget {
	if bytes < DigestBytes {
		return nil
	}
	return &DigestBudget{limit: bytes / DigestBytes}
}

// Digests is how many digests the budget holds.
func (b *DigestBudget) Digests() int64 { return b.limit }

// take reserves room for one digest.
func (b *DigestBudget) take() bool {
	if b.used.Add(1) > b.limit {
		b.used.Add(-1)
		b.spent.Store(true)
		return false
	}
	return true
}

// firstSpent reports, once, that the budget ran out.
func (b *DigestBudget) firstSpent() bool {
	return b != nil && b.spent.Load() && b.warned.CompareAndSwap(false, true)
}

// digestShards spread a chain's digests over locks: backup-go writes a
// step's records from several goroutines.
const digestShards = 64

// writtenSet is the digests one chain wrote, each tagged with the step
// (numbered from 1 in application order) that wrote it, in the high 16
// bits, and the last step that did not send it, in the low 16.
type writtenSet struct {
	budget *DigestBudget
	shards [digestShards]struct {
		mu sync.Mutex
		m  map[[20]byte]uint32
	}
	held atomic.Int64 // digests taken from the budget
}

// newWrittenSet is the set of a chain of steps steps; nil (nothing
// skipped) without a budget or for a chain too long to tag.
func newWrittenSet(budget *DigestBudget, steps int) *writtenSet {
	if budget == nil || steps > maxChainSteps {
		return nil
	}
	return &writtenSet{budget: budget}
}

// release gives the set's room back to the budget, for chains still
// running; the set is not used after.
func (w *writtenSet) release() {
	if w == nil {
		return
	}
	w.budget.used.Add(-w.held.Load())
	for i := range w.shards {
		w.shards[i].m = nil
	}
}

// step is the set as step n (from 1) of the chain sees it.
func (w *writtenSet) step(n int) *supersededFilter {
	if w == nil {
		return nil
	}
	return &supersededFilter{set: w, step: uint32(n)}
}

// supersededFilter decides, for one step, which records not to send.
type supersededFilter struct {
	set     *writtenSet
	step    uint32
	skipped atomic.Uint64 // records not sent, each counted once
}

func digestOf(key *as.Key) (d [20]byte) {
	copy(d[:], key.Digest())
	return d
}

// superseded reports whether an earlier step wrote key's record: then the
// step must not send it. The first time the step asks about a record it
// counts it; backup-go asks again when it retries a batch.
func (f *supersededFilter) superseded(key *as.Key) bool {
	if f == nil || key == nil {
		return false
	}
	d := digestOf(key)
	sh := &f.set.shards[d[0]%digestShards]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	v, ok := sh.m[d]
	if !ok || v>>16 >= f.step {
		return false
	}
	if v&0xffff != f.step {
		sh.m[d] = v&^0xffff | f.step
		f.skipped.Add(1)
	}
	return true
}

// written remembers that the step wrote key's record, while the budget
// has room.
func (f *supersededFilter) written(key *as.Key) {
	if f == nil || key == nil {
		return
	}
	d := digestOf(key)
	sh := &f.set.shards[d[0]%digestShards]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if _, ok := sh.m[d]; ok {
		return
	}
	if !f.set.budget.take() {
		return
	}
	if sh.m == nil {
		sh.m = map[[20]byte]uint32{}
	}
	sh.m[d] = f.step << 16
	f.set.held.Add(1)
}

// Skipped is how many records the step did not send.
func (f *supersededFilter) Skipped() uint64 {
	if f == nil {
		return 0
	}
	return f.skipped.Load()
}

// unsent answers the batch's superseded records KEY_EXISTS and returns the
// others, to be sent (records itself when none is superseded).
func (f *supersededFilter) unsent(records []as.BatchRecordIfc) []as.BatchRecordIfc {
	if f == nil {
		return records
	}
	var send []as.BatchRecordIfc
	for i, r := range records {
		br := r.BatchRec()
		if !f.superseded(br.Key) {
			if send != nil {
				send = append(send, r)
			}
			continue
		}
		if send == nil {
			send = make([]as.BatchRecordIfc, i, len(records))
			copy(send, records[:i])
		}
		br.ResultCode, br.Err, br.InDoubt, br.Record = types.KEY_EXISTS_ERROR, nil, false, nil
	}
	if send == nil {
		return records
	}
	return send
}

// writtenBatch remembers the batch's records the server wrote.
func (f *supersededFilter) writtenBatch(records []as.BatchRecordIfc) {
	if f == nil {
		return
	}
	for _, r := range records {
		if br := r.BatchRec(); br.ResultCode == types.OK {
			f.written(br.Key)
		}
	}
}
