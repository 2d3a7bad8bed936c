package aerospiketest

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Faults describe injected failures. Counts are of records streamed by
// scans (all scans together) or of record writes (single and batch) since
// SetFaults was called.
type Faults struct {
	// ScanDropAfter closes the connection once this many scan records have
	// been sent, as a lost node would (0 = off).
	ScanDropAfter int
	// ScanFailAfter ends the scan with ScanFailCode (default 1,
	// SERVER_ERROR) once this many records have been sent (0 = off).
	ScanFailAfter int
	ScanFailCode  int
	// WriteFailCode refuses record writes with this result code after
	// WriteFailAfter writes have succeeded (0 = off).
	WriteFailCode  int
	WriteFailAfter int
	// RefuseCode refuses the writes of about RefuseFraction (0..1) of all
	// records, single and batched, with this result code (0 = off). The
	// record's digest picks them, so a refused record is refused again on
	// every retry and restore, as a real server refuses a record too big
	// for it; Times does not apply.
	RefuseCode     int
	RefuseFraction float64
	// Delay is added before answering every request.
	Delay time.Duration
	// Times is how often a scan or write fault fires before it clears
	// itself; 0 means until ClearFaults.
	Times int
}

type faultState struct {
	mu      sync.Mutex
	f       Faults
	scanned int
	written int
	fired   int
	delayNs atomic.Int64
}

// SetFaults replaces the injected faults and restarts their counters.
func (s *Server) SetFaults(f Faults) {
	s.faults.mu.Lock()
	s.faults.f = f
	s.faults.scanned, s.faults.written, s.faults.fired = 0, 0, 0
	s.faults.mu.Unlock()
	s.faults.delayNs.Store(int64(f.Delay))
}

// ClearFaults removes every injected fault.
func (s *Server) ClearFaults() { s.SetFaults(Faults{}) }

func (fs *faultState) delay() time.Duration { return time.Duration(fs.delayNs.Load()) }

type scanFault int

const (
	scanOK scanFault = iota
	scanDrop
	scanFail
)

// consume clears the fault when it has fired Times times.
func (fs *faultState) consume() {
	fs.fired++
	if fs.f.Times > 0 && fs.fired >= fs.f.Times {
		fs.f = Faults{Delay: fs.f.Delay, RefuseCode: fs.f.RefuseCode, RefuseFraction: fs.f.RefuseFraction}
	}
	fs.scanned, fs.written = 0, 0
}

// scanRecord is called before a scan sends a record.
func (fs *faultState) scanRecord() (scanFault, int) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if fs.f.ScanDropAfter == 0 && fs.f.ScanFailAfter == 0 {
		return scanOK, 0
	}
	if fs.f.ScanDropAfter > 0 && fs.scanned >= fs.f.ScanDropAfter {
		fs.consume()
		return scanDrop, 0
	}
	if fs.f.ScanFailAfter > 0 && fs.scanned >= fs.f.ScanFailAfter {
		code := fs.f.ScanFailCode
		if code == 0 {
			// A real server never ends a scan cleanly before it has
			// covered every partition: failing means an error code.
			code = 1 // SERVER_ERROR
		}
		fs.consume()
		return scanFail, code
	}
	fs.scanned++
	return scanOK, 0
}

// writeRecord is called before a record write; a non-zero code refuses it.
func (fs *faultState) writeRecord() int {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if fs.f.WriteFailCode == 0 {
		return 0
	}
	if fs.written >= fs.f.WriteFailAfter {
		code := fs.f.WriteFailCode
		fs.fired++
		if fs.f.Times > 0 && fs.fired >= fs.f.Times {
			fs.f.WriteFailCode = 0
			fs.fired = 0
		}
		return code
	}
	fs.written++
	return 0
}

// refuseRecord is called before a record write; a non-zero code refuses
// the record with that digest.
func (fs *faultState) refuseRecord(d digest) int {
	fs.mu.Lock()
	code, frac := fs.f.RefuseCode, fs.f.RefuseFraction
	fs.mu.Unlock()
	if code == 0 || frac <= 0 {
		return 0
	}
	// Digests are uniform; bytes 8..15 are not the partition bits, so the
	// refused records spread over every partition.
	if float64(binary.BigEndian.Uint64(d[8:16]))/(1<<64) < frac {
		return code
	}
	return 0
}

