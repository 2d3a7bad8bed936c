package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/aerobackup/aerobackup/internal/cluster"
	"github.com/aerobackup/aerobackup/internal/config"
	"github.com/aerobackup/aerobackup/internal/logging"
	"github.com/aerobackup/aerobackup/internal/outcome"
	"github.com/aerobackup/aerobackup/internal/secret"
	"github.com/aerobackup/aerobackup/internal/storage"
	"github.com/aerobackup/aerobackup/internal/storage/backend"
	"github.com/aerobackup/aerobackup/internal/storage/localstore"
	"github.com/aerobackup/aerobackup/internal/timeflag"
)

// AdhocRoutine names the folder of backups taken without a config file.
const AdhocRoutine = "adhoc"

// targetFlags choose the routine, cluster and storage a command works on;
// the ad-hoc ones replace a config file.
type targetFlags struct {
	routine    string
	host       string
	user       string
	password   string
	authMode   string
	storageURL string
	namespaces []string
	// noStorage: the command reads and writes no storage (backup
	// --output -), so ad-hoc mode needs no --storage.
	noStorage bool
}

func (f *targetFlags) register(cmd *cobra.Command, withCluster bool) {
	fl := cmd.Flags()
	fl.StringVarP(&f.routine, "routine", "r", "", "routine name (may be omitted when the config has exactly one; ad-hoc default \"adhoc\")")
	fl.StringSliceVarP(&f.namespaces, "namespace", "n", nil, "namespace(s) to work on (default: the routine's, or all)")
	fl.StringVar(&f.storageURL, "storage", "", "ad-hoc storage: /abs/path, file:///abs/path, s3://bucket/prefix, gs://bucket/prefix, azblob://container/prefix")
	if withCluster {
		fl.StringVar(&f.host, "host", "", "ad-hoc cluster seeds: HOST[:PORT][,HOST[:PORT]...]")
		fl.StringVar(&f.user, "user", "", "ad-hoc cluster user")
		fl.StringVar(&f.password, "password", "", "ad-hoc cluster password (prefer "+EnvVar("password")+")")
		fl.StringVar(&f.authMode, "auth-mode", "", "authentication mode: INTERNAL, EXTERNAL or PKI")
	}
}

// target is what a command resolved: the routine and everything it names.
type target struct {
	cfg     *config.Config // nil in ad-hoc mode
	routine *config.Routine
	adhoc   bool
}

func (t *target) name() string { return t.routine.Name }

// loadConfig finds and loads the config file; nil, nil when there is none
// and no --config was given (ad-hoc mode).
func (a *App) loadConfig() (*config.Config, error) {
	path, err := config.Locate(a.Globals.ConfigFile)
	if errors.Is(err, config.ErrNoConfig) {
		return nil, nil
	}
	if err != nil {
		return nil, outcome.AsUsage(err)
	}
	cfg, err := config.Load(path)
	if err != nil {
		return nil, outcome.AsUsage(err)
	}
	if cfg.HasService() {
		a.Log.Debug("ignoring the service section of the config", "file", path)
	}
	a.warnPlainPasswords(cfg, path)
	return cfg, nil
}

// warnPlainPasswords warns when a config holding a clear-text password can
// be read by other users.
func (a *App) warnPlainPasswords(cfg *config.Config, path string) {
	plain := false
	for _, c := range cfg.AerospikeClusters {
		if c.Credentials != nil && c.Credentials.Password != nil && !config.IsSecretRef(*c.Credentials.Password) {
			plain = true
			logging.RegisterSecret(*c.Credentials.Password)
		}
	}
	if !plain {
		return
	}
	if st, err := os.Stat(path); err == nil && st.Mode().Perm()&0o044 != 0 {
		a.Log.Warn("config file holds a plain password and is readable by other users; chmod 600 it or use password-path or a secret agent",
			"file", path, "mode", st.Mode().Perm().String())
	}
}

// resolveTarget picks the routine from the config, or builds an ad-hoc one
// from flags. Everything here is usage checking: nothing is contacted.
func (a *App) resolveTarget(f *targetFlags, needCluster bool) (*target, error) {
	cfg, err := a.loadConfig()
	if err != nil {
		return nil, err
	}
	if cfg == nil {
		return a.adhocTarget(f, needCluster)
	}
	r, err := cfg.Routine(f.routine)
	if err != nil {
		return nil, err
	}
	t := &target{cfg: cfg, routine: r}
	if f.storageURL != "" {
		s, err := backend.FromURL(f.storageURL)
		if err != nil {
			return nil, err
		}
		overrideStorage(r, s)
	}
	return t, nil
}

