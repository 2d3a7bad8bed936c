// Package cluster owns the connection to an Aerospike cluster: seed hosts,
// credentials, TLS and timeouts, turned into an aerospike client and the
// backup-go client built on it. It does not read config files; callers hand
// it resolved Settings.
package cluster

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	as "github.com/aerospike/aerospike-client-go/v8"
	"github.com/aerospike/aerospike-client-go/v8/types"
	"github.com/aerospike/backup-go"
	"github.com/aerospike/backup-go/models"
	"golang.org/x/sync/semaphore"
)

// DefaultPort is Aerospike's service port.
const DefaultPort = 3000

// Seed is one seed node.
type Seed struct {
	Host    string
	Port    int
	TLSName string
}

func (s Seed) String() string { return net.JoinHostPort(s.Host, strconv.Itoa(s.Port)) }

// TLS holds the client TLS settings (ABS's tls section).
type TLS struct {
	CAFile          string
	CAPath          string
	CertFile        string
	KeyFile         string
	KeyFilePassword string
	Name            string // default tls-name of the seeds that give none
	Protocols       string // e.g. "TLSv1.2 TLSv1.3"; empty: TLS 1.2 and later
	CipherSuites    []string
}

// Settings describe how to reach one cluster; secrets already resolved.
type Settings struct {
	Name                 string // the config's cluster name, for messages
	Seeds                []Seed
	User                 string
	Password             string
	AuthMode             string // INTERNAL (default), EXTERNAL or PKI
	TLS                  *TLS
	ConnTimeout          time.Duration
	UseServicesAlternate bool
	MaxParallelScans     int
	ClusterName          string // expected cluster-name, checked by the client
	// PreferRacks (ABS's prefer-racks) makes the client rack-aware: it
	// learns each node's rack and reads from nodes of these racks first,
	// in this order, when a policy says PREFER_RACK.
	PreferRacks []int
	// Info says how info commands are sent (nil: the client's 2s timeout
	// and backup-go's default retries).
	Info *Info
}

// Info is the policy of info commands (absctl's --info-timeout,
// --info-retry-interval, --info-retry-multiplier, --info-max-retries):
// backup-go sends them to read versions, indexes, UDFs and record counts,
// aerobackup to list namespaces and node configurations.
type Info struct {
	// Timeout bounds each info command (0: none).
	Timeout time.Duration
	// Retry is backup-go's retry of a failed info command (nil: its
	// default, three retries from one second, doubling).
	Retry *models.RetryPolicy
}

// NewInfo is the info policy of a timeout and a retry from interval,
// growing by multiplier, maxRetries times. Values backup-go would take
// and misuse are refused, named as the command line spells them.
func NewInfo(timeout, interval time.Duration, multiplier float64, maxRetries uint) (*Info, error) {
	if timeout < 0 || interval < 0 {
		return nil, errors.New("--info-timeout and --info-retry-interval must not be negative")
	}
	if multiplier < 1 {
		return nil, fmt.Errorf("--info-retry-multiplier must be at least 1, got %g", multiplier)
	}
	return &Info{Timeout: timeout, Retry: models.NewRetryPolicy(interval, multiplier, maxRetries)}, nil
}

// InfoPolicies returns the client's info policy and backup-go's info
// retry policy for these settings.
func (s Settings) InfoPolicies() (*as.InfoPolicy, *models.RetryPolicy) {
	p := as.NewInfoPolicy()
	if s.Info == nil {
		return p, nil
	}
	p.Timeout = s.Info.Timeout
	return p, s.Info.Retry
}

// Conn is an open cluster connection.
type Conn struct {
	Aerospike *as.Client
	Backup    *backup.Client
	settings  Settings
}

// InfoPolicies are the info policy and retry policy the connection's
// backup-go client was made with, for another client on the same cluster.
func (c *Conn) InfoPolicies() (*as.InfoPolicy, *models.RetryPolicy) {
	return c.settings.InfoPolicies()
}

// Close closes the cluster connection.
func (c *Conn) Close() {
	if c != nil && c.Aerospike != nil {
		c.Aerospike.Close()
	}
}

