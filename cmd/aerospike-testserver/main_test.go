package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	as "github.com/aerospike/aerospike-client-go/v8"
)

// syncBuffer lets the test read logs while run writes them.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestRunServesSeededNamespaces(t *testing.T) {
	ready := filepath.Join(t.TempDir(), "ready")
	ctx, cancel := context.WithCancel(context.Background())
	var logs syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-namespaces", "alpha,beta", "-seed", "50", "-ready-file", ready}, &logs)
	}()

	var addr string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if b, err := os.ReadFile(ready); err == nil {
			if addr = strings.TrimSpace(string(b)); addr != "" {
				break
			}
		}
	}
	if addr == "" {
		t.Fatalf("ready file never written; logs:\n%s", logs.String())
	}
	host, port, _ := strings.Cut(addr, ":")
	var p int
	for _, c := range port {
		p = p*10 + int(c-'0')
	}
	c, err := as.NewClient(host, p)
	if err != nil {
		t.Fatalf("connect to %s: %v", addr, err)
	}
	defer c.Close()
	for _, ns := range []string{"alpha", "beta"} {
		rs, err := c.ScanAll(nil, ns, "")
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for res := range rs.Results() {
			if res.Err != nil {
				t.Fatal(res.Err)
			}
			n++
		}
		if n != 50 {
			t.Errorf("namespace %s: %d records, want 50", ns, n)
		}
	}
	if !strings.Contains(logs.String(), "listening") {
		t.Errorf("no listening log line:\n%s", logs.String())
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("run did not stop after cancel")
	}
}
