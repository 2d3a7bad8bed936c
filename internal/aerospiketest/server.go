package aerospiketest

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Options configure a Server. The zero value is usable.
type Options struct {
	// Addr to listen on; default "127.0.0.1:0" (a free port).
	Addr string
	// Namespaces the server holds; default ["test", "bar"]. More can be
	// added later with AddNamespace.
	Namespaces []string
	// NodeName is the node id the server reports; default "BB9000000000001".
	NodeName string
	// ClusterName reported by "cluster-name"; default "aerospiketest".
	ClusterName string
	// Build is the server version claimed; default "8.1.0.0", new enough
	// for batch writes, expression filters and the 8.1 info syntax.
	Build string
	// DefaultTTL applies to writes that ask for the namespace default
	// (TTL 0); 0 means records never expire.
	DefaultTTL time.Duration
	// Clock, when set, replaces the wall clock as the server's time source
	// (SetTime and Advance then shift it). Without it the server runs on
	// the wall clock until SetTime freezes it.
	Clock func() time.Time
	// Logger receives connection-level errors; default discards.
	Logger *slog.Logger
	// RackID is the rack the node reports for every namespace ("rack-ids",
	// which a rack-aware client asks on every tend, and "racks:"); default 0.
	RackID int
	// TLS, when set, adds a TLS listener beside the clear one (see
	// ServeTLS, TLSAddr).
	TLS *TLSOptions
	// Security, when set, turns on access control (see Security); it can
	// also be turned on later with EnableSecurity.
	Security *Security
}

// Server is a running test server. Its methods are safe for concurrent use.
type Server struct {
	*shared
	opts Options
	ln   net.Listener
	log  *slog.Logger

	// node is this node's place in a Cluster (nil when it runs alone)
	// and its read counters.
	node nodeState

	connMu sync.Mutex
	conns  map[net.Conn]struct{}
	wg     sync.WaitGroup
	closed atomic.Bool

	tls tlsListener
}

// shared is what the nodes of a Cluster hold in common: the records and
// metadata, the clock, the partition generation, faults and statistics.
// A lone server has its own.
type shared struct {
	clock clock

	mu       sync.RWMutex // guards namespaces, nsNames, sindexes, udfs
	nss      map[string]*namespace
	nsNames  []string
	sindexes []*sindex
	udfs     map[string]*udfFile

	partGen atomic.Int64
	faults  faultState
	stats   statCounters
	sec     securityState // users and roles are the cluster's
}

// Start listens and serves in the background until Close.
func Start(opts Options) (*Server, error) { return start(opts, nil, nil) }

// start starts a server on sh, the store it shares with the other nodes
// of its cluster (nil: its own); join, when set, places it in the cluster
// before it serves.
func start(opts Options, sh *shared, join func(*Server)) (*Server, error) {
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:0"
	}
	if len(opts.Namespaces) == 0 {
		opts.Namespaces = []string{"test", "bar"}
	}
	if opts.NodeName == "" {
		opts.NodeName = "BB9000000000001"
	}
	if opts.ClusterName == "" {
		opts.ClusterName = "aerospiketest"
	}
	if opts.Build == "" {
		opts.Build = "8.1.0.0"
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("aerospiketest: listen on %s: %w", opts.Addr, err)
	}
	if sh == nil {
		sh = &shared{nss: make(map[string]*namespace), udfs: make(map[string]*udfFile)}
		sh.clock.fn = opts.Clock
		sh.partGen.Store(1)
	}
	s := &Server{
		shared: sh,
		opts:   opts,
		ln:     ln,
		log:    opts.Logger,
		conns:  make(map[net.Conn]struct{}),
	}
	if opts.Security != nil && !s.sec.on.Load() {
		if err := s.EnableSecurity(*opts.Security); err != nil {
			ln.Close()
			return nil, err
		}
	}
	for _, name := range opts.Namespaces {
		if err := s.AddNamespace(name); err != nil {
			ln.Close()
			return nil, err
		}
	}
	if join != nil {
		join(s)
	}
	s.wg.Add(1)
	go s.acceptLoop(ln)
	if opts.TLS != nil {
		if err := s.ServeTLS(*opts.TLS); err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

// Addr is the "host:port" the server listens on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Host is the IP address the server listens on.
func (s *Server) Host() string { return s.ln.Addr().(*net.TCPAddr).IP.String() }

// Port is the TCP port the server listens on.
func (s *Server) Port() int { return s.ln.Addr().(*net.TCPAddr).Port }

// Close stops listening, drops every connection and waits for handlers.
func (s *Server) Close() error {
	if !s.closed.CompareAndSwap(false, true) {
		return nil
	}
	err := s.ln.Close()
	s.closeTLS()
	s.DropConnections()
	s.wg.Wait()
	return err
}

// DropConnections closes every open client connection, as a node restart
// or network fault would; the listener keeps accepting new ones.
func (s *Server) DropConnections() {
	s.connMu.Lock()
	for c := range s.conns {
		c.Close()
	}
	s.connMu.Unlock()
}

func (s *Server) connCount() int {
	s.connMu.Lock()
	defer s.connMu.Unlock()
	return len(s.conns)
}

// AddNamespace adds an empty namespace (a no-op if it exists).
func (s *Server) AddNamespace(name string) error {
	if name == "" || len(name) >= 32 {
		return fmt.Errorf("aerospiketest: invalid namespace name %q", name)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.nss[name]; ok {
		return nil
	}
	s.nss[name] = newNamespace(name)
	s.nsNames = append(s.nsNames, name)
	// A new partition map: clients re-read "replicas" on the next tend.
	s.partGen.Add(1)
	return nil
}

// Namespaces lists the namespaces in creation order.
func (s *Server) Namespaces() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return slices.Clone(s.nsNames)
}

func (s *Server) ns(name string) *namespace {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.nss[name]
}

// Now is the server's clock.
func (s *Server) Now() time.Time { return s.clock.now() }

// SetTime freezes the server clock at t: every write stamps last-update
// time t until the clock is advanced, so incremental windows are exact.
func (s *Server) SetTime(t time.Time) { s.clock.set(t) }

// Advance moves the server clock forward (frozen or not).
func (s *Server) Advance(d time.Duration) { s.clock.advance(d) }

// RunClock lets a frozen clock run again from where it stands.
func (s *Server) RunClock() { s.clock.unfreeze() }

func (s *Server) acceptLoop(ln net.Listener) {
	defer s.wg.Done()
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		s.connMu.Lock()
		if s.closed.Load() {
			s.connMu.Unlock()
			c.Close()
			return
		}
		s.conns[c] = struct{}{}
		s.connMu.Unlock()
		s.wg.Add(1)
		go s.serveConn(c)
	}
}

