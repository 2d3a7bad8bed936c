package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
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

func TestRunServesCluster(t *testing.T) {
	ready := filepath.Join(t.TempDir(), "ready")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var logs syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-racks", "1,1,2", "-seed", "30", "-ready-file", ready}, &logs)
	}()
	var addr string
	for deadline := time.Now().Add(10 * time.Second); addr == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if b, err := os.ReadFile(ready); err == nil {
			addr = strings.TrimSpace(string(b))
		}
	}
	if addr == "" {
		t.Fatalf("ready file never written; logs:\n%s", logs.String())
	}
	host, port, _ := strings.Cut(addr, ":")
	p, _ := strconv.Atoi(port)
	c, err := as.NewClient(host, p)
	if err != nil {
		t.Fatalf("connect to %s: %v", addr, err)
	}
	defer c.Close()
	for deadline := time.Now().Add(10 * time.Second); len(c.GetNodes()) != 3; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the client sees %d nodes, want 3", len(c.GetNodes()))
		}
	}
	rs, err := c.ScanAll(nil, "test", "")
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
	if n != 30 {
		t.Errorf("test: %d records, want 30", n)
	}
	if got := strings.Count(logs.String(), "cluster node listening"); got != 3 {
		t.Errorf("%d nodes logged, want 3:\n%s", got, logs.String())
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestClusterOptions(t *testing.T) {
	for _, tc := range []struct {
		nodes   int
		racks   string
		rf      int
		want    string // nodes/racks/rf, "" for a lone server
		wantErr string
	}{
		{1, "", 2, "", ""},
		{3, "", 2, "3 [0 0 0] 2", ""},
		{1, "1,1,2", 2, "3 [1 1 2] 2", ""},
		{3, "1,2,3", 3, "3 [1 2 3] 3", ""},
		{1, "4", 1, "1 [4] 1", ""},
		{2, "1,1,2", 2, "", "-racks \"1,1,2\" names 3 racks for -nodes 2"},
		{3, "1,x", 2, "", "want comma-separated rack ids"},
		{3, "1,-1", 2, "", "want comma-separated rack ids"},
		{0, "", 2, "", "-nodes 0: want at least 1"},
		{3, "", 0, "", "-replication-factor 0"},
	} {
		got, err := clusterOptions(tc.nodes, tc.racks, tc.rf)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%d %q %d: error %v, want %q", tc.nodes, tc.racks, tc.rf, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%d %q %d: %v", tc.nodes, tc.racks, tc.rf, err)
			continue
		}
		s := ""
		if got != nil {
			s = fmt.Sprint(got.Nodes, got.Racks, got.ReplicationFactor)
		}
		if s != tc.want {
			t.Errorf("%d %q %d: %q, want %q", tc.nodes, tc.racks, tc.rf, s, tc.want)
		}
	}
}
