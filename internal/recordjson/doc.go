// Package recordjson renders what backup-go's ASB decoder yields (records,
// secondary indexes and UDFs, as models.Token) as JSON lines, one object per
// line, for `aerobackup dump`, and sums up a record's bins for
// `aerobackup find`.
//
// It owns the JSON form of a backup's contents, typed values included
// ({"type": T, "value": V}), and a small reader of Aerospike's msgpack for
// list and map bins (particle-typed strings and blobs, the order extension).
// It keeps nothing between lines, so a dump streams. It does not read backup
// files, filter records or choose what to print: the commands do.
//
// The form, one line per token:
//
//	{"type":"record","namespace":NS,"set":SET,"digest":HEX,"partition":P,
//	 "key":TYPED,"generation":G,"void-time":RFC3339,"bins":{NAME:TYPED}}
//	{"type":"sindex","namespace":NS,"set":SET,"name":N,"bin":B,
//	 "index-type":"numeric"|"string"|"geo2dsphere"|"blob",
//	 "collection":"default"|"list"|"mapkeys"|"mapvalues",
//	 "context":B64,"expression":B64}
//	{"type":"udf","name":N,"language":"lua","content":TEXT}
//
// "set", "key", "void-time", "context" and "expression" are left out when
// empty (no set, no stored user key, a record that never expires). A typed
// value's T is "int", "float", "string", "bool", "bytes", "geojson", "hll",
// "nil", "list" or "map"; see TypedValue.
package recordjson
