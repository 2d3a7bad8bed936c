// Package bench owns aerobackup's benchmark suite (`make bench`): it runs
// the built aerobackup binary and a minimal program calling backup-go
// directly (this package's Direct* functions, run by cmd/aerobackup-bench)
// as separate processes against one Aerospike server, and reports records/s,
// MiB/s, peak RSS and the CLI-to-direct ratios measured in the same run.
// Given an absctl binary (Config.Absctl), it measures Aerospike's own CLI
// beside them in the same way.
//
// It measures; it must not tune or change aerobackup's defaults itself.
package bench
