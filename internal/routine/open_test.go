package routine

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aerobackup/aerobackup/internal/cluster"
	"github.com/aerobackup/aerobackup/internal/config"
	"github.com/aerobackup/aerobackup/internal/storage/backend"
	"github.com/aerobackup/aerobackup/internal/storage/localstore"
)

// fakeAgents answers references from a map and records what it was asked.
type fakeAgents struct {
	values map[string]string
	asked  []string // "agent address|field|reference"
}

func (f *fakeAgents) ResolveWith(_ context.Context, agent *config.SecretAgent, field, value string) (string, error) {
	addr := "<none>"
	if agent != nil {
		addr = agent.Address
	}
	f.asked = append(f.asked, addr+"|"+field+"|"+value)
	v, ok := f.values[value]
	if !ok {
		return "", errors.New("secret agent has no " + value)
	}
	return v, nil
}

func TestSecretsResolve(t *testing.T) {
	fake := &fakeAgents{values: map[string]string{"secrets:a:b": "s3cr3t"}}
	s := NewSecrets(fake)
	ctx := context.Background()
	if v, err := s.Resolve(ctx, nil, "f", "literal"); v != "literal" || err != nil || len(fake.asked) != 0 {
		t.Errorf("a literal is itself, no agent asked: %q %v %v", v, err, fake.asked)
	}
	agent := &config.SecretAgent{Address: "agent.example"}
	if v, err := s.Resolve(ctx, agent, "f.g", "secrets:a:b"); v != "s3cr3t" || err != nil {
		t.Errorf("reference: %q %v", v, err)
	}
	if want := []string{"agent.example|f.g|secrets:a:b"}; !reflect.DeepEqual(fake.asked, want) {
		t.Errorf("asked %v, want %v", fake.asked, want)
	}
	if _, err := s.Resolve(ctx, agent, "f", "secrets:a:missing"); err == nil || !strings.Contains(err.Error(), "has no") {
		t.Errorf("agent failure: %v", err)
	}
}

