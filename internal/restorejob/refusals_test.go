package restorejob

import (
	"testing"

	as "github.com/aerospike/aerospike-client-go/v8"
	"github.com/aerospike/aerospike-client-go/v8/types"
	"github.com/aerospike/backup-go"
)

func TestReason(t *testing.T) {
	for _, tc := range []struct {
		code types.ResultCode
		want string
	}{
		{types.RECORD_TOO_BIG, "record too big for the namespace"},
		{types.ALWAYS_FORBIDDEN, "writes forbidden by the namespace's configuration"},
		{types.FAIL_FORBIDDEN, "write not allowed at this time (a set being truncated, or a TTL the namespace cannot expire)"},
		{types.KEY_MISMATCH, "the record's key does not match the key stored with it"},
		{types.BIN_NAME_TOO_LONG, "bin name too long, or too many bin names in the namespace"},
		{types.BIN_TYPE_ERROR, "bin type not allowed by the namespace's configuration"},
		{types.BIN_NOT_FOUND, "bin not found for an update-only write"},
		{types.KEY_NOT_FOUND_ERROR, "record not found, and the write needs it to exist"},
		// codes without words of their own: the client's, lower case
		{types.KEY_BUSY, "hot key"},
		{types.ResultCode(4242), "a result code the client does not know"},
	} {
		if got := Reason(tc.code); got != tc.want {
			t.Errorf("Reason(%d) = %q, want %q", tc.code, got, tc.want)
		}
	}
	// every code backup-go may count as ignored has words of its own
	for _, c := range ignorable {
		if _, ok := reasons[c]; !ok {
			t.Errorf("no reason in words for %v", c)
		}
	}
}

