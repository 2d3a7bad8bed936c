package aerospiketest

import (
	"encoding/binary"
	"fmt"
	"math"
)

// A minimal MessagePack reader for filter expressions. Aerospike packs
// strings as msgpack str whose first byte is the particle type (3 string,
// 4 blob, 23 GeoJSON); bin names and regexes are "raw" strings without it.

type mpKind int

const (
	mpNil mpKind = iota
	mpBool
	mpInt
	mpFloat
	mpStr // str/bin family; data holds the bytes
	mpArray
	mpMap
	mpExt
)

type mpValue struct {
	kind  mpKind
	i     int64
	f     float64
	b     bool
	data  []byte    // str bytes, or the raw encoding of an array/map
	items []mpValue // array elements, or map keys and values interleaved
}

type mpReader struct {
	b []byte
	p int
}

func (r *mpReader) need(n int) error {
	if r.p+n > len(r.b) {
		return fmt.Errorf("msgpack: truncated at byte %d", r.p)
	}
	return nil
}

func (r *mpReader) read() (mpValue, error) {
	start := r.p
	if err := r.need(1); err != nil {
		return mpValue{}, err
	}
	c := r.b[r.p]
	r.p++
	switch {
	case c <= 0x7f:
		return mpValue{kind: mpInt, i: int64(c)}, nil
	case c >= 0xe0:
		return mpValue{kind: mpInt, i: int64(int8(c))}, nil
	case c&0xe0 == 0xa0:
		return r.str(int(c & 0x1f))
	case c&0xf0 == 0x90:
		return r.array(start, int(c&0x0f))
	case c&0xf0 == 0x80:
		return r.mapv(start, int(c&0x0f))
	}
	switch c {
	case 0xc0:
		return mpValue{kind: mpNil}, nil
	case 0xc2, 0xc3:
		return mpValue{kind: mpBool, b: c == 0xc3}, nil
	case 0xcc, 0xcd, 0xce, 0xcf:
		n := 1 << (c - 0xcc)
		u, err := r.uint(n)
		return mpValue{kind: mpInt, i: int64(u)}, err
	case 0xd0, 0xd1, 0xd2, 0xd3:
		n := 1 << (c - 0xd0)
		u, err := r.uint(n)
		shift := 64 - 8*n
		return mpValue{kind: mpInt, i: int64(u<<shift) >> shift}, err
	case 0xca:
		u, err := r.uint(4)
		return mpValue{kind: mpFloat, f: float64(math.Float32frombits(uint32(u)))}, err
	case 0xcb:
		u, err := r.uint(8)
		return mpValue{kind: mpFloat, f: math.Float64frombits(u)}, err
	case 0xd9, 0xc4:
		n, err := r.uint(1)
		if err != nil {
			return mpValue{}, err
		}
		return r.str(int(n))
	case 0xda, 0xc5:
		n, err := r.uint(2)
		if err != nil {
			return mpValue{}, err
		}
		return r.str(int(n))
	case 0xdb, 0xc6:
		n, err := r.uint(4)
		if err != nil {
			return mpValue{}, err
		}
		return r.str(int(n))
	case 0xdc:
		n, err := r.uint(2)
		if err != nil {
			return mpValue{}, err
		}
		return r.array(start, int(n))
	case 0xdd:
		n, err := r.uint(4)
		if err != nil {
			return mpValue{}, err
		}
		return r.array(start, int(n))
	case 0xde:
		n, err := r.uint(2)
		if err != nil {
			return mpValue{}, err
		}
		return r.mapv(start, int(n))
	case 0xdf:
		n, err := r.uint(4)
		if err != nil {
			return mpValue{}, err
		}
		return r.mapv(start, int(n))
	case 0xd4, 0xd5, 0xd6, 0xd7, 0xd8:
		n := 1 << (c - 0xd4)
		if err := r.need(1 + n); err != nil {
			return mpValue{}, err
		}
		v := mpValue{kind: mpExt, i: int64(r.b[r.p]), data: r.b[r.p+1 : r.p+1+n]}
		r.p += 1 + n
		return v, nil
	case 0xc7, 0xc8, 0xc9:
		ln, err := r.uint(1 << (c - 0xc7))
		if err != nil {
			return mpValue{}, err
		}
		if err := r.need(1 + int(ln)); err != nil {
			return mpValue{}, err
		}
		v := mpValue{kind: mpExt, i: int64(r.b[r.p]), data: r.b[r.p+1 : r.p+1+int(ln)]}
		r.p += 1 + int(ln)
		return v, nil
	}
	return mpValue{}, fmt.Errorf("msgpack: unsupported type byte 0x%02x", c)
}

func (r *mpReader) uint(n int) (uint64, error) {
	if err := r.need(n); err != nil {
		return 0, err
	}
	var u uint64
	switch n {
	case 1:
		u = uint64(r.b[r.p])
	case 2:
		u = uint64(binary.BigEndian.Uint16(r.b[r.p:]))
	case 4:
		u = uint64(binary.BigEndian.Uint32(r.b[r.p:]))
	case 8:
		u = binary.BigEndian.Uint64(r.b[r.p:])
	}
	r.p += n
	return u, nil
}

func (r *mpReader) str(n int) (mpValue, error) {
	if err := r.need(n); err != nil {
		return mpValue{}, err
	}
	v := mpValue{kind: mpStr, data: r.b[r.p : r.p+n]}
	r.p += n
	return v, nil
}

func (r *mpReader) array(start, n int) (mpValue, error) {
	v := mpValue{kind: mpArray, items: make([]mpValue, 0, min(n, 64))}
	for range n {
		it, err := r.read()
		if err != nil {
			return mpValue{}, err
		}
		v.items = append(v.items, it)
	}
	v.data = r.b[start:r.p]
	return v, nil
}

func (r *mpReader) mapv(start, n int) (mpValue, error) {
	v := mpValue{kind: mpMap, items: make([]mpValue, 0, min(2*n, 64))}
	for range 2 * n {
		it, err := r.read()
		if err != nil {
			return mpValue{}, err
		}
		v.items = append(v.items, it)
	}
	v.data = r.b[start:r.p]
	return v, nil
}
