package aerospiketest

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Proto header: version (1 byte) | type (1 byte) | length (6 bytes), big endian.
const (
	protoVersion       = 2
	protoInfo          = 1
	protoAdmin         = 2
	protoMsg           = 3
	protoMsgCompressed = 4

	msgHeaderSize = 22 // AS_MSG header after the proto header
	maxProtoSize  = 128 << 20
)

// info1..info3 flags, as the client sets them.
const (
	info1Read         = 1 << 0
	info1GetAll       = 1 << 1
	info1Batch        = 1 << 3
	info1NoBinData    = 1 << 5
	info2Write        = 1 << 0
	info2Delete       = 1 << 1
	info2Generation   = 1 << 2
	info2GenerationGT = 1 << 3
	info2CreateOnly   = 1 << 5
	info2RespondAll   = 1 << 7
	info3Last         = 1 << 0
	info3PartDone     = 1 << 2
	info3UpdateOnly   = 1 << 3
	info3CreateOrRepl = 1 << 4
	info3ReplaceOnly  = 1 << 5
)

// Field types.
const (
	fieldNamespace     = 0
	fieldSet           = 1
	fieldKey           = 2
	fieldDigest        = 4
	fieldTxnID         = 5
	fieldQueryID       = 7
	fieldSocketTimeout = 9
	fieldRPS           = 10
	fieldPIDArray      = 11
	fieldDigestArray   = 12
	fieldMaxRecords    = 13
	fieldIndexName     = 21
	fieldIndexRange    = 22
	fieldUDFPackage    = 30
	fieldBatchIndex    = 41
	fieldBatchWithSet  = 42
	fieldFilterExp     = 43
)

// Operation types.
const (
	opRead       = 1
	opWrite      = 2
	opCDTRead    = 3
	opCDTModify  = 4
	opAdd        = 5
	opExpRead    = 7
	opExpModify  = 8
	opAppend     = 9
	opPrepend    = 10
	opTouch      = 11
	opBitRead    = 12
	opBitModify  = 13
	opDelete     = 14
	opHLLRead    = 15
	opHLLModify  = 16
	maxBinName   = 15
	citrusleafEp = 1262304000 // seconds from the Unix epoch to 2010-01-01, the server's epoch
)

// Particle types.
const (
	ptNull    = 0
	ptInteger = 1
	ptFloat   = 2
	ptString  = 3
	ptBlob    = 4
	ptBool    = 17
	ptHLL     = 18
	ptMap     = 19
	ptList    = 20
	ptGeoJSON = 23
)

// Result codes the server answers with (values as in the client's types package).
const (
	rcOK                 = 0
	rcServerError        = 1
	rcKeyNotFound        = 2
	rcGeneration         = 3
	rcParameter          = 4
	rcKeyExists          = 5
	rcBinType            = 12
	rcUnsupportedFeature = 16
	rcInvalidNamespace   = 20
	rcBinNameTooLong     = 21
	rcOpNotApplicable    = 26
	rcFilteredOut        = 27
)

type field struct {
	typ  byte
	data []byte
}

type operation struct {
	op    byte
	ptype byte
	name  string
	value []byte
}

// message is one parsed AS_MSG.
type message struct {
	info1, info2, info3, info4 byte
	resultCode                 byte
	generation                 uint32
	recordTTL                  uint32
	txnTTL                     uint32
	fields                     []field
	ops                        []operation
}

func (m *message) field(t byte) ([]byte, bool) {
	for _, f := range m.fields {
		if f.typ == t {
			return f.data, true
		}
	}
	return nil, false
}

var errShort = errors.New("message truncated")

// readProto reads one proto frame, inflating compressed AS_MSG frames.
func readProto(r io.Reader, hdr []byte) (byte, []byte, error) {
	if _, err := io.ReadFull(r, hdr[:8]); err != nil {
		return 0, nil, err
	}
	typ, size, err := parseProtoHeader(hdr[:8])
	if err != nil {
		return 0, nil, err
	}
	body := make([]byte, size)
	if _, err := io.ReadFull(r, body); err != nil {
		return 0, nil, err
	}
	if typ != protoMsgCompressed {
		return typ, body, nil
	}
	// Compressed: 8-byte uncompressed size, then a zlib stream holding a whole proto frame.
	if len(body) < 8 {
		return 0, nil, errShort
	}
	zr, err := zlib.NewReader(bytes.NewReader(body[8:]))
	if err != nil {
		return 0, nil, fmt.Errorf("inflate request: %w", err)
	}
	inner, err := io.ReadAll(zr)
	if err != nil {
		return 0, nil, fmt.Errorf("inflate request: %w", err)
	}
	if len(inner) < 8 {
		return 0, nil, errShort
	}
	ityp, isize, err := parseProtoHeader(inner[:8])
	if err != nil {
		return 0, nil, err
	}
	if int(isize) > len(inner)-8 {
		return 0, nil, errShort
	}
	return ityp, inner[8 : 8+isize], nil
}