// errDrop asks the connection loop to close the connection (fault injection).
var errDrop = errors.New("connection dropped by fault injection")

func (s *Server) serveConn(c net.Conn) {
	defer s.wg.Done()
	defer func() {
		s.connMu.Lock()
		delete(s.conns, c)
		s.connMu.Unlock()
		c.Close()
	}()
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetNoDelay(true)
	}
	r := bufio.NewReaderSize(c, 64<<10)
	w := bufio.NewWriterSize(c, 64<<10)
	var hdr [8]byte
	auth := s.newConnAuth(c)
	for {
		typ, body, err := readProto(r, hdr[:])
		if err != nil {
			if !errors.Is(err, io.EOF) && !s.closed.Load() {
				s.log.Debug("aerospiketest: read request", slog.Any("error", err))
			}
			return
		}
		if d := s.faults.delay(); d > 0 {
			time.Sleep(d)
		}
		switch typ {
		case protoInfo:
			s.stats.info.Add(1)
			_, err = w.Write(frame(protoInfo, s.securedInfo(auth, body)))
		case protoAdmin:
			_, err = w.Write(frame(protoAdmin, s.handleAdmin(auth, body)))
		case protoMsg:
			if rc := s.msgRefusal(auth, body); rc != rcOK {
				_, err = w.Write(refusalMessage(rc))
				break
			}
			err = s.handleMsg(w, body)
		default:
			s.log.Debug("aerospiketest: unknown proto type", slog.Int("type", int(typ)))
			return
		}
		if err == nil {
			err = w.Flush()
		}
		if err != nil {
			if errors.Is(err, errDrop) {
				w.Flush()
			}
			return
		}
	}
}

// handleAdmin answers security commands (see securityCommand); without
// security it answers SECURITY_NOT_ENABLED to every one, as a server
// without security does; the client then proceeds without a session, so
// configs carrying credentials still connect.
func (s *Server) handleAdmin(a *connAuth, body []byte) []byte {
	if s.sec.on.Load() {
		return s.securityCommand(a, body)
	}
	resp := make([]byte, 16)
	resp[1] = rcSecurityNotEnabled
	return resp
}

// handleMsg routes one AS_MSG request.
func (s *Server) handleMsg(w *bufio.Writer, body []byte) error {
	m, err := parseMessage(body)
	if err != nil {
		return err
	}
	if m.info1&info1Batch != 0 {
		return s.handleBatch(w, m)
	}
	if _, ok := m.field(fieldQueryID); ok {
		return s.handleScan(w, m)
	}
	if _, ok := m.field(fieldDigest); !ok {
		return writeSingle(w, msgHeader{resultCode: rcParameter}, nil)
	}
	h, bins := s.single(m)
	return writeSingle(w, h, bins)
}

func writeSingle(w *bufio.Writer, h msgHeader, bins []bin) error {
	body := appendMessage(make([]byte, 8, 64), h, nil, bins)
	putProtoHeader(body, protoMsg, len(body)-8)
	_, err := w.Write(body)
	return err
}

func itoa(i int64) string { return strconv.FormatInt(i, 10) }
