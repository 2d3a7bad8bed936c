package cluster

import (
	"reflect"
	"unsafe"

	as "github.com/aerospike/aerospike-client-go/v8"
)

// scanGuard is the client backup-go scans through. It is the aerospike
// client with one change: every recordset it returns is drained once it
// has been closed.
//
// Why: in aerospike-client-go v8 (checked in 8.7.0 and 8.8.0) a scan
// goroutine that fails hands its error to the recordset with a plain send
// on the records channel, without watching for the recordset being closed.
// Recordset.Close waits for every scan goroutine. So when the consumer has
// stopped reading (backup-go stops a reader as soon as one of them fails,
// for instance when a node leaves and the retries run out) and the channel
// is full, the failing goroutine waits for a reader that never comes, and
// Close waits for it: the backup hangs instead of failing. Draining after
// Close unblocks that send; whatever is drained was going to be dropped,
// because a closed recordset is never read again.
type scanGuard struct {
	*as.Client
}

// ScanPartitions starts the scan and a goroutine that drains the recordset
// once it is closed, until its last scan goroutine ends.
func (g scanGuard) ScanPartitions(policy *as.ScanPolicy, filter *as.PartitionFilter,
	namespace, set string, bins ...string) (*as.Recordset, as.Error) {
	rs, err := g.Client.ScanPartitions(policy, filter, namespace, set, bins...)
	if err != nil {
		return rs, err
	}
	if closed := closedSignal(rs); closed != nil {
		go func() {
			<-closed
			for range rs.Results() {
				// nobody reads a closed recordset: drop what is left
			}
		}()
	}
	return rs, nil
}

// closedSignal is the channel the client closes when Close is called on
// rs (its unexported "cancelled" field), or nil when this client version
// has no such field, in which case nothing is drained.
func closedSignal(rs *as.Recordset) <-chan struct{} {
	f := reflect.ValueOf(rs).Elem().FieldByName("cancelled")
	if !f.IsValid() || f.Type() != reflect.TypeFor[chan struct{}]() || !f.CanAddr() {
		return nil
	}
	return *(*chan struct{})(unsafe.Pointer(f.UnsafeAddr()))
}
