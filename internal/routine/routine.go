// Package routine owns resolving what a command works on, before anything
// is contacted: the config file found and loaded, the routine picked from it
// or built ad hoc from the command line's values (storage URL, seeds,
// credentials), the destination cluster of a restore, and then, on demand,
// the routine's cluster connection settings (secrets and password files
// resolved) and its store opened with the run's tuning, both through a
// Runtime that holds one run's secrets cache.
//
// It takes plain values, never flags, and must not print: it logs only the
// config's warnings. A request that names nothing usable is a RequestError;
// package outcome decides its exit status.
package routine

import (
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/aerobackup/aerobackup/internal/cluster"
	"github.com/aerobackup/aerobackup/internal/config"
	"github.com/aerobackup/aerobackup/internal/logging"
	"github.com/aerobackup/aerobackup/internal/storage/backend"
)

// AdhocName names the folder of backups taken without a config file.
const AdhocName = "adhoc"

// Request is what a command names, as the user gave it.
type Request struct {
	// Routine is the routine's name: "" picks the config's only one, or
	// AdhocName without a config.
	Routine string
	// Storage is the name of an entry of the config's storage section or
	// a storage URL: the ad-hoc routine's storage (a URL only), or one
	// that replaces a configured routine's.
	Storage string
	// Namespaces are the ad-hoc routine's namespaces (none: all).
	Namespaces []string
	// Cluster is the ad-hoc cluster (Host "": none).
	Cluster Adhoc
	// NeedCluster: an ad-hoc routine must have a cluster.
	NeedCluster bool
	// NoStorage: the command reads and writes no storage (a backup to
	// standard output), so an ad-hoc routine needs no Storage.
	NoStorage bool
}

// Adhoc is a cluster named on the command line rather than in a config.
type Adhoc struct {
	Host     string // seeds: HOST[:PORT][,HOST[:PORT]...]
	User     string
	Password string
	AuthMode string // INTERNAL, EXTERNAL or PKI, in any case
}

// Target is a routine resolved: the config it comes from (nil in ad-hoc
// mode) and the routine, with its cluster and storage set.
type Target struct {
	Config  *config.Config
	Routine *config.Routine
	Adhoc   bool
}

// Name is the routine's name.
func (t *Target) Name() string { return t.Routine.Name }

// SecretAgent is the agent the routine's references go through, nil when
// there is no routine (a restore of a bare folder) or no agent.
func (t *Target) SecretAgent() *config.SecretAgent {
	if t == nil || t.Routine == nil {
		return nil
	}
	return t.Routine.SecretAgent()
}

// RequestError is a request that names no usable routine, cluster or
// storage, or a cluster setting that cannot be used: nothing was contacted.
type RequestError struct {
	Msg string
	Err error // the cause, when there is one
}

func (e *RequestError) Error() string { return e.Msg }
func (e *RequestError) Unwrap() error { return e.Err }

func requestError(format string, args ...any) error {
	return &RequestError{Msg: fmt.Sprintf(format, args...)}
}

// LoadConfig finds the config file (config.Locate: file, else
// $AEROBACKUP_CONFIG, else ./aerobackup.yml) and loads it; nil, nil when
// there is none and none was named (ad-hoc mode).
func LoadConfig(file string, log *slog.Logger) (*config.Config, error) {
	path, err := config.Locate(file)
	if errors.Is(err, config.ErrNoConfig) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	cfg, err := config.Load(path)
	if err != nil {
		return nil, err
	}
	if cfg.HasService() {
		log.Debug("ignoring the service section of the config", "file", path)
	}
	warnPlainPasswords(log, cfg, path)
	return cfg, nil
}

// warnPlainPasswords registers the config's clear-text passwords for
// redaction, and warns when other users can read them.
func warnPlainPasswords(log *slog.Logger, cfg *config.Config, path string) {
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
		log.Warn("config file holds a plain password and is readable by other users; chmod 600 it or use password-path or a secret agent",
			"file", path, "mode", st.Mode().Perm().String())
	}
}

// Resolve picks the requested routine from cfg, or builds an ad-hoc one
// when cfg is nil. Everything here is checking: nothing is contacted.
func Resolve(cfg *config.Config, req Request) (*Target, error) {
	if cfg == nil {
		return adhocTarget(req)
	}
	r, err := cfg.Routine(req.Routine)
	if err != nil {
		return nil, err
	}
	if req.Storage != "" {
		s, err := StorageOf(cfg, "--storage", req.Storage)
		if err != nil {
			return nil, err
		}
		setStorage(r, s)
	}
	return &Target{Config: cfg, Routine: r}, nil
}