func parseProtoHeader(h []byte) (byte, uint64, error) {
	v := binary.BigEndian.Uint64(h)
	if h[0] != protoVersion {
		return 0, 0, fmt.Errorf("unsupported proto version %d", h[0])
	}
	size := v & 0xFFFFFFFFFFFF
	if size > maxProtoSize {
		return 0, 0, fmt.Errorf("proto frame of %d bytes is too large", size)
	}
	return h[1], size, nil
}

func putProtoHeader(b []byte, typ byte, size int) {
	binary.BigEndian.PutUint64(b, uint64(size)|uint64(protoVersion)<<56|uint64(typ)<<48)
}

// frame wraps body in a proto header.
func frame(typ byte, body []byte) []byte {
	out := make([]byte, 8+len(body))
	putProtoHeader(out, typ, len(body))
	copy(out[8:], body)
	return out
}

// parseMessage decodes an AS_MSG body (after the proto header).
func parseMessage(b []byte) (*message, error) {
	if len(b) < msgHeaderSize || b[0] < msgHeaderSize {
		return nil, errShort
	}
	m := &message{
		info1:      b[1],
		info2:      b[2],
		info3:      b[3],
		info4:      b[4],
		resultCode: b[5],
		generation: binary.BigEndian.Uint32(b[6:]),
		recordTTL:  binary.BigEndian.Uint32(b[10:]),
		txnTTL:     binary.BigEndian.Uint32(b[14:]),
	}
	nFields := int(binary.BigEndian.Uint16(b[18:]))
	nOps := int(binary.BigEndian.Uint16(b[20:]))
	p := int(b[0])
	var err error
	m.fields, p, err = parseFields(b, p, nFields)
	if err != nil {
		return nil, err
	}
	m.ops, _, err = parseOps(b, p, nOps)
	if err != nil {
		return nil, err
	}
	return m, nil
}

func parseFields(b []byte, p, n int) ([]field, int, error) {
	fields := make([]field, 0, n)
	for range n {
		if p+5 > len(b) {
			return nil, p, errShort
		}
		sz := int(binary.BigEndian.Uint32(b[p:]))
		if sz < 1 || p+4+sz > len(b) {
			return nil, p, errShort
		}
		fields = append(fields, field{typ: b[p+4], data: b[p+5 : p+4+sz]})
		p += 4 + sz
	}
	return fields, p, nil
}

func parseOps(b []byte, p, n int) ([]operation, int, error) {
	ops := make([]operation, 0, n)
	for range n {
		if p+8 > len(b) {
			return nil, p, errShort
		}
		sz := int(binary.BigEndian.Uint32(b[p:]))
		nameLen := int(b[p+7])
		if sz < 4+nameLen || p+4+sz > len(b) {
			return nil, p, errShort
		}
		ops = append(ops, operation{
			op:    b[p+4],
			ptype: b[p+5],
			name:  string(b[p+8 : p+8+nameLen]),
			value: b[p+8+nameLen : p+4+sz],
		})
		p += 4 + sz
	}
	return ops, p, nil
}

// msgHeader is what a response AS_MSG carries besides fields and ops.
type msgHeader struct {
	info3      byte
	resultCode byte
	generation uint32
	voidTime   uint32 // seconds since the server epoch, 0 = never expires
	txnTTL     uint32 // batch index in batch responses
}

// appendMessage appends one response AS_MSG (without proto header) to dst.
func appendMessage(dst []byte, h msgHeader, fields []field, bins []bin) []byte {
	var hdr [msgHeaderSize]byte
	hdr[0] = msgHeaderSize
	hdr[3] = h.info3
	hdr[5] = h.resultCode
	binary.BigEndian.PutUint32(hdr[6:], h.generation)
	binary.BigEndian.PutUint32(hdr[10:], h.voidTime)
	binary.BigEndian.PutUint32(hdr[14:], h.txnTTL)
	binary.BigEndian.PutUint16(hdr[18:], uint16(len(fields)))
	binary.BigEndian.PutUint16(hdr[20:], uint16(len(bins)))
	dst = append(dst, hdr[:]...)
	for _, f := range fields {
		dst = binary.BigEndian.AppendUint32(dst, uint32(len(f.data)+1))
		dst = append(dst, f.typ)
		dst = append(dst, f.data...)
	}
	for _, b := range bins {
		dst = binary.BigEndian.AppendUint32(dst, uint32(4+len(b.name)+len(b.value)))
		dst = append(dst, opRead, b.ptype, 0, byte(len(b.name)))
		dst = append(dst, b.name...)
		dst = append(dst, b.value...)
	}
	return dst
}
