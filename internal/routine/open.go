package routine

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/aerobackup/aerobackup/internal/cluster"
	"github.com/aerobackup/aerobackup/internal/config"
	"github.com/aerobackup/aerobackup/internal/logging"
	"github.com/aerobackup/aerobackup/internal/secret"
	"github.com/aerobackup/aerobackup/internal/storage"
	"github.com/aerobackup/aerobackup/internal/storage/backend"
	"github.com/aerobackup/aerobackup/internal/storage/localstore"
)

// AgentResolver resolves a secret-agent reference through an agent, as
// secret.Resolver does; tests give a fake.
type AgentResolver interface {
	ResolveWith(ctx context.Context, agent *config.SecretAgent, field, value string) (string, error)
}

// Secrets resolves the references of one run's config values.
type Secrets struct {
	agents AgentResolver
}

// NewSecrets resolves through agents; nil: through the secret agents
// themselves (secret.Resolver, which caches for the run).
func NewSecrets(agents AgentResolver) *Secrets {
	if agents == nil {
		agents = secret.NewResolver(nil)
	}
	return &Secrets{agents: agents}
}

// Resolve returns value with a secret-agent reference resolved; what a
// reference resolves to is registered as a secret for redaction. Its
// signature is backend.Resolver's.
func (s *Secrets) Resolve(ctx context.Context, agent *config.SecretAgent, field, value string) (string, error) {
	if !config.IsSecretRef(value) {
		return value, nil
	}
	v, err := s.agents.ResolveWith(ctx, agent, field, value)
	if err != nil {
		return "", err
	}
	logging.RegisterSecret(v)
	return v, nil
}

// ClusterSettings turns a config cluster into connection settings,
// resolving the password from password-path or a secret agent (cfg, nil
// in ad-hoc mode, names the agents).
func (s *Secrets) ClusterSettings(ctx context.Context, cfg *config.Config, c *config.AerospikeCluster) (cluster.Settings, error) {
	out := cluster.Settings{Name: c.Name, ConnTimeout: c.ConnTimeoutDuration()}
	if c.Label != nil && *c.Label != "" {
		out.Name = *c.Label
	}
	for _, n := range c.SeedNodes {
		seed := cluster.Seed{Host: n.HostName, Port: n.Port}
		if seed.Port == 0 {
			seed.Port = cluster.DefaultPort
		}
		if n.TLSName != nil {
			seed.TLSName = *n.TLSName
		}
		out.Seeds = append(out.Seeds, seed)
	}
	if c.UseServicesAlternate != nil {
		out.UseServicesAlternate = *c.UseServicesAlternate
	}
	if c.MaxParallelScans != nil {
		out.MaxParallelScans = *c.MaxParallelScans
	}
	if err := s.credentials(ctx, cfg, c, &out); err != nil {
		return out, err
	}
	out.TLS = tlsSettings(c.TLS)
	return out, nil
}

// credentials fills the user, mode and password of c's credentials.
func (s *Secrets) credentials(ctx context.Context, cfg *config.Config, c *config.AerospikeCluster, out *cluster.Settings) error {
	cr := c.Credentials
	if cr == nil {
		return nil
	}
	out.AuthMode = cr.Mode()
	if cr.User != nil {
		out.User = *cr.User
	}
	var agent *config.SecretAgent
	if cfg != nil {
		agent = cfg.CredentialsAgent(c)
	}
	switch {
	case cr.Password != nil:
		pw, err := s.Resolve(ctx, agent, "aerospike-clusters."+c.Name+".credentials.password", *cr.Password)
		if err != nil {
			return err
		}
		out.Password = pw
	case cr.PasswordPath != nil:
		b, err := os.ReadFile(*cr.PasswordPath)
		if err != nil {
			return &RequestError{Msg: fmt.Sprintf("aerospike-clusters.%s.credentials.password-path: %v", c.Name, err), Err: err}
		}
		out.Password = strings.TrimRight(string(b), "\r\n")
	}
	logging.RegisterSecret(out.Password)
	return nil
}

func tlsSettings(t *config.TLS) *cluster.TLS {
	if t == nil {
		return nil
	}
	out := &cluster.TLS{CAFile: deref(t.CAFile), CAPath: deref(t.CAPath), CertFile: deref(t.CertFile),
		KeyFile: deref(t.KeyFile), KeyFilePassword: deref(t.KeyFilePassword), Name: deref(t.Name),
		Protocols: deref(t.Protocols)}
	if t.CipherSuite != nil && *t.CipherSuite != "" {
		out.CipherSuites = strings.FieldsFunc(*t.CipherSuite, func(r rune) bool { return r == ':' || r == ',' })
	}
	return out
}

// StoreOptions are how a run opens its routine's store.
type StoreOptions struct {
	Tuning backend.Tuning
	// GroupReadable gives local backups group read access (default:
	// private to the user).
	GroupReadable bool
	// SetUmask, when set, narrows the process umask to the local modes
	// (only a whole process may: tests run commands in theirs).
	SetUmask func(localstore.Modes) int
}

// OpenStore opens the routine's storage, resolving its secrets.
func (t *Target) OpenStore(ctx context.Context, secrets *Secrets, o StoreOptions) (storage.Store, error) {
	s := t.Routine.Storage()
	var agent *config.SecretAgent
	if t.Config != nil {
		agent = t.Config.StorageAgent(s)
	}
	tune := o.Tuning
	if s.Local != nil {
		// A backup holds the whole database: aerobackup's own files get
		// these modes, and the umask gives them to backup-go's.
		tune.LocalModes = localstore.Private
		if o.GroupReadable {
			tune.LocalModes = localstore.GroupReadable
		}
		if o.SetUmask != nil {
			o.SetUmask(tune.LocalModes)
		}
	}
	st, err := backend.OpenTuned(ctx, s, agent, secrets.Resolve, tune)
	if err != nil && !t.Adhoc {
		// Name the routine too: one storage entry may serve several.
		return nil, fmt.Errorf("routine %q: %w", t.Routine.Name, err)
	}
	return st, err
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
