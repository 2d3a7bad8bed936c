package aerospiketest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// CA is a certificate authority a test makes for itself, so TLS runs need
// no files from outside: it signs server and client certificates.
type CA struct {
	Cert *x509.Certificate
	key  *ecdsa.PrivateKey
	// PEM is the CA certificate, what a client's ca-file holds.
	PEM []byte
}

// NewCA makes a self-signed CA valid from an hour ago for ten years.
func NewCA(name string) (*CA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("aerospiketest: CA key: %w", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: name, Organization: []string{"aerospiketest"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(10, 0, 0),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("aerospiketest: CA certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("aerospiketest: CA certificate: %w", err)
	}
	return &CA{Cert: cert, key: key, PEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}, nil
}

// Pool is a pool holding only this CA, for a server's ClientCAs.
func (ca *CA) Pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ca.Cert)
	return p
}

// CertSpec says what certificate to issue.
type CertSpec struct {
	// CommonName is the subject's CN: the user of a client certificate
	// under PKI authentication.
	CommonName string
	// DNSNames and IPs are the names a server certificate is valid for
	// (a node's tls-name goes in DNSNames).
	DNSNames []string
	IPs      []net.IP
	// Client makes a client certificate (extended key usage clientAuth)
	// instead of a server one.
	Client bool
	// NotBefore and NotAfter default to an hour ago and a year on; a
	// NotAfter in the past makes an expired certificate.
	NotBefore, NotAfter time.Time
}

// Issued is a certificate with its key, in PEM and ready for crypto/tls.
type Issued struct {
	CertPEM, KeyPEM []byte
	TLS             tls.Certificate
}

// Issue signs a certificate for spec.
func (ca *CA) Issue(spec CertSpec) (*Issued, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("aerospiketest: certificate key: %w", err)
	}
	now := time.Now()
	if spec.NotBefore.IsZero() {
		spec.NotBefore = now.Add(-time.Hour)
	}
	if spec.NotAfter.IsZero() {
		spec.NotAfter = now.AddDate(1, 0, 0)
	}
	usage := x509.ExtKeyUsageServerAuth
	if spec.Client {
		usage = x509.ExtKeyUsageClientAuth
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: spec.CommonName, Organization: []string{"aerospiketest"}},
		DNSNames:     spec.DNSNames,
		IPAddresses:  spec.IPs,
		NotBefore:    spec.NotBefore,
		NotAfter:     spec.NotAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{usage},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, &key.PublicKey, ca.key)
	if err != nil {
		return nil, fmt.Errorf("aerospiketest: certificate %q: %w", spec.CommonName, err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("aerospiketest: certificate key: %w", err)
	}
	out := &Issued{
		CertPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		KeyPEM:  pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}),
	}
	if out.TLS, err = tls.X509KeyPair(out.CertPEM, out.KeyPEM); err != nil {
		return nil, fmt.Errorf("aerospiketest: certificate %q: %w", spec.CommonName, err)
	}
	return out, nil
}

// Write stores the certificate and key as NAME.pem and NAME.key in dir
// (the key readable by its owner only).
func (c *Issued) Write(dir, name string) error {
	if err := os.WriteFile(filepath.Join(dir, name+".pem"), c.CertPEM, 0o644); err != nil {
		return fmt.Errorf("aerospiketest: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".key"), c.KeyPEM, 0o600); err != nil {
		return fmt.Errorf("aerospiketest: %w", err)
	}
	return nil
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		panic(err) // crypto/rand does not fail
	}
	return n
}

// CertSet is the set of files a TLS test uses, written by WriteCertSet.
type CertSet struct {
	CA, OtherCA *CA
	// Server is valid for the tls-name; Expired too but out of date;
	// Foreign is valid for it but signed by OtherCA; Client is a client
	// certificate whose CN is the client name.
	Server, Expired, Foreign, Client *Issued
}

// WriteCertSet makes two CAs and the certificates of CertSet for tlsName
// (server) and clientName (client CN), and writes them into dir:
//
//	ca.pem                    the CA
//	other-ca.pem              a CA that signed nothing the server shows
//	server.pem, server.key    the server certificate for tlsName
//	expired.pem, expired.key  the same, expired a day ago
//	foreign.pem, foreign.key  the same, signed by other-ca.pem
//	client.pem, client.key    a client certificate, CN clientName
func WriteCertSet(dir, tlsName, clientName string) (*CertSet, error) {
	ca, err := NewCA("aerospiketest CA")
	if err != nil {
		return nil, err
	}
	other, err := NewCA("aerospiketest other CA")
	if err != nil {
		return nil, err
	}
	server := CertSpec{CommonName: tlsName, DNSNames: []string{tlsName}}
	expired := server
	expired.NotBefore, expired.NotAfter = time.Now().AddDate(0, 0, -30), time.Now().AddDate(0, 0, -1)
	set := &CertSet{CA: ca, OtherCA: other}
	for _, c := range []struct {
		out  **Issued
		ca   *CA
		spec CertSpec
		name string
	}{
		{&set.Server, ca, server, "server"},
		{&set.Expired, ca, expired, "expired"},
		{&set.Foreign, other, server, "foreign"},
		{&set.Client, ca, CertSpec{CommonName: clientName, Client: true}, "client"},
	} {
		if *c.out, err = c.ca.Issue(c.spec); err != nil {
			return nil, err
		}
		if err := (*c.out).Write(dir, c.name); err != nil {
			return nil, err
		}
	}
	for name, b := range map[string][]byte{"ca.pem": ca.PEM, "other-ca.pem": other.PEM} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return nil, fmt.Errorf("aerospiketest: %w", err)
		}
	}
	return set, nil
}
