package aerospiketest

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"fmt"
	"math"
	"regexp"
	"time"
)

// Filter expression ops (the client's expOp values).
const (
	xEQ          = 1
	xNE          = 2
	xGT          = 3
	xGE          = 4
	xLT          = 5
	xLE          = 6
	xRegex       = 7
	xAnd         = 16
	xOr          = 17
	xNot         = 18
	xExclusive   = 19
	xAdd         = 20
	xSub         = 21
	xMul         = 22
	xDiv         = 23
	xMod         = 26
	xAbs         = 27
	xToInt       = 30
	xToFloat     = 31
	xMin         = 50
	xMax         = 51
	xDeviceSize  = 65
	xLastUpdate  = 66
	xSinceUpdate = 67
	xVoidTime    = 68
	xTTL         = 69
	xSetName     = 70
	xKeyExists   = 71
	xIsTombstone = 72
	xMemorySize  = 73
	xRecordSize  = 74
	xKey         = 80
	xBin         = 81
	xBinType     = 82
	xCond        = 123
	xQuoted      = 126
)

// Expression value types (the client's ExpType values).
const (
	etNil    = 0
	etBool   = 1
	etInt    = 2
	etString = 3
	etList   = 4
	etMap    = 5
	etBlob   = 6
	etFloat  = 7
	etGeo    = 8
	etHLL    = 9
)

type expKind int

const (
	vUnknown expKind = iota // the server's "unknown": filters out, never matches
	vNil
	vBool
	vInt
	vFloat
	vStr
	vBlob
	vGeo
	vList
	vMap
	vHLL
)

type expVal struct {
	k expKind
	i int64
	f float64
	b bool
	s string // string, blob, GeoJSON, or raw msgpack of a list/map/HLL
}

var unknown = expVal{k: vUnknown}

func boolVal(b bool) expVal { return expVal{k: vBool, b: b} }

type expNode struct {
	op   int // 0 = literal
	lit  expVal
	args []*expNode
	name string // bin name
	typ  int64  // requested value type of BIN/KEY
	re   *regexp.Regexp
}

type evalCtx struct {
	d   digest
	r   *record
	now time.Time
}

// compileExp parses a packed filter expression; anything it cannot evaluate
// is an error, so the request is refused rather than filtered wrongly.
func compileExp(b []byte) (*expNode, error) {
	r := &mpReader{b: b}
	v, err := r.read()
	if err != nil {
		return nil, err
	}
	if r.p != len(b) {
		return nil, fmt.Errorf("trailing bytes after expression")
	}
	return compileValue(v)
}

func literal(v mpValue) (expVal, error) {
	switch v.kind {
	case mpNil:
		return expVal{k: vNil}, nil
	case mpBool:
		return boolVal(v.b), nil
	case mpInt:
		return expVal{k: vInt, i: v.i}, nil
	case mpFloat:
		return expVal{k: vFloat, f: v.f}, nil
	case mpStr:
		if len(v.data) == 0 {
			return unknown, fmt.Errorf("empty string literal")
		}
		switch v.data[0] {
		case ptString:
			return expVal{k: vStr, s: string(v.data[1:])}, nil
		case ptBlob:
			return expVal{k: vBlob, s: string(v.data[1:])}, nil
		case ptGeoJSON:
			return expVal{k: vGeo, s: string(v.data[1:])}, nil
		}
		return unknown, fmt.Errorf("string literal with particle type %d", v.data[0])
	case mpMap:
		return expVal{k: vMap, s: string(v.data)}, nil
	}
	return unknown, fmt.Errorf("unsupported literal kind %d", v.kind)
}

