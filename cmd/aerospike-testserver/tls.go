package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/aerobackup/aerobackup/internal/aerospiketest"
)

// tlsFlags are the flags of the TLS listener.
type tlsFlags struct {
	addr, name, certs, cert, key, clientCA, min, max string
}

func (f *tlsFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.addr, "tls-addr", "", "also listen for TLS on this address (port 0 picks a free port)")
	fs.StringVar(&f.name, "tls-name", "localhost", "the node's tls-name: -tls-certs makes the server certificate for it")
	fs.StringVar(&f.certs, "tls-certs", "", "write a CA and certificates into this folder (ca.pem, server.pem/.key, expired.pem/.key,\n"+
		"foreign.pem/.key signed by other-ca.pem, client.pem/.key with CN -tls-client-name) and serve server.pem")
	fs.StringVar(&f.cert, "tls-cert", "", "serve this certificate (PEM) instead (with -tls-key)")
	fs.StringVar(&f.key, "tls-key", "", "the private key of -tls-cert (PEM)")
	fs.StringVar(&f.clientCA, "tls-client-ca", "", "require client certificates signed by this CA (PEM): mutual TLS")
	fs.StringVar(&f.min, "tls-min", "1.2", "lowest TLS version served: 1.2 or 1.3")
	fs.StringVar(&f.max, "tls-max", "1.3", "highest TLS version served: 1.2 or 1.3")
}

var tlsVersions = map[string]uint16{"1.2": tls.VersionTLS12, "1.3": tls.VersionTLS13}

// options turns the flags into the server's TLS options; nil without
// -tls-addr. clientName is the CN of the client certificate -tls-certs makes.
func (f *tlsFlags) options(clientName string) (*aerospiketest.TLSOptions, error) {
	if f.addr == "" {
		if f.certs != "" || f.cert != "" || f.clientCA != "" {
			return nil, errors.New("-tls-certs, -tls-cert and -tls-client-ca need -tls-addr")
		}
		return nil, nil
	}
	o := &aerospiketest.TLSOptions{Addr: f.addr, Name: f.name}
	var ok bool
	if o.MinVersion, ok = tlsVersions[f.min]; !ok {
		return nil, fmt.Errorf("-tls-min %q: want 1.2 or 1.3", f.min)
	}
	if o.MaxVersion, ok = tlsVersions[f.max]; !ok {
		return nil, fmt.Errorf("-tls-max %q: want 1.2 or 1.3", f.max)
	}
	switch {
	case f.cert != "":
		cert, err := tls.LoadX509KeyPair(f.cert, f.key)
		if err != nil {
			return nil, fmt.Errorf("-tls-cert/-tls-key: %w", err)
		}
		o.Certificate = cert
	case f.certs != "":
		if err := os.MkdirAll(f.certs, 0o755); err != nil {
			return nil, fmt.Errorf("-tls-certs: %w", err)
		}
		set, err := aerospiketest.WriteCertSet(f.certs, f.name, clientName)
		if err != nil {
			return nil, fmt.Errorf("-tls-certs: %w", err)
		}
		o.Certificate = set.Server.TLS
	default:
		return nil, errors.New("-tls-addr needs -tls-certs DIR or -tls-cert and -tls-key")
	}
	if f.clientCA != "" {
		b, err := os.ReadFile(f.clientCA)
		if err != nil {
			return nil, fmt.Errorf("-tls-client-ca: %w", err)
		}
		o.ClientCAs = x509.NewCertPool()
		if !o.ClientCAs.AppendCertsFromPEM(b) {
			return nil, fmt.Errorf("-tls-client-ca %s: no PEM certificate", f.clientCA)
		}
	}
	return o, nil
}
