package recordjson

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"

	as "github.com/aerospike/aerospike-client-go/v8"
	particle "github.com/aerospike/aerospike-client-go/v8/types/particle_type"
)

func list(b ...byte) *as.RawBlobValue { return as.NewRawBlobValue(particle.LIST, b) }
func cmap(b ...byte) *as.RawBlobValue { return as.NewRawBlobValue(particle.MAP, b) }

// render is a value's JSON as the Encoder writes it.
func render(t *testing.T, v TypedValue) string {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSuffix(buf.String(), "\n")
}

func TestValue(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   any
		want string
	}{
		{"nil", nil, `{"type":"nil","value":null}`},
		{"bool", false, `{"type":"bool","value":false}`},
		{"int64 max", int64(math.MaxInt64), `{"type":"int","value":9223372036854775807}`},
		{"int64 min", int64(math.MinInt64), `{"type":"int","value":-9223372036854775808}`},
		{"uint64 max", uint64(math.MaxUint64), `{"type":"int","value":18446744073709551615}`},
		{"int", -7, `{"type":"int","value":-7}`},
		{"float64", 0.1, `{"type":"float","value":0.1}`},
		{"float64 large", 1e21, `{"type":"float","value":1e+21}`},
		{"float64 small", 1e-7, `{"type":"float","value":1e-7}`},
		{"float64 integral", 3.0, `{"type":"float","value":3}`},
		{"float32", float32(0.1), `{"type":"float","value":0.1}`},
		{"NaN", math.NaN(), `{"type":"float","value":"NaN"}`},
		{"+Inf", math.Inf(1), `{"type":"float","value":"+Inf"}`},
		{"-Inf", math.Inf(-1), `{"type":"float","value":"-Inf"}`},
		{"string", "a<b>&\"c\"", `{"type":"string","value":"a<b>&\"c\""}`},
		{"bytes", []byte{0xff, 0x00, 0x10}, `{"type":"bytes","value":"/wAQ"}`},
		{"empty bytes", []byte{}, `{"type":"bytes","value":""}`},
		{"geojson", as.NewGeoJSONValue(`{"type":"Point","coordinates":[0,0]}`), `{"type":"geojson","value":"{\"type\":\"Point\",\"coordinates\":[0,0]}"}`},
		{"hll", as.NewHLLValue([]byte{1, 2, 3}), `{"type":"hll","value":"AQID"}`},
		{"key long", as.LongValue(42), `{"type":"int","value":42}`},
		{"key string", as.StringValue("k"), `{"type":"string","value":"k"}`},
		{"key bytes", as.BytesValue{7}, `{"type":"bytes","value":"Bw=="}`},
		{"key float", as.FloatValue(2.5), `{"type":"float","value":2.5}`},
		{"raw java blob", as.NewRawBlobValue(7, []byte{1}), `{"type":"bytes","value":"AQ==","particle":7}`},
		{"raw plain blob", as.NewRawBlobValue(particle.BLOB, []byte{1}), `{"type":"bytes","value":"AQ=="}`},

		// Lists and maps, msgpack by hand.
		{"empty list", list(0x90), `{"type":"list","value":[],"order":"unordered"}`},
		{"list of fixints and fixstr", list(0x93, 0x01, 0x7f, 0xa3, 0x03, 'a', 'b'),
			`{"type":"list","value":[{"type":"int","value":1},{"type":"int","value":127},{"type":"string","value":"ab"}],"order":"unordered"}`},
		{"ordered list", list(0x94, 0xc7, 0x00, 0x01, 0x03, 0x01, 0x02),
			`{"type":"list","value":[{"type":"int","value":3},{"type":"int","value":1},{"type":"int","value":2}],"order":"ordered"}`},
		{"ordered list, fixext1 header", list(0x92, 0xd4, 0x01, 0x00, 0xc3),
			`{"type":"list","value":[{"type":"bool","value":true}],"order":"ordered"}`},
		{"unordered list with a header", list(0x92, 0xc7, 0x00, 0x00, 0xc2),
			`{"type":"list","value":[{"type":"bool","value":false}],"order":"unordered"}`},
		{"ordered list, persisted index", list(0x92, 0xc7, 0x00, 0x11, 0x00),
			`{"type":"list","value":[{"type":"int","value":0}],"order":"ordered","flags":17}`},
		{"header with data", list(0x92, 0xc7, 0x02, 0x01, 0xaa, 0xbb, 0x05),
			`{"type":"list","value":[{"type":"int","value":5}],"order":"ordered"}`},
		{"negative ints of each width", list(0x95,
			0xff,       // -1 fixint
			0xd0, 0x80, // int8 -128
			0xd1, 0x80, 0x00, // int16
			0xd2, 0x80, 0x00, 0x00, 0x00, // int32
			0xd3, 0x80, 0, 0, 0, 0, 0, 0, 0x01), // int64
			`{"type":"list","value":[{"type":"int","value":-1},{"type":"int","value":-128},{"type":"int","value":-32768},` +
				`{"type":"int","value":-2147483648},{"type":"int","value":-9223372036854775807}],"order":"unordered"}`},
		{"negative values in wide forms", list(0x93, 0xe0, 0xd1, 0xff, 0xfe, 0xd3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff),
			`{"type":"list","value":[{"type":"int","value":-32},{"type":"int","value":-2},{"type":"int","value":-1}],"order":"unordered"}`},
		{"unsigned ints of each width", list(0x94,
			0xcc, 0xff,
			0xcd, 0xff, 0xff,
			0xce, 0xff, 0xff, 0xff, 0xff,
			0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff),
			`{"type":"list","value":[{"type":"int","value":255},{"type":"int","value":65535},{"type":"int","value":4294967295},` +
				`{"type":"int","value":18446744073709551615}],"order":"unordered"}`},
		{"uint64 within int64", list(0x91, 0xcf, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff),
			`{"type":"list","value":[{"type":"int","value":9223372036854775807}],"order":"unordered"}`},
		{"floats", list(0x95,
			0xca, 0x3d, 0xcc, 0xcc, 0xcd, // float32 0.1
			0xcb, 0x3f, 0xb9, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9a, // float64 0.1
			0xcb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 0x01, // NaN
			0xca, 0xff, 0x80, 0x00, 0x00, // float32 -Inf
			0xcb, 0xc0, 0x5e, 0xdd, 0x2f, 0x1a, 0x9f, 0xbe, 0x77), // -123.456
			`{"type":"list","value":[{"type":"float","value":0.1},{"type":"float","value":0.1},{"type":"float","value":"NaN"},` +
				`{"type":"float","value":"-Inf"},{"type":"float","value":-123.456}],"order":"unordered"}`},
		{"nil and bools", list(0x93, 0xc0, 0xc3, 0xc2),
			`{"type":"list","value":[{"type":"nil","value":null},{"type":"bool","value":true},{"type":"bool","value":false}],"order":"unordered"}`},
		{"particle-typed strings and blobs", list(0x97,
			0xc4, 0x03, 0x04, 0x01, 0x02, // bin8, blob
			0xc4, 0x02, 0x07, 0xaa, // bin8, Java blob
			0xd9, 0x03, 0x03, 'h', 'i', // str8, string
			0xc4, 0x03, 0x03, 'o', 'k', // bin8 holding a string particle
			0xa4, 0x17, '{', '}', ' ', // fixstr, geojson
			0xc4, 0x03, 0x12, 0x00, 0x01, // hll
			0xa0), // empty fixstr, no particle byte
			`{"type":"list","value":[{"type":"bytes","value":"AQI="},{"type":"bytes","value":"qg==","particle":7},` +
				`{"type":"string","value":"hi"},{"type":"string","value":"ok"},{"type":"geojson","value":"{} "},` +
				`{"type":"hll","value":"AAE="},{"type":"string","value":""}],"order":"unordered"}`},
		{"16- and 32-bit forms", list(0xdc, 0x00, 0x03,
			0xda, 0x00, 0x02, 0x03, 'z',
			0xc5, 0x00, 0x02, 0x04, 0x09,
			0xdd, 0x00, 0x00, 0x00, 0x01, 0xdb, 0x00, 0x00, 0x00, 0x02, 0x03, 'w'),
			`{"type":"list","value":[{"type":"string","value":"z"},{"type":"bytes","value":"CQ=="},` +
				`{"type":"list","value":[{"type":"string","value":"w"}],"order":"unordered"}],"order":"unordered"}`},
		{"unordered map", cmap(0x82, 0xa2, 0x03, 'x', 0xc0, 0x01, 0xa2, 0x03, 'y'),
			`{"type":"map","value":[{"key":{"type":"string","value":"x"},"value":{"type":"nil","value":null}},` +
				`{"key":{"type":"int","value":1},"value":{"type":"string","value":"y"}}],"order":"unordered"}`},
		{"key-ordered map with a list in it", cmap(0x83, 0xc7, 0x00, 0x01, 0xc0,
			0xa2, 0x03, 'a', 0x01,
			0xa2, 0x03, 'b', 0x92, 0x01, 0x92, 0xc7, 0x00, 0x01, 0x02),
			`{"type":"map","value":[{"key":{"type":"string","value":"a"},"value":{"type":"int","value":1}},` +
				`{"key":{"type":"string","value":"b"},"value":{"type":"list","value":[{"type":"int","value":1},` +
				`{"type":"list","value":[{"type":"int","value":2}],"order":"ordered"}],"order":"unordered"}}],"order":"key-ordered"}`},
		{"key-value-ordered map", cmap(0x82, 0xc7, 0x00, 0x03, 0xc0, 0x05, 0xc3),
			`{"type":"map","value":[{"key":{"type":"int","value":5},"value":{"type":"bool","value":true}}],"order":"key-value-ordered"}`},
		{"key-ordered map, persisted index", cmap(0x81, 0xc7, 0x00, 0x11, 0xc0),
			`{"type":"map","value":[],"order":"key-ordered","flags":17}`},
		{"map16 with a blob key", cmap(0xde, 0x00, 0x01, 0xc4, 0x02, 0x04, 0xee, 0x81, 0x01, 0x02),
			`{"type":"map","value":[{"key":{"type":"bytes","value":"7g=="},"value":{"type":"map","value":[` +
				`{"key":{"type":"int","value":1},"value":{"type":"int","value":2}}],"order":"unordered"}}],"order":"unordered"}`},
		{"empty map", cmap(0x80), `{"type":"map","value":[],"order":"unordered"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, err := Value(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if got := render(t, v); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestValueErrors(t *testing.T) {
	deep := bytes.Repeat([]byte{0x91}, maxDepth+1)
	for _, tc := range []struct {
		name string
		in   any
		want string
	}{
		{"truncated element", list(0x93, 0x01, 0xcd, 0x01), "list: truncated msgpack at byte 2"},
		{"fewer elements than counted", list(0x93, 0x01), "list: truncated msgpack at byte 2"},
		{"truncated string", cmap(0x81, 0xa5, 0x03, 'a'), "map: truncated msgpack at byte 1"},
		{"forged huge count", list(0xdd, 0xff, 0xff, 0xff, 0xff, 0x01), "list: truncated msgpack at byte 6"},
		{"forged huge string", list(0x91, 0xdb, 0xff, 0xff, 0xff, 0xff), "list: truncated msgpack at byte 1"},
		{"truncated header", list(0x92, 0xc7, 0x05, 0x01), "list: truncated msgpack at byte 1"},
		{"map header without its value", cmap(0x81, 0xc7, 0x00, 0x01), "map: truncated msgpack at byte 4"},
		{"empty", list(), "list: empty msgpack"},
		{"list particle holding a map", list(0x80), "list: msgpack holds a map (code 0x80 at byte 0), want a list"},
		{"map particle holding a scalar", cmap(0x01), "map: msgpack holds a scalar (code 0x01 at byte 0), want a map"},
		{"trailing bytes", list(0x90, 0x01, 0x02), "list: 2 bytes after the list at byte 1"},
		{"invalid code", list(0x91, 0xc1), "list: invalid msgpack code 0xc1 at byte 1"},
		{"extension not at the head", list(0x92, 0x01, 0xd4, 0x01, 0x00), "list: msgpack extension (code 0xd4) at byte 2 where a value belongs"},
		{"nested too deeply", list(deep...), "list: lists and maps nested deeper than 256 at byte 256"},
		{"unsupported type", struct{}{}, "unsupported value type struct {}"},
		{"native list", []any{1}, "unsupported value type []interface {}"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Value(tc.in)
			if err == nil || err.Error() != tc.want {
				t.Errorf("got error %v, want %q", err, tc.want)
			}
		})
	}
}

// FuzzValue feeds arbitrary bytes as list and map particles: an error is
// fine, a panic or a value that cannot be written as JSON is not.
func FuzzValue(f *testing.F) {
	f.Add([]byte{0x93, 0xc7, 0x00, 0x01, 0x01, 0xa2, 0x03, 'a', 0xcb, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{0x83, 0xc7, 0x00, 0x01, 0xc0, 0xa2, 0x03, 'a', 0x91, 0xc0, 0x01, 0xc4, 0x02, 0x07, 0x00})
	f.Add([]byte{0xdd, 0x00, 0x00, 0x00, 0x02, 0xd4, 0x01, 0x00, 0xd3, 1, 2, 3, 4, 5, 6, 7, 8})
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, pt := range []int{particle.LIST, particle.MAP} {
			v, err := Value(as.NewRawBlobValue(pt, data))
			if err != nil {
				continue
			}
			if _, err := json.Marshal(v); err != nil {
				t.Fatalf("% x: %v", data, err)
			}
		}
	})
}
