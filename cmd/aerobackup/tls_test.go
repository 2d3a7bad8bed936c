package main

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/aerobackup/aerobackup/internal/aerospiketest"
)

// Enterprise features the scripts use, and how a run against a real server
// finds them.
const (
	// envRequireEnterprise=1 (CI) turns a false [tls] (and the other
	// Enterprise conditions) into a failure: the steps they guard must run.
	envRequireEnterprise = "AEROBACKUP_REQUIRE_ENTERPRISE"
	// envRealTLS names a real server's TLS endpoint (host:port) beside
	// AEROBACKUP_TEST_AEROSPIKE; envRealTLSName and envRealTLSCA are its
	// tls-name and the CA file that signed its certificate.
	envRealTLS     = "AEROBACKUP_TEST_AEROSPIKE_TLS"
	envRealTLSName = "AEROBACKUP_TEST_AEROSPIKE_TLS_NAME"
	envRealTLSCA   = "AEROBACKUP_TEST_AEROSPIKE_TLS_CA"
)

// enterpriseCondition is the value of a script condition naming an
// Enterprise feature: have, or, when the feature is missing (why says
// why) and AEROBACKUP_REQUIRE_ENTERPRISE=1, an error that fails the
// script instead of letting its guarded steps skip.
func enterpriseCondition(cond string, have bool, why string) (bool, error) {
	if !have && os.Getenv(envRequireEnterprise) == "1" {
		return false, fmt.Errorf("[%s] is false (%s) and %s=1 requires it", cond, why, envRequireEnterprise)
	}
	return have, nil
}

// tlsCondition is [tls]: the in-process test server serves TLS; a real
// server only when AEROBACKUP_TEST_AEROSPIKE_TLS names its TLS endpoint
// (Community Edition has none).
func tlsCondition() (bool, error) {
	if os.Getenv(aerospiketest.EnvRealServer) == "" {
		return true, nil
	}
	return enterpriseCondition("tls", os.Getenv(envRealTLS) != "",
		aerospiketest.EnvRealServer+" is a real server and "+envRealTLS+" names no TLS endpoint")
}

// cmdAsdTLS drives TLS from a script:
//
//	asd tls certs DIR NAME [CLIENT-CN]
//	                          write a CA and certificates for tls-name NAME into DIR
//	                          (aerospiketest.WriteCertSet: ca.pem, other-ca.pem, server, expired,
//	                          foreign, client .pem/.key; client CN backup-operator unless
//	                          given); sets $TLSNAME
//	asd tls serve CERT [-min 1.2|1.3] [-max 1.2|1.3] [-client-ca FILE]
//	                          serve TLS with CERT.pem and CERT.key (the first time on a new
//	                          port, later replacing the certificate and settings); sets $TLSHOST
//	                          and $TLSPORT. Against a real server only `serve DIR/server` with
//	                          no options, which names the real TLS endpoint
//	asd tls handshakes V      the test server completed TLS V (1.2 or 1.3) handshakes
func cmdAsdTLS(ts *testscript.TestScript, s *scriptServer, neg bool, args []string) {
	if len(args) == 0 {
		ts.Fatalf("usage: asd tls certs|serve|handshakes ...")
	}
	switch args[0] {
	case "certs":
		if len(args) != 3 && len(args) != 4 {
			ts.Fatalf("usage: asd tls certs DIR NAME [CLIENT-CN]")
		}
		client := "backup-operator"
		if len(args) == 4 {
			client = args[3]
		}
		dir := ts.MkAbs(args[1])
		ts.Check(os.MkdirAll(dir, 0o755))
		name := args[2]
		if s.srv == nil {
			// The real endpoint's name and CA; the other files still let
			// the script try a wrong CA and a wrong tls-name.
			name = os.Getenv(envRealTLSName)
		}
		_, err := aerospiketest.WriteCertSet(dir, name, client)
		ts.Check(err)
		if s.srv == nil {
			b, err := os.ReadFile(os.Getenv(envRealTLSCA))
			ts.Check(err)
			ts.Check(os.WriteFile(dir+"/ca.pem", b, 0o644))
		}
		ts.Setenv("TLSNAME", name)
	case "serve":
		serveTLS(ts, s, args[1:])
	case "handshakes":
		if len(args) != 2 {
			ts.Fatalf("usage: asd tls handshakes 1.2|1.3")
		}
		v := map[string]uint16{"1.2": tls.VersionTLS12, "1.3": tls.VersionTLS13}[args[1]]
		if v == 0 {
			ts.Fatalf("asd tls handshakes: version %q: want 1.2 or 1.3", args[1])
		}
		if s.srv == nil {
			ts.Fatalf("asd tls handshakes needs the in-process test server (guard it with [!realserver])")
		}
		n := s.srv.TLSHandshakes()[v]
		if (n > 0) == neg {
			ts.Fatalf("the server completed %d TLS %s handshakes", n, args[1])
		}
		ts.Logf("%d TLS %s handshakes", n, args[1])
	default:
		ts.Fatalf("asd tls: unknown command %q", args[0])
	}
}

