package aerospiketest

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
)

// TLSOptions make the server also listen for TLS, as an Enterprise node's
// tls-port does; the clear port keeps serving, so tests can seed and
// compare through it.
type TLSOptions struct {
	// Addr to listen on; default "127.0.0.1:0" (a free port). Only the
	// first ServeTLS call listens: later ones keep the port.
	Addr string
	// Name is the node's tls-name, reported in peers-tls-std (default the
	// certificate's first DNS name). The client checks the certificate
	// against the tls-name it was given, not this one.
	Name string
	// Certificate is the server certificate (with its key).
	Certificate tls.Certificate
	// MinVersion and MaxVersion bound the protocol (crypto/tls constants);
	// default TLS 1.2 through 1.3.
	MinVersion, MaxVersion uint16
	// ClientCAs, when set, make client certificates mandatory and verified
	// against them (mutual TLS, tls-authenticate-client). The verified
	// certificate's CN is the user of PKI authentication (ClientCertName).
	ClientCAs *x509.CertPool
}

// tlsListener is the server's TLS port: its settings may be replaced while
// it runs (new connections handshake with the latest).
type tlsListener struct {
	mu   sync.Mutex // guards ln, name
	ln   net.Listener
	name string
	cfg  atomic.Pointer[tls.Config]

	versions sync.Map // uint16 -> *atomic.Int64: handshakes by protocol version
}

// ServeTLS starts the TLS listener, or, when it runs already, replaces
// its certificate, versions and client CAs for the connections made from
// now on (open ones keep theirs).
func (s *Server) ServeTLS(o TLSOptions) error {
	if len(o.Certificate.Certificate) == 0 {
		return errors.New("aerospiketest: TLS needs a certificate")
	}
	cfg := &tls.Config{
		Certificates: []tls.Certificate{o.Certificate},
		MinVersion:   o.MinVersion,
		MaxVersion:   o.MaxVersion,
	}
	if cfg.MinVersion == 0 {
		cfg.MinVersion = tls.VersionTLS12
	}
	if o.ClientCAs != nil {
		cfg.ClientCAs = o.ClientCAs
		cfg.ClientAuth = tls.RequireAndVerifyClientCert
	}
	cfg.VerifyConnection = func(cs tls.ConnectionState) error {
		n, _ := s.tls.versions.LoadOrStore(cs.Version, new(atomic.Int64))
		n.(*atomic.Int64).Add(1)
		return nil
	}
	name := o.Name
	if name == "" {
		if leaf, err := x509.ParseCertificate(o.Certificate.Certificate[0]); err == nil && len(leaf.DNSNames) > 0 {
			name = leaf.DNSNames[0]
		}
	}
	t := &s.tls
	t.mu.Lock()
	defer t.mu.Unlock()
	t.cfg.Store(cfg)
	t.name = name
	if t.ln != nil {
		return nil
	}
	if s.closed.Load() {
		return errors.New("aerospiketest: server closed")
	}
	addr := o.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	raw, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("aerospiketest: listen for TLS on %s: %w", addr, err)
	}
	t.ln = tls.NewListener(raw, &tls.Config{
		GetConfigForClient: func(*tls.ClientHelloInfo) (*tls.Config, error) { return t.cfg.Load(), nil },
	})
	s.wg.Add(1)
	go s.acceptLoop(t.ln)
	return nil
}

// TLSAddr is the "host:port" of the TLS listener ("" without one).
func (s *Server) TLSAddr() string {
	s.tls.mu.Lock()
	defer s.tls.mu.Unlock()
	if s.tls.ln == nil {
		return ""
	}
	return s.tls.ln.Addr().String()
}

// TLSPort is the TLS listener's port (0 without one).
func (s *Server) TLSPort() int {
	s.tls.mu.Lock()
	defer s.tls.mu.Unlock()
	if s.tls.ln == nil {
		return 0
	}
	return s.tls.ln.Addr().(*net.TCPAddr).Port
}

// TLSHandshakes counts the TLS handshakes completed so far by protocol
// version (tls.VersionTLS12, tls.VersionTLS13).
func (s *Server) TLSHandshakes() map[uint16]int64 {
	out := map[uint16]int64{}
	s.tls.versions.Range(func(k, v any) bool {
		out[k.(uint16)] = v.(*atomic.Int64).Load()
		return true
	})
	return out
}

func (s *Server) closeTLS() {
	s.tls.mu.Lock()
	defer s.tls.mu.Unlock()
	if s.tls.ln != nil {
		s.tls.ln.Close()
	}
}

// tlsInfo answers the info commands whose reply depends on TLS; ok is
// false for every other command. A client with TLS on asks peers-tls-std
// on every tend and service-tls-std when it checks for a load balancer.
func (s *Server) tlsInfo(cmd string) (reply string, ok bool) {
	switch cmd {
	case "service-tls-std", "service-tls-alt":
		return s.TLSAddr(), true
	case "peers-tls-std", "peers-tls-alt":
		// Generation, the default TLS port, and no other nodes.
		return "1," + strconv.Itoa(s.TLSPort()) + ",[]", true
	}
	return "", false
}

// ClientCertName is the common name of the client certificate c's peer
// presented and the server verified (mutual TLS), or "" on a clear
// connection or one without a verified certificate. Under PKI
// authentication it names the user. It is meant for request handlers,
// which run after the handshake.
func ClientCertName(c net.Conn) string {
	tc, ok := c.(*tls.Conn)
	if !ok {
		return ""
	}
	cs := tc.ConnectionState()
	if !cs.HandshakeComplete || len(cs.VerifiedChains) == 0 || len(cs.VerifiedChains[0]) == 0 {
		return ""
	}
	return cs.VerifiedChains[0][0].Subject.CommonName
}
