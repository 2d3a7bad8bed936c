package aerospiketest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"strconv"
	"testing"
	"time"

	as "github.com/aerospike/aerospike-client-go/v8"
	"github.com/aerospike/aerospike-client-go/v8/types"
)

// testPKI is a CA with a server certificate for 127.0.0.1 and client
// certificates by common name.
type testPKI struct {
	ca     *x509.Certificate
	caKey  *ecdsa.PrivateKey
	pool   *x509.CertPool
	server tls.Certificate
}

func newTestPKI(t *testing.T) *testPKI {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	p := &testPKI{ca: ca, caKey: key, pool: x509.NewCertPool()}
	p.pool.AddCert(ca)
	p.server = p.issue(t, "aerospiketest", x509.ExtKeyUsageServerAuth)
	return p
}

func (p *testPKI) issue(t *testing.T, cn string, usage x509.ExtKeyUsage) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{SerialNumber: serial, Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{usage},
		DNSNames: []string{"aerospiketest"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p.ca, &key.PublicKey, p.caKey)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// serveTLS accepts TLS connections for srv (verifying client certificates
// when given) and hands them to its connection loop, as a TLS listener of
// the server would; it returns the address.
func serveTLS(t *testing.T, srv *Server, p *testPKI, mutual bool) string {
	t.Helper()
	o := TLSOptions{Certificate: p.server}
	if mutual {
		o.ClientCAs = p.pool
	}
	if err := srv.ServeTLS(o); err != nil {
		t.Fatal(err)
	}
	return srv.TLSAddr()
}

func pkiClient(addr string, p *testPKI, mode as.AuthMode, user, password string, cert *tls.Certificate) (*as.Client, error) {
	cp := as.NewClientPolicy()
	cp.Timeout = 10 * time.Second
	cp.AuthMode, cp.User, cp.Password = mode, user, password
	cp.TlsConfig = &tls.Config{RootCAs: p.pool, MinVersion: tls.VersionTLS12}
	if cert != nil {
		cp.TlsConfig.Certificates = []tls.Certificate{*cert}
	}
	host, port, _ := net.SplitHostPort(addr)
	n, _ := strconv.Atoi(port)
	h := as.NewHost(host, n)
	h.TLSName = "aerospiketest"
	return as.NewClientWithPolicyAndHost(cp, h)
}

func TestSecurityExternalOverTLS(t *testing.T) {
	srv := securedServer(t, Security{External: true})
	p := newTestPKI(t)
	addr := serveTLS(t, srv, p, false)
	c, err := pkiClient(addr, p, as.AuthModeExternal, "writer", "writer-pw", nil)
	if err != nil {
		t.Fatalf("EXTERNAL login: %v", err)
	}
	defer c.Close()
	key, _ := as.NewKey("test", "s", "ext")
	if err := c.Put(nil, key, as.BinMap{"a": 1}); err != nil {
		t.Fatalf("put after EXTERNAL login: %v", err)
	}
	_, err = pkiClient(addr, p, as.AuthModeExternal, "writer", "wrong", nil)
	wantCode(t, "EXTERNAL login with a wrong password", err, types.INVALID_CREDENTIAL)
}

func TestSecurityPKIOverTLS(t *testing.T) {
	srv := securedServer(t, Security{Users: append([]User{{Name: "pkiuser", Roles: []string{"read"}}}, testUsers...)})
	p := newTestPKI(t)
	addr := serveTLS(t, srv, p, true)

	cert := p.issue(t, "pkiuser", x509.ExtKeyUsageClientAuth)
	c, err := pkiClient(addr, p, as.AuthModePKI, "", "", &cert)
	if err != nil {
		t.Fatalf("PKI login: %v", err)
	}
	defer c.Close()
	key, _ := as.NewKey("test", "s", "pki")
	_, err = c.Get(nil, key)
	wantCode(t, "read as the certificate's user", err, types.KEY_NOT_FOUND_ERROR)
	wantCode(t, "write as a reader", c.Put(nil, key, as.BinMap{"a": 1}), types.ROLE_VIOLATION)

	stranger := p.issue(t, "mallory", x509.ExtKeyUsageClientAuth)
	_, err = pkiClient(addr, p, as.AuthModePKI, "", "", &stranger)
	wantCode(t, "PKI login with a certificate naming no user", err, types.INVALID_USER)
	// The server's mutual TLS refuses a client without a certificate at
	// the handshake, before any login.
	if _, err = pkiClient(addr, p, as.AuthModePKI, "", "", nil); err == nil {
		t.Fatal("PKI without a client certificate: connected")
	}
	// A user without a password cannot log in with one.
	_, err = pkiClient(addr, p, as.AuthModeInternal, "pkiuser", "", &cert)
	wantCode(t, "password login as a certificate-only user", err, types.INVALID_CREDENTIAL)
}