func TestClusterSettingsFromConfig(t *testing.T) {
	cfg := load(t, "testdata/tls.yml")
	got, err := NewSecrets(&fakeAgents{}).ClusterSettings(context.Background(), cfg, cfg.AerospikeClusters["secure"])
	if err != nil {
		t.Fatal(err)
	}
	want := cluster.Settings{
		Name:        "prod-east",
		ConnTimeout: 5 * time.Second,
		Seeds: []cluster.Seed{{Host: "a.example", Port: 4333, TLSName: "east"},
			{Host: "b.example", Port: 4333}},
		UseServicesAlternate: true, MaxParallelScans: 4,
		User: "backup", Password: "plain-password", AuthMode: "PKI",
		TLS: &cluster.TLS{CAFile: "/etc/ca.pem", Name: "east", Protocols: "TLSv1.3",
			CipherSuites: []string{"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("settings\n got %+v\nwant %+v", got, want)
	}
}

// The password reference goes to the cluster's agent: the named one, or
// the credentials' inline block.
func TestClusterSettingsResolveThroughTheAgent(t *testing.T) {
	cfg := load(t, "../../testdata/config/secret-agents.yml")
	fake := &fakeAgents{values: map[string]string{"secrets:aerospike:backup-password": "pw"}}
	s := NewSecrets(fake)
	for _, name := range []string{"main", "inline-agent"} {
		got, err := s.ClusterSettings(context.Background(), cfg, cfg.AerospikeClusters[name])
		if err != nil || got.Password != "pw" || got.User != "backup" {
			t.Fatalf("%s: %+v, %v", name, got, err)
		}
	}
	want := []string{
		"secret-agent.internal|aerospike-clusters.main.credentials.password|secrets:aerospike:backup-password",
		"127.0.0.1|aerospike-clusters.inline-agent.credentials.password|secrets:aerospike:backup-password",
	}
	if !reflect.DeepEqual(fake.asked, want) {
		t.Errorf("asked %v, want %v", fake.asked, want)
	}
}

// Seeds given without a port (ad hoc: --host h) get Aerospike's.
func TestClusterSettingsDefaultPort(t *testing.T) {
	c, err := Adhoc{Host: "h1,h2:3100"}.Entry()
	if err != nil {
		t.Fatal(err)
	}
	got, err := NewSecrets(&fakeAgents{}).ClusterSettings(context.Background(), nil, c)
	want := []cluster.Seed{{Host: "h1", Port: cluster.DefaultPort}, {Host: "h2", Port: 3100}}
	if err != nil || !reflect.DeepEqual(got.Seeds, want) || got.Name != "h1,h2:3100" || got.TLS != nil {
		t.Errorf("%+v, %v; want seeds %v", got, err, want)
	}
}

func TestClusterSettingsPasswordPath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pw")
	os.WriteFile(path, []byte("from-file\r\n"), 0o600)
	user := "u"
	c := &config.AerospikeCluster{Name: "c", SeedNodes: []config.SeedNode{{HostName: "h"}},
		Credentials: &config.Credentials{User: &user, PasswordPath: &path}}
	s := NewSecrets(&fakeAgents{})
	got, err := s.ClusterSettings(context.Background(), nil, c)
	if err != nil || got.Password != "from-file" || got.AuthMode != "INTERNAL" {
		t.Fatalf("%+v, %v", got, err)
	}
	missing := filepath.Join(t.TempDir(), "none")
	c.Credentials.PasswordPath = &missing
	_, err = s.ClusterSettings(context.Background(), nil, c)
	if !errors.As(err, new(*RequestError)) || !errors.Is(err, os.ErrNotExist) ||
		!strings.HasPrefix(err.Error(), "aerospike-clusters.c.credentials.password-path: ") {
		t.Errorf("missing password file: %v (%T)", err, err)
	}
}

func TestOpenStore(t *testing.T) {
	dir := t.TempDir()
	target, err := Resolve(nil, Request{Storage: dir})
	if err != nil {
		t.Fatal(err)
	}
	var umask []localstore.Modes
	o := StoreOptions{GroupReadable: true, SetUmask: func(m localstore.Modes) int { umask = append(umask, m); return 0 }}
	st, err := target.OpenStore(context.Background(), NewSecrets(&fakeAgents{}), o)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.WriteFile(context.Background(), "x/y", []byte("z")); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(umask, []localstore.Modes{localstore.GroupReadable}) {
		t.Errorf("umask set to %v, want group-readable once", umask)
	}
	fi, err := os.Stat(filepath.Join(dir, "x", "y"))
	if err != nil || fi.Mode().Perm()&0o040 == 0 {
		t.Errorf("group-readable file: %v %v", fi.Mode(), err)
	}
}

// A configured routine's storage failure names the routine; an ad-hoc
// one's names the URL only.
func TestOpenStoreNamesTheRoutine(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o600)
	cfg := load(t, "../../testdata/config/minimal-local.yml")
	target, err := Resolve(cfg, Request{Storage: file})
	if err != nil {
		t.Fatal(err)
	}
	_, err = target.OpenStore(context.Background(), NewSecrets(&fakeAgents{}), StoreOptions{})
	if !errors.As(err, new(*backend.ConfigError)) || !strings.HasPrefix(err.Error(), `routine "daily": storage "`+file+`": `) {
		t.Errorf("configured: %v (%T)", err, err)
	}
	target.Adhoc = true
	_, err = target.OpenStore(context.Background(), NewSecrets(&fakeAgents{}), StoreOptions{})
	if !strings.HasPrefix(err.Error(), `storage "`+file+`": `) {
		t.Errorf("ad hoc: %v", err)
	}
}

// The storage's keys are resolved through the storage's agent, with the
// YAML path of each key named.
func TestOpenStoreResolvesStorageSecrets(t *testing.T) {
	cfg := load(t, "../../testdata/config/secret-agents.yml")
	target, err := Resolve(cfg, Request{Routine: "main-to-s3"})
	if err != nil {
		t.Fatal(err)
	}
	fake := &fakeAgents{} // every reference fails: Open stops at the first
	_, err = target.OpenStore(context.Background(), NewSecrets(fake), StoreOptions{})
	if err == nil || !strings.Contains(err.Error(), "secret agent has no secrets:aws:access-key-id") {
		t.Errorf("err %v", err)
	}
	if want := []string{"secret-agent.internal|storage.s3.s3-storage.access-key-id|secrets:aws:access-key-id"}; !reflect.DeepEqual(fake.asked, want) {
		t.Errorf("asked %v, want %v", fake.asked, want)
	}
}