func TestRefusalString(t *testing.T) {
	for _, tc := range []struct {
		name string
		r    Refusal
		want string
	}{
		{"known", newRefusal(types.RECORD_TOO_BIG, 3), "record too big for the namespace (RECORD_TOO_BIG, result code 13)"},
		{"unknown code", newRefusal(types.ResultCode(4242), 1), "a result code the client does not know (result code 4242)"},
		{"unseen", Refusal{Reason: unseen, Records: 2}, unseen},
	} {
		if got := tc.r.String(); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestRefusedError(t *testing.T) {
	one := &RefusedError{Read: 5000, Refused: 2467, Refusals: []Refusal{newRefusal(types.RECORD_TOO_BIG, 2467)}}
	want := "2467 of 5000 records read were refused by the server and not restored: " +
		"record too big for the namespace (RECORD_TOO_BIG, result code 13) (--ignore-record-error accepts a restore without them)"
	if got := one.Error(); got != want {
		t.Errorf("one code:\n got %q\nwant %q", got, want)
	}
	two := &RefusedError{Read: 100, Refused: 7, Refusals: mergeRefusals(nil, []Refusal{
		newRefusal(types.ALWAYS_FORBIDDEN, 2), newRefusal(types.RECORD_TOO_BIG, 5)})}
	want = "7 of 100 records read were refused by the server and not restored: " +
		"5 record too big for the namespace (RECORD_TOO_BIG, result code 13), " +
		"2 writes forbidden by the namespace's configuration (ALWAYS_FORBIDDEN, result code 10) " +
		"(--ignore-record-error accepts a restore without them)"
	if got := two.Error(); got != want {
		t.Errorf("two codes:\n got %q\nwant %q", got, want)
	}
}

func TestStoppedError(t *testing.T) {
	e := &stoppedError{code: types.ALWAYS_FORBIDDEN}
	want := "the server refused a record and the restore stopped: " +
		"writes forbidden by the namespace's configuration (ALWAYS_FORBIDDEN, result code 10) (--ignore-record-error skips such records)"
	if got := e.Error(); got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
	// the flag was given and did not apply: no advice to give it
	e = &stoppedError{code: types.KEY_NOT_FOUND_ERROR, ignoring: true}
	want = "the server refused a record and the restore stopped: " +
		"record not found, and the write needs it to exist (KEY_NOT_FOUND_ERROR, result code 2)"
	if got := e.Error(); got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func TestTotalsMergeRefusals(t *testing.T) {
	r := Result{Steps: []StepResult{
		{Counts: Counts{Refused: 3, Refusals: []Refusal{newRefusal(types.RECORD_TOO_BIG, 3)}}},
		{Counts: Counts{}},
		{Counts: Counts{Refused: 6, Refusals: []Refusal{newRefusal(types.FAIL_FORBIDDEN, 4), newRefusal(types.RECORD_TOO_BIG, 2)}}},
	}}
	tot := r.Totals()
	if tot.Refused != 9 {
		t.Errorf("refused = %d, want 9", tot.Refused)
	}
	want := []Refusal{newRefusal(types.RECORD_TOO_BIG, 5), newRefusal(types.FAIL_FORBIDDEN, 4)}
	if len(tot.Refusals) != len(want) {
		t.Fatalf("refusals = %+v, want %+v", tot.Refusals, want)
	}
	for i := range want {
		if tot.Refusals[i] != want[i] {
			t.Errorf("refusals[%d] = %+v, want %+v", i, tot.Refusals[i], want[i])
		}
	}
}

func TestTallyUnseen(t *testing.T) {
	var tl refusalTally
	tl.add(types.RECORD_TOO_BIG, 2)
	got := tl.refusals(5)
	if len(got) != 2 || got[0].Reason != unseen || got[0].Records != 3 || got[1].Records != 2 {
		t.Errorf("refusals(5) = %+v, want 3 unseen and 2 RECORD_TOO_BIG", got)
	}
}

// answerClient answers writes as a cluster would: batch records with the
// given codes and the batch error, single writes with putErr.
type answerClient struct {
	backup.AerospikeClient
	codes    []types.ResultCode
	batchErr as.Error
	putErr   as.Error
}

func (c *answerClient) BatchOperate(_ *as.BatchPolicy, recs []as.BatchRecordIfc) as.Error {
	for i, r := range recs {
		r.BatchRec().ResultCode = c.codes[i]
	}
	return c.batchErr
}

func (c *answerClient) Put(*as.WritePolicy, *as.Key, as.BinMap) as.Error { return c.putErr }

func TestRefusalClientCounts(t *testing.T) {
	key, err := as.NewKey("test", "s", 1)
	if err != nil {
		t.Fatal(err)
	}
	batch := func(n int) []as.BatchRecordIfc {
		recs := make([]as.BatchRecordIfc, n)
		for i := range recs {
			recs[i] = as.NewBatchWrite(nil, key)
		}
		return recs
	}
	codes := []types.ResultCode{types.OK, types.RECORD_TOO_BIG, types.FAIL_FORBIDDEN, types.RECORD_TOO_BIG,
		types.KEY_EXISTS_ERROR, types.KEY_NOT_FOUND_ERROR, types.DEVICE_OVERLOAD}
	for _, tc := range []struct {
		name     string
		ignore   bool
		batchErr as.Error
		putErr   as.Error
		want     map[types.ResultCode]uint64
	}{
		// backup-go ignores these per record whatever IgnoreRecordError
		// says; KEY_NOT_FOUND_ERROR and DEVICE_OVERLOAD it retries
		{name: "batch answered", want: map[types.ResultCode]uint64{types.RECORD_TOO_BIG: 2, types.FAIL_FORBIDDEN: 1}},
		{name: "batch answered, ignoring", ignore: true, want: map[types.ResultCode]uint64{types.RECORD_TOO_BIG: 2, types.FAIL_FORBIDDEN: 1}},
		{name: "batch with an acceptable error", batchErr: &as.AerospikeError{ResultCode: types.KEY_EXISTS_ERROR},
			want: map[types.ResultCode]uint64{types.RECORD_TOO_BIG: 2, types.FAIL_FORBIDDEN: 1}},
		// the whole batch is retried: its records' codes are not read
		{name: "batch timed out", batchErr: &as.AerospikeError{ResultCode: types.TIMEOUT}, want: map[types.ResultCode]uint64{}},
		{name: "batch refused, not ignoring", batchErr: &as.AerospikeError{ResultCode: types.RECORD_TOO_BIG}, want: map[types.ResultCode]uint64{}},
		{name: "single refused, not ignoring: retried", putErr: &as.AerospikeError{ResultCode: types.RECORD_TOO_BIG}, want: map[types.ResultCode]uint64{}},
		{name: "single refused, ignoring", ignore: true, putErr: &as.AerospikeError{ResultCode: types.KEY_NOT_FOUND_ERROR},
			want: map[types.ResultCode]uint64{types.KEY_NOT_FOUND_ERROR: 1}},
		{name: "single overloaded, ignoring", ignore: true, putErr: &as.AerospikeError{ResultCode: types.DEVICE_OVERLOAD}, want: map[types.ResultCode]uint64{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tally := &refusalTally{}
			c := &refusalClient{AerospikeClient: &answerClient{codes: codes, batchErr: tc.batchErr, putErr: tc.putErr},
				ignore: tc.ignore, tally: tally}
			if tc.putErr != nil {
				if err := c.Put(nil, key, nil); err != tc.putErr {
					t.Fatalf("Put returned %v, want the cluster's answer", err)
				}
			} else if err := c.BatchOperate(nil, batch(len(codes))); err != tc.batchErr {
				t.Fatalf("BatchOperate returned %v, want the cluster's answer", err)
			}
			if len(tally.counts) != len(tc.want) {
				t.Errorf("counts = %v, want %v", tally.counts, tc.want)
			}
			for code, n := range tc.want {
				if tally.counts[code] != n {
					t.Errorf("counts[%v] = %d, want %d", code, tally.counts[code], n)
				}
			}
		})
	}
}
