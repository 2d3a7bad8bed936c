package secret

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"net"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aerobackup/aerobackup/internal/config"
)

const agentMagic = 0x51dec1cc // frame header of the secret agent protocol

// fakeAgent speaks the secret agent protocol: an 8-byte header (magic,
// length, big-endian) then a JSON request {Resource, SecretKey}; it replies
// the same way with {SecretValue} or {Error}.
type fakeAgent struct {
	ln       net.Listener
	secrets  map[string]string // "resource:key" -> value
	base64   bool
	requests atomic.Int32
	raw      []byte // when set, sent as the reply body verbatim
}

func startAgent(t *testing.T, secrets map[string]string) *fakeAgent {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	a := &fakeAgent{ln: ln, secrets: secrets}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go a.serve(c)
		}
	}()
	return a
}

func (a *fakeAgent) serve(c net.Conn) {
	defer c.Close()
	a.requests.Add(1)
	header := make([]byte, 8)
	if _, err := io.ReadFull(c, header); err != nil || binary.BigEndian.Uint32(header) != agentMagic {
		return
	}
	body := make([]byte, binary.BigEndian.Uint32(header[4:]))
	if _, err := io.ReadFull(c, body); err != nil {
		return
	}
	var req struct{ Resource, SecretKey string }
	if err := json.Unmarshal(body, &req); err != nil {
		return
	}
	reply := a.raw
	if reply == nil {
		resp := map[string]string{}
		if v, ok := a.secrets[req.Resource+":"+req.SecretKey]; ok {
			if a.base64 {
				v = base64.StdEncoding.EncodeToString([]byte(v))
			}
			resp["SecretValue"] = v
		} else {
			resp["Error"] = "secret not found: " + req.Resource + "/" + req.SecretKey
		}
		reply, _ = json.Marshal(resp)
	}
	out := make([]byte, 8, 8+len(reply))
	binary.BigEndian.PutUint32(out, agentMagic)
	binary.BigEndian.PutUint32(out[4:], uint32(len(reply)))
	c.Write(append(out, reply...))
}

func (a *fakeAgent) config(name string) *config.SecretAgent {
	addr := a.ln.Addr().(*net.TCPAddr)
	port := addr.Port
	b64 := a.base64
	return &config.SecretAgent{Name: name, ConnectionType: "TCP", Address: "127.0.0.1", Port: &port, IsBase64: &b64}
}

const secretValue = "s3cr3t-P@ssw0rd-value"

func TestResolve(t *testing.T) {
	agent := startAgent(t, map[string]string{"db:password": secretValue})
	r := NewResolver(map[string]*config.SecretAgent{"vault": agent.config("vault")})
	ctx := context.Background()

	got, err := r.Resolve(ctx, "vault", "aerospike-clusters.c1.credentials.password", "secrets:db:password")
	if err != nil || got != secretValue {
		t.Fatalf("Resolve = %q, %v", got, err)
	}
	// Cached for the run: a second lookup does not reach the agent.
	if _, err := r.Resolve(ctx, "vault", "x", "secrets:db:password"); err != nil || agent.requests.Load() != 1 {
		t.Fatalf("second resolve: %v, %d requests", err, agent.requests.Load())
	}
	// Literals pass through untouched, without an agent.
	for _, lit := range []string{"plain", "", "secrets:only-one-colon", "secrets:a:b:c"} {
		if got, err := r.Resolve(ctx, "", "f", lit); err != nil || got != lit {
			t.Errorf("literal %q -> %q, %v", lit, got, err)
		}
	}
}

func TestResolveBase64Agent(t *testing.T) {
	agent := startAgent(t, map[string]string{"aws:key": secretValue})
	agent.base64 = true
	r := NewResolver(nil)
	got, err := r.ResolveWith(context.Background(), agent.config(""), "storage.s3.s3-storage.secret-access-key", "secrets:aws:key")
	if err != nil || got != secretValue {
		t.Fatalf("ResolveWith = %q, %v", got, err)
	}
}

// TestFailuresNeverShowSecrets checks every failure path names the field and
// the agent and leaks nothing the agent sent.
func TestFailuresNeverShowSecrets(t *testing.T) {
	ctx := context.Background()
	good := startAgent(t, map[string]string{"db:other": secretValue})
	malformed := startAgent(t, nil)
	malformed.raw = []byte(`{"SecretValue": ` + secretValue + `}`) // not JSON: contains the secret
	badB64 := startAgent(t, map[string]string{})
	badB64.raw = []byte(`{"SecretValue":"` + secretValue + `!!"}`)
	badB64.base64 = true

	closed := startAgent(t, nil)
	closedCfg := closed.config("down")
	closed.ln.Close()

	agents := map[string]*config.SecretAgent{
		"vault":     good.config("vault"),
		"malformed": malformed.config("malformed"),
		"badb64":    badB64.config("badb64"),
		"down":      closedCfg,
	}
	r := NewResolver(agents)
	tests := []struct {
		agent   string
		ref     string
		want    string
		isUsage bool
	}{
		{"vault", "secrets:db:password", "secret not found", false},
		{"malformed", "secrets:db:password", "malformed reply", false},
		{"badb64", "secrets:db:password", "illegal base64", false},
		{"down", "secrets:db:password", "connect", false},
		{"nobody", "secrets:db:password", `secret agent "nobody" is not defined`, true},
		{"", "secrets:db:password", "no secret agent is configured", true},
	}
	for _, tt := range tests {
		t.Run(tt.agent, func(t *testing.T) {
			field := "backup-policies.p.encryption.key-secret"
			_, err := r.Resolve(ctx, tt.agent, field, tt.ref)
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			if strings.Contains(msg, secretValue) || strings.Contains(msg, secretValue[:6]) {
				t.Fatalf("error leaks the secret: %s", msg)
			}
			if !strings.Contains(msg, field) || !strings.Contains(msg, tt.want) {
				t.Fatalf("error %q should name %s and contain %q", msg, field, tt.want)
			}
			if tt.agent != "" && !strings.Contains(msg, tt.agent) {
				t.Fatalf("error %q does not name the agent", msg)
			}
			var ce *ConfigError
			if errors.As(err, &ce) != tt.isUsage {
				t.Fatalf("config error = %v, want %v", !tt.isUsage, tt.isUsage)
			}
		})
	}
}

func TestAgentConfig(t *testing.T) {
	port, timeout := 3005, 250
	ca := "/ca.pem"
	c := AgentConfig(&config.SecretAgent{ConnectionType: "UNIX", Address: "/run/sa.sock", Port: &port, Timeout: &timeout, TLSCAFile: &ca})
	if *c.ConnectionType != "unix" || *c.Address != "/run/sa.sock" || *c.Port != 3005 || *c.TimeoutMillisecond != 250 || *c.CaFile != ca || c.IsBase64 != nil {
		t.Fatalf("AgentConfig = %+v", c)
	}
	c = AgentConfig(&config.SecretAgent{ConnectionType: "tcp", Address: "h"})
	if *c.TimeoutMillisecond != 1000 || c.Port != nil {
		t.Fatalf("defaults: %+v", c)
	}
}
