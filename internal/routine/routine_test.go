package routine

import (
	"bytes"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aerobackup/aerobackup/internal/config"
	"github.com/aerobackup/aerobackup/internal/storage/backend"
)

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil)) }

func load(t *testing.T, path string) *config.Config {
	t.Helper()
	cfg, err := LoadConfig(path, quiet())
	if err != nil || cfg == nil {
		t.Fatalf("LoadConfig(%s) = %v, %v", path, cfg, err)
	}
	return cfg
}

func TestLoadConfig(t *testing.T) {
	t.Chdir(t.TempDir())
	t.Setenv(config.EnvConfig, "")
	if cfg, err := LoadConfig("", quiet()); cfg != nil || err != nil {
		t.Errorf("no config anywhere: %v, %v; want ad-hoc mode (nil, nil)", cfg, err)
	}
	_, err := LoadConfig("missing.yml", quiet())
	var fe *config.FileError
	if !errors.As(err, &fe) || err.Error() != "config file missing.yml (from --config) does not exist" {
		t.Errorf("missing named file: %v (%T)", err, err)
	}
	os.WriteFile("bad.yml", []byte("storage: [\n"), 0o600)
	if _, err := LoadConfig("bad.yml", quiet()); config.AsErrors(err) == nil {
		t.Errorf("bad file: %v (%T), want config.Errors", err, err)
	}
}

// A plain password in a file others can read is warned about; the same
// file private to its owner is not.
func TestLoadConfigWarnsReadablePasswords(t *testing.T) {
	data, err := os.ReadFile("testdata/tls.yml")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		mode os.FileMode
		warn bool
	}{{0o644, true}, {0o640, true}, {0o600, false}} {
		path := filepath.Join(t.TempDir(), "c.yml")
		if err := os.WriteFile(path, data, tc.mode); err != nil {
			t.Fatal(err)
		}
		os.Chmod(path, tc.mode) // past the umask
		var logs bytes.Buffer
		if _, err := LoadConfig(path, slog.New(slog.NewTextHandler(&logs, nil))); err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(logs.String(), "plain password"); got != tc.warn {
			t.Errorf("mode %v: warned %v, want %v: %s", tc.mode, got, tc.warn, logs.String())
		}
	}
}

func TestResolveFromConfig(t *testing.T) {
	minimal := load(t, "../../testdata/config/minimal-local.yml")
	tls := load(t, "testdata/tls.yml")

	got, err := Resolve(minimal, Request{})
	if err != nil || got.Name() != "daily" || got.Adhoc || got.Config != minimal {
		t.Fatalf("the only routine: %+v, %v", got, err)
	}
	if _, err := Resolve(tls, Request{}); !errors.As(err, new(*config.LookupError)) ||
		!strings.Contains(err.Error(), "defines 2 routines, pick one with --routine: daily, hourly") {
		t.Errorf("two routines, none named: %v", err)
	}
	if _, err := Resolve(tls, Request{Routine: "weekly"}); !errors.As(err, new(*config.LookupError)) {
		t.Errorf("unknown routine: %v", err)
	}

	// A storage URL replaces the routine's storage.
	got, err = Resolve(load(t, "../../testdata/config/minimal-local.yml"), Request{Storage: "/srv/elsewhere/"})
	if err != nil {
		t.Fatal(err)
	}
	if s := got.Routine.Storage(); s.Local == nil || s.Local.Path != "/srv/elsewhere" || got.Routine.StorageName != "/srv/elsewhere/" {
		t.Errorf("storage override: %+v (name %q)", s, got.Routine.StorageName)
	}
	if _, err := Resolve(minimal, Request{Storage: "ftp://x"}); !errors.As(err, new(*backend.URLError)) {
		t.Errorf("bad storage URL: %v", err)
	}
}

