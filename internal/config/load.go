package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// EnvConfig is the environment variable naming the config file.
const EnvConfig = "AEROBACKUP_CONFIG"

// DefaultFile is the config file looked up in the working directory.
const DefaultFile = "aerobackup.yml"

// ErrNoConfig means no config file was named and ./aerobackup.yml does not
// exist: the commands fall back to ad-hoc mode (flags only).
var ErrNoConfig = errors.New("no config file: pass --config, set " + EnvConfig + " or create ./" + DefaultFile)

// Locate implements the CLI's lookup: the --config value, else
// $AEROBACKUP_CONFIG, else ./aerobackup.yml. A file named explicitly (flag or
// environment) must exist; a missing default file is ErrNoConfig.
func Locate(flagValue string) (string, error) {
	source, path := "--config", flagValue
	if path == "" {
		source, path = "$"+EnvConfig, os.Getenv(EnvConfig)
	}
	if path == "" {
		if _, err := os.Stat(DefaultFile); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return "", ErrNoConfig
			}
			return "", &FileError{Path: DefaultFile, Msg: fmt.Sprintf("config file %s: %v", DefaultFile, err), Err: err}
		}
		return DefaultFile, nil
	}
	st, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", &FileError{Path: path, Msg: fmt.Sprintf("config file %s (from %s) does not exist", path, source)}
		}
		return "", &FileError{Path: path, Msg: fmt.Sprintf("config file %s (from %s): %v", path, source, err), Err: err}
	}
	if st.IsDir() {
		return "", &FileError{Path: path, Msg: fmt.Sprintf("config file %s (from %s) is a directory", path, source)}
	}
	return path, nil
}

// Load reads and parses the file at path; see Parse.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &FileError{Path: path, Msg: fmt.Sprintf("read config: %v", err), Err: err}
	}
	return Parse(path, data)
}

// Parse decodes and validates an ABS v3 config. filename is used in messages
// only (Load passes the path; messages show its base name when it is in the
// working directory, otherwise the path as given). Its error is an Errors.
func Parse(filename string, data []byte) (*Config, error) {
	name := filename
	if filepath.Dir(filename) == "." {
		name = filepath.Base(filename)
	}
	cfg, es := parse(name, data)
	if len(es) > 0 {
		sortErrors(es)
		return nil, es
	}
	cfg.File = filename
	return cfg, nil
}

func parse(name string, data []byte) (*Config, Errors) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return &Config{}, nil // an empty file is an empty config
		}
		return nil, Errors{syntaxError(name, err)}
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
		root = root.Content[0]
	}
	d := &decoder{file: name, lines: map[string]int{}}
	cfg := &Config{}
	if root.Kind != yaml.DocumentNode && !isNull(root) {
		d.decode(root, "", 1, reflect.ValueOf(cfg).Elem())
		if len(d.errs) > 0 {
			return nil, d.errs
		}
	}
	v := &validator{decoder: d, cfg: cfg}
	v.validate()
	// aerobackup's own settings follow in a second document, which ABS
	// never reads.
	v.extension(dec)
	return cfg, d.errs
}

// RoutineNames returns the routine names, sorted.
func (c *Config) RoutineNames() []string { return sortedKeys(c.BackupRoutines) }

// StorageRoutines are the routines that share one storage entry.
type StorageRoutines struct {
	Storage  string
	Routines []string // by name
}

// RoutinesByStorage groups the routines by the storage they name, the
// storage entries by name: each storage is then opened once.
func (c *Config) RoutinesByStorage() []StorageRoutines {
	byStorage := map[string][]string{}
	for _, name := range c.RoutineNames() {
		s := c.BackupRoutines[name].StorageName
		byStorage[s] = append(byStorage[s], name)
	}
	out := make([]StorageRoutines, 0, len(byStorage))
	for _, s := range sortedKeys(byStorage) {
		out = append(out, StorageRoutines{Storage: s, Routines: byStorage[s]})
	}
	return out
}

// Routine returns the named routine. An empty name selects the only routine
// when there is exactly one. Its error is a LookupError listing the choices.
func (c *Config) Routine(name string) (*Routine, error) {
	names := c.RoutineNames()
	if name == "" {
		switch len(names) {
		case 0:
			return nil, &LookupError{What: "routine", Msg: fmt.Sprintf("%s defines no backup-routines", c.fileName())}
		case 1:
			return c.BackupRoutines[names[0]], nil
		}
		return nil, &LookupError{What: "routine", Msg: fmt.Sprintf("%s defines %d routines, pick one with --routine: %s",
			c.fileName(), len(names), strings.Join(names, ", "))}
	}
	if r, ok := c.BackupRoutines[name]; ok {
		return r, nil
	}
	return nil, &LookupError{What: "routine", Name: name,
		Msg: fmt.Sprintf("routine %q is not in %s (known: %s)", name, c.fileName(), listOrNone(names))}
}

// Cluster returns the named entry of aerospike-clusters (for --destination).
func (c *Config) Cluster(name string) (*AerospikeCluster, error) {
	if a, ok := c.AerospikeClusters[name]; ok {
		return a, nil
	}
	return nil, &LookupError{What: "cluster", Name: name, Msg: fmt.Sprintf("cluster %q is not in %s aerospike-clusters (known: %s)",
		name, c.fileName(), listOrNone(sortedKeys(c.AerospikeClusters)))}
}

// StorageByName returns the named entry of storage.
func (c *Config) StorageByName(name string) (*Storage, error) {
	if s, ok := c.Storage[name]; ok {
		return s, nil
	}
	return nil, &LookupError{What: "storage", Name: name, Msg: fmt.Sprintf("storage %q is not in %s (known: %s)",
		name, c.fileName(), listOrNone(sortedKeys(c.Storage)))}
}

// Agent returns the named secret agent.
func (c *Config) Agent(name string) (*SecretAgent, error) {
	if s, ok := c.SecretAgents[name]; ok {
		return s, nil
	}
	return nil, &LookupError{What: "secret agent", Name: name, Msg: fmt.Sprintf("secret agent %q is not in %s secret-agents (known: %s)",
		name, c.fileName(), listOrNone(sortedKeys(c.SecretAgents)))}
}

// CredentialsAgent returns the agent that resolves a cluster's credentials:
// the inline secret-agent block, or the named one. Nil when neither is set.
func (c *Config) CredentialsAgent(a *AerospikeCluster) *SecretAgent {
	if a == nil || a.Credentials == nil {
		return nil
	}
	return c.pickAgent(a.Credentials.SecretAgent, a.Credentials.SecretAgentName)
}

// StorageAgent returns the agent that resolves a storage's keys, nil when
// none is configured on the storage.
func (c *Config) StorageAgent(s *Storage) *SecretAgent {
	switch {
	case s == nil:
		return nil
	case s.S3 != nil:
		return c.pickAgent(s.S3.SecretAgent, s.S3.SecretAgentName)
	case s.GCP != nil:
		return c.pickAgent(s.GCP.SecretAgent, s.GCP.SecretAgentName)
	case s.Azure != nil:
		return c.pickAgent(s.Azure.SecretAgent, s.Azure.SecretAgentName)
	}
	return nil
}

func (c *Config) pickAgent(inline *SecretAgent, name *string) *SecretAgent {
	if inline != nil {
		return inline
	}
	if name != nil {
		return c.SecretAgents[*name]
	}
	return nil
}

func (c *Config) fileName() string {
	if c.File == "" {
		return "the config"
	}
	return c.File
}

func listOrNone(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