// StorageOf is the storage value names: the entry of cfg's storage
// section of that name, else a storage URL. With a config, a value that
// is neither is a RequestError naming flag and listing the entries.
func StorageOf(cfg *config.Config, flag, value string) (*config.Storage, error) {
	if cfg != nil {
		if s, ok := cfg.Storage[value]; ok {
			return s, nil
		}
		if !strings.HasPrefix(value, "/") && !strings.Contains(value, ":") {
			names := slices.Sorted(maps.Keys(cfg.Storage))
			known := strings.Join(names, ", ")
			if known == "" {
				known = "none"
			}
			return nil, requestError("%s %q: neither a storage of the config (known: %s) nor a storage URL (/abs/path, s3://, gs://, azblob://)",
				flag, value, known)
		}
	}
	return backend.FromURL(value)
}

// WithStorage is the target's routine in the storage value names (as
// StorageOf reads it), for a copy's destination: the same routine, its
// backups elsewhere. The routine's own storage is a RequestError.
func (t *Target) WithStorage(flag, value string) (*Target, error) {
	s, err := StorageOf(t.Config, flag, value)
	if err != nil {
		return nil, err
	}
	own := t.Routine.Storage()
	if s.Name == t.Routine.StorageName || (own != nil && own.URL() != "" && own.URL() == s.URL()) {
		return nil, requestError("%s %q: that is routine %q's own storage; name another", flag, value, t.Name())
	}
	r := *t.Routine
	setStorage(&r, s)
	return &Target{Config: t.Config, Routine: &r, Adhoc: t.Adhoc}, nil
}

func adhocTarget(req Request) (*Target, error) {
	name := req.Routine
	if name == "" {
		name = AdhocName
	}
	r := &config.Routine{Name: name, Namespaces: req.Namespaces}
	switch {
	case req.Storage == "" && req.NoStorage:
	case req.Storage == "":
		return nil, requestError("no config file (pass --config, set %s or create ./%s) and no --storage for ad-hoc mode",
			config.EnvConfig, config.DefaultFile)
	default:
		s, err := backend.FromURL(req.Storage)
		if err != nil {
			return nil, err
		}
		if strings.ContainsAny(name, `/\`) || name == "." || name == ".." {
			return nil, requestError("--routine %q: a routine name cannot contain / or be . or ..", name)
		}
		setStorage(r, s)
	}
	if err := setAdhocCluster(r, req); err != nil {
		return nil, err
	}
	return &Target{Routine: r, Adhoc: true}, nil
}

// setAdhocCluster gives an ad-hoc routine the requested cluster, which a
// command that needs a cluster requires.
func setAdhocCluster(r *config.Routine, req Request) error {
	if !req.NeedCluster && req.Cluster.Host == "" {
		return nil
	}
	if req.Cluster.Host == "" {
		return requestError("no config file and no --host for ad-hoc mode")
	}
	c, err := req.Cluster.Entry()
	if err != nil {
		return err
	}
	config.SetRoutineCluster(r, c)
	return nil
}

func setStorage(r *config.Routine, s *config.Storage) {
	r.StorageName = s.Name
	config.SetRoutineStorage(r, s)
}

// Entry is the ad-hoc cluster as a config entry; its password is
// registered for redaction.
func (a Adhoc) Entry() (*config.AerospikeCluster, error) {
	seeds, err := cluster.ParseHosts(a.Host)
	if err != nil {
		return nil, &RequestError{Msg: fmt.Sprintf("--host: %v", err), Err: err}
	}
	c := &config.AerospikeCluster{Name: a.Host}
	for _, s := range seeds {
		c.SeedNodes = append(c.SeedNodes, config.SeedNode{HostName: s.Host, Port: s.Port})
	}
	if a.User == "" && a.Password == "" && a.AuthMode == "" {
		return c, nil
	}
	cred := &config.Credentials{}
	if a.User != "" {
		cred.User = &a.User
	}
	if a.Password != "" {
		logging.RegisterSecret(a.Password)
		cred.Password = &a.Password
	}
	if a.AuthMode != "" {
		m := strings.ToUpper(a.AuthMode)
		if m != "INTERNAL" && m != "EXTERNAL" && m != "PKI" {
			return nil, requestError("--auth-mode %q: want INTERNAL, EXTERNAL or PKI", a.AuthMode)
		}
		cred.AuthMode = &m
	}
	c.Credentials = cred
	return c, nil
}

// Destination picks the cluster a restore writes to: the config's entry
// named destination, the ad-hoc cluster, or the routine's own (r may be
// nil, cfg too in ad-hoc mode).
func Destination(cfg *config.Config, r *config.Routine, destination string, adhoc Adhoc) (*config.AerospikeCluster, error) {
	switch {
	case destination != "" && cfg == nil:
		return nil, requestError("--destination %q needs a config file with aerospike-clusters", destination)
	case destination != "":
		return cfg.Cluster(destination)
	case adhoc.Host != "":
		return adhoc.Entry()
	case r != nil && r.Cluster() != nil:
		return r.Cluster(), nil
	}
	return nil, requestError("no destination cluster: give --destination NAME or --host HOST")
}
