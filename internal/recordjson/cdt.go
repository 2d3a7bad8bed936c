package recordjson

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"math"

	particle "github.com/aerospike/aerospike-client-go/v8/types/particle_type"
)

// maxDepth bounds how deeply lists and maps may nest, so that crafted input
// cannot exhaust the stack; stored CDTs are far shallower.
const maxDepth = 256

// Order names of lists and maps. The order flags come in an extension
// element at the head of the array (a list) or as the first key, paired
// with nil (a map); the ext type byte holds the flags.
const (
	OrderUnordered       = "unordered"
	OrderOrdered         = "ordered"
	OrderKeyOrdered      = "key-ordered"
	OrderKeyValueOrdered = "key-value-ordered"

	listOrdered     = 0x01
	mapKeyOrdered   = 0x01
	mapKeyValueOrdr = 0x03
)

// cdtReader reads one msgpack value of a list or map particle. Offsets in
// its errors count from the particle's first byte.
type cdtReader struct {
	b   []byte
	off int
}

// decodeCDT reads a list or map particle whole: one msgpack array (list) or
// map, nothing after it.
func decodeCDT(kind string, data []byte) (TypedValue, error) {
	r := &cdtReader{b: data}
	if len(data) == 0 {
		return TypedValue{}, fmt.Errorf("%s: empty msgpack", kind)
	}
	if got := r.kindAt(0); got != kind {
		return TypedValue{}, fmt.Errorf("%s: msgpack holds a %s (code 0x%02x at byte 0), want a %s", kind, got, data[0], kind)
	}
	v, err := r.value(0)
	if err != nil {
		return TypedValue{}, fmt.Errorf("%s: %w", kind, err)
	}
	if r.off != len(data) {
		return TypedValue{}, fmt.Errorf("%s: %d bytes after the %s at byte %d", kind, len(data)-r.off, kind, r.off)
	}
	return v, nil
}

// kindAt names what the msgpack code at off begins, for a mismatch message.
func (r *cdtReader) kindAt(off int) string {
	c := r.b[off]
	switch {
	case c >= 0x90 && c <= 0x9f, c == 0xdc, c == 0xdd:
		return TypeList
	case c >= 0x80 && c <= 0x8f, c == 0xde, c == 0xdf:
		return TypeMap
	}
	return "scalar"
}

func (r *cdtReader) truncated(at int) error {
	return fmt.Errorf("truncated msgpack at byte %d", at)
}

// take returns the next n bytes, or an error naming at, the offset of the
// element they belong to.
func (r *cdtReader) take(n uint64, at int) ([]byte, error) {
	if n > uint64(len(r.b)-r.off) {
		return nil, r.truncated(at)
	}
	p := r.b[r.off : r.off+int(n)]
	r.off += int(n)
	return p, nil
}

// uint reads a big-endian unsigned integer of size bytes.
func (r *cdtReader) uint(size int, at int) (uint64, error) {
	p, err := r.take(uint64(size), at)
	if err != nil {
		return 0, err
	}
	switch size {
	case 1:
		return uint64(p[0]), nil
	case 2:
		return uint64(binary.BigEndian.Uint16(p)), nil
	case 4:
		return uint64(binary.BigEndian.Uint32(p)), nil
	}
	return binary.BigEndian.Uint64(p), nil
}

// value reads one element at r.off.
func (r *cdtReader) value(depth int) (TypedValue, error) {
	at := r.off
	if at >= len(r.b) {
		return TypedValue{}, r.truncated(at)
	}
	c := r.b[at]
	r.off++
	switch {
	case c <= 0x7f:
		return intValue(int64(c)), nil
	case c >= 0xe0:
		return intValue(int64(int8(c))), nil
	case c <= 0x8f:
		return r.mapBody(uint64(c&0x0f), at, depth)
	case c <= 0x9f:
		return r.listBody(uint64(c&0x0f), at, depth)
	case c <= 0xbf:
		return r.str(uint64(c&0x1f), true, at)
	}
	return r.coded(c, at, depth)
}

// coded reads the elements whose code is 0xc0..0xdf.
func (r *cdtReader) coded(c byte, at int, depth int) (TypedValue, error) {
	switch c {
	case 0xc0:
		return TypedValue{Type: TypeNil}, nil
	case 0xc2, 0xc3:
		return TypedValue{Type: TypeBool, Value: c == 0xc3}, nil
	case 0xca:
		u, err := r.uint(4, at)
		return floatValue(float64(math.Float32frombits(uint32(u))), 32), err
	case 0xcb:
		u, err := r.uint(8, at)
		return floatValue(math.Float64frombits(u), 64), err
	case 0xcc, 0xcd, 0xce, 0xcf:
		u, err := r.uint(1<<(c-0xcc), at)
		if u > math.MaxInt64 {
			return uintValue(u), err
		}
		return intValue(int64(u)), err
	case 0xd0, 0xd1, 0xd2, 0xd3:
		size := 1 << (c - 0xd0)
		u, err := r.uint(size, at)
		// Sign-extend from size bytes.
		shift := 64 - 8*size
		return intValue(int64(u<<shift) >> shift), err
	case 0xc4, 0xc5, 0xc6, 0xd9, 0xda, 0xdb:
		size := 1 << (c - 0xc4)
		if c >= 0xd9 {
			size = 1 << (c - 0xd9)
		}
		n, err := r.uint(size, at)
		if err != nil {
			return TypedValue{}, err
		}
		return r.str(n, c >= 0xd9, at)
	case 0xdc, 0xdd:
		n, err := r.uint(2<<(c-0xdc), at)
		if err != nil {
			return TypedValue{}, err
		}
		return r.listBody(n, at, depth)
	case 0xde, 0xdf:
		n, err := r.uint(2<<(c-0xde), at)
		if err != nil {
			return TypedValue{}, err
		}
		return r.mapBody(n, at, depth)
	}
	if isExt(c) {
		return TypedValue{}, fmt.Errorf("msgpack extension (code 0x%02x) at byte %d where a value belongs", c, at)
	}
	return TypedValue{}, fmt.Errorf("invalid msgpack code 0x%02x at byte %d", c, at)
}

