package recordjson

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	as "github.com/aerospike/aerospike-client-go/v8"
	particle "github.com/aerospike/aerospike-client-go/v8/types/particle_type"
	"github.com/aerospike/backup-go/models"
)

// digest20 is a digest whose first bytes give partition 0x321 = 801.
var digest20 = []byte{0x21, 0xf3, 0xaa, 0xbb, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 0xff}

func recordWith(t *testing.T, set string, userKey any, voidTime int64, bins as.BinMap) *models.Record {
	t.Helper()
	key, err := as.NewKeyWithDigest("ns1", set, userKey, digest20)
	if err != nil {
		t.Fatal(err)
	}
	return &models.Record{Record: &as.Record{Key: key, Bins: bins, Generation: 3}, VoidTime: voidTime}
}

func encodeToken(t *testing.T, tok *models.Token) (string, error) {
	t.Helper()
	var buf bytes.Buffer
	err := NewEncoder(&buf).Token(tok)
	return buf.String(), err
}

func TestRecordLine(t *testing.T) {
	const head = `{"type":"record","namespace":"ns1",`
	const digest = `"digest":"21f3aabb0405060708090a0b0c0d0e0f101112ff","partition":801,`
	for _, tc := range []struct {
		name string
		rec  *models.Record
		want string
	}{
		{"no user key, no set, never expires, no bins", recordWith(t, "", nil, 0, nil),
			head + digest + `"generation":3,"bins":{}}`},
		{"int key and a void time", recordWith(t, "s", int64(-5), 1, as.BinMap{"n": int64(1)}),
			head + `"set":"s",` + digest + `"key":{"type":"int","value":-5},"generation":3,"void-time":"2010-01-01T00:00:01Z","bins":{"n":{"type":"int","value":1}}}`},
		{"float key, bins sorted", recordWith(t, "s", 1.5, 0, as.BinMap{"z": nil, "a": "x", "M": true}),
			head + `"set":"s",` + digest + `"key":{"type":"float","value":1.5},"generation":3,"bins":{"M":{"type":"bool","value":true},"a":{"type":"string","value":"x"},"z":{"type":"nil","value":null}}}`},
		{"void time far ahead", recordWith(t, "", nil, 4294967295, nil),
			head + digest + `"generation":3,"void-time":"2146-02-07T06:28:15Z","bins":{}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := encodeToken(t, models.NewRecordToken(tc.rec, 0, nil))
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want+"\n" {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestRecordErrors(t *testing.T) {
	// A str32 at byte 2 that says 8 bytes and has 2.
	bad := as.NewRawBlobValue(particle.LIST, []byte{0x92, 0x01, 0xdb, 0, 0, 0, 8, 3, 'a'})
	rec := recordWith(t, "", nil, 0, as.BinMap{"ok": int64(1), "tags": bad})
	var buf bytes.Buffer
	err := NewEncoder(&buf).Record(rec)
	want := `record 21f3aabb0405060708090a0b0c0d0e0f101112ff: bin "tags": list: truncated msgpack at byte 2`
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %q", err, want)
	}
	if buf.Len() != 0 {
		t.Errorf("wrote %q for a record that failed", buf.String())
	}
	if err := NewEncoder(&buf).Record(&models.Record{}); err == nil {
		t.Error("a record without a key rendered")
	}
}

func TestSIndexLine(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   models.SIndex
		want string
	}{
		{"numeric bin", models.SIndex{Namespace: "n", Set: "s", Name: "i1", IndexType: models.BinSIndex,
			Path: models.SIndexPath{BinName: "age", BinType: models.NumericSIDataType}},
			`{"type":"sindex","namespace":"n","set":"s","name":"i1","bin":"age","index-type":"numeric","collection":"default"}`},
		{"string list elements", models.SIndex{Namespace: "n", Name: "i2", IndexType: models.ListElementSIndex,
			Path: models.SIndexPath{BinName: "tags", BinType: models.StringSIDataType}},
			`{"type":"sindex","namespace":"n","name":"i2","bin":"tags","index-type":"string","collection":"list"}`},
		{"geo map values with a context", models.SIndex{Namespace: "n", Name: "i3", IndexType: models.MapValueSIndex,
			Path: models.SIndexPath{BinName: "loc", BinType: models.GEO2DSphereSIDataType, B64Context: "khAB"}},
			`{"type":"sindex","namespace":"n","name":"i3","bin":"loc","index-type":"geo2dsphere","collection":"mapvalues","context":"khAB"}`},
		{"blob map keys with an expression", models.SIndex{Namespace: "n", Name: "i4", IndexType: models.MapKeySIndex,
			Path: models.SIndexPath{BinName: "m", BinType: models.BlobSIDataType}, Expression: "kxECkwJDYmlu"},
			`{"type":"sindex","namespace":"n","name":"i4","bin":"m","index-type":"blob","collection":"mapkeys","expression":"kxECkwJDYmlu"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := encodeToken(t, models.NewSIndexToken(&tc.in, 0))
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want+"\n" {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
	_, err := encodeToken(t, models.NewSIndexToken(&models.SIndex{Name: "x", IndexType: models.BinSIndex}, 0))
	if want := `secondary index "x": unknown bin type '\x00'`; err == nil || err.Error() != want {
		t.Errorf("got %v, want %q", err, want)
	}
	_, err = encodeToken(t, models.NewSIndexToken(&models.SIndex{Name: "x", Path: models.SIndexPath{BinType: 'S'}}, 0))
	if want := `secondary index "x": unknown index type '\x00'`; err == nil || err.Error() != want {
		t.Errorf("got %v, want %q", err, want)
	}
}

func TestUDFLine(t *testing.T) {
	for _, tc := range []struct {
		name    string
		content []byte
		want    string
	}{
		{"text", []byte("-- <é>\nreturn 1\n"), `{"type":"udf","name":"m.lua","language":"lua","content":"-- <é>\nreturn 1\n"}`},
		{"empty", nil, `{"type":"udf","name":"m.lua","language":"lua","content":""}`},
		{"not UTF-8", []byte{'-', '-', 0xe9, '\n'}, `{"type":"udf","name":"m.lua","language":"lua","content-base64":"LS3pCg=="}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := encodeToken(t, models.NewUDFToken(&models.UDF{Name: "m.lua", UDFType: models.UDFTypeLUA, Content: tc.content}, 0))
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want+"\n" {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
	if _, err := encodeToken(t, models.NewUDFToken(&models.UDF{Name: "m.py", UDFType: 'P'}, 0)); err == nil {
		t.Error("a UDF of an unknown language rendered")
	}
}

func TestTokenErrors(t *testing.T) {
	for _, tok := range []*models.Token{nil, {Type: models.TokenTypeInvalid}, {Type: 9}, {Type: models.TokenTypeRecord}} {
		if out, err := encodeToken(t, tok); err == nil {
			t.Errorf("token %+v rendered as %q", tok, out)
		}
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteError(t *testing.T) {
	err := NewEncoder(failingWriter{}).UDF(&models.UDF{Name: "m.lua", UDFType: models.UDFTypeLUA})
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("got %v, want the writer's error", err)
	}
}

func TestBins(t *testing.T) {
	rec := recordWith(t, "", nil, 0, as.BinMap{
		"s":  "héllo",
		"i":  int64(1),
		"f":  2.5,
		"t":  true,
		"n":  nil,
		"b":  []byte{1, 2, 3},
		"g":  as.NewGeoJSONValue(`{}`),
		"h":  as.NewHLLValue(make([]byte, 10)),
		"l":  as.NewRawBlobValue(particle.LIST, []byte{0x92, 0x01, 0x02}),
		"m":  as.NewRawBlobValue(particle.MAP, []byte{0x80}),
		"jb": as.NewRawBlobValue(7, []byte{1, 2}),
	})
	got, err := Bins(rec)
	if err != nil {
		t.Fatal(err)
	}
	want := []BinInfo{
		{"b", "bytes", 3}, {"f", "float", 8}, {"g", "geojson", 2}, {"h", "hll", 10}, {"i", "int", 8},
		{"jb", "bytes", 2}, {"l", "list", 3}, {"m", "map", 1}, {"n", "nil", 0}, {"s", "string", 6}, {"t", "bool", 1},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got  %v\nwant %v", got, want)
	}
	rec.Bins["x"] = struct{}{}
	if _, err := Bins(rec); err == nil || err.Error() != `bin "x": unsupported value type struct {}` {
		t.Errorf("got %v", err)
	}
}
