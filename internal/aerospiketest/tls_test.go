package aerospiketest

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	as "github.com/aerospike/aerospike-client-go/v8"
)

const testTLSName = "node1.aerospiketest"

func tlsClient(srv *Server, tlsName string, cfg *tls.Config) (*as.Client, error) {
	cp := as.NewClientPolicy()
	cp.Timeout = 3 * time.Second
	cp.TlsConfig = cfg
	h := as.NewHost("127.0.0.1", srv.TLSPort())
	h.TLSName = tlsName
	return as.NewClientWithPolicyAndHost(cp, h)
}

func certSet(t *testing.T) *CertSet {
	t.Helper()
	set, err := WriteCertSet(t.TempDir(), testTLSName, "backup-operator")
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// The unmodified client works over the TLS port (tls-name checked against
// the certificate, peers-tls-std answered on its tends), with TLS 1.3 by
// default and 1.2 when the client allows no more.
func TestTLSServesTheClient(t *testing.T) {
	set := certSet(t)
	srv := NewServer(t, Options{TLS: &TLSOptions{Certificate: set.Server.TLS}})
	if srv.TLSPort() == 0 || srv.TLSPort() == srv.Port() {
		t.Fatalf("TLS port %d beside clear port %d", srv.TLSPort(), srv.Port())
	}
	for _, tt := range []struct {
		name    string
		max     uint16
		version uint16
	}{
		{"default", 0, tls.VersionTLS13},
		{"TLS 1.2 only", tls.VersionTLS12, tls.VersionTLS12},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := srv.TLSHandshakes()[tt.version]
			c, err := tlsClient(srv, testTLSName, &tls.Config{RootCAs: set.CA.Pool(), MaxVersion: tt.max})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			k, _ := as.NewKey("test", "tls", tt.name)
			if err := c.Put(nil, k, as.BinMap{"v": 1}); err != nil {
				t.Fatal(err)
			}
			if rec, err := c.Get(nil, k); err != nil || rec.Bins["v"] != 1 {
				t.Fatalf("get over TLS: %v %v", rec, err)
			}
			if got := srv.TLSHandshakes()[tt.version]; got <= before {
				t.Errorf("no handshake of version %x counted (%v)", tt.version, srv.TLSHandshakes())
			}
			node, err := c.Cluster().GetRandomNode()
			if err != nil {
				t.Fatal(err)
			}
			info, err := node.RequestInfo(as.NewInfoPolicy(), "service-tls-std", "peers-tls-std", "service-clear-std")
			if err != nil {
				t.Fatal(err)
			}
			if info["service-tls-std"] != srv.TLSAddr() || info["service-clear-std"] != srv.Addr() {
				t.Errorf("service replies %v, want TLS %s and clear %s", info, srv.TLSAddr(), srv.Addr())
			}
		})
	}
	if n := srv.Count("test"); n != 2 {
		t.Errorf("%d records through TLS, want 2", n)
	}
}

// What a client must refuse: a certificate of a CA it does not trust, one
// for another name, an expired one, and a protocol version the server
// does not speak. Each reaches the caller as the crypto/tls error.
func TestTLSFailures(t *testing.T) {
	set := certSet(t)
	srv := NewServer(t, Options{TLS: &TLSOptions{Certificate: set.Server.TLS}})
	var unknownCA x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	check := func(name string, err error, want func(error) bool) {
		t.Helper()
		if err == nil || !want(err) {
			t.Errorf("%s: %v", name, err)
		}
	}
	_, err := tlsClient(srv, testTLSName, &tls.Config{RootCAs: set.OtherCA.Pool()})
	check("wrong CA", err, func(err error) bool { return errors.As(err, &unknownCA) })
	_, err = tlsClient(srv, "other.aerospiketest", &tls.Config{RootCAs: set.CA.Pool()})
	check("wrong tls-name", err, func(err error) bool { return errors.As(err, &hostname) })

	// Replacing the certificate applies to new connections.
	if err := srv.ServeTLS(TLSOptions{Certificate: set.Expired.TLS}); err != nil {
		t.Fatal(err)
	}
	_, err = tlsClient(srv, testTLSName, &tls.Config{RootCAs: set.CA.Pool()})
	check("expired", err, func(err error) bool { return errors.As(err, &invalid) && invalid.Reason == x509.Expired })

	if err := srv.ServeTLS(TLSOptions{Certificate: set.Server.TLS, MinVersion: tls.VersionTLS13}); err != nil {
		t.Fatal(err)
	}
	_, err = tlsClient(srv, testTLSName, &tls.Config{RootCAs: set.CA.Pool(), MaxVersion: tls.VersionTLS12})
	check("TLS 1.2 client, TLS 1.3 server", err, func(err error) bool {
		return strings.Contains(err.Error(), "tls: protocol version not supported")
	})
	c, err := tlsClient(srv, testTLSName, &tls.Config{RootCAs: set.CA.Pool()})
	if err != nil {
		t.Fatalf("after the failures, a right client: %v", err)
	}
	c.Close()
}

// Mutual TLS: without a client certificate the server refuses the
// connection; with one signed by its CA it serves it.
func TestMutualTLS(t *testing.T) {
	set := certSet(t)
	srv := NewServer(t, Options{TLS: &TLSOptions{Certificate: set.Server.TLS, ClientCAs: set.CA.Pool()}})
	if _, err := tlsClient(srv, testTLSName, &tls.Config{RootCAs: set.CA.Pool()}); err == nil {
		t.Error("a client without a certificate connected")
	}
	other, err := set.OtherCA.Issue(CertSpec{CommonName: "intruder", Client: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tlsClient(srv, testTLSName, &tls.Config{RootCAs: set.CA.Pool(), Certificates: []tls.Certificate{other.TLS}}); err == nil {
		t.Error("a client certificate of another CA was accepted")
	}
	c, err := tlsClient(srv, testTLSName, &tls.Config{RootCAs: set.CA.Pool(), Certificates: []tls.Certificate{set.Client.TLS}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	k, _ := as.NewKey("test", "mtls", 1)
	if err := c.Put(nil, k, as.BinMap{"v": 1}); err != nil {
		t.Fatal(err)
	}
}

// ClientCertName gives the verified client certificate's CN, and nothing
// for a clear connection or an unverified peer.
func TestClientCertName(t *testing.T) {
	set := certSet(t)
	handshake := func(serverCfg, clientCfg *tls.Config) net.Conn {
		a, b := net.Pipe()
		t.Cleanup(func() { a.Close(); b.Close() })
		sc, cc := tls.Server(a, serverCfg), tls.Client(b, clientCfg)
		done := make(chan error, 1)
		go func() { done <- cc.Handshake() }()
		if err := sc.Handshake(); err != nil {
			t.Fatal(err)
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		return sc
	}
	client := &tls.Config{RootCAs: set.CA.Pool(), ServerName: testTLSName, Certificates: []tls.Certificate{set.Client.TLS}}
	verified := handshake(&tls.Config{Certificates: []tls.Certificate{set.Server.TLS}, ClientCAs: set.CA.Pool(),
		ClientAuth: tls.RequireAndVerifyClientCert}, client)
	if got := ClientCertName(verified); got != "backup-operator" {
		t.Errorf("verified client: %q, want backup-operator", got)
	}
	unverified := handshake(&tls.Config{Certificates: []tls.Certificate{set.Server.TLS}, ClientAuth: tls.RequestClientCert}, client)
	if got := ClientCertName(unverified); got != "" {
		t.Errorf("unverified client certificate: %q, want none", got)
	}
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	if got := ClientCertName(a); got != "" {
		t.Errorf("clear connection: %q", got)
	}
}
