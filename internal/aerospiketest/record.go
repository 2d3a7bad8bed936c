package aerospiketest

import (
	"bytes"
	"encoding/binary"
	"math"
	"slices"
	"time"
)

// recordReq is one record command, from a single message or a batch entry.
type recordReq struct {
	info1, info2, info3 byte
	gen                 uint32
	ttl                 uint32
	ns, set             string
	d                   digest
	key                 []byte
	filter              *expNode
	ops                 []operation
}

func (req *recordReq) isWrite() bool { return req.info2&(info2Write|info2Delete) != 0 }

// requestFromMessage builds a record request from a single-record AS_MSG.
func requestFromMessage(m *message) (*recordReq, byte) {
	req := &recordReq{
		info1: m.info1, info2: m.info2, info3: m.info3,
		gen: m.generation, ttl: m.recordTTL, ops: m.ops,
	}
	for _, f := range m.fields {
		switch f.typ {
		case fieldNamespace:
			req.ns = string(f.data)
		case fieldSet:
			req.set = string(f.data)
		case fieldDigest:
			if len(f.data) != 20 {
				return nil, rcParameter
			}
			copy(req.d[:], f.data)
		case fieldKey:
			req.key = bytes.Clone(f.data)
		case fieldFilterExp:
			exp, err := compileExp(f.data)
			if err != nil {
				return nil, rcParameter
			}
			req.filter = exp
		case fieldTxnID, fieldUDFPackage:
			// Multi-record transactions and record UDFs need a real server.
			return nil, rcUnsupportedFeature
		}
	}
	return req, rcOK
}

func (s *Server) single(m *message) (msgHeader, []bin) {
	req, rc := requestFromMessage(m)
	if rc != rcOK {
		return msgHeader{resultCode: rc}, nil
	}
	return s.execute(req, false)
}

// execute runs one record command; batch selects which counters move.
func (s *Server) execute(req *recordReq, batch bool) (msgHeader, []bin) {
	ns := s.ns(req.ns)
	if ns == nil {
		return msgHeader{resultCode: rcInvalidNamespace}, nil
	}
	if req.isWrite() {
		h, bins := s.write(ns, req)
		switch {
		case h.resultCode != rcOK:
			s.stats.writeErrors.Add(1)
			if h.resultCode == rcKeyExists {
				s.stats.keyExists.Add(1)
			}
		case batch:
			s.stats.batchWrites.Add(1)
		case req.info2&info2Delete != 0:
			s.stats.deletes.Add(1)
		default:
			s.stats.writes.Add(1)
		}
		return h, bins
	}
	if batch {
		s.stats.batchReads.Add(1)
	} else {
		s.stats.reads.Add(1)
	}
	return s.read(ns, req)
}

func (s *Server) read(ns *namespace, req *recordReq) (msgHeader, []bin) {
	now := s.clock.now()
	r := ns.get(req.d, now)
	if r == nil {
		return msgHeader{resultCode: rcKeyNotFound}, nil
	}
	if req.filter != nil && !req.filter.matches(&evalCtx{d: req.d, r: r, now: now}) {
		return msgHeader{resultCode: rcFilteredOut}, nil
	}
	h := msgHeader{generation: r.gen, voidTime: s.wireVoidTime(r.voidTime)}
	if req.info1&info1NoBinData != 0 {
		return h, nil
	}
	if req.info1&info1GetAll != 0 || len(req.ops) == 0 {
		return h, r.bins
	}
	var out []bin
	for _, op := range req.ops {
		if op.op != opRead {
			return msgHeader{resultCode: rcUnsupportedFeature}, nil
		}
		if op.name == "" {
			out = append(out, r.bins...)
		} else if b, ok := r.bin(op.name); ok {
			out = append(out, b)
		}
	}
	return h, out
}

func (s *Server) voidTime(ttl uint32, old *record, now time.Time) int64 {
	switch ttl {
	case 0: // namespace default
		if s.opts.DefaultTTL <= 0 {
			return 0
		}
		return now.Add(s.opts.DefaultTTL).Unix()
	case math.MaxUint32: // never expire
		return 0
	case math.MaxUint32 - 1: // keep the record's current expiration
		if old != nil {
			return old.voidTime
		}
		return s.voidTime(0, nil, now)
	}
	return now.Unix() + int64(ttl)
}

