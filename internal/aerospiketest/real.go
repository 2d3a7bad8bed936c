package aerospiketest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	as "github.com/aerospike/aerospike-client-go/v8"
)

// lockRealServer makes tests of every package and process take turns on
// the one real server (go test runs packages in parallel): an flock on a
// file named after the address, held until the test ends.
func lockRealServer(t testing.TB, addr string) {
	t.Helper()
	name := filepath.Join(os.TempDir(), "aerobackup-realserver-"+strings.NewReplacer(":", "_", "/", "_").Replace(addr)+".lock")
	f, err := os.OpenFile(name, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		t.Fatalf("aerospiketest: real server lock: %v", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		t.Fatalf("aerospiketest: real server lock: %v", err)
	}
	t.Cleanup(func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	})
}

// ClearMetadata drops every secondary index of the namespaces and removes
// every UDF, so a test on a shared real server starts from the state an
// in-process server starts from (a real server keeps both across tests).
func ClearMetadata(c *as.Client, namespaces ...string) error {
	udfs, err := c.ListUDF(nil)
	if err != nil {
		return fmt.Errorf("aerospiketest: list UDFs: %w", err)
	}
	for _, u := range udfs {
		task, err := c.RemoveUDF(nil, u.Filename)
		if err != nil {
			return fmt.Errorf("aerospiketest: remove UDF %s: %w", u.Filename, err)
		}
		if err := <-task.OnComplete(); err != nil {
			return fmt.Errorf("aerospiketest: remove UDF %s: %w", u.Filename, err)
		}
	}
	node, err := c.Cluster().GetRandomNode()
	if err != nil {
		return fmt.Errorf("aerospiketest: %w", err)
	}
	for _, ns := range namespaces {
		cmd := "sindex-list:namespace=" + ns
		res, err := node.RequestInfo(as.NewInfoPolicy(), cmd)
		if err != nil {
			return fmt.Errorf("aerospiketest: %s: %w", cmd, err)
		}
		for _, entry := range strings.Split(res[cmd], ";") {
			var set, name string
			for _, kv := range strings.Split(entry, ":") {
				k, v, _ := strings.Cut(kv, "=")
				switch k {
				case "indexname":
					name = v
				case "set":
					set = v
				}
			}
			if name == "" {
				continue
			}
			if strings.EqualFold(set, "null") { // 8.1 lists no set as "null"
				set = ""
			}
			if err := c.DropIndex(nil, ns, set, name); err != nil {
				return fmt.Errorf("aerospiketest: drop index %s.%s: %w", ns, name, err)
			}
		}
	}
	return nil
}

// EmptyNamespaces truncates the namespaces and waits until a scan finds
// none of their records (truncation is asynchronous on a real server), so
// a test on a shared real server starts as empty as a fresh in-process one.
func EmptyNamespaces(c *as.Client, namespaces ...string) error {
	for _, ns := range namespaces {
		if err := c.Truncate(nil, ns, "", nil); err != nil {
			return fmt.Errorf("aerospiketest: truncate %s: %w", ns, err)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for _, ns := range namespaces {
		for {
			snap, err := ScanSnapshot(c, ns)
			if err != nil {
				return fmt.Errorf("aerospiketest: %w", err)
			}
			if len(snap.Records) == 0 {
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("aerospiketest: namespace %s still holds %d records 10s after truncate", ns, len(snap.Records))
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	return nil
}