// ParseHosts parses "host[:port][,host[:port]...]" (IPv6 as [addr]:port).
func ParseHosts(s string) ([]Seed, error) {
	var seeds []Seed
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		host, portStr, err := net.SplitHostPort(part)
		if err != nil {
			// No port given (or a bare IPv6 address).
			host, portStr = strings.Trim(part, "[]"), ""
		}
		port := DefaultPort
		if portStr != "" {
			p, err := strconv.Atoi(portStr)
			if err != nil || p < 1 || p > 65535 {
				return nil, fmt.Errorf("host %q: port must be 1..65535", part)
			}
			port = p
		}
		if host == "" {
			return nil, fmt.Errorf("host %q: empty host name", part)
		}
		seeds = append(seeds, Seed{Host: host, Port: port})
	}
	if len(seeds) == 0 {
		return nil, errors.New("no seed hosts given")
	}
	return seeds, nil
}

func (s Settings) label() string {
	if s.Name != "" {
		return fmt.Sprintf("cluster %q", s.Name)
	}
	hosts := make([]string, len(s.Seeds))
	for i, h := range s.Seeds {
		hosts[i] = h.String()
	}
	return fmt.Sprintf("cluster %s", strings.Join(hosts, ","))
}

// ClientPolicy builds the aerospike client policy for these settings.
func (s Settings) ClientPolicy() (*as.ClientPolicy, error) {
	if err := s.checkAuth(); err != nil {
		return nil, err
	}
	p := as.NewClientPolicy()
	p.User = s.User
	p.Password = s.Password
	p.ClusterName = s.ClusterName
	p.UseServicesAlternate = s.UseServicesAlternate
	if s.ConnTimeout > 0 {
		p.Timeout = s.ConnTimeout
		p.LoginTimeout = s.ConnTimeout
	}
	switch strings.ToUpper(s.AuthMode) {
	case "", "INTERNAL":
		p.AuthMode = as.AuthModeInternal
	case "EXTERNAL":
		p.AuthMode = as.AuthModeExternal
	case "PKI":
		p.AuthMode = as.AuthModePKI
	default:
		return nil, fmt.Errorf("auth-mode %q: want INTERNAL, EXTERNAL or PKI", s.AuthMode)
	}
	if s.TLS != nil {
		tc, err := s.TLS.config()
		if err != nil {
			return nil, err
		}
		p.TlsConfig = tc
	}
	if len(s.PreferRacks) > 0 {
		p.RackAware = true
		p.RackIds = append([]int(nil), s.PreferRacks...)
	}
	return p, nil
}

func (t *TLS) config() (*tls.Config, error) {
	tc := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: t.Name}
	if t.CAFile != "" || t.CAPath != "" {
		pool := x509.NewCertPool()
		files := []string{}
		if t.CAFile != "" {
			files = append(files, t.CAFile)
		}
		if t.CAPath != "" {
			entries, err := os.ReadDir(t.CAPath)
			if err != nil {
				return nil, fmt.Errorf("tls ca-path: %w", err)
			}
			for _, e := range entries {
				if !e.IsDir() {
					files = append(files, filepath.Join(t.CAPath, e.Name()))
				}
			}
		}
		for _, f := range files {
			pem, err := os.ReadFile(f)
			if err != nil {
				return nil, fmt.Errorf("tls ca-file: %w", err)
			}
			if !pool.AppendCertsFromPEM(pem) && f == t.CAFile {
				return nil, fmt.Errorf("tls ca-file %q: no PEM certificate found", f)
			}
		}
		tc.RootCAs = pool
	}
	if t.CertFile != "" || t.KeyFile != "" {
		if t.KeyFilePassword != "" {
			return nil, errors.New("tls key-file-password: encrypted private keys are not supported; decrypt the key file")
		}
		cert, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("tls cert-file/key-file: %w", err)
		}
		tc.Certificates = []tls.Certificate{cert}
	}
	if t.Protocols != "" {
		minV, maxV, err := parseProtocols(t.Protocols)
		if err != nil {
			return nil, err
		}
		tc.MinVersion, tc.MaxVersion = minV, maxV
	}
	if len(t.CipherSuites) > 0 {
		byName := map[string]uint16{}
		for _, cs := range tls.CipherSuites() {
			byName[cs.Name] = cs.ID
		}
		for _, name := range t.CipherSuites {
			id, ok := byName[name]
			if !ok {
				return nil, fmt.Errorf("tls cipher-suite %q is not supported", name)
			}
			tc.CipherSuites = append(tc.CipherSuites, id)
		}
	}
	return tc, nil
}

