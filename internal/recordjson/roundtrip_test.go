package recordjson

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"math"
	"strings"
	"testing"

	as "github.com/aerospike/aerospike-client-go/v8"
	particle "github.com/aerospike/aerospike-client-go/v8/types/particle_type"
	"github.com/aerospike/backup-go"
	"github.com/aerospike/backup-go/models"

	"github.com/aerobackup/aerobackup/internal/aerospiketest"
)

// scannedRecord writes a record with list and map bins through the client,
// so that the client packs them, and reads it back raw (RawCDT) as a
// backup-go scan does.
func scannedRecord(t *testing.T) *models.Record {
	t.Helper()
	srv := aerospiketest.NewServer(t, aerospiketest.Options{})
	c, err := as.NewClientWithPolicy(as.NewClientPolicy(), srv.Host(), srv.Port())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	key, err := as.NewKey("test", "people", "alice")
	if err != nil {
		t.Fatal(err)
	}
	wp := as.NewWritePolicy(0, 0)
	wp.SendKey = true
	bins := as.BinMap{
		"tags": []any{1, "two", []byte{3}, 4.5, nil, true, -300, int64(math.MinInt64), uint64(math.MaxUint64),
			as.NewGeoJSONValue(`{"type":"Point","coordinates":[1,2]}`), as.NewHLLValue([]byte{9, 8})},
		// One pair a map: Go map order would make the bytes vary.
		"attrs": map[any]any{"nested": []any{"x", map[any]any{7: float32(0.5)}}},
	}
	if err := c.Put(wp, key, bins); err != nil {
		t.Fatal(err)
	}
	sp := as.NewScanPolicy()
	sp.RawCDT = true
	rs, err := c.ScanAll(sp, "test", "people")
	if err != nil {
		t.Fatal(err)
	}
	var rec *as.Record
	for res := range rs.Results() {
		if res.Err != nil {
			t.Fatal(res.Err)
		}
		rec = res.Record
	}
	if rec == nil {
		t.Fatal("scan found no record")
	}
	if _, ok := rec.Bins["tags"].(*as.RawBlobValue); !ok {
		t.Fatalf("tags scanned as %T, want *RawBlobValue", rec.Bins["tags"])
	}
	return &models.Record{Record: rec, VoidTime: 500000000}
}

// builtRecord holds every scalar type and an ordered list and key-ordered
// map given as raw msgpack, under a blob user key, with no set.
func builtRecord(t *testing.T) *models.Record {
	t.Helper()
	key, err := as.NewKey("test", "", []byte{0xca, 0xfe})
	if err != nil {
		t.Fatal(err)
	}
	return &models.Record{Record: &as.Record{
		Key:        key,
		Generation: 7,
		Bins: as.BinMap{
			"i":     int64(-9007199254740993),
			"f":     math.Inf(-1),
			"s":     "héllo <b>\n",
			"b":     []byte{0, 1, 2},
			"g":     as.NewGeoJSONValue(`{"type":"Point","coordinates":[-122.0,37.5]}`),
			"h":     as.NewHLLValue([]byte{0, 4, 0}),
			"t":     true,
			"ol":    as.NewRawBlobValue(particle.LIST, []byte{0x93, 0xc7, 0x00, 0x01, 0x01, 0x02}),
			"om":    as.NewRawBlobValue(particle.MAP, []byte{0x82, 0xc7, 0x00, 0x01, 0xc0, 0xa2, 0x03, 'k', 0x05}),
			"empty": "",
		},
	}}
}