func compileValue(v mpValue) (*expNode, error) {
	if v.kind != mpArray {
		lit, err := literal(v)
		if err != nil {
			return nil, err
		}
		return &expNode{lit: lit}, nil
	}
	if len(v.items) == 0 || v.items[0].kind != mpInt {
		return nil, fmt.Errorf("expression array without op")
	}
	op := int(v.items[0].i)
	rest := v.items[1:]
	n := &expNode{op: op}
	argc := func(min, max int) error {
		if len(rest) < min || (max >= 0 && len(rest) > max) {
			return fmt.Errorf("expression op %d: %d arguments", op, len(rest))
		}
		return nil
	}
	compileArgs := func() error {
		for _, a := range rest {
			c, err := compileValue(a)
			if err != nil {
				return err
			}
			n.args = append(n.args, c)
		}
		return nil
	}
	var err error
	switch op {
	case xEQ, xNE, xGT, xGE, xLT, xLE:
		if err = argc(2, 2); err == nil {
			err = compileArgs()
		}
	case xAnd, xOr, xExclusive, xAdd, xSub, xMul, xDiv, xMod, xMin, xMax, xCond:
		if err = argc(1, -1); err == nil {
			err = compileArgs()
		}
	case xNot, xAbs, xToInt, xToFloat:
		if err = argc(1, 1); err == nil {
			err = compileArgs()
		}
	case xDeviceSize, xLastUpdate, xSinceUpdate, xVoidTime, xTTL, xSetName,
		xKeyExists, xIsTombstone, xMemorySize, xRecordSize:
		err = argc(0, 0)
	case xKey:
		if err = argc(1, 1); err == nil {
			n.typ = rest[0].i
		}
	case xBin:
		if err = argc(2, 2); err == nil {
			if rest[0].kind != mpInt || rest[1].kind != mpStr {
				return nil, fmt.Errorf("malformed bin expression")
			}
			n.typ, n.name = rest[0].i, string(rest[1].data)
		}
	case xBinType:
		if err = argc(1, 1); err == nil {
			if rest[0].kind != mpStr {
				return nil, fmt.Errorf("malformed bin-type expression")
			}
			n.name = string(rest[0].data)
		}
	case xRegex:
		if err = argc(3, 3); err != nil {
			break
		}
		if rest[0].kind != mpInt || rest[1].kind != mpStr {
			return nil, fmt.Errorf("malformed regex expression")
		}
		pattern := string(rest[1].data)
		if rest[0].i&2 != 0 { // ICASE
			pattern = "(?i)" + pattern
		}
		if n.re, err = regexp.Compile(pattern); err != nil {
			return nil, err
		}
		var arg *expNode
		if arg, err = compileValue(rest[2]); err == nil {
			n.args = []*expNode{arg}
		}
	case xQuoted:
		if err = argc(1, 1); err == nil {
			if rest[0].kind != mpArray {
				return nil, fmt.Errorf("quoted value is not a list")
			}
			n.op, n.lit = 0, expVal{k: vList, s: string(rest[0].data)}
		}
	default:
		return nil, fmt.Errorf("expression op %d is not supported by the test server", op)
	}
	if err != nil {
		return nil, err
	}
	return n, nil
}

// matches reports whether the expression is true for the record.
func (n *expNode) matches(c *evalCtx) bool {
	v := n.eval(c)
	return v.k == vBool && v.b
}

func (n *expNode) eval(c *evalCtx) expVal {
	switch n.op {
	case 0:
		return n.lit
	case xEQ, xNE, xGT, xGE, xLT, xLE:
		return compareOp(n.op, n.args[0].eval(c), n.args[1].eval(c))
	case xAnd:
		res := boolVal(true)
		for _, a := range n.args {
			v := a.eval(c)
			if v.k != vBool {
				res = unknown
			} else if !v.b {
				return boolVal(false)
			}
		}
		return res
	case xOr:
		res := boolVal(false)
		for _, a := range n.args {
			v := a.eval(c)
			if v.k != vBool {
				res = unknown
			} else if v.b {
				return boolVal(true)
			}
		}
		return res
	case xNot:
		v := n.args[0].eval(c)
		if v.k != vBool {
			return unknown
		}
		return boolVal(!v.b)
	case xExclusive:
		count := 0
		for _, a := range n.args {
			v := a.eval(c)
			if v.k != vBool {
				return unknown
			}
			if v.b {
				count++
			}
		}
		return boolVal(count == 1)
	case xCond:
		for i := 0; i+1 < len(n.args); i += 2 {
			v := n.args[i].eval(c)
			if v.k != vBool {
				return unknown
			}
			if v.b {
				return n.args[i+1].eval(c)
			}
		}
		if len(n.args)%2 == 1 {
			return n.args[len(n.args)-1].eval(c)
		}
		return unknown
	case xAdd, xSub, xMul, xDiv, xMod, xMin, xMax, xAbs, xToInt, xToFloat:
		return arith(n.op, n.args, c)
	case xRegex:
		v := n.args[0].eval(c)
		if v.k != vStr {
			return unknown
		}
		return boolVal(n.re.MatchString(v.s))
	case xLastUpdate:
		return expVal{k: vInt, i: c.r.lut * int64(time.Millisecond)}
	case xSinceUpdate:
		return expVal{k: vInt, i: c.now.UnixMilli() - c.r.lut}
	case xVoidTime:
		if c.r.voidTime == 0 {
			return expVal{k: vInt, i: -1}
		}
		return expVal{k: vInt, i: c.r.voidTime * int64(time.Second)}
	case xTTL:
		if c.r.voidTime == 0 {
			return expVal{k: vInt, i: -1}
		}
		return expVal{k: vInt, i: max(c.r.voidTime-c.now.Unix(), 0)}
	case xSetName:
		return expVal{k: vStr, s: c.r.set}
	case xKeyExists:
		return boolVal(c.r.key != nil)
	case xIsTombstone:
		return boolVal(false)
	case xDeviceSize, xMemorySize, xRecordSize:
		return expVal{k: vInt, i: int64(c.r.size())}
	case xKey:
		if len(c.r.key) == 0 {
			return unknown
		}
		return typed(particleValue(c.r.key[0], c.r.key[1:]), n.typ)
	case xBin:
		b, ok := c.r.bin(n.name)
		if !ok {
			return unknown
		}
		return typed(particleValue(b.ptype, b.value), n.typ)
	case xBinType:
		b, ok := c.r.bin(n.name)
		if !ok {
			return expVal{k: vInt, i: ptNull}
		}
		return expVal{k: vInt, i: int64(b.ptype)}
	}
	return unknown
}