func parseProtocols(s string) (uint16, uint16, error) {
	versions := map[string]uint16{"TLSV1.2": tls.VersionTLS12, "TLSV1.3": tls.VersionTLS13}
	var minV, maxV uint16
	for _, f := range strings.Fields(strings.ToUpper(s)) {
		if f == "ALL" {
			f = "TLSV1.2"
			if maxV < tls.VersionTLS13 {
				maxV = tls.VersionTLS13
			}
		}
		v, ok := versions[strings.TrimPrefix(f, "+")]
		if !ok {
			return 0, 0, fmt.Errorf("tls protocols %q: want TLSv1.2 and/or TLSv1.3", s)
		}
		if minV == 0 || v < minV {
			minV = v
		}
		if v > maxV {
			maxV = v
		}
	}
	return minV, maxV, nil
}

// Connect opens the cluster and the backup-go client on it.
func Connect(ctx context.Context, s Settings, log *slog.Logger) (*Conn, error) {
	if len(s.Seeds) == 0 {
		return nil, fmt.Errorf("%s: no seed nodes", s.label())
	}
	policy, err := s.ClientPolicy()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.label(), err)
	}
	hosts := make([]*as.Host, len(s.Seeds))
	for i, seed := range s.Seeds {
		hosts[i] = &as.Host{Name: seed.Host, Port: seed.Port, TLSName: seed.TLSName}
		if hosts[i].TLSName == "" && s.TLS != nil {
			// tls.name is the default of every seed's tls-name (the
			// client would use the host name instead).
			hosts[i].TLSName = s.TLS.Name
		}
	}
	type result struct {
		c   *as.Client
		err error
	}
	ch := make(chan result, 1)
	go func() {
		c, aerr := as.NewClientWithPolicyAndHost(policy, hosts...)
		if aerr != nil {
			ch <- result{nil, aerr}
			return
		}
		ch <- result{c, nil}
	}()
	var client *as.Client
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case r := <-ch:
		if msg, ok := s.loginRefusal(r.err); ok {
			return nil, fmt.Errorf("%s: %s", s.label(), msg)
		}
		if r.err != nil {
			if cause := tlsCause(r.err, s.TLS); cause != "" {
				return nil, fmt.Errorf("%s: %s", s.label(), cause)
			}
			return nil, fmt.Errorf("%s: cannot connect: %s (check seed-nodes, credentials and that the server is reachable)",
				s.label(), describe(r.err))
		}
		client = r.c
	}
	ip, rp := s.InfoPolicies()
	client.DefaultInfoPolicy = ip
	opts := []backup.ClientOpt{backup.WithLogger(log), backup.WithInfoPolicies(ip, rp)}
	if s.MaxParallelScans > 0 {
		opts = append(opts, backup.WithScanLimiter(semaphore.NewWeighted(int64(s.MaxParallelScans))))
	}
	bc, err := backup.NewClient(scanGuard{client}, opts...)
	if err != nil {
		client.Close()
		return nil, fmt.Errorf("%s: %w", s.label(), err)
	}
	return &Conn{Aerospike: client, Backup: bc, settings: s}, nil
}

// describe shortens the client's error to its first meaningful line.
func describe(err error) string {
	var ae as.Error
	if errors.As(err, &ae) {
		switch {
		case ae.Matches(types.NOT_AUTHENTICATED, types.INVALID_USER, types.INVALID_PASSWORD,
			types.INVALID_CREDENTIAL, types.EXPIRED_PASSWORD):
			return "authentication failed"
		case ae.Matches(types.SECURITY_NOT_ENABLED, types.SECURITY_NOT_SUPPORTED):
			return "the server has no security enabled; remove credentials from the cluster entry"
		case ae.Matches(types.INVALID_NODE_ERROR, types.TIMEOUT, types.NO_AVAILABLE_CONNECTIONS_TO_NODE):
			return "no node answered"
		}
	}
	msg := err.Error()
	if i := strings.IndexByte(msg, '\n'); i > 0 {
		msg = msg[:i]
	}
	return msg
}

