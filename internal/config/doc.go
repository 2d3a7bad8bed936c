// Package config owns the typed model of the Aerospike Backup Service (ABS v3)
// YAML configuration file: decoding it with line numbers, validating it the way
// ABS does (plus a few stricter checks documented on each field), and the
// lookups the commands need (routine by name, a routine's cluster, storage,
// policy and secret agent, the routines sharing a storage, and the names a
// shell completion offers).
//
// It must not connect to anything, resolve secrets (see package secret), read
// flags or environment variables other than the config lookup in Locate, or
// log: the caller decides what to print, and which exit status a bad config
// gets (package outcome maps these errors to a usage error). A file that
// cannot be found or read is a FileError, a name the file does not define a
// LookupError, and a bad file an Errors, one Error (file, line, YAML path,
// message) per line:
//
//	aerobackup.yml:12: backup-policies.daily.parallel: must be between 1 and 1024, got 0
//
// Parse reports every problem it finds, sorted by line and joined with
// newlines; decoding problems (unknown keys, wrong types) are reported alone,
// because validating a half-decoded file would only add noise.
package config
