// Package copyjob owns copying a routine's backups from one storage to
// another: the plan of which backups the destination lacks (a full before
// its incrementals, the chain of a chosen incremental with it), and the
// copy of one backup file by file, each checked against the size and
// checksum its manifest records while it streams, metadata.yaml last, so a
// copy cut short never lists at the destination and the next run completes
// it. The copy keeps ABS's layout: same keys, same files.
//
// It must not parse flags or print: the command hands it the two stores'
// openers and emits the Result it returns through package report.
package copyjob