// NodesOnRacks counts the nodes whose rack for namespace ns is one of
// racks, as the rack-aware client learnt it on connecting; total is every
// node. A client that is not rack-aware knows no racks (0 of total).
func (c *Conn) NodesOnRacks(ns string, racks []int) (on, total int) {
	for _, n := range c.Aerospike.GetNodes() {
		total++
		r, err := n.Rack(ns)
		if err != nil {
			continue
		}
		for _, want := range racks {
			if r == want {
				on++
				break
			}
		}
	}
	return on, total
}

// infoPolicy is the policy of the info commands aerobackup sends itself.
func (c *Conn) infoPolicy() *as.InfoPolicy {
	if p := c.Aerospike.DefaultInfoPolicy; p != nil {
		return p
	}
	return as.NewInfoPolicy()
}

// Info sends one info command to every node and returns the answers by
// node name.
func (c *Conn) Info(cmd string) (map[string]string, error) {
	out := map[string]string{}
	for _, n := range c.Aerospike.GetNodes() {
		res, err := n.RequestInfo(c.infoPolicy(), cmd)
		if err != nil {
			return nil, fmt.Errorf("node %s: info %q: %w", n.GetName(), cmd, err)
		}
		out[n.GetName()] = res[cmd]
	}
	return out, nil
}

// NamespaceEmpty asks every node for the namespace's object count: it is
// empty when every node counts none. Expired records not yet removed count
// too, so a caller choosing by emptiness errs towards assuming records.
func (c *Conn) NamespaceEmpty(ns string) (bool, error) {
	answers, err := c.Info("namespace/" + ns)
	if err != nil {
		return false, fmt.Errorf("destination namespace %q: %w", ns, err)
	}
	return namespaceEmpty(ns, answers)
}

// NamespacesEmpty asks NamespaceEmpty of each namespace named.
func (c *Conn) NamespacesEmpty(names []string) (map[string]bool, error) {
	empty := map[string]bool{}
	for _, ns := range names {
		e, err := c.NamespaceEmpty(ns)
		if err != nil {
			return nil, err
		}
		empty[ns] = e
	}
	return empty, nil
}

// namespaceEmpty reads the nodes' "namespace/<ns>" answers.
func namespaceEmpty(ns string, answers map[string]string) (bool, error) {
	if len(answers) == 0 {
		return false, fmt.Errorf("destination namespace %q: no node answered", ns)
	}
	for node, a := range answers {
		if a == "" || strings.HasPrefix(a, "ERROR") || strings.HasPrefix(a, "type=unknown") {
			return false, fmt.Errorf("destination namespace %q: node %s does not know it (%s)", ns, node, a)
		}
		found := false
		for _, kv := range strings.Split(a, ";") {
			k, v, _ := strings.Cut(kv, "=")
			if k != "objects" {
				continue
			}
			found = true
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n != 0 {
				return false, nil
			}
		}
		if !found {
			return false, nil
		}
	}
	return true, nil
}

// ResolveNodeList returns list with each entry that is the address a node
// was reached at (a seed's HOST:PORT) replaced by that node's name.
// backup-go matches node-list entries against node names and the
// addresses nodes advertise in their service info, which behind NAT or on
// a multi-homed host differ from the address the operator connects to.
func (c *Conn) ResolveNodeList(list []string) []string {
	if len(list) == 0 {
		return list
	}
	byHost := map[string]string{}
	for _, n := range c.Aerospike.GetNodes() {
		if h := n.GetHost(); h != nil {
			byHost[h.String()] = n.GetName()
		}
	}
	out := make([]string, len(list))
	for i, e := range list {
		if name, ok := byHost[e]; ok {
			out[i] = name
			continue
		}
		out[i] = e
	}
	return out
}
