package cluster

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	as "github.com/aerospike/aerospike-client-go/v8"
	"github.com/aerospike/backup-go/models"

	"github.com/aerobackup/aerobackup/internal/aerospiketest"
	"github.com/aerobackup/aerobackup/internal/logging"
)

func TestNewInfo(t *testing.T) {
	info, err := NewInfo(5*time.Second, 10*time.Millisecond, 1.5, 1)
	if err != nil {
		t.Fatal(err)
	}
	if info.Timeout != 5*time.Second || info.Retry.BaseTimeout != 10*time.Millisecond || info.Retry.Multiplier != 1.5 || info.Retry.MaxRetries != 1 {
		t.Errorf("info: %+v %+v", info, info.Retry)
	}
	if info, err := NewInfo(0, 0, 1, 0); err != nil || info.Timeout != 0 || info.Retry.MaxRetries != 0 {
		t.Errorf("no timeout, no retries: %+v %v", info, err)
	}
	for _, c := range []struct {
		timeout, interval time.Duration
		multiplier        float64
		want              string
	}{
		{-time.Second, 0, 1, "--info-timeout and --info-retry-interval must not be negative"},
		{0, -time.Millisecond, 1, "--info-timeout and --info-retry-interval must not be negative"},
		{0, 0, 0.5, "--info-retry-multiplier must be at least 1, got 0.5"},
	} {
		if _, err := NewInfo(c.timeout, c.interval, c.multiplier, 3); err == nil || err.Error() != c.want {
			t.Errorf("NewInfo(%s, %s, %g): %v, want %q", c.timeout, c.interval, c.multiplier, err, c.want)
		}
	}
}

func TestInfoPolicies(t *testing.T) {
	retry := models.NewRetryPolicy(250*time.Millisecond, 1.5, 7)
	tests := []struct {
		name    string
		info    *Info
		timeout time.Duration
		retry   *models.RetryPolicy
	}{
		{name: "client defaults", timeout: as.NewInfoPolicy().Timeout},
		{name: "flags", info: &Info{Timeout: 10 * time.Second, Retry: retry}, timeout: 10 * time.Second, retry: retry},
		{name: "no timeout", info: &Info{}, timeout: 0},
	}
	for _, tt := range tests {
		ip, rp := Settings{Info: tt.info}.InfoPolicies()
		if ip.Timeout != tt.timeout || rp != tt.retry {
			t.Errorf("%s: timeout %v retry %+v, want %v %+v", tt.name, ip.Timeout, rp, tt.timeout, tt.retry)
		}
	}
}

// The info policy reaches the client (and aerobackup's own info commands)
// and backup-go, which validates the retry policy when the client is made.
func TestConnectInfoPolicy(t *testing.T) {
	srv := aerospiketest.NewServer(t, aerospiketest.Options{})
	s := Settings{Seeds: []Seed{{Host: srv.Host(), Port: srv.Port()}}, ConnTimeout: 5 * time.Second,
		Info: &Info{Timeout: 7 * time.Second, Retry: models.NewRetryPolicy(time.Millisecond, 2, 1)}}
	conn, err := Connect(context.Background(), s, logging.Discard())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if got := conn.Aerospike.DefaultInfoPolicy.Timeout; got != 7*time.Second {
		t.Errorf("client info timeout %v, want 7s", got)
	}
	if conn.infoPolicy().Timeout != 7*time.Second {
		t.Errorf("aerobackup's info commands use %v", conn.infoPolicy().Timeout)
	}
	if _, err := conn.Info("namespaces"); err != nil {
		t.Errorf("info: %v", err)
	}
	s.Info.Retry = models.NewRetryPolicy(time.Millisecond, 0.5, 1)
	if _, err := Connect(context.Background(), s, logging.Discard()); err == nil || !strings.Contains(err.Error(), "info retry policy") {
		t.Errorf("backup-go must see the info retry policy: %v", err)
	}
}

// A namespace is empty when every node counts no objects; what no node
// knows is an error, an answer without a count is not empty.
func TestNamespaceEmptyAnswers(t *testing.T) {
	tests := []struct {
		name    string
		answers map[string]string
		empty   bool
		err     string
	}{
		{"every node counts none", map[string]string{"A": "objects=0;tombstones=0", "B": "tombstones=3;objects=0"}, true, ""},
		{"one node counts records", map[string]string{"A": "objects=0", "B": "objects=12"}, false, ""},
		{"no count", map[string]string{"A": "tombstones=0"}, false, ""},
		{"a count that is no number", map[string]string{"A": "objects=many"}, false, ""},
		{"no node", map[string]string{}, false, `destination namespace "test": no node answered`},
		{"unknown", map[string]string{"A": "type=unknown"}, false, `destination namespace "test": node A does not know it (type=unknown)`},
		{"an error", map[string]string{"A": "ERROR::ns"}, false, `destination namespace "test": node A does not know it (ERROR::ns)`},
		{"empty answer", map[string]string{"A": ""}, false, `destination namespace "test": node A does not know it ()`},
	}
	for _, tt := range tests {
		empty, err := namespaceEmpty("test", tt.answers)
		if msg := fmt.Sprint(err); (tt.err == "" && err != nil) || (tt.err != "" && msg != tt.err) || empty != tt.empty {
			t.Errorf("%s: empty=%v err=%v, want %v %q", tt.name, empty, err, tt.empty, tt.err)
		}
	}
}

// Against a server: its namespace empty, then holding a record, and a
// namespace it does not have.
func TestNamespaceEmpty(t *testing.T) {
	srv := aerospiketest.NewServer(t, aerospiketest.Options{})
	conn, err := Connect(context.Background(), Settings{Seeds: []Seed{{Host: srv.Host(), Port: srv.Port()}}}, logging.Discard())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if empty, err := conn.NamespaceEmpty("test"); err != nil || !empty {
		t.Fatalf("fresh namespace: empty=%v err=%v", empty, err)
	}
	key, _ := as.NewKey("test", "s", 1)
	if err := conn.Aerospike.Put(nil, key, as.BinMap{"b": 1}); err != nil {
		t.Fatal(err)
	}
	if empty, err := conn.NamespaceEmpty("test"); err != nil || empty {
		t.Errorf("namespace with a record: empty=%v err=%v", empty, err)
	}
	if _, err := conn.NamespaceEmpty("nope"); err == nil || !strings.Contains(err.Error(), `destination namespace "nope": node`) {
		t.Errorf("unknown namespace: %v", err)
	}
	if empty, err := conn.NamespacesEmpty([]string{"test", "bar"}); err != nil || len(empty) != 2 || empty["test"] || !empty["bar"] {
		t.Errorf("test with a record, bar empty: %v %v", empty, err)
	}
	if _, err := conn.NamespacesEmpty([]string{"bar", "nope"}); err == nil || !strings.Contains(err.Error(), `destination namespace "nope": node`) {
		t.Errorf("an unknown namespace among them: %v", err)
	}
}
