package cluster

import (
	"bytes"
	"context"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aerobackup/aerobackup/internal/aerospiketest"
	"github.com/aerobackup/aerobackup/internal/logging"
)

func TestNamespacesOf(t *testing.T) {
	for _, tt := range []struct {
		name    string
		answers map[string]string
		want    []string
		err     string
	}{
		{"one node", map[string]string{"A": "test;bar"}, []string{"test", "bar"}, ""},
		{"merged, each once, by node name", map[string]string{"B": "bar;extra", "A": "test;bar"}, []string{"test", "bar", "extra"}, ""},
		{"empty entries skipped", map[string]string{"A": ";test;;"}, []string{"test"}, ""},
		{"none", map[string]string{"A": ""}, nil, "the cluster reports no namespaces"},
		{"no nodes", map[string]string{}, nil, "the cluster reports no namespaces"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := namespacesOf(tt.answers)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("err %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || !slices.Equal(got, tt.want) {
				t.Fatalf("got %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

func TestRacksReported(t *testing.T) {
	if err := racksReported(map[string]string{"A": "test:1;bar:1", "B": "test:2"}, "prefer-racks"); err != nil {
		t.Fatalf("racks reported: %v", err)
	}
	for _, answer := range []string{"ERROR:25:enterprise only\n", ""} {
		err := racksReported(map[string]string{"A": "test:1", "B": answer}, "rack-list")
		want := `rack-list: node B does not report its rack (rack-ids: "` + strings.TrimSpace(answer) +
			`"): rack awareness needs Aerospike Enterprise; remove rack-list for this cluster`
		if err == nil || err.Error() != want {
			t.Errorf("answer %q: err %v, want %q", answer, err, want)
		}
	}
}

func connectTest(t *testing.T, opts aerospiketest.Options, preferRacks []int) *Conn {
	t.Helper()
	srv := aerospiketest.NewServer(t, opts)
	s := Settings{Seeds: []Seed{{Host: srv.Host(), Port: srv.Port()}}, ConnTimeout: 5 * time.Second, PreferRacks: preferRacks}
	conn, err := Connect(context.Background(), s, logging.Discard())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(conn.Close)
	return conn
}

// TestNamespacesOr: the named namespaces win; without any, the cluster's.
func TestNamespacesOr(t *testing.T) {
	conn := connectTest(t, aerospiketest.Options{Namespaces: []string{"test", "bar", "baz"}}, nil)
	if got, err := conn.NamespacesOr([]string{"only"}); err != nil || !slices.Equal(got, []string{"only"}) {
		t.Errorf("named: %v, %v", got, err)
	}
	if got, err := conn.NamespacesOr(nil); err != nil || !slices.Equal(got, []string{"test", "bar", "baz"}) {
		t.Errorf("cluster's: %v, %v", got, err)
	}
}

// TestCheckRacks: per namespace, an info line when a node is on a
// preferred rack, a warning when none is; nothing without prefer-racks.
func TestCheckRacks(t *testing.T) {
	conn := connectTest(t, aerospiketest.Options{RackID: 2}, []int{5, 2})
	for _, tt := range []struct {
		name   string
		racks  []int
		want   []string
		absent string
	}{
		{"on a preferred rack", []int{5, 2}, []string{"level=INFO", "reading from preferred racks first", "namespace=test", "prefer-racks=5,2", "nodes-on-racks=1"}, "WARN"},
		{"on none", []int{5}, []string{"level=WARN", "no node is on a preferred rack", "namespace=bar", "prefer-racks=5"}, "INFO"},
		{"no preference", nil, nil, "level="},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			log := slog.New(slog.NewTextHandler(&buf, nil))
			if err := conn.CheckRacks(log, []int{2}, tt.racks, []string{"test", "bar"}); err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(buf.String(), w) {
					t.Errorf("log lacks %q:\n%s", w, buf.String())
				}
			}
			if strings.Contains(buf.String(), tt.absent) {
				t.Errorf("log holds %q:\n%s", tt.absent, buf.String())
			}
		})
	}
}
