package recordjson

import (
	"fmt"
	"sort"

	as "github.com/aerospike/aerospike-client-go/v8"
	particle "github.com/aerospike/aerospike-client-go/v8/types/particle_type"
	"github.com/aerospike/backup-go/models"
)

// BinInfo is one bin's name, type (a TypedValue's type name) and size: the
// bytes of its payload (a string's or blob's length, 8 for an int or a
// float, 1 for a bool, 0 for nil, the msgpack length of a list or map).
type BinInfo struct {
	Name string `json:"name"`
	Type string `json:"type"`
	Size int    `json:"size"`
}

// Bins lists a record's bins sorted by name. It reads no list or map: a
// malformed one shows its size here and fails only when rendered.
func Bins(r *models.Record) ([]BinInfo, error) {
	if r == nil || r.Record == nil {
		return nil, nil
	}
	out := make([]BinInfo, 0, len(r.Bins))
	for name, v := range r.Bins {
		typ, size, err := typeAndSize(v)
		if err != nil {
			return nil, fmt.Errorf("bin %q: %w", name, err)
		}
		out = append(out, BinInfo{Name: name, Type: typ, Size: size})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// typeAndSize classifies a value as Value does, without decoding it.
func typeAndSize(v any) (string, int, error) {
	switch x := v.(type) {
	case nil:
		return TypeNil, 0, nil
	case bool:
		return TypeBool, 1, nil
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return TypeInt, 8, nil
	case float32, float64:
		return TypeFloat, 8, nil
	case string:
		return TypeString, len(x), nil
	case []byte:
		return TypeBytes, len(x), nil
	case as.GeoJSONValue:
		return TypeGeoJSON, len(x), nil
	case as.HLLValue:
		return TypeHLL, len(x), nil
	case *as.RawBlobValue:
		if x == nil {
			return TypeNil, 0, nil
		}
		return rawBlobType(x.ParticleType), len(x.Data), nil
	case as.RawBlobValue:
		return rawBlobType(x.ParticleType), len(x.Data), nil
	case as.Value:
		if o := x.GetObject(); !isClientValue(o) {
			return typeAndSize(o)
		}
	}
	return "", 0, fmt.Errorf("unsupported value type %T", v)
}

func rawBlobType(pt int) string {
	switch pt {
	case particle.LIST:
		return TypeList
	case particle.MAP:
		return TypeMap
	case particle.STRING:
		return TypeString
	case particle.GEOJSON:
		return TypeGeoJSON
	case particle.HLL:
		return TypeHLL
	}
	return TypeBytes
}
