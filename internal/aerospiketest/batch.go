package aerospiketest

import (
	"bufio"
	"bytes"
	"encoding/binary"
)

// Batch entry type flags (the client's _BATCH_MSG_* values).
const (
	batchRead   = 0x0
	batchRepeat = 0x1
	batchInfo   = 0x2
	batchGen    = 0x4
	batchTTL    = 0x8
	batchInfo4  = 0x10
)

// flushSize is when a streamed response (batch, scan) is sent as one proto frame.
const flushSize = 128 << 10

// stream accumulates response messages and sends them in proto frames.
type stream struct {
	w   *bufio.Writer
	buf []byte
}

func newStream(w *bufio.Writer) *stream {
	return &stream{w: w, buf: make([]byte, 8, flushSize+4096)}
}

func (st *stream) add(h msgHeader, fields []field, bins []bin) error {
	st.buf = appendMessage(st.buf, h, fields, bins)
	if len(st.buf) >= flushSize {
		return st.flush(false)
	}
	return nil
}

// flush sends what is buffered; sync also flushes the socket writer.
func (st *stream) flush(sync bool) error {
	if len(st.buf) > 8 {
		putProtoHeader(st.buf, protoMsg, len(st.buf)-8)
		if _, err := st.w.Write(st.buf); err != nil {
			return err
		}
		st.buf = st.buf[:8]
	}
	if sync {
		return st.w.Flush()
	}
	return nil
}

// finish sends the last message carrying the command's result code.
func (st *stream) finish(rc byte) error {
	st.buf = appendMessage(st.buf, msgHeader{info3: info3Last, resultCode: rc}, nil, nil)
	return st.flush(false)
}

func (s *Server) handleBatch(w *bufio.Writer, m *message) error {
	s.stats.batches.Add(1)
	st := newStream(w)
	data, ok := m.field(fieldBatchIndex)
	if !ok {
		// The set-in-every-entry format predates server 6 and is not spoken here.
		return st.finish(rcUnsupportedFeature)
	}
	var batchFilter *expNode
	if f, ok := m.field(fieldFilterExp); ok {
		exp, err := compileExp(f)
		if err != nil {
			return st.finish(rcParameter)
		}
		batchFilter = exp
	}
	entries, err := parseBatch(data)
	if err != nil {
		return st.finish(rcParameter)
	}
	for _, e := range entries {
		req := e.req
		if req.filter == nil {
			req.filter = batchFilter
		}
		var h msgHeader
		var bins []bin
		if e.rc != rcOK {
			h.resultCode = e.rc
		} else {
			h, bins = s.execute(&req, true)
		}
		h.txnTTL = e.index
		if err := st.add(h, nil, bins); err != nil {
			return err
		}
	}
	return st.finish(rcOK)
}

type batchEntry struct {
	index uint32
	req   recordReq
	rc    byte
}

// parseBatch decodes a BATCH_INDEX field: count, flags, then entries that
// either repeat the previous entry's command or carry their own.
func parseBatch(b []byte) ([]batchEntry, error) {
	if len(b) < 5 {
		return nil, errShort
	}
	n := int(binary.BigEndian.Uint32(b))
	p := 5
	entries := make([]batchEntry, 0, min(n, 4096))
	var prev recordReq
	for range n {
		if p+25 > len(b) {
			return nil, errShort
		}
		e := batchEntry{index: binary.BigEndian.Uint32(b[p:])}
		var d digest
		copy(d[:], b[p+4:p+24])
		typ := b[p+24]
		p += 25
		if typ == batchRepeat {
			e.req = prev
			e.req.d = d
			e.req.key = nil
			entries = append(entries, e)
			continue
		}
		req := recordReq{d: d}
		if typ&batchInfo != 0 {
			if p+3 > len(b) {
				return nil, errShort
			}
			req.info1, req.info2, req.info3 = b[p], b[p+1], b[p+2]
			p += 3
		}
		if typ&batchInfo4 != 0 {
			p++
		}
		if typ&batchGen != 0 {
			if p+2 > len(b) {
				return nil, errShort
			}
			req.gen = uint32(binary.BigEndian.Uint16(b[p:]))
			p += 2
		}
		if typ&batchTTL != 0 {
			if p+4 > len(b) {
				return nil, errShort
			}
			req.ttl = binary.BigEndian.Uint32(b[p:])
			p += 4
		}
		if typ == batchRead {
			if p+1 > len(b) {
				return nil, errShort
			}
			req.info1 = b[p]
			p++
		}
		if p+4 > len(b) {
			return nil, errShort
		}
		nFields := int(binary.BigEndian.Uint16(b[p:]))
		nOps := int(binary.BigEndian.Uint16(b[p+2:]))
		p += 4
		var fields []field
		var err error
		if fields, p, err = parseFields(b, p, nFields); err != nil {
			return nil, err
		}
		if req.ops, p, err = parseOps(b, p, nOps); err != nil {
			return nil, err
		}
		for _, f := range fields {
			switch f.typ {
			case fieldNamespace:
				req.ns = string(f.data)
			case fieldSet:
				req.set = string(f.data)
			case fieldKey:
				req.key = bytes.Clone(f.data)
			case fieldFilterExp:
				exp, cerr := compileExp(f.data)
				if cerr != nil {
					e.rc = rcParameter
				}
				req.filter = exp
			case fieldTxnID, fieldUDFPackage:
				e.rc = rcUnsupportedFeature
			}
		}
		// Ops are re-sliced from the request buffer, which stays alive
		// until the batch is answered; values are copied when stored.
		e.req = req
		prev = req
		entries = append(entries, e)
	}
	return entries, nil
}
