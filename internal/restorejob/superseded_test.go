package restorejob

import (
	"fmt"
	"testing"

	as "github.com/aerospike/aerospike-client-go/v8"
	"github.com/aerospike/aerospike-client-go/v8/types"
	"github.com/aerospike/backup-go/models"
)

func testKey(t *testing.T, i int) *as.Key {
	t.Helper()
	k, err := as.NewKey("bar", "s", fmt.Sprintf("k%d", i))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// A version is superseded only when an earlier step wrote the record:
// not in the step that wrote it, and never for records nobody wrote. Each
// step counts a record it skips once, however often backup-go asks.
func TestSupersededFilter(t *testing.T) {
	set := newWrittenSet(NewDigestBudget(1<<20), 3)
	newest, older, oldest := set.step(1), set.step(2), set.step(3)
	a, b, c := testKey(t, 1), testKey(t, 2), testKey(t, 3)
	newest.written(a)
	if newest.superseded(a) {
		t.Error("the step that wrote a record skips it (a retried batch would lose its count)")
	}
	if !older.superseded(a) || !older.superseded(a) {
		t.Error("a version older than one written is sent")
	}
	if older.superseded(b) {
		t.Error("a record nobody wrote is skipped")
	}
	older.written(b)
	if !oldest.superseded(a) || !oldest.superseded(b) || oldest.superseded(c) {
		t.Error("the oldest step sends a superseded version, or skips one never written")
	}
	if newest.Skipped() != 0 || older.Skipped() != 1 || oldest.Skipped() != 2 {
		t.Errorf("skipped per step %d, %d, %d; want 0, 1 (asked twice), 2", newest.Skipped(), older.Skipped(), oldest.Skipped())
	}
	// A record written again by a later step (the server answered OK:
	// nothing else held it) keeps its first writer.
	oldest.written(a)
	if !oldest.superseded(a) {
		t.Error("a second write moved the record's writer")
	}
	var none *supersededFilter
	if none.superseded(a) || none.Skipped() != 0 {
		t.Error("no filter skips something")
	}
	none.written(a) // no panic
}

// Beyond the budget digests are not remembered: their older versions are
// sent (and refused by the server, as before). The budget is shared by
// the job's chains and a finished chain gives its room back.
func TestDigestBudget(t *testing.T) {
	if NewDigestBudget(0) != nil || NewDigestBudget(DigestBytes-1) != nil {
		t.Fatal("a budget without room for one digest is not nil")
	}
	budget := NewDigestBudget(3 * DigestBytes)
	if budget.Digests() != 3 {
		t.Fatalf("%d digests, want 3", budget.Digests())
	}
	one, two := newWrittenSet(budget, 2), newWrittenSet(budget, 2)
	w1, w2 := one.step(1), two.step(1)
	for i := range 2 {
		w1.written(testKey(t, i))
	}
	w2.written(testKey(t, 10))
	if budget.firstSpent() {
		t.Fatal("spent before any digest was refused")
	}
	w2.written(testKey(t, 11)) // no room
	if !budget.firstSpent() || budget.firstSpent() {
		t.Error("firstSpent does not report the spent budget exactly once")
	}
	if !two.step(2).superseded(testKey(t, 10)) || two.step(2).superseded(testKey(t, 11)) {
		t.Error("the chain skips a digest it could not remember, or not one it did")
	}
	one.release()
	w2.written(testKey(t, 12))
	if !two.step(2).superseded(testKey(t, 12)) {
		t.Error("the room a finished chain released was not given to the other")
	}
	if newWrittenSet(nil, 2) != nil || newWrittenSet(budget, maxChainSteps+1) != nil {
		t.Error("a set without a budget, or for a chain too long to tag, is not nil")
	}
	var none *writtenSet
	none.release()
	if none.step(1) != nil {
		t.Error("no set gives a filter")
	}
}

// countClient answers every write OK and counts what reached it.
type countClient struct {
	answerClient
	puts    int
	batched int
	batches int
}

func (c *countClient) Put(*as.WritePolicy, *as.Key, as.BinMap) as.Error {
	c.puts++
	return c.putErr
}

func (c *countClient) BatchOperate(_ *as.BatchPolicy, recs []as.BatchRecordIfc) as.Error {
	c.batches++
	c.batched += len(recs)
	for _, r := range recs {
		r.BatchRec().ResultCode = types.OK
	}
	return nil
}

// refusalClient answers a superseded version KEY_EXISTS, as the server
// would under CREATE_ONLY, without sending it; a batch is sent without
// its superseded records, and not at all when all are.
func TestRefusalClientSkipsSuperseded(t *testing.T) {
	set := newWrittenSet(NewDigestBudget(1<<20), 2)
	cc := &countClient{}
	newest := &refusalClient{AerospikeClient: cc, tally: &refusalTally{}, superseded: set.step(1)}
	batch := func(keys ...*as.Key) []as.BatchRecordIfc {
		out := make([]as.BatchRecordIfc, len(keys))
		for i, k := range keys {
			out[i] = as.NewBatchWrite(nil, k)
		}
		return out
	}
	if err := newest.BatchOperate(nil, batch(testKey(t, 1), testKey(t, 2))); err != nil {
		t.Fatal(err)
	}
	if err := newest.Put(nil, testKey(t, 3), nil); err != nil {
		t.Fatal(err)
	}

	older := &refusalClient{AerospikeClient: cc, tally: &refusalTally{}, superseded: set.step(2)}
	recs := batch(testKey(t, 1), testKey(t, 4), testKey(t, 2), testKey(t, 5))
	if err := older.BatchOperate(nil, recs); err != nil {
		t.Fatal(err)
	}
	if cc.batches != 2 || cc.batched != 4 {
		t.Errorf("%d batches of %d records sent, want 2 of 4 (the superseded two kept back)", cc.batches, cc.batched)
	}
	want := []types.ResultCode{types.KEY_EXISTS_ERROR, types.OK, types.KEY_EXISTS_ERROR, types.OK}
	for i, r := range recs {
		if got := r.BatchRec().ResultCode; got != want[i] {
			t.Errorf("record %d answered %v, want %v", i, got, want[i])
		}
	}
	if err := older.BatchOperate(nil, batch(testKey(t, 3), testKey(t, 1))); err != nil {
		t.Fatal(err)
	}
	if cc.batches != 2 {
		t.Error("a batch of superseded records only was sent")
	}
	err := older.Put(nil, testKey(t, 3), nil)
	if err == nil || !err.Matches(types.KEY_EXISTS_ERROR) || cc.puts != 1 {
		t.Errorf("superseded single write: %v after %d puts sent, want KEY_EXISTS_ERROR and 1 put", err, cc.puts)
	}
	if err := older.Put(nil, testKey(t, 6), nil); err != nil || cc.puts != 2 {
		t.Errorf("new single write: %v after %d puts sent, want nil and 2", err, cc.puts)
	}
	// 1 and 2 (first batch), 3 and 1 again (a new record object, as
	// after a retry the same one; counted once per step), 3 (single).
	if got := older.superseded.Skipped(); got != 3 {
		t.Errorf("skipped %d, want 3 distinct records", got)
	}
}

// A step's counts move the versions not sent from backup-go's existed to
// superseded; never more than it counted (a failed step may not have
// counted every answer).
func TestCountsOfSuperseded(t *testing.T) {
	for _, tc := range []struct {
		existed, skipped, wantExisted, wantSuperseded uint64
	}{
		{existed: 5, skipped: 3, wantExisted: 2, wantSuperseded: 3},
		{existed: 3, skipped: 3, wantExisted: 0, wantSuperseded: 3},
		{existed: 2, skipped: 3, wantExisted: 0, wantSuperseded: 2},
		{existed: 4, skipped: 0, wantExisted: 4, wantSuperseded: 0},
	} {
		stats := models.NewRestoreStats()
		stats.IncrRecordsInserted()
		for range tc.existed {
			stats.IncrRecordsExisted()
		}
		c := countsOf(stats, &refusalTally{}, tc.skipped)
		if c.Existed != tc.wantExisted || c.Superseded != tc.wantSuperseded || c.Inserted != 1 {
			t.Errorf("existed %d, skipped %d: counts %+v, want existed %d, superseded %d, inserted 1",
				tc.existed, tc.skipped, c, tc.wantExisted, tc.wantSuperseded)
		}
	}
}
