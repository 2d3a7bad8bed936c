package aerospiketest

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"time"
)

type scanPart struct {
	pid   int
	after *digest // resume strictly after this digest
}

// handleScan serves partition scans and filter-less queries: records of
// the requested partitions in digest order, each partition followed by a
// partition-done marker, and a last message with the result code.
func (s *Server) handleScan(w *bufio.Writer, m *message) error {
	s.stats.scans.Add(1)
	end := s.scanBegin()
	defer end()
	st := newStream(w)
	var (
		nsName, set string
		parts       []scanPart
		maxRecords  int64
		rps         int
		filter      *expNode
	)
	for _, f := range m.fields {
		switch f.typ {
		case fieldNamespace:
			nsName = string(f.data)
		case fieldSet:
			set = string(f.data)
		case fieldPIDArray:
			for i := 0; i+2 <= len(f.data); i += 2 {
				parts = append(parts, scanPart{pid: int(binary.LittleEndian.Uint16(f.data[i:])) & (partitionCount - 1)})
			}
		case fieldDigestArray:
			for i := 0; i+20 <= len(f.data); i += 20 {
				var d digest
				copy(d[:], f.data[i:])
				parts = append(parts, scanPart{pid: partitionOf(d[:]), after: &d})
			}
		case fieldMaxRecords:
			if len(f.data) == 8 {
				maxRecords = int64(binary.BigEndian.Uint64(f.data))
			}
		case fieldRPS:
			if len(f.data) == 4 {
				rps = int(binary.BigEndian.Uint32(f.data))
			}
		case fieldFilterExp:
			exp, err := compileExp(f.data)
			if err != nil {
				s.log.Debug("aerospiketest: refused filter expression", "error", err)
				return st.finish(rcParameter)
			}
			filter = exp
		case fieldIndexName, fieldIndexRange, fieldUDFPackage:
			// Secondary-index queries and aggregations need a real server.
			return st.finish(rcUnsupportedFeature)
		}
	}
	ns := s.ns(nsName)
	if ns == nil {
		return st.finish(rcInvalidNamespace)
	}
	if parts == nil {
		parts = make([]scanPart, partitionCount)
		for i := range parts {
			parts[i].pid = i
		}
	}
	noBins := m.info1&info1NoBinData != 0
	var binNames []string
	for _, op := range m.ops {
		binNames = append(binNames, op.name)
	}
	partDone := m.info3&info3PartDone != 0

	start := time.Now()
	var sent int64
	var fields [4]field
	for _, sp := range parts {
		if !s.holdsPartition(sp.pid) {
			if err := s.partitionUnavailable(st, sp.pid, partDone); err != nil {
				return err
			}
			continue
		}
		records := ns.partition(sp.pid)
		now := s.clock.now()
		for _, dr := range records {
			if sp.after != nil && bytes.Compare(dr.d[:], sp.after[:]) <= 0 {
				continue
			}
			r := dr.r
			if r.expired(now) || (set != "" && r.set != set) {
				continue
			}
			if filter != nil && !filter.matches(&evalCtx{d: dr.d, r: r, now: now}) {
				s.stats.filtered.Add(1)
				continue
			}
			if maxRecords > 0 && sent >= maxRecords {
				// Stopped inside this partition: no done marker, so the
				// client resumes it from its last digest.
				return st.finish(rcOK)
			}
			switch fault, code := s.faults.scanRecord(); fault {
			case scanDrop:
				st.flush(true)
				return errDrop
			case scanFail:
				return st.finish(byte(code))
			}
			last, err := s.admitRead()
			if err != nil {
				return err
			}
			d := dr.d
			fl := append(fields[:0], field{fieldDigest, d[:]}, field{fieldNamespace, []byte(ns.name)})
			if r.set != "" {
				fl = append(fl, field{fieldSet, []byte(r.set)})
			}
			if r.key != nil {
				fl = append(fl, field{fieldKey, r.key})
			}
			var bins []bin
			switch {
			case noBins:
			case len(binNames) > 0:
				for _, name := range binNames {
					if b, ok := r.bin(name); ok {
						bins = append(bins, b)
					}
				}
			default:
				bins = r.bins
			}
			if err := st.add(msgHeader{generation: r.gen, voidTime: s.wireVoidTime(r.voidTime)}, fl, bins); err != nil {
				return err
			}
			sent++
			s.stats.scanned.Add(1)
			if last {
				return s.crash(st)
			}
			if rps > 0 {
				// Pace to records-per-second, sending what is ready before sleeping.
				due := start.Add(time.Duration(sent) * time.Second / time.Duration(rps))
				if wait := time.Until(due); wait > 0 {
					if err := st.flush(true); err != nil {
						return err
					}
					time.Sleep(wait)
				}
			}
		}
		s.node.partitions.Add(1)
		if partDone {
			if err := st.add(msgHeader{info3: info3PartDone, generation: uint32(sp.pid)}, nil, nil); err != nil {
				return err
			}
		}
	}
	// The scan ends before its last message leaves, so a client that
	// starts the next one on reading it never sees the two overlap.
	end()
	return st.finish(rcOK)
}
