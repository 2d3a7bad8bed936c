package recordjson

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"strconv"

	as "github.com/aerospike/aerospike-client-go/v8"
	particle "github.com/aerospike/aerospike-client-go/v8/types/particle_type"
)

// The type names of a TypedValue (and of a BinInfo).
const (
	TypeInt     = "int"
	TypeFloat   = "float"
	TypeString  = "string"
	TypeBool    = "bool"
	TypeBytes   = "bytes"
	TypeGeoJSON = "geojson"
	TypeHLL     = "hll"
	TypeNil     = "nil"
	TypeList    = "list"
	TypeMap     = "map"
)

// TypedValue is one value in its JSON form, {"type": T, "value": V}:
//
//   - "int": V is a JSON number, exact for every int64 and uint64;
//   - "float": V is a JSON number, or the string "NaN", "+Inf" or "-Inf";
//   - "string", "geojson": V is the text;
//   - "bool": true or false; "nil": null;
//   - "bytes", "hll": V is standard base64; Particle is set when a blob's
//     particle type is not 4 (a Java, Python, Ruby... blob in a CDT);
//   - "list": V is an array of typed values, and Order is "unordered" or
//     "ordered";
//   - "map": V is an array of MapEntry in stored order, and Order is
//     "unordered", "key-ordered" or "key-value-ordered".
//
// Flags holds a list's or map's order flags byte whole when it has bits
// beyond those its Order names (0x10, a persisted index, for one).
//
// Text that is not valid UTF-8 (Aerospike strings are bytes) is written
// with U+FFFD for the bad bytes, as encoding/json does.
type TypedValue struct {
	Type     string `json:"type"`
	Value    any    `json:"value"`
	Order    string `json:"order,omitempty"`
	Particle int    `json:"particle,omitempty"`
	Flags    int    `json:"flags,omitempty"`
}

// MapEntry is one key and value of a map.
type MapEntry struct {
	Key   TypedValue `json:"key"`
	Value TypedValue `json:"value"`
}

// Value renders one bin value (or user key) as backup-go's ASB decoder
// yields it: nil, bool, int64, float64, string, []byte, as.GeoJSONValue,
// as.HLLValue, *as.RawBlobValue (lists and maps as msgpack), and the
// client's scalar as.Value kinds (a key's LongValue, StringValue...).
// A malformed list or map is an error saying where, e.g.
// `list: truncated msgpack at byte 17`.
func Value(v any) (TypedValue, error) {
	switch x := v.(type) {
	case nil:
		return TypedValue{Type: TypeNil}, nil
	case bool:
		return TypedValue{Type: TypeBool, Value: x}, nil
	case int64:
		return intValue(x), nil
	case int:
		return intValue(int64(x)), nil
	case int32:
		return intValue(int64(x)), nil
	case int16:
		return intValue(int64(x)), nil
	case int8:
		return intValue(int64(x)), nil
	case uint64:
		return uintValue(x), nil
	case uint:
		return uintValue(uint64(x)), nil
	case uint32:
		return intValue(int64(x)), nil
	case uint16:
		return intValue(int64(x)), nil
	case uint8:
		return intValue(int64(x)), nil
	case float64:
		return floatValue(x, 64), nil
	case float32:
		return floatValue(float64(x), 32), nil
	case string:
		return TypedValue{Type: TypeString, Value: x}, nil
	case []byte:
		return bytesValue(x, particle.BLOB), nil
	case as.GeoJSONValue:
		return TypedValue{Type: TypeGeoJSON, Value: string(x)}, nil
	case as.HLLValue:
		return TypedValue{Type: TypeHLL, Value: base64.StdEncoding.EncodeToString(x)}, nil
	case *as.RawBlobValue:
		if x == nil {
			return TypedValue{Type: TypeNil}, nil
		}
		return rawBlobValue(x.ParticleType, x.Data)
	case as.RawBlobValue:
		return rawBlobValue(x.ParticleType, x.Data)
	case as.Value:
		// A key's user value comes wrapped (as.LongValue, as.StringValue...);
		// its plain Go value is one of the cases above.
		if o := x.GetObject(); !isClientValue(o) {
			return Value(o)
		}
	}
	return TypedValue{}, fmt.Errorf("unsupported value type %T", v)
}

func isClientValue(v any) bool {
	_, ok := v.(as.Value)
	return ok
}

// rawBlobValue renders a particle as the client hands it over raw.
func rawBlobValue(pt int, data []byte) (TypedValue, error) {
	switch pt {
	case particle.LIST:
		return decodeCDT(TypeList, data)
	case particle.MAP:
		return decodeCDT(TypeMap, data)
	case particle.STRING:
		return TypedValue{Type: TypeString, Value: string(data)}, nil
	case particle.GEOJSON:
		return TypedValue{Type: TypeGeoJSON, Value: string(data)}, nil
	case particle.HLL:
		return TypedValue{Type: TypeHLL, Value: base64.StdEncoding.EncodeToString(data)}, nil
	}
	return bytesValue(data, pt), nil
}

func intValue(i int64) TypedValue { return TypedValue{Type: TypeInt, Value: i} }

func uintValue(u uint64) TypedValue { return TypedValue{Type: TypeInt, Value: u} }

// bytesValue is a blob; particle 4 is the plain blob and goes unnamed.
func bytesValue(b []byte, pt int) TypedValue {
	v := TypedValue{Type: TypeBytes, Value: base64.StdEncoding.EncodeToString(b)}
	if pt != particle.BLOB {
		v.Particle = pt
	}
	return v
}

func floatValue(f float64, bits int) TypedValue {
	return TypedValue{Type: TypeFloat, Value: jsonFloat(f, bits)}
}

// jsonFloat writes a float as encoding/json does (shortest form that reads
// back to the same value, exponent only for very small or large numbers),
// but for a float32 with 32-bit precision, so 0.1f is 0.1; JSON has no
// NaN or infinities, so those become strings.
func jsonFloat(f float64, bits int) any {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "+Inf"
	case math.IsInf(f, -1):
		return "-Inf"
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 {
		if bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21) ||
			bits == 64 && (abs < 1e-6 || abs >= 1e21) {
			format = 'e'
		}
	}
	s := strconv.FormatFloat(f, format, -1, bits)
	if format == 'e' {
		// 1e-07 → 1e-7, as encoding/json writes it.
		if n := len(s); n >= 4 && s[n-4] == 'e' && s[n-3] == '-' && s[n-2] == '0' {
			s = s[:n-2] + s[n-1:]
		}
	}
	return json.Number(s)
}
