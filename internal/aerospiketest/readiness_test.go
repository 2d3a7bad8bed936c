package aerospiketest

import (
	"slices"
	"strings"
	"testing"
)

func TestProblems(t *testing.T) {
	ttlOK := "nsup-period=120;allow-ttl-without-nsup=false;default-ttl=0"
	for _, tc := range []struct {
		name       string
		namespaces string
		configs    map[string]string
		want       []string // substrings, one per problem
	}{
		{"ready", "test;bar", map[string]string{"test": ttlOK, "bar": ttlOK}, nil},
		{"other order and more", "bar;other;test", map[string]string{"test": ttlOK, "bar": ttlOK}, nil},
		{"no bar", "test", map[string]string{"test": ttlOK}, []string{`no namespace "bar"`}},
		{"none", "", nil, []string{`no namespace "test"`, `no namespace "bar"`}},
		{"nsup off", "test;bar", map[string]string{"test": "nsup-period=0;allow-ttl-without-nsup=false", "bar": ttlOK},
			[]string{`namespace "test" refuses TTL writes (nsup-period 0; set it, e.g. asinfo -v 'set-config:context=namespace;id=test;nsup-period=120')`}},
		{"nsup off, allowed", "test;bar", map[string]string{"test": "nsup-period=0;allow-ttl-without-nsup=true", "bar": ttlOK}, nil},
		{"no config answer", "test;bar", map[string]string{"test": "ERROR:4:unknown", "bar": ttlOK},
			[]string{`namespace "test": get-config reports no nsup-period`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Problems(tc.namespaces, tc.configs)
			if len(got) != len(tc.want) {
				t.Fatalf("problems %q, want %d: %q", got, len(tc.want), tc.want)
			}
			for i, w := range tc.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("problem %d %q, want %q", i, got[i], w)
				}
			}
		})
	}
}

// CheckServer asks a server over the wire: the test server, once lacking
// "bar".
func TestCheckServer(t *testing.T) {
	full := NewServer(t, Options{})
	if got, err := CheckServer(full.Host(), full.Port()); err != nil || len(got) != 0 {
		t.Errorf("default test server: problems %q, %v; want none", got, err)
	}
	noBar := NewServer(t, Options{Namespaces: []string{"test"}})
	got, err := CheckServer(noBar.Host(), noBar.Port())
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{`no namespace "bar"`}; !slices.Equal(got, want) {
		t.Errorf("server without bar: problems %q, want %q", got, want)
	}
}

// TestCluster skips, rather than fails, a test on a real server that
// lacks a suite namespace.
func TestClusterSkipsUnreadyServer(t *testing.T) {
	noBar := NewServer(t, Options{Namespaces: []string{"test"}})
	t.Setenv(EnvRealServer, noBar.Addr())
	skipped := false
	t.Run("on the server", func(t *testing.T) {
		defer func() { skipped = t.Skipped() }()
		TestCluster(t)
		t.Error("TestCluster returned for a server without namespace bar")
	})
	if !skipped {
		t.Error("the test was not skipped")
	}
}