// Stats count what clients asked of the server since Start or ResetStats.
type Stats struct {
	Info            int64 // info requests
	Reads           int64 // single-record reads (get, exists, header)
	Writes          int64 // single-record writes that succeeded
	Deletes         int64 // single-record deletes that removed a record
	BatchRequests   int64 // batch commands
	BatchReads      int64 // records read through batches
	BatchWrites     int64 // records written through batches
	WriteErrors     int64 // writes refused (exists, generation, faults...)
	KeyExists       int64 // of those, refused because the record exists (CREATE_ONLY)
	Scans           int64 // scan/query commands
	ScannedRecords  int64 // records sent by scans
	FilteredRecords int64 // records a filter expression excluded
}

// StatsInfoCommand is the info command that answers Stats as
// "writes=N;batch-writes=N;...", for tools that run the server in another
// process (cmd/aerospike-testserver) and need its counters. A real server
// answers it with an error.
const StatsInfoCommand = "aerospiketest-stats"

// CollectInfoCommand is the info command that runs the server's garbage
// collector at once and answers "ok". The records of a test server live on
// the Go heap, so a collection marks all of them; a benchmark (make bench)
// asks for one before each measured run, so that the server collects
// between runs rather than at random inside them. A real server, which has
// no collector, answers it with an error.
const CollectInfoCommand = "aerospiketest-collect"

// String renders the counters as the StatsInfoCommand answer.
func (st Stats) String() string {
	return fmt.Sprintf("info=%d;reads=%d;writes=%d;deletes=%d;batch-requests=%d;batch-reads=%d;batch-writes=%d;"+
		"write-errors=%d;key-exists=%d;scans=%d;scanned-records=%d;filtered-records=%d",
		st.Info, st.Reads, st.Writes, st.Deletes, st.BatchRequests, st.BatchReads, st.BatchWrites,
		st.WriteErrors, st.KeyExists, st.Scans, st.ScannedRecords, st.FilteredRecords)
}

// ParseStats reads a StatsInfoCommand answer back.
func ParseStats(s string) (Stats, error) {
	var st Stats
	dst := map[string]*int64{"info": &st.Info, "reads": &st.Reads, "writes": &st.Writes, "deletes": &st.Deletes,
		"batch-requests": &st.BatchRequests, "batch-reads": &st.BatchReads, "batch-writes": &st.BatchWrites,
		"write-errors": &st.WriteErrors, "key-exists": &st.KeyExists, "scans": &st.Scans, "scanned-records": &st.ScannedRecords,
		"filtered-records": &st.FilteredRecords}
	for _, kv := range strings.Split(strings.TrimSpace(s), ";") {
		k, v, ok := strings.Cut(kv, "=")
		p, known := dst[k]
		if !ok || !known {
			return Stats{}, fmt.Errorf("aerospiketest: stats %q: unexpected %q", s, kv)
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return Stats{}, fmt.Errorf("aerospiketest: stats %q: %w", s, err)
		}
		*p = n
	}
	return st, nil
}

type statCounters struct {
	info, reads, writes, deletes, batches, batchReads, batchWrites,
	writeErrors, keyExists, scans, scanned, filtered atomic.Int64
}

// Stats returns the request counters.
func (s *Server) Stats() Stats {
	c := &s.stats
	return Stats{
		Info: c.info.Load(), Reads: c.reads.Load(), Writes: c.writes.Load(), Deletes: c.deletes.Load(),
		BatchRequests: c.batches.Load(), BatchReads: c.batchReads.Load(), BatchWrites: c.batchWrites.Load(),
		WriteErrors: c.writeErrors.Load(), KeyExists: c.keyExists.Load(), Scans: c.scans.Load(), ScannedRecords: c.scanned.Load(),
		FilteredRecords: c.filtered.Load(),
	}
}

// ResetStats zeroes the request counters.
func (s *Server) ResetStats() {
	c := &s.stats
	for _, v := range []*atomic.Int64{&c.info, &c.reads, &c.writes, &c.deletes, &c.batches, &c.batchReads,
		&c.batchWrites, &c.writeErrors, &c.keyExists, &c.scans, &c.scanned, &c.filtered} {
		v.Store(0)
	}
}