func serveTLS(ts *testscript.TestScript, s *scriptServer, args []string) {
	if len(args) == 0 {
		ts.Fatalf("usage: asd tls serve CERT [-min V] [-max V] [-client-ca FILE]")
	}
	if s.srv == nil {
		if len(args) != 1 {
			ts.Fatalf("asd tls serve %v: only the in-process test server takes options (guard the step with [!realserver])", args)
		}
		host, port, err := net.SplitHostPort(os.Getenv(envRealTLS))
		ts.Check(err)
		ts.Setenv("TLSHOST", host)
		ts.Setenv("TLSPORT", port)
		return
	}
	cert, err := tls.LoadX509KeyPair(ts.MkAbs(args[0]+".pem"), ts.MkAbs(args[0]+".key"))
	ts.Check(err)
	o := aerospiketest.TLSOptions{Certificate: cert}
	versions := map[string]uint16{"1.2": tls.VersionTLS12, "1.3": tls.VersionTLS13}
	for rest := args[1:]; len(rest) > 0; rest = rest[2:] {
		if len(rest) < 2 {
			ts.Fatalf("asd tls serve: %s needs a value", rest[0])
		}
		switch rest[0] {
		case "-min", "-max":
			v, ok := versions[rest[1]]
			if !ok {
				ts.Fatalf("asd tls serve %s %q: want 1.2 or 1.3", rest[0], rest[1])
			}
			if rest[0] == "-min" {
				o.MinVersion = v
			} else {
				o.MaxVersion = v
			}
		case "-client-ca": // repeatable: each CA's client certificates pass
			if o.ClientCAs == nil {
				o.ClientCAs = x509.NewCertPool()
			}
			if !o.ClientCAs.AppendCertsFromPEM([]byte(ts.ReadFile(rest[1]))) {
				ts.Fatalf("asd tls serve -client-ca %s: no PEM certificate", rest[1])
			}
		default:
			ts.Fatalf("asd tls serve: unknown option %q", rest[0])
		}
	}
	ts.Check(s.srv.ServeTLS(o))
	ts.Setenv("TLSHOST", "127.0.0.1")
	ts.Setenv("TLSPORT", strconv.Itoa(s.srv.TLSPort()))
}

// A missing Enterprise feature skips its steps, unless CI requires them.
func TestEnterpriseCondition(t *testing.T) {
	for _, tt := range []struct {
		have, require bool
		want          bool
		err           bool
	}{
		{have: true, want: true},
		{have: true, require: true, want: true},
		{have: false},
		{have: false, require: true, err: true},
	} {
		req := ""
		if tt.require {
			req = "1"
		}
		t.Setenv(envRequireEnterprise, req)
		got, err := enterpriseCondition("tls", tt.have, "no endpoint")
		if got != tt.want || (err != nil) != tt.err {
			t.Errorf("have %v, require %v: %v, %v", tt.have, tt.require, got, err)
		}
		if err != nil && !strings.Contains(err.Error(), "[tls] is false (no endpoint)") {
			t.Errorf("error %q names neither the condition nor why", err)
		}
	}
}
