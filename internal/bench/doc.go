// Package bench owns aerobackup's benchmark suite (`make bench`): it runs
// the built aerobackup binary and a minimal program calling backup-go
// directly (this package's Direct* functions, run by cmd/aerobackup-bench)
// as separate processes against one Aerospike server, and reports records/s,
// MiB/s, peak RSS and the CLI-to-direct ratios measured in the same run.
// Given an absctl binary (Config.Absctl), it measures Aerospike's own CLI
// beside them in the same way. The one-key lookup (lookup.go) measures
// find and restore-at-timestamp --key of one record, bytes read and time,
// against a restore of the whole chain.
//
// It measures; it must not tune or change aerobackup's defaults itself.
package bench
