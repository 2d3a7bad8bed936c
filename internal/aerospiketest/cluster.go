package aerospiketest

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"testing"
)

// EnvRealServer names a real server ("host:port") that tests use instead of
// the in-process one. Point it only at a disposable server: suites truncate
// its "test" and "bar" namespaces.
const EnvRealServer = "AEROBACKUP_TEST_AEROSPIKE"

// TestCluster returns the server tests should talk to: the real one named by
// AEROBACKUP_TEST_AEROSPIKE (srv is then nil, and server-only features such
// as clock control must be skipped, see RequireServer; a server without
// what the suites need skips the test, see Problems), or a fresh in-process
// server with the default namespaces "test" and "bar". Tests of all packages
// take turns on a real server: it is held until the test ends.
func TestCluster(t testing.TB) (host string, port int, srv *Server) {
	t.Helper()
	if addr := os.Getenv(EnvRealServer); addr != "" {
		h, n, err := realServerAddr()
		if err != nil {
			t.Fatal(err)
		}
		requireSuiteReady(t, addr, h, n)
		lockRealServer(t, addr)
		return h, n, nil
	}
	srv = NewServer(t, Options{})
	return srv.Host(), srv.Port(), srv
}

// realServerAddr splits AEROBACKUP_TEST_AEROSPIKE.
func realServerAddr() (string, int, error) {
	addr := os.Getenv(EnvRealServer)
	h, p, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, fmt.Errorf("%s=%q: want host:port: %v", EnvRealServer, addr, err)
	}
	n, err := strconv.Atoi(p)
	if err != nil {
		return "", 0, fmt.Errorf("%s=%q: bad port: %v", EnvRealServer, addr, err)
	}
	return h, n, nil
}

// RequireServer skips the test when it runs against a real server, naming
// the in-process feature it needs.
func RequireServer(t testing.TB, srv *Server, feature string) {
	t.Helper()
	if srv == nil {
		t.Skipf("needs the in-process test server (%s); %s points at a real server", feature, EnvRealServer)
	}
}
