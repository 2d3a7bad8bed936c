package cluster

import (
	"context"
	"strings"
	"testing"
	"time"

	as "github.com/aerospike/aerospike-client-go/v8"
	"github.com/aerospike/backup-go/models"

	"github.com/aerobackup/aerobackup/internal/aerospiketest"
	"github.com/aerobackup/aerobackup/internal/logging"
)

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
