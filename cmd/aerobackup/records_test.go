package main

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"math"
	"os"
	"reflect"
	"strconv"
	"strings"

	as "github.com/aerospike/aerospike-client-go/v8"
	"github.com/rogpeppe/go-internal/testscript"
)

// typedBinValue reads the value of a script's BIN=VALUE: an integer or a
// string, or float:F, bool:B, bytes:HEX, geo:GEOJSON, json:JSON (a list
// or a map; whole numbers are integers).
func typedBinValue(v string) (any, error) {
	typ, rest, ok := strings.Cut(v, ":")
	if ok {
		switch typ {
		case "float":
			return strconv.ParseFloat(rest, 64)
		case "bool":
			return strconv.ParseBool(rest)
		case "bytes":
			return hex.DecodeString(rest)
		case "geo":
			return as.NewGeoJSONValue(rest), nil
		case "json":
			d := json.NewDecoder(strings.NewReader(rest))
			d.UseNumber()
			var x any
			if err := d.Decode(&x); err != nil {
				return nil, err
			}
			return fromJSON(x), nil
		}
	}
	if i, err := strconv.Atoi(v); err == nil {
		return i, nil
	}
	return v, nil
}

func fromJSON(x any) any {
	switch x := x.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		f, _ := x.Float64()
		return f
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = fromJSON(e)
		}
		return out
	case map[string]any:
		out := map[any]any{}
		for k, e := range x {
			out[k] = fromJSON(e)
		}
		return out
	}
	return x
}

// cmdCompareDump checks a dump's record lines against the server: asd
// compare-dump FILE NS [SET]. Every record of the namespace (or set) is
// in the dump once, with the server's generation, user key and bins.
func cmdCompareDump(ts *testscript.TestScript, s *scriptServer, args []string) {
	if len(args) < 3 {
		ts.Fatalf("usage: asd compare-dump FILE NS [SET]")
	}
	ns, set := args[2], ""
	if len(args) > 3 {
		set = args[3]
	}
	data, err := os.ReadFile(ts.MkAbs(args[1]))
	ts.Check(err)
	c := s.conn(ts)
	seen := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		var line struct {
			Type, Namespace, Set, Digest string
			Generation                   uint32
			Key                          *typed
			Bins                         map[string]typed
		}
		d := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		d.UseNumber()
		ts.Check(d.Decode(&line))
		if line.Type != "record" {
			continue
		}
		if seen[line.Digest] {
			ts.Fatalf("record %s is in the dump twice", line.Digest)
		}
		seen[line.Digest] = true
		digest, err := hex.DecodeString(line.Digest)
		ts.Check(err)
		key, err := as.NewKeyWithDigest(ns, line.Set, nil, digest)
		ts.Check(err)
		rec, err := c.Get(nil, key)
		if err != nil {
			ts.Fatalf("record %s of the dump: %v", line.Digest, err)
		}
		if rec.Generation != line.Generation {
			ts.Fatalf("record %s: generation %d in the dump, %d on the server", line.Digest, line.Generation, rec.Generation)
		}
		got := map[string]any{}
		for name, v := range line.Bins {
			got[name] = v.value(ts)
		}
		want := map[string]any{}
		for name, v := range rec.Bins {
			want[name] = normal(v)
		}
		if !reflect.DeepEqual(got, want) {
			ts.Fatalf("record %s: dump bins %#v, server bins %#v", line.Digest, got, want)
		}
	}
	ts.Check(sc.Err())
	n := 0
	for _, r := range snapshot(ts, s, ns).Records {
		if set == "" || r.Set == set {
			n++
		}
	}
	if n != len(seen) {
		ts.Fatalf("the dump holds %d records, the server %d", len(seen), n)
	}
	ts.Logf("dump equals namespace %s (%d records)", ns, n)
}

// typed is a dump's typed value.
type typed struct {
	Type  string          `json:"type"`
	Order string          `json:"order"`
	Value json.RawMessage `json:"value"`
}

// value is the Go value a client read gives for t, in normal's form.
func (t typed) value(ts *testscript.TestScript) any {
	dec := func(v any) {
		d := json.NewDecoder(bytes.NewReader(t.Value))
		d.UseNumber()
		ts.Check(d.Decode(v))
	}
	switch t.Type {
	case "int":
		var n json.Number
		dec(&n)
		i, err := n.Int64()
		ts.Check(err)
		return i
	case "float":
		var x any
		dec(&x)
		if s, ok := x.(string); ok {
			return map[string]float64{"NaN": math.NaN(), "+Inf": math.Inf(1), "-Inf": math.Inf(-1)}[s]
		}
		f, err := x.(json.Number).Float64()
		ts.Check(err)
		return f
	case "string", "geojson":
		var s string
		dec(&s)
		if t.Type == "geojson" {
			return "geo:" + s
		}
		return s
	case "bool":
		var b bool
		dec(&b)
		return b
	case "bytes", "hll":
		var s string
		dec(&s)
		b, err := base64.StdEncoding.DecodeString(s)
		ts.Check(err)
		if t.Type == "hll" {
			return "hll:" + string(b)
		}
		return b
	case "nil":
		return nil
	case "list":
		var items []typed
		dec(&items)
		out := make([]any, len(items))
		for i, e := range items {
			out[i] = e.value(ts)
		}
		return out
	case "map":
		var entries []struct{ Key, Value typed }
		dec(&entries)
		out := map[any]any{}
		for _, e := range entries {
			out[e.Key.value(ts)] = e.Value.value(ts)
		}
		return out
	}
	ts.Fatalf("unknown type %q in the dump", t.Type)
	return nil
}

// normal puts a client value in one form per type: int64, float64,
// "geo:"/"hll:" strings, and lists and maps of normal values.
func normal(v any) any {
	switch v := v.(type) {
	case int:
		return int64(v)
	case int64:
		return v
	case float32:
		return float64(v)
	case as.GeoJSONValue:
		return "geo:" + string(v)
	case as.HLLValue:
		return "hll:" + string(v)
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = normal(e)
		}
		return out
	case map[any]any:
		out := map[any]any{}
		for k, e := range v {
			out[normal(k)] = normal(e)
		}
		return out
	}
	return v
}
