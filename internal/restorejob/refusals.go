package restorejob

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	as "github.com/aerospike/aerospike-client-go/v8"
	"github.com/aerospike/aerospike-client-go/v8/types"
	"github.com/aerospike/backup-go"
)

// backup-go (v0.11.0) counts a record the server refuses for some reasons
// as "ignored" and goes on: a batch write does so for batchRefusals
// whatever IgnoreRecordError says, a single write for ignorable ones only
// with IgnoreRecordError (without, it retries and fails). Its stats give a
// bare count. refusalClient sits between backup-go and the cluster client
// and counts the same answers under the same conditions, by result code,
// so that a restore can say why records were refused; the step then fails
// unless the user asked to ignore them.

// batchRefusals are the per-record codes backup-go's batch writer counts
// as ignored (io/aerospike/record_batch_writer.go).
var batchRefusals = []types.ResultCode{
	types.RECORD_TOO_BIG, types.KEY_MISMATCH, types.BIN_NAME_TOO_LONG, types.ALWAYS_FORBIDDEN,
	types.FAIL_FORBIDDEN, types.BIN_TYPE_ERROR, types.BIN_NOT_FOUND,
}

// ignorable are the codes backup-go ignores in an error it was answered
// with (shouldIgnore in io/aerospike/restore_writer.go).
var ignorable = slices.Concat(batchRefusals, []types.ResultCode{types.KEY_NOT_FOUND_ERROR})

// reasons say in words why the server refuses a record with these codes.
var reasons = map[types.ResultCode]string{
	types.KEY_NOT_FOUND_ERROR: "record not found, and the write needs it to exist",
	types.ALWAYS_FORBIDDEN:    "writes forbidden by the namespace's configuration",
	types.BIN_TYPE_ERROR:      "bin type not allowed by the namespace's configuration",
	types.RECORD_TOO_BIG:      "record too big for the namespace",
	types.BIN_NOT_FOUND:       "bin not found for an update-only write",
	types.KEY_MISMATCH:        "the record's key does not match the key stored with it",
	types.BIN_NAME_TOO_LONG:   "bin name too long, or too many bin names in the namespace",
	types.FAIL_FORBIDDEN:      "write not allowed at this time (a set being truncated, or a TTL the namespace cannot expire)",
}

// Reason says in words why the server refused a write with code: the
// codes restores meet in words of their own, others in the client's.
func Reason(code types.ResultCode) string {
	if r, ok := reasons[code]; ok {
		return r
	}
	if codeName(code) == "" {
		return "a result code the client does not know"
	}
	msg := strings.TrimSuffix(types.ResultCodeToString(code), ".")
	return strings.ToLower(msg[:1]) + msg[1:]
}

// codeName is the client's name of code, e.g. RECORD_TOO_BIG; empty for a
// code it does not know.
func codeName(code types.ResultCode) string {
	n := code.String()
	if strings.Contains(n, " ") {
		return ""
	}
	return n
}

// Refusal is how many records the server refused with one result code.
type Refusal struct {
	Code    int    `json:"result-code"`
	Name    string `json:"code-name"`
	Reason  string `json:"reason"`
	Records uint64 `json:"records"`
}

// unseen stands for refusals backup-go counted that refusalClient did not
// see (a backup-go that ignores more than it did when this was written).
const unseen = "refused for a reason aerobackup did not see"

func newRefusal(code types.ResultCode, n uint64) Refusal {
	return Refusal{Code: int(code), Name: codeName(code), Reason: Reason(code), Records: n}
}

// String is "<reason> (<NAME>, result code <n>)".
func (r Refusal) String() string {
	switch {
	case r.Reason == unseen:
		return r.Reason
	case r.Name == "":
		return fmt.Sprintf("%s (result code %d)", r.Reason, r.Code)
	}
	return fmt.Sprintf("%s (%s, result code %d)", r.Reason, r.Name, r.Code)
}

// describeRefusals lists the reasons, with their counts when more than one.
func describeRefusals(rs []Refusal) string {
	if len(rs) == 1 {
		return rs[0].String()
	}
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = fmt.Sprintf("%d %s", r.Records, r)
	}
	return strings.Join(parts, ", ")
}

// mergeRefusals adds b's counts into a, by code, most refused first.
func mergeRefusals(a, b []Refusal) []Refusal {
	out := slices.Clone(a)
next:
	for _, r := range b {
		for i := range out {
			if out[i].Code == r.Code && out[i].Name == r.Name {
				out[i].Records += r.Records
				continue next
			}
		}
		out = append(out, r)
	}
	sortRefusals(out)
	return out
}

