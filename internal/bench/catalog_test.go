package bench

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/storage/localstore"
)

// TestDelayProxy: requests reach the target after the delay, with their
// Host header as the client sent it (S3 signatures cover it), and are
// counted.
func TestDelayProxy(t *testing.T) {
	var host string
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host = r.Host
		io.WriteString(w, "ok "+r.URL.Path)
	}))
	defer target.Close()
	var n atomic.Int64
	addr, stop, err := DelayProxy(target.URL, 30*time.Millisecond, &n)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	start := time.Now()
	resp, err := http.Get(addr + "/bucket/key")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "ok /bucket/key" || time.Since(start) < 30*time.Millisecond || n.Load() != 1 {
		t.Errorf("through the proxy: %q after %s, %d counted", body, time.Since(start), n.Load())
	}
	if !strings.HasSuffix(addr, host) {
		t.Errorf("the target saw Host %q, want the proxy's %s", host, addr)
	}
}

// TestWriteHistory: the history is what the catalog lists, its newest
// run at end, a full every tenth.
func TestWriteHistory(t *testing.T) {
	st, err := localstore.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	end := time.Now().Add(-time.Hour).Truncate(time.Millisecond)
	if err := WriteHistory(context.Background(), st, "h", "test", 25, end); err != nil {
		t.Fatal(err)
	}
	bs, err := catalog.List(context.Background(), st, catalog.Filter{Routines: []string{"h"}})
	if err != nil {
		t.Fatal(err)
	}
	fulls := 0
	for _, b := range bs {
		if b.Type == catalog.Full {
			fulls++
		}
	}
	if len(bs) != 25 || fulls != 3 || !bs[24].Time.Equal(end) {
		t.Errorf("history: %d backups, %d fulls, newest %v; want 25, 3, %v", len(bs), fulls, bs[len(bs)-1].Time, end)
	}
}

func TestCatalogTable(t *testing.T) {
	res := &CatalogResult{Rows: []CatalogRow{
		{Storage: "local", Backups: 10, Backup: Sample{Elapsed: 20 * time.Millisecond}, Requests: [4]int64{-1, -1, -1, -1}},
		{Storage: "local", Backups: 10000, Backup: Sample{Elapsed: 30 * time.Millisecond}, List: Sample{Elapsed: 3 * time.Second}, Requests: [4]int64{-1, -1, -1, -1}},
		{Storage: "s3", Backups: 10, Backup: Sample{Elapsed: 400 * time.Millisecond}, Requests: [4]int64{20, 5, 5, 9}},
		{Storage: "s3", Backups: 10000, Backup: Sample{Elapsed: 420 * time.Millisecond}, List: Sample{Elapsed: 2 * time.Second}, Requests: [4]int64{21, 30, 30, 34}},
	}}
	res.check()
	var out bytes.Buffer
	res.WriteTable(&out)
	for _, want := range []string{
		"local: full backup at 10000 backups / at 10: 1.50 (target <= 1.10): FAIL",
		"local: list of 10000 backups: 3s (target < 2s): FAIL",
		"s3: full backup at 10000 backups / at 10: 1.05 (target <= 1.10): PASS",
		"s3: list of 10000 backups: 2s (target < 5s): PASS",
		"| s3 | 10k | 420ms (CPU 0s, 21 requests) |",
		"| local | 10 | 20ms (CPU 0s) |",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("no %q in\n%s", want, out.String())
		}
	}
}