// particleValue converts a stored particle into an expression value.
func particleValue(pt byte, v []byte) expVal {
	switch pt {
	case ptInteger:
		if len(v) == 8 {
			return expVal{k: vInt, i: int64(binary.BigEndian.Uint64(v))}
		}
	case ptFloat:
		if len(v) == 8 {
			return expVal{k: vFloat, f: math.Float64frombits(binary.BigEndian.Uint64(v))}
		}
	case ptString:
		return expVal{k: vStr, s: string(v)}
	case ptBlob:
		return expVal{k: vBlob, s: string(v)}
	case ptBool:
		if len(v) == 1 {
			return boolVal(v[0] != 0)
		}
	case ptGeoJSON:
		return expVal{k: vGeo, s: string(geoJSONText(v))}
	case ptList:
		return expVal{k: vList, s: string(v)}
	case ptMap:
		return expVal{k: vMap, s: string(v)}
	case ptHLL:
		return expVal{k: vHLL, s: string(v)}
	}
	return unknown
}

// geoJSONText strips the GeoJSON particle header (flags, cell count, cells).
func geoJSONText(v []byte) []byte {
	if len(v) < 3 {
		return v
	}
	skip := 3 + 8*int(binary.BigEndian.Uint16(v[1:]))
	if skip > len(v) {
		return v
	}
	return v[skip:]
}

func typed(v expVal, want int64) expVal {
	kinds := map[int64]expKind{etNil: vNil, etBool: vBool, etInt: vInt, etString: vStr, etList: vList,
		etMap: vMap, etBlob: vBlob, etFloat: vFloat, etGeo: vGeo, etHLL: vHLL}
	if k, ok := kinds[want]; ok && k == v.k {
		return v
	}
	return unknown
}

func compareOp(op int, a, b expVal) expVal {
	if a.k == vUnknown || b.k == vUnknown || a.k != b.k {
		return unknown
	}
	var c int
	switch a.k {
	case vInt:
		c = cmp.Compare(a.i, b.i)
	case vFloat:
		c = cmp.Compare(a.f, b.f)
	case vStr, vBlob:
		c = cmp.Compare(a.s, b.s)
	case vBool, vNil, vGeo, vList, vMap, vHLL:
		if op != xEQ && op != xNE {
			return unknown
		}
		eq := a.b == b.b && a.s == b.s
		if a.k == vList || a.k == vMap || a.k == vHLL {
			eq = bytes.Equal([]byte(a.s), []byte(b.s))
		}
		if eq {
			c = 0
		} else {
			c = 1
		}
	}
	switch op {
	case xEQ:
		return boolVal(c == 0)
	case xNE:
		return boolVal(c != 0)
	case xGT:
		return boolVal(c > 0)
	case xGE:
		return boolVal(c >= 0)
	case xLT:
		return boolVal(c < 0)
	}
	return boolVal(c <= 0)
}

func arith(op int, args []*expNode, c *evalCtx) expVal {
	vals := make([]expVal, len(args))
	for i, a := range args {
		vals[i] = a.eval(c)
		if vals[i].k != vInt && vals[i].k != vFloat {
			return unknown
		}
	}
	switch op {
	case xToInt:
		if vals[0].k == vFloat {
			return expVal{k: vInt, i: int64(vals[0].f)}
		}
		return unknown
	case xToFloat:
		if vals[0].k == vInt {
			return expVal{k: vFloat, f: float64(vals[0].i)}
		}
		return unknown
	case xAbs:
		v := vals[0]
		v.i, v.f = max(v.i, -v.i), math.Abs(v.f)
		return v
	}
	acc := vals[0]
	for _, v := range vals[1:] {
		if v.k != acc.k {
			return unknown // the server does not mix integer and float arithmetic
		}
		switch op {
		case xAdd:
			acc.i, acc.f = acc.i+v.i, acc.f+v.f
		case xSub:
			acc.i, acc.f = acc.i-v.i, acc.f-v.f
		case xMul:
			acc.i, acc.f = acc.i*v.i, acc.f*v.f
		case xDiv:
			if acc.k == vInt {
				if v.i == 0 {
					return unknown
				}
				acc.i /= v.i
			} else {
				acc.f /= v.f
			}
		case xMod:
			if acc.k != vInt || v.i == 0 {
				return unknown
			}
			acc.i %= v.i
		case xMin:
			acc.i, acc.f = min(acc.i, v.i), math.Min(acc.f, v.f)
		case xMax:
			acc.i, acc.f = max(acc.i, v.i), math.Max(acc.f, v.f)
		}
	}
	return acc
}
