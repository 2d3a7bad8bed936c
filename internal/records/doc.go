// Package records owns the records inside stored backups, read without a
// cluster: which data files of a namespace backup can hold a record (the
// manifest's partition ranges), each file read in order through its
// checksum, decryption and decompression into backup-go's tokens, and the
// records a selection names (user keys or digests). It does not choose
// backups (the catalog and the planner do) nor write to a cluster.
package records
