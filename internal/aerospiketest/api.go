package aerospiketest

import "testing"

// NewServer starts a server for the test and closes it in t.Cleanup.
func NewServer(t testing.TB, opts Options) *Server {
	t.Helper()
	s, err := Start(opts)
	if err != nil {
		t.Fatalf("aerospiketest: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// Count is the number of live records in the namespace (0 if unknown).
func (s *Server) Count(nsName string) int {
	n, _, _ := s.counts(nsName)
	return n
}
