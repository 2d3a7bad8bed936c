// Package config owns the typed model of the Aerospike Backup Service (ABS v3)
// YAML configuration file: decoding it with line numbers, validating it the way
// ABS does (plus a few stricter checks documented on each field), and the
// lookups the commands need (routine by name, a routine's cluster, storage,
// policy and secret agent).
//
// It must not connect to anything, resolve secrets (see package secret), read
// flags or environment variables other than the config lookup in Locate, or
// log: the caller decides what to print. Every error it returns for a bad file
// is an outcome usage error, one line per problem:
//
//	aerobackup.yml:12: backup-policies.daily.parallel: must be between 1 and 1024, got 0
//
// Parse reports every problem it finds, sorted by line and joined with
// newlines; decoding problems (unknown keys, wrong types) are reported alone,
// because validating a half-decoded file would only add noise.
package config
