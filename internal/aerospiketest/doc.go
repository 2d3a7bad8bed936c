// Package aerospiketest is test infrastructure, not product code: an
// in-process server, one node or a cluster of nodes sharing one store and
// one partition map (StartCluster, docs/test-cluster.md), that speaks enough of the Aerospike wire
// protocol (info, single-record commands, partition scans with filter
// expressions, batch index commands) for the unmodified aerospike-client-go v8
// and backup-go v0.11.0 to run real backups and restores against it.
//
// It owns the partition map (where each partition's copies live, which
// partitions a node scans, what it reports to a tending client), the
// record store (bins kept as particle type plus raw bytes, user
// keys, generation, void time, last-update time), the clock those times come
// from, secondary-index and UDF metadata (stored, never executed), fault
// injection, and the comparison helpers tests use (Snapshot, Diff).
//
// It claims to be Aerospike Community Edition 8.1.0.0 (Options.Build), so the
// client and backup-go use the 8.1 info syntax ("sindex-list:namespace=...",
// "sindex-create:namespace=...;bin=...;type=..."); the older spellings
// ("ns=", "indexdata=") are accepted as well, for Build values below 8.1.
// Security is off by default: a login is answered with
// SECURITY_NOT_ENABLED, which the v8 client treats as success, so clients
// configured with any user and password still connect. Options.Security
// (or EnableSecurity) turns on an Enterprise server's access control:
// logins, session tokens and predefined roles (security.go).
//
// With Options.TLS (or ServeTLS) it also listens for TLS, as an Enterprise
// node's tls-port, with certificates tests make (NewCA, WriteCertSet) and
// optional mutual TLS (ClientCertName gives a connection's verified client
// CN).
//
// Start one per test with NewServer (like net/http/httptest), or use
// TestCluster to run the same test against a real server named by
// AEROBACKUP_TEST_AEROSPIKE=host:port.
package aerospiketest