func sortRefusals(rs []Refusal) {
	sort.SliceStable(rs, func(i, j int) bool {
		if rs[i].Records != rs[j].Records {
			return rs[i].Records > rs[j].Records
		}
		return rs[i].Code < rs[j].Code
	})
}

// RefusedError is a step whose records the server refused in part: the
// others were written, these were not.
type RefusedError struct {
	Read     uint64
	Refused  uint64
	Refusals []Refusal
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("%d of %d records read were refused by the server and not restored: %s (--ignore-record-error accepts a restore without them)",
		e.Refused, e.Read, describeRefusals(e.Refusals))
}

// stoppedError is a restore that stopped at a record the server refused
// (single writes without IgnoreRecordError, or a batch's record refused
// with a code backup-go retries, until it gives up).
type stoppedError struct {
	code types.ResultCode
	// ignoring: IgnoreRecordError was set and did not apply (backup-go
	// retries a batch's record refused as not found, flag or not).
	ignoring bool
	err      error
}

func (e *stoppedError) Error() string {
	hint := " (--ignore-record-error skips such records)"
	if e.ignoring {
		hint = ""
	}
	return fmt.Sprintf("the server refused a record and the restore stopped: %s%s", newRefusal(e.code, 1), hint)
}

func (e *stoppedError) Unwrap() error { return e.err }

// refusalCode is the first of codes err carries.
func refusalCode(err error, codes []types.ResultCode) (types.ResultCode, bool) {
	var ae as.Error
	if !errors.As(err, &ae) {
		return 0, false
	}
	for _, c := range codes {
		if ae.Matches(c) {
			return c, true
		}
	}
	return 0, false
}

// refusalTally counts refused records by result code for one step.
type refusalTally struct {
	mu     sync.Mutex
	counts map[types.ResultCode]uint64
}

func (t *refusalTally) add(code types.ResultCode, n uint64) {
	t.mu.Lock()
	if t.counts == nil {
		t.counts = map[types.ResultCode]uint64{}
	}
	t.counts[code] += n
	t.mu.Unlock()
}

// refusals are the counts, with total (backup-go's count) the authority:
// records it counted beyond what was seen are listed as unseen.
func (t *refusalTally) refusals(total uint64) []Refusal {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []Refusal
	var seen uint64
	for code, n := range t.counts {
		out = append(out, newRefusal(code, n))
		seen += n
	}
	if total > seen {
		out = append(out, Refusal{Reason: unseen, Records: total - seen})
	}
	sortRefusals(out)
	return out
}

// refusalClient is the cluster client with the server's refusals counted
// as backup-go counts them, and, given a filter, the versions an earlier
// step of the chain superseded answered without being sent
// (superseded.go).
type refusalClient struct {
	backup.AerospikeClient
	ignore     bool // the step's IgnoreRecordError
	tally      *refusalTally
	superseded *supersededFilter // nil: every record is sent
}

func (c *refusalClient) Put(policy *as.WritePolicy, key *as.Key, bins as.BinMap) as.Error {
	if c.superseded.superseded(key) {
		return errSuperseded
	}
	err := c.AerospikeClient.Put(policy, key, bins)
	c.single(key, err)
	return err
}

func (c *refusalClient) PutPayload(policy *as.WritePolicy, key *as.Key, payload []byte) as.Error {
	if c.superseded.superseded(key) {
		return errSuperseded
	}
	err := c.AerospikeClient.PutPayload(policy, key, payload)
	c.single(key, err)
	return err
}

// single remembers a single write that succeeded, and counts its refusal
// when backup-go ignores it; when it does not, it retries the write and
// fails.
func (c *refusalClient) single(key *as.Key, err as.Error) {
	if err == nil {
		c.superseded.written(key)
	}
	if err == nil || !c.ignore {
		return
	}
	if code, ok := refusalCode(err, ignorable); ok {
		c.tally.add(code, 1)
	}
}

func (c *refusalClient) BatchOperate(policy *as.BatchPolicy, records []as.BatchRecordIfc) as.Error {
	send := c.superseded.unsent(records)
	if len(send) == 0 && len(records) > 0 {
		// Every record was superseded: answered, nothing to send.
		return nil
	}
	err := c.AerospikeClient.BatchOperate(policy, send)
	// A record answered OK was written, whatever the batch's error.
	c.superseded.writtenBatch(send)
	// backup-go reads the records' results only on these answers; on any
	// other it retries the whole batch.
	if err != nil && !err.Matches(types.GENERATION_ERROR, types.KEY_EXISTS_ERROR) &&
		(!c.ignore || !err.Matches(ignorable...)) {
		return err
	}
	for _, r := range send {
		code := r.BatchRec().ResultCode
		if code != types.OK && slices.Contains(batchRefusals, code) {
			c.tally.add(code, 1)
		}
	}
	return err
}