// str reads a str or bin payload of n bytes. Aerospike's first payload byte
// names the particle type; an empty payload has none and is taken for what
// its msgpack family says.
func (r *cdtReader) str(n uint64, isStr bool, at int) (TypedValue, error) {
	p, err := r.take(n, at)
	if err != nil {
		return TypedValue{}, err
	}
	if len(p) == 0 {
		if isStr {
			return TypedValue{Type: TypeString, Value: ""}, nil
		}
		return bytesValue(nil, particle.BLOB), nil
	}
	data := p[1:]
	switch int(p[0]) {
	case particle.STRING:
		return TypedValue{Type: TypeString, Value: string(data)}, nil
	case particle.GEOJSON:
		return TypedValue{Type: TypeGeoJSON, Value: string(data)}, nil
	case particle.HLL:
		return TypedValue{Type: TypeHLL, Value: base64.StdEncoding.EncodeToString(data)}, nil
	}
	return bytesValue(data, int(p[0])), nil
}

func isExt(c byte) bool {
	return c >= 0xc7 && c <= 0xc9 || c >= 0xd4 && c <= 0xd8
}

// ext reads an extension element at r.off, if there is one, and returns its
// type byte (for the order header, the flags); its data, which the client
// skips too, is ignored.
func (r *cdtReader) ext() (flags byte, ok bool, err error) {
	at := r.off
	if at >= len(r.b) || !isExt(r.b[at]) {
		return 0, false, nil
	}
	c := r.b[at]
	r.off++
	var n uint64
	switch {
	case c >= 0xd4:
		n = 1 << (c - 0xd4)
	default:
		if n, err = r.uint(1<<(c-0xc7), at); err != nil {
			return 0, false, err
		}
	}
	t, err := r.take(1, at)
	if err != nil {
		return 0, false, err
	}
	if _, err := r.take(n, at); err != nil {
		return 0, false, err
	}
	return t[0], true, nil
}

// room caps a preallocation by what the remaining bytes can hold (one byte
// at least per element), so a forged count cannot make it huge.
func (r *cdtReader) room(n uint64) int {
	if left := uint64(len(r.b) - r.off); n > left {
		return int(left)
	}
	return int(n)
}

// listBody reads n elements of an array begun at at; an order header, if
// any, is the first of them.
func (r *cdtReader) listBody(n uint64, at int, depth int) (TypedValue, error) {
	if depth >= maxDepth {
		return TypedValue{}, fmt.Errorf("lists and maps nested deeper than %d at byte %d", maxDepth, at)
	}
	v := TypedValue{Type: TypeList, Order: OrderUnordered}
	if n > 0 {
		flags, ok, err := r.ext()
		if err != nil {
			return TypedValue{}, err
		}
		if ok {
			n--
			if flags&listOrdered != 0 {
				v.Order = OrderOrdered
			}
			if flags&^listOrdered != 0 {
				v.Flags = int(flags)
			}
		}
	}
	items := make([]TypedValue, 0, r.room(n))
	for ; n > 0; n-- {
		item, err := r.value(depth + 1)
		if err != nil {
			return TypedValue{}, err
		}
		items = append(items, item)
	}
	v.Value = items
	return v, nil
}

// mapBody reads n pairs of a map begun at at; an order header, if any, is
// the first pair's key (its value, nil, is dropped).
func (r *cdtReader) mapBody(n uint64, at int, depth int) (TypedValue, error) {
	if depth >= maxDepth {
		return TypedValue{}, fmt.Errorf("lists and maps nested deeper than %d at byte %d", maxDepth, at)
	}
	v := TypedValue{Type: TypeMap, Order: OrderUnordered}
	if n > 0 {
		flags, ok, err := r.ext()
		if err != nil {
			return TypedValue{}, err
		}
		if ok {
			n--
			if _, err := r.value(depth + 1); err != nil {
				return TypedValue{}, err
			}
			v.Order, v.Flags = mapOrder(flags)
		}
	}
	entries := make([]MapEntry, 0, r.room(n))
	for ; n > 0; n-- {
		k, err := r.value(depth + 1)
		if err != nil {
			return TypedValue{}, err
		}
		val, err := r.value(depth + 1)
		if err != nil {
			return TypedValue{}, err
		}
		entries = append(entries, MapEntry{Key: k, Value: val})
	}
	v.Value = entries
	return v, nil
}

// mapOrder names a map's order; flags are returned whole when they hold
// bits the name does not account for.
func mapOrder(flags byte) (string, int) {
	order := OrderUnordered
	known := byte(0)
	switch flags & mapKeyValueOrdr {
	case mapKeyOrdered:
		order, known = OrderKeyOrdered, mapKeyOrdered
	case mapKeyValueOrdr:
		order, known = OrderKeyValueOrdered, mapKeyValueOrdr
	}
	if flags&^known != 0 {
		return order, int(flags)
	}
	return order, 0
}