func TestRoundTripThroughASB(t *testing.T) {
	tokens := []*models.Token{
		models.NewUDFToken(&models.UDF{Name: "sum.lua", UDFType: models.UDFTypeLUA, Content: []byte("function sum(a, b)\n  return a + b\nend\n")}, 0),
		models.NewSIndexToken(&models.SIndex{Namespace: "test", Set: "people", Name: "by_age", IndexType: models.BinSIndex,
			Path: models.SIndexPath{BinName: "age", BinType: models.NumericSIDataType}}, 0),
		models.NewSIndexToken(&models.SIndex{Namespace: "test", Name: "by_tag", IndexType: models.ListElementSIndex,
			Path: models.SIndexPath{BinName: "tags", BinType: models.StringSIDataType, B64Context: "khAB"}}, 0),
		models.NewRecordToken(scannedRecord(t), 0, nil),
		models.NewRecordToken(builtRecord(t), 0, nil),
	}
	enc := backup.NewEncoder[*models.Token](backup.EncoderTypeASB, "test", false, false)
	var asb bytes.Buffer
	asb.Write(enc.GetHeader(0, false))
	for _, tok := range tokens {
		if err := enc.EncodeToken(tok, &asb); err != nil {
			t.Fatal(err)
		}
	}
	dec, err := backup.NewDecoder[*models.Token](backup.EncoderTypeASB, &asb, 0, "test.asb", false, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	e := NewEncoder(&out)
	for {
		tok, err := dec.NextToken()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := e.Token(tok); err != nil {
			t.Fatal(err)
		}
	}
	want := strings.Join([]string{
		`{"type":"udf","name":"sum.lua","language":"lua","content":"function sum(a, b)\n  return a + b\nend\n"}`,
		`{"type":"sindex","namespace":"test","set":"people","name":"by_age","bin":"age","index-type":"numeric","collection":"default"}`,
		`{"type":"sindex","namespace":"test","name":"by_tag","bin":"tags","index-type":"string","collection":"list","context":"khAB"}`,
		`{"type":"record","namespace":"test","set":"people","digest":"6ec71e15ec81936c91a087caf33c30a5a1dbea4e","partition":1902,"key":{"type":"string","value":"alice"},"generation":1,"void-time":"2025-11-05T00:53:20Z","bins":{` +
			`"attrs":{"type":"map","value":[{"key":{"type":"string","value":"nested"},"value":{"type":"list","value":[{"type":"string","value":"x"},` +
			`{"type":"map","value":[{"key":{"type":"int","value":7},"value":{"type":"float","value":0.5}}],"order":"unordered"}],"order":"unordered"}}],"order":"unordered"},` +
			`"tags":{"type":"list","value":[{"type":"int","value":1},{"type":"string","value":"two"},{"type":"bytes","value":"Aw=="},{"type":"float","value":4.5},` +
			`{"type":"nil","value":null},{"type":"bool","value":true},{"type":"int","value":-300},{"type":"int","value":-9223372036854775808},` +
			`{"type":"int","value":18446744073709551615},{"type":"geojson","value":"{\"type\":\"Point\",\"coordinates\":[1,2]}"},{"type":"hll","value":"CQg="}],"order":"unordered"}}}`,
		`{"type":"record","namespace":"test","digest":"5181e284df992d180131553e2d79d0db688eee5b","partition":337,"key":{"type":"bytes","value":"yv4="},"generation":7,"bins":{` +
			`"b":{"type":"bytes","value":"AAEC"},"empty":{"type":"string","value":""},"f":{"type":"float","value":"-Inf"},` +
			`"g":{"type":"geojson","value":"{\"type\":\"Point\",\"coordinates\":[-122.0,37.5]}"},"h":{"type":"hll","value":"AAQA"},` +
			`"i":{"type":"int","value":-9007199254740993},` +
			`"ol":{"type":"list","value":[{"type":"int","value":1},{"type":"int","value":2}],"order":"ordered"},` +
			`"om":{"type":"map","value":[{"key":{"type":"string","value":"k"},"value":{"type":"int","value":5}}],"order":"key-ordered"},` +
			`"s":{"type":"string","value":"héllo <b>\n"},"t":{"type":"bool","value":true}}}`,
	}, "\n") + "\n"
	if got := out.String(); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}
