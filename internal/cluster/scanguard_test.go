package cluster

import (
	"runtime"
	"strings"
	"testing"
	"time"

	as "github.com/aerospike/aerospike-client-go/v8"

	"github.com/aerobackup/aerobackup/internal/aerospiketest"
)

// blockedScan starts a scan whose consumer never reads, on a server that
// fails the scan after one record. The record fills the one-slot channel,
// so the client's goroutine that hands over the error blocks; blockedScan
// returns once it does.
func blockedScan(t *testing.T, scan func(*as.ScanPolicy) (*as.Recordset, as.Error)) *as.Recordset {
	t.Helper()
	policy := as.NewScanPolicy()
	policy.RecordQueueSize = 1
	policy.MaxRetries = 0
	before := blockedInSendError()
	rs, err := scan(policy)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for blockedInSendError() == before {
		if time.Now().After(deadline) {
			t.Fatal("the scan's error never blocked: the test no longer sets up the client's hang")
		}
		time.Sleep(10 * time.Millisecond)
	}
	return rs
}

// blockedInSendError counts the goroutines in the client's sendError.
func blockedInSendError() int {
	buf := make([]byte, 1<<22)
	return strings.Count(string(buf[:runtime.Stack(buf, true)]), "(*Recordset).sendError")
}

func closeReturns(rs *as.Recordset, wait time.Duration) bool {
	done := make(chan struct{})
	go func() {
		rs.Close()
		close(done)
	}()
	select {
	case <-done:
		return true
	case <-time.After(wait):
		return false
	}
}

// guardTestClient connects to a server holding records records in
// namespace test, with faults f.
func guardTestClient(t *testing.T, records int, f aerospiketest.Faults) *as.Client {
	t.Helper()
	srv := aerospiketest.NewServer(t, aerospiketest.Options{})
	if err := srv.Seed("test", records, 1); err != nil {
		t.Fatal(err)
	}
	srv.SetFaults(f)
	c, err := as.NewClient(srv.Host(), srv.Port())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// TestScanGuardUnblocksClose: closing a recordset whose failing scan
// goroutine waits to hand over its error returns once the guard drains it.
// The unguarded client is tried first, to show the hang is still there
// (if it is not, a newer client fixed it and the guard can go); its
// goroutines stay blocked until the test binary exits.
func TestScanGuardUnblocksClose(t *testing.T) {
	raw := guardTestClient(t, 20, aerospiketest.Faults{ScanFailAfter: 1})
	rs := blockedScan(t, func(p *as.ScanPolicy) (*as.Recordset, as.Error) {
		return raw.ScanPartitions(p, as.NewPartitionFilterAll(), "test", "")
	})
	if closeReturns(rs, time.Second) {
		t.Fatal("the unguarded client's Close returned: the client no longer hangs here; check whether scanGuard is still needed")
	}

	guarded := scanGuard{guardTestClient(t, 20, aerospiketest.Faults{ScanFailAfter: 1})}
	rs = blockedScan(t, func(p *as.ScanPolicy) (*as.Recordset, as.Error) {
		return guarded.ScanPartitions(p, as.NewPartitionFilterAll(), "test", "")
	})
	if !closeReturns(rs, 10*time.Second) {
		t.Fatal("Close of a guarded recordset did not return")
	}
}

// TestScanGuardKeepsEveryRecord: a guarded scan that is read to its end
// delivers every record; the drainer starts only after Close.
func TestScanGuardKeepsEveryRecord(t *testing.T) {
	c := guardTestClient(t, 500, aerospiketest.Faults{})
	policy := as.NewScanPolicy()
	policy.RecordQueueSize = 1
	rs, err := scanGuard{c}.ScanPartitions(policy, as.NewPartitionFilterAll(), "test", "")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for res := range rs.Results() {
		if res.Err != nil {
			t.Fatal(res.Err)
		}
		n++
		time.Sleep(100 * time.Microsecond) // a slow consumer keeps the channel full
	}
	if err := rs.Close(); err != nil {
		t.Fatal(err)
	}
	if n != 500 {
		t.Fatalf("read %d records, want 500", n)
	}
}

// TestClosedSignal: the client still has the field the guard watches.
func TestClosedSignal(t *testing.T) {
	c := guardTestClient(t, 20, aerospiketest.Faults{ScanFailAfter: 1})
	rs, err := c.ScanPartitions(nil, as.NewPartitionFilterAll(), "test", "")
	if err != nil {
		t.Fatal(err)
	}
	closed := closedSignal(rs)
	if closed == nil {
		t.Fatal("no closed signal: the client's Recordset changed; scanGuard drains nothing")
	}
	for range rs.Results() {
	}
	select {
	case <-closed:
		t.Fatal("signalled before Close")
	default:
	}
	rs.Close()
	<-closed
}
