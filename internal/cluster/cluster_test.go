package cluster

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aerobackup/aerobackup/internal/aerospiketest"
	"github.com/aerobackup/aerobackup/internal/logging"
	as "github.com/aerospike/aerospike-client-go/v8"
)

func TestParseHosts(t *testing.T) {
	tests := []struct {
		in   string
		want []Seed
		err  string
	}{
		{in: "a", want: []Seed{{Host: "a", Port: 3000}}},
		{in: "a:3100,b", want: []Seed{{Host: "a", Port: 3100}, {Host: "b", Port: 3000}}},
		{in: "[::1]:4000", want: []Seed{{Host: "::1", Port: 4000}}},
		{in: "a:0", err: "port must be 1..65535"},
		{in: "a:x", err: "port must be 1..65535"},
		{in: " , ", err: "no seed hosts"},
	}
	for _, tt := range tests {
		got, err := ParseHosts(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%q: err %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%q: %v", tt.in, err)
		}
		if len(got) != len(tt.want) {
			t.Fatalf("%q: got %v", tt.in, got)
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("%q: got %v want %v", tt.in, got[i], tt.want[i])
			}
		}
	}
}

func TestClientPolicy(t *testing.T) {
	p, err := Settings{User: "u", Password: "p", AuthMode: "external", ConnTimeout: 3 * time.Second,
		UseServicesAlternate: true, TLS: &TLS{}}.ClientPolicy()
	if err != nil {
		t.Fatal(err)
	}
	if p.AuthMode != as.AuthModeExternal || p.Timeout != 3*time.Second || !p.UseServicesAlternate || p.User != "u" {
		t.Errorf("policy not applied: %+v", p)
	}
	if _, err := (Settings{AuthMode: "kerberos"}).ClientPolicy(); err == nil {
		t.Error("unknown auth mode accepted")
	}
	if _, err := (Settings{TLS: &TLS{Protocols: "SSLv3"}}).ClientPolicy(); err == nil {
		t.Error("SSLv3 accepted")
	}
	if _, err := (Settings{TLS: &TLS{CAFile: "/nonexistent/ca.pem"}}).ClientPolicy(); err == nil {
		t.Error("missing ca-file accepted")
	}
}

func TestConnectUnreachableNamesTheCluster(t *testing.T) {
	s := Settings{Name: "prod", Seeds: []Seed{{Host: "127.0.0.1", Port: 1}}, ConnTimeout: 500 * time.Millisecond}
	_, err := Connect(context.Background(), s, logging.Discard())
	if err == nil {
		t.Fatal("connected to nothing")
	}
	if !strings.Contains(err.Error(), `cluster "prod"`) || strings.Contains(err.Error(), "\n") {
		t.Errorf("error %q should name the cluster on one line", err)
	}
}

func TestWriteStanzaNestsDottedKeys(t *testing.T) {
	var b strings.Builder
	writeStanza(&b, "network", parsePairs("service.port=3000;heartbeat.mode=mesh;heartbeat.interval=150;tls-name="))
	want := "network {\n    heartbeat {\n        interval 150\n        mode mesh\n    }\n    service {\n        port 3000\n    }\n}\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

func TestClientPolicyPreferRacks(t *testing.T) {
	p, err := Settings{PreferRacks: []int{3, 1}}.ClientPolicy()
	if err != nil {
		t.Fatal(err)
	}
	if !p.RackAware || len(p.RackIds) != 2 || p.RackIds[0] != 3 || p.RackIds[1] != 1 {
		t.Errorf("prefer-racks not applied: rack-aware %v, rack ids %v", p.RackAware, p.RackIds)
	}
	p, _ = Settings{}.ClientPolicy()
	if p.RackAware || p.RackIds != nil {
		t.Errorf("rack-aware without prefer-racks: %v %v", p.RackAware, p.RackIds)
	}
}

// TestConnectPreferRacks: the rack-aware client learns the node's rack
// from the test server on connecting.
func TestConnectPreferRacks(t *testing.T) {
	srv := aerospiketest.NewServer(t, aerospiketest.Options{RackID: 2})
	s := Settings{Seeds: []Seed{{Host: srv.Host(), Port: srv.Port()}}, ConnTimeout: 5 * time.Second, PreferRacks: []int{5, 2}}
	conn, err := Connect(context.Background(), s, logging.Discard())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if on, total := conn.NodesOnRacks("test", s.PreferRacks); on != 1 || total != 1 {
		t.Errorf("nodes on racks 5,2: %d of %d, want 1 of 1", on, total)
	}
	if on, total := conn.NodesOnRacks("test", []int{5}); on != 0 || total != 1 {
		t.Errorf("nodes on rack 5: %d of %d, want 0 of 1", on, total)
	}
}