func TestResolveAdhoc(t *testing.T) {
	t.Run("storage and cluster", func(t *testing.T) {
		got, err := Resolve(nil, Request{Storage: "/srv/b", Namespaces: []string{"test"}, NeedCluster: true,
			Cluster: Adhoc{Host: "h1:3100,h2", User: "u", Password: "pw", AuthMode: "external"}})
		if err != nil {
			t.Fatal(err)
		}
		r := got.Routine
		if !got.Adhoc || got.Config != nil || r.Name != AdhocName || r.Storage().Local.Path != "/srv/b" ||
			len(r.Namespaces) != 1 {
			t.Fatalf("ad-hoc routine: %+v", r)
		}
		c := r.Cluster()
		if c == nil || len(c.SeedNodes) != 2 || c.SeedNodes[0].Port != 3100 || *c.Credentials.User != "u" ||
			*c.Credentials.Password != "pw" || c.Credentials.Mode() != "EXTERNAL" {
			t.Fatalf("ad-hoc cluster: %+v", c)
		}
	})
	t.Run("stream without storage", func(t *testing.T) {
		got, err := Resolve(nil, Request{Routine: "../odd", NoStorage: true, NeedCluster: true, Cluster: Adhoc{Host: "h"}})
		if err != nil || got.Name() != "../odd" || got.Routine.Storage() != nil {
			t.Fatalf("%+v, %v", got, err)
		}
	})
	t.Run("no cluster needed", func(t *testing.T) {
		got, err := Resolve(nil, Request{Storage: "/srv/b"})
		if err != nil || got.Routine.Cluster() != nil {
			t.Fatalf("%+v, %v", got, err)
		}
	})
	for _, tc := range []struct {
		name string
		req  Request
		want string
	}{
		{"no storage", Request{}, "no config file (pass --config, set AEROBACKUP_CONFIG or create ./aerobackup.yml) and no --storage for ad-hoc mode"},
		{"no host", Request{Storage: "/b", NeedCluster: true}, "no config file and no --host for ad-hoc mode"},
		{"name with a slash", Request{Storage: "/b", Routine: "a/b"}, `--routine "a/b": a routine name cannot contain / or be . or ..`},
		{"dot dot", Request{Storage: "/b", Routine: ".."}, `--routine "..": a routine name cannot contain / or be . or ..`},
		{"bad auth mode", Request{Storage: "/b", Cluster: Adhoc{Host: "h", AuthMode: "kerberos"}}, `--auth-mode "kerberos": want INTERNAL, EXTERNAL or PKI`},
		{"bad host", Request{Storage: "/b", Cluster: Adhoc{Host: "h:notaport"}}, "--host: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Resolve(nil, tc.req)
			if !errors.As(err, new(*RequestError)) || !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("err %v (%T), want a RequestError %q", err, err, tc.want)
			}
		})
	}
	if _, err := Resolve(nil, Request{Storage: "relative/x"}); !errors.As(err, new(*backend.URLError)) {
		t.Errorf("bad URL: %v", err)
	}
}

func TestDestination(t *testing.T) {
	cfg := load(t, "../../testdata/config/secret-agents.yml")
	own := cfg.BackupRoutines["main-to-s3"]
	for _, tc := range []struct {
		name        string
		cfg         *config.Config
		r           *config.Routine
		destination string
		adhoc       Adhoc
		want, err   string
	}{
		{"named", cfg, own, "inline-agent", Adhoc{Host: "ignored"}, "inline-agent", ""},
		{"ad-hoc host", cfg, own, "", Adhoc{Host: "h9:3000"}, "h9:3000", ""},
		{"the routine's", cfg, own, "", Adhoc{}, "main", ""},
		{"unknown name", cfg, own, "nope", Adhoc{}, "", `cluster "nope" is not in`},
		{"name without a config", nil, nil, "x", Adhoc{}, "", `--destination "x" needs a config file with aerospike-clusters`},
		{"none", cfg, nil, "", Adhoc{}, "", "no destination cluster: give --destination NAME or --host HOST"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Destination(tc.cfg, tc.r, tc.destination, tc.adhoc)
			if tc.err != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tc.err) {
					t.Fatalf("err %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || c.Name != tc.want {
				t.Fatalf("%+v, %v; want cluster %s", c, err, tc.want)
			}
		})
	}
}