func (a *App) adhocTarget(f *targetFlags, needCluster bool) (*target, error) {
	if f.storageURL == "" && f.noStorage {
		return a.adhocStreamTarget(f, needCluster)
	}
	if f.storageURL == "" {
		return nil, outcome.Usage("no config file (pass --config, set %s or create ./%s) and no --storage for ad-hoc mode",
			config.EnvConfig, config.DefaultFile)
	}
	s, err := backend.FromURL(f.storageURL)
	if err != nil {
		return nil, err
	}
	name := f.routine
	if name == "" {
		name = AdhocRoutine
	}
	if strings.ContainsAny(name, `/\`) || name == "." || name == ".." {
		return nil, outcome.Usage("--routine %q: a routine name cannot contain / or be . or ..", name)
	}
	r := &config.Routine{Name: name, StorageName: s.Name, Namespaces: f.namespaces}
	overrideStorage(r, s)
	if err := setAdhocCluster(r, f, needCluster); err != nil {
		return nil, err
	}
	return &target{routine: r, adhoc: true}, nil
}

// adhocStreamTarget is an ad-hoc routine without storage.
func (a *App) adhocStreamTarget(f *targetFlags, needCluster bool) (*target, error) {
	name := f.routine
	if name == "" {
		name = AdhocRoutine
	}
	r := &config.Routine{Name: name, Namespaces: f.namespaces}
	if err := setAdhocCluster(r, f, needCluster); err != nil {
		return nil, err
	}
	return &target{routine: r, adhoc: true}, nil
}

// setAdhocCluster gives an ad-hoc routine the cluster of --host and its
// companions, which a command that needs a cluster requires.
func setAdhocCluster(r *config.Routine, f *targetFlags, needCluster bool) error {
	if !needCluster && f.host == "" {
		return nil
	}
	if f.host == "" {
		return outcome.Usage("no config file and no --host for ad-hoc mode")
	}
	c, err := adhocCluster(f)
	if err != nil {
		return err
	}
	config.SetRoutineCluster(r, c)
	return nil
}

func overrideStorage(r *config.Routine, s *config.Storage) {
	r.StorageName = s.Name
	config.SetRoutineStorage(r, s)
}

func adhocCluster(f *targetFlags) (*config.AerospikeCluster, error) {
	seeds, err := cluster.ParseHosts(f.host)
	if err != nil {
		return nil, outcome.Usage("--host: %v", err)
	}
	c := &config.AerospikeCluster{Name: f.host}
	for _, s := range seeds {
		c.SeedNodes = append(c.SeedNodes, config.SeedNode{HostName: s.Host, Port: s.Port})
	}
	if f.user != "" || f.password != "" || f.authMode != "" {
		cred := &config.Credentials{}
		if f.user != "" {
			cred.User = &f.user
		}
		if f.password != "" {
			logging.RegisterSecret(f.password)
			cred.Password = &f.password
		}
		if f.authMode != "" {
			m := strings.ToUpper(f.authMode)
			if m != "INTERNAL" && m != "EXTERNAL" && m != "PKI" {
				return nil, outcome.Usage("--auth-mode %q: want INTERNAL, EXTERNAL or PKI", f.authMode)
			}
			cred.AuthMode = &m
		}
		c.Credentials = cred
	}
	return c, nil
}

// destinationCluster picks the cluster to write to: --destination from the
// config, an ad-hoc --host, or the routine's own.
func (a *App) destinationCluster(t *target, destination string, f *targetFlags) (*config.AerospikeCluster, error) {
	switch {
	case destination != "" && t.cfg == nil:
		return nil, outcome.Usage("--destination %q needs a config file with aerospike-clusters", destination)
	case destination != "":
		return t.cfg.Cluster(destination)
	case f.host != "":
		return adhocCluster(f)
	case t.routine != nil && t.routine.Cluster() != nil:
		return t.routine.Cluster(), nil
	}
	return nil, outcome.Usage("no destination cluster: give --destination NAME or --host HOST")
}

// resolve returns a config value with secret-agent references resolved;
// what a reference resolves to is registered as a secret for redaction.
func (a *App) resolve(ctx context.Context, agent *config.SecretAgent, field, value string) (string, error) {
	if !config.IsSecretRef(value) {
		return value, nil
	}
	if a.secrets == nil {
		a.secrets = secret.NewResolver(nil)
	}
	v, err := a.secrets.ResolveWith(ctx, agent, field, value)
	if err != nil {
		return "", err
	}
	logging.RegisterSecret(v)
	return v, nil
}

// clusterSettings turns a config cluster into connection settings,
// resolving the password from password-path or a secret agent.
func (a *App) clusterSettings(ctx context.Context, cfg *config.Config, c *config.AerospikeCluster) (cluster.Settings, error) {
	s := cluster.Settings{Name: c.Name, ConnTimeout: c.ConnTimeoutDuration()}
	if c.Label != nil && *c.Label != "" {
		s.Name = *c.Label
	}
	for _, n := range c.SeedNodes {
		seed := cluster.Seed{Host: n.HostName, Port: n.Port}
		if seed.Port == 0 {
			seed.Port = cluster.DefaultPort
		}
		if n.TLSName != nil {
			seed.TLSName = *n.TLSName
		}
		s.Seeds = append(s.Seeds, seed)
	}
	if c.UseServicesAlternate != nil {
		s.UseServicesAlternate = *c.UseServicesAlternate
	}
	if c.MaxParallelScans != nil {
		s.MaxParallelScans = *c.MaxParallelScans
	}
	if cr := c.Credentials; cr != nil {
		s.AuthMode = cr.Mode()
		if cr.User != nil {
			s.User = *cr.User
		}
		var agent *config.SecretAgent
		if cfg != nil {
			agent = cfg.CredentialsAgent(c)
		}
		switch {
		case cr.Password != nil:
			pw, err := a.resolve(ctx, agent, "aerospike-clusters."+c.Name+".credentials.password", *cr.Password)
			if err != nil {
				return s, err
			}
			s.Password = pw
		case cr.PasswordPath != nil:
			b, err := os.ReadFile(*cr.PasswordPath)
			if err != nil {
				return s, outcome.Usage("aerospike-clusters.%s.credentials.password-path: %v", c.Name, err)
			}
			s.Password = strings.TrimRight(string(b), "\r\n")
		}
		logging.RegisterSecret(s.Password)
	}
	if t := c.TLS; t != nil {
		s.TLS = &cluster.TLS{CAFile: deref(t.CAFile), CAPath: deref(t.CAPath), CertFile: deref(t.CertFile),
			KeyFile: deref(t.KeyFile), KeyFilePassword: deref(t.KeyFilePassword), Name: deref(t.Name),
			Protocols: deref(t.Protocols)}
		if t.CipherSuite != nil && *t.CipherSuite != "" {
			s.TLS.CipherSuites = strings.FieldsFunc(*t.CipherSuite, func(r rune) bool { return r == ':' || r == ',' })
		}
	}
	return s, nil
}

// connect opens the cluster connection.
func (a *App) connect(ctx context.Context, cfg *config.Config, c *config.AerospikeCluster) (*cluster.Conn, error) {
	return a.connectPreferring(ctx, cfg, c, nil)
}

// connectPreferring opens the cluster connection with a rack-aware client
// that reads from preferRacks first (none: an ordinary client). Only
// backups ask for it: a restore writes to masters whatever the racks.
func (a *App) connectPreferring(ctx context.Context, cfg *config.Config, c *config.AerospikeCluster, preferRacks []int) (*cluster.Conn, error) {
	s, err := a.clusterSettings(ctx, cfg, c)
	if err != nil {
		return nil, err
	}
	s.PreferRacks = preferRacks
	s.Info = a.clusterInfo
	a.Log.Debug("connecting", "cluster", s.Name, "seeds", len(s.Seeds))
	return cluster.Connect(ctx, s, a.Log)
}

// pendingConn is a cluster connection opening in the background.
type pendingConn struct {
	done   chan struct{}
	conn   *cluster.Conn
	err    error
	cancel context.CancelFunc
	taken  bool
}

// connectInBackground starts connectPreferring; the caller must call wait
// or discard (discard after wait does nothing).
func (a *App) connectInBackground(ctx context.Context, cfg *config.Config, c *config.AerospikeCluster, preferRacks []int) *pendingConn {
	cctx, cancel := context.WithCancel(ctx)
	p := &pendingConn{done: make(chan struct{}), cancel: cancel}
	go func() {
		defer close(p.done)
		p.conn, p.err = a.connectPreferring(cctx, cfg, c, preferRacks)
	}()
	return p
}

// wait returns the connection, which the caller then owns.
func (p *pendingConn) wait() (*cluster.Conn, error) {
	<-p.done
	p.taken = true
	p.cancel() // the context only bounds the connecting
	return p.conn, p.err
}

// discard stops an unclaimed connection attempt and closes what it opened.
func (p *pendingConn) discard() {
	if p.taken {
		return
	}
	p.taken = true
	p.cancel()
	<-p.done
	p.conn.Close()
}

// openStore opens the routine's storage.
func (a *App) openStore(ctx context.Context, t *target) (storage.Store, error) {
	s := t.routine.Storage()
	var agent *config.SecretAgent
	if t.cfg != nil {
		agent = t.cfg.StorageAgent(s)
	}
	tune := a.storeTuning
	if s.Local != nil {
		// A backup holds the whole database: aerobackup's own files get
		// these modes, and the umask gives them to backup-go's.
		tune.LocalModes = localstore.Private
		if a.Globals.GroupReadable {
			tune.LocalModes = localstore.GroupReadable
		}
		if a.setUmask != nil {
			a.setUmask(tune.LocalModes)
		}
	}
	st, err := backend.OpenTuned(ctx, s, agent, a.resolve, tune)
	if err != nil && !t.adhoc {
		// Name the routine too: one storage entry may serve several.
		return nil, fmt.Errorf("routine %q: %w", t.routine.Name, err)
	}
	return st, err
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// parseTime reads RFC 3339 or Unix milliseconds.
func parseTime(flag, s string) (time.Time, error) {
	t, err := timeflag.Parse(s)
	if err != nil {
		return time.Time{}, outcome.Usage("--%s %q: %v", flag, s, err)
	}
	return t, nil
}
