// Package catalog owns the backup catalog kept in storage: the ABS v3
// layout (paths and keys), metadata.yaml, listing, incremental chains,
// point-in-time plans and retention plans.
//
// It is pure logic over storage.Store: it must not talk to a cluster, read
// the clock (callers pass times in) or decide policy for the user; it
// computes and reports, the CLI acts and prints.
//
// Layout, relative to the storage root (identical to ABS v3):
//
//	<routine>/backup/<unix-millis>[_<suffix>]/data/<namespace>/*.asb
//	<routine>/backup/<unix-millis>[_<suffix>]/data/<namespace>/metadata.yaml
//	<routine>/backup/<unix-millis>[_<suffix>]/configuration/aerospike_<n>.conf
//	<routine>/incremental/<unix-millis>[_<suffix>]/data/<namespace>/...
//
// A run folder (`<routine>/backup/<millis>`) is one backup of one or more
// namespaces. Its path relative to the storage root is the backup's Key,
// e.g. `nightly/backup/1763712000000`: `list` prints it and `restore
// --backup` takes it. ParseKey also accepts ABS's per-namespace keys
// (`nightly/backup/1763712000000/data/test`).
//
// metadata.yaml is written last: a namespace folder without it is not a
// backup (a run that failed or is still running).
package catalog