// write applies a write/delete/operate command under the namespace lock,
// with the record-exists and generation rules a server applies.
func (s *Server) write(ns *namespace, req *recordReq) (msgHeader, []bin) {
	if code := s.faults.writeRecord(); code != 0 {
		return msgHeader{resultCode: byte(code)}, nil
	}
	if code := s.faults.refuseRecord(req.d); code != 0 {
		return msgHeader{resultCode: byte(code)}, nil
	}
	now := s.clock.now()
	ns.mu.Lock()
	defer ns.mu.Unlock()
	part := ns.parts[partitionOf(req.d[:])]
	old := part[req.d]
	if old != nil && old.expired(now) {
		delete(part, req.d)
		old = nil
	}
	exists := old != nil
	if exists && req.filter != nil && !req.filter.matches(&evalCtx{d: req.d, r: old, now: now}) {
		return msgHeader{resultCode: rcFilteredOut}, nil
	}
	if exists && req.info2&info2Generation != 0 && req.gen != old.gen {
		return msgHeader{resultCode: rcGeneration}, nil
	}
	if exists && req.info2&info2GenerationGT != 0 && req.gen <= old.gen {
		return msgHeader{resultCode: rcGeneration}, nil
	}
	if req.info2&info2Delete != 0 && len(req.ops) == 0 {
		if !exists {
			return msgHeader{resultCode: rcKeyNotFound}, nil
		}
		delete(part, req.d)
		return msgHeader{}, nil
	}
	if exists && req.info2&info2CreateOnly != 0 {
		return msgHeader{resultCode: rcKeyExists}, nil
	}
	if !exists && req.info3&(info3UpdateOnly|info3ReplaceOnly) != 0 {
		return msgHeader{resultCode: rcKeyNotFound}, nil
	}

	var bins []bin
	if exists && req.info3&(info3CreateOrRepl|info3ReplaceOnly) == 0 {
		bins = slices.Clone(old.bins)
	}
	deleted := false
	for _, op := range req.ops {
		if len(op.name) > maxBinName {
			return msgHeader{resultCode: rcBinNameTooLong}, nil
		}
		var rc byte
		switch op.op {
		case opRead:
		case opWrite:
			if op.ptype == ptHLL && !validHLL(op.value) {
				// The server checks an HLL's header and size on write.
				rc = rcParameter
				break
			}
			bins = setBin(bins, op)
		case opAdd, opAppend, opPrepend:
			bins, rc = modifyBin(bins, op)
		case opTouch:
			if !exists {
				rc = rcKeyNotFound
			}
		case opDelete:
			bins, deleted = nil, true
		default:
			rc = rcUnsupportedFeature
		}
		if rc != rcOK {
			return msgHeader{resultCode: rc}, nil
		}
	}
	if len(bins) == 0 {
		// A record left without bins is removed, as on the server.
		if !exists && !deleted {
			return msgHeader{resultCode: rcKeyNotFound}, nil
		}
		delete(part, req.d)
		return msgHeader{}, readResults(req, nil)
	}
	rec := &record{set: req.set, key: req.key, bins: bins, gen: 1, lut: now.UnixMilli()}
	if exists && !deleted {
		rec.gen = old.gen + 1
		if rec.gen > math.MaxUint16 { // the server's generation is 16 bits and skips 0
			rec.gen = 1
		}
	}
	if exists {
		if rec.key == nil {
			rec.key = old.key
		}
		if rec.set == "" {
			rec.set = old.set
		}
	}
	rec.voidTime = s.voidTime(req.ttl, old, now)
	part[req.d] = rec
	return msgHeader{generation: rec.gen, voidTime: s.wireVoidTime(rec.voidTime)}, readResults(req, rec)
}

// readResults answers the read operations of an operate command.
func readResults(req *recordReq, r *record) []bin {
	respondAll := req.info2&info2RespondAll != 0
	var out []bin
	for _, op := range req.ops {
		switch {
		case op.op == opRead && r != nil && op.name == "":
			out = append(out, r.bins...)
		case op.op == opRead && r != nil:
			if b, ok := r.bin(op.name); ok {
				out = append(out, b)
			} else if respondAll {
				out = append(out, bin{name: op.name})
			}
		case respondAll:
			out = append(out, bin{name: op.name})
		}
	}
	return out
}

func setBin(bins []bin, op operation) []bin {
	i := slices.IndexFunc(bins, func(b bin) bool { return b.name == op.name })
	if op.ptype == ptNull {
		if i >= 0 {
			bins = slices.Delete(bins, i, i+1)
		}
		return bins
	}
	b := bin{name: op.name, ptype: op.ptype, value: bytes.Clone(op.value)}
	if i >= 0 {
		bins[i] = b
		return bins
	}
	return append(bins, b)
}

func modifyBin(bins []bin, op operation) ([]bin, byte) {
	i := slices.IndexFunc(bins, func(b bin) bool { return b.name == op.name })
	if i < 0 {
		return setBin(bins, op), rcOK
	}
	cur := bins[i]
	if cur.ptype != op.ptype {
		return nil, rcBinType
	}
	var v []byte
	switch {
	case op.op == opAdd && cur.ptype == ptInteger && len(op.value) == 8:
		v = binary.BigEndian.AppendUint64(nil, binary.BigEndian.Uint64(cur.value)+binary.BigEndian.Uint64(op.value))
	case op.op == opAdd && cur.ptype == ptFloat && len(op.value) == 8:
		f := math.Float64frombits(binary.BigEndian.Uint64(cur.value)) + math.Float64frombits(binary.BigEndian.Uint64(op.value))
		v = binary.BigEndian.AppendUint64(nil, math.Float64bits(f))
	case op.op == opAppend && (cur.ptype == ptString || cur.ptype == ptBlob):
		v = append(bytes.Clone(cur.value), op.value...)
	case op.op == opPrepend && (cur.ptype == ptString || cur.ptype == ptBlob):
		v = append(bytes.Clone(op.value), cur.value...)
	default:
		return nil, rcBinType
	}
	bins[i] = bin{name: cur.name, ptype: cur.ptype, value: v}
	return bins, rcOK
}

// validHLL checks an HLL particle as the server does: flags 0, index bits
// 4..16, min-hash bits 0 or 4..51, an 8-byte cache, then exactly the
// registers those bits call for.
func validHLL(b []byte) bool {
	const header = 11
	if len(b) < header || b[0] != 0 {
		return false
	}
	index, minhash := int(b[1]), int(b[2])
	if index < 4 || index > 16 || (minhash != 0 && (minhash < 4 || minhash > 51)) {
		return false
	}
	bits := (6 + minhash) << index
	return len(b) == header+(bits+7)/8
}
