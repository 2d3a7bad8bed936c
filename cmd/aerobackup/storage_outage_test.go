package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/aerobackup/aerobackup/internal/aerospiketest"
	"github.com/aerobackup/aerobackup/internal/cli"
	"github.com/aerobackup/aerobackup/internal/outcome"
)

// minio is a MinIO server of this test's own, so it can be stopped in the
// middle of a backup without disturbing the shared emulators.
type minio struct {
	bin, dir, addr string
	cmd            *exec.Cmd
}

func findMinio(t *testing.T) string {
	cache := os.Getenv("AEROBACKUP_CACHE")
	if cache == "" {
		home, _ := os.UserHomeDir()
		cache = filepath.Join(home, ".cache", "aerobackup")
	}
	for _, p := range []string{filepath.Join(cache, "bin", "minio")} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("minio"); err == nil {
		return p
	}
	why := "no minio binary (run .ci/emulators.sh start once to build it)"
	if os.Getenv("AEROBACKUP_REQUIRE_EMULATORS") == "1" {
		t.Fatal(why)
	}
	t.Skip(why)
	return ""
}

func (m *minio) start(t *testing.T) {
	t.Helper()
	m.cmd = exec.Command(m.bin, "server", "--quiet", "--address", m.addr, "--console-address", freeAddr(t), m.dir)
	m.cmd.Env = append(os.Environ(), "MINIO_ROOT_USER=outage", "MINIO_ROOT_PASSWORD=outage-secret",
		"MINIO_BROWSER=off", "MINIO_UPDATE=off")
	if err := m.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get("http://" + m.addr + "/minio/health/live")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("minio did not start")
}

func (m *minio) stop() {
	if m.cmd != nil && m.cmd.Process != nil {
		_ = m.cmd.Process.Kill()
		_ = m.cmd.Wait()
		m.cmd = nil
	}
}

func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func runIn(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := cli.Run(context.Background(), args, cli.IO{In: strings.NewReader(""), Out: &out, Err: &errb}, nil)
	return code, out.String(), errb.String()
}

// TestStorageStopsMidBackup kills the S3 server while a backup runs: the run
// fails with one clear line, leaves nothing that lists as a backup, the
// earlier backup stays restorable, and the next incremental still builds on
// that earlier backup.
func TestStorageStopsMidBackup(t *testing.T) {
	m := &minio{bin: findMinio(t), dir: t.TempDir(), addr: freeAddr(t)}
	m.start(t)
	t.Cleanup(m.stop)

	ctx := context.Background()
	admin := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://" + m.addr), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider("outage", "outage-secret", "")})
	if _, err := admin.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("outage")}); err != nil {
		t.Fatal(err)
	}

	srv := aerospiketest.NewServer(t, aerospiketest.Options{})
	if err := srv.Seed("test", 3000, 21); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(t.TempDir(), "outage.yml")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf(`aerospike-clusters:
  local:
    seed-nodes: [{host-name: %s, port: %d}]
storage:
  minio:
    s3-storage:
      bucket: outage
      path: backups
      s3-region: us-east-1
      s3-endpoint-override: http://%s
      access-key-id: outage
      secret-access-key: outage-secret
backup-policies:
  once:
    parallel: 2
    retry-policy: {max-retries: 0}
backup-routines:
  nightly:
    interval-cron: "@daily"
    source-cluster: local
    storage: minio
    backup-policy: once
    namespaces: [test]
`, srv.Host(), srv.Port(), m.addr)), 0o600); err != nil {
		t.Fatal(err)
	}

	code, firstKey, stderr := runIn(t, "-c", cfg, "backup")
	if code != 0 {
		t.Fatalf("first backup: exit %d\n%s", code, stderr)
	}
	firstKey = strings.TrimSpace(firstKey)

	// The second backup is throttled to ~6 s; the storage dies after 2 s.
	type result struct {
		code           int
		stdout, stderr string
	}
	done := make(chan result, 1)
	go func() {
		c, o, e := runIn(t, "-c", cfg, "backup", "--records-per-second", "500")
		done <- result{c, o, e}
	}()
	time.Sleep(2 * time.Second)
	m.stop()
	var r result
	select {
	case r = <-done:
	case <-time.After(3 * time.Minute):
		t.Fatal("the backup did not give up after its storage went away")
	}
	if r.code != outcome.ExitFailed {
		t.Fatalf("exit %d, want 1\nstdout %s\nstderr %s", r.code, r.stdout, r.stderr)
	}
	var errLines []string
	for _, l := range strings.Split(r.stderr, "\n") {
		if strings.HasPrefix(l, "aerobackup: error: ") {
			errLines = append(errLines, l)
		}
	}
	if len(errLines) != 1 || !strings.Contains(errLines[0], `namespace "test"`) {
		t.Errorf("want one error line naming the namespace, got %q", errLines)
	}
	if r.stdout != "" {
		t.Errorf("a failed backup printed a key: %q", r.stdout)
	}

	// Storage back: only the first backup lists, and it restores in full.
	m.start(t)
	code, out, stderr := runIn(t, "-c", cfg, "list", "--json")
	if code != 0 {
		t.Fatalf("list: exit %d\n%s", code, stderr)
	}
	var doc struct {
		Backups []struct {
			Backup  string    `json:"backup"`
			Created time.Time `json:"created"`
		} `json:"backups"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Backups) != 1 || doc.Backups[0].Backup != firstKey {
		t.Fatalf("after the outage the catalog lists %+v, want only %s", doc.Backups, firstKey)
	}
	if err := srv.Truncate("bar", ""); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = runIn(t, "-c", cfg, "restore", "--backup", firstKey, "--namespace-map", "test=bar", "--quiet")
	if code != 0 {
		t.Fatalf("restore of the surviving backup: exit %d\n%s", code, stderr)
	}
	// TTLs are rounded to whole seconds at backup and again at restore, and
	// the outage puts ~20 s between the two: allow a few seconds.
	if diff := aerospiketest.Diff(srv.Snapshot("test"), srv.Snapshot("bar"),
		aerospiketest.CompareOptions{TTLTolerance: 5 * time.Second}); len(diff) > 0 {
		t.Fatalf("restored data differs: %v", diff[:min(len(diff), 5)])
	}

	// The next incremental starts where the last good backup started.
	code, out, stderr = runIn(t, "-c", cfg, "backup", "--incremental", "--json", "--quiet", "--dry-run")
	if code != 0 {
		t.Fatalf("incremental dry run: exit %d\n%s", code, stderr)
	}
	var plan struct {
		Plan []struct {
			From time.Time `json:"from"`
		} `json:"plan"`
	}
	if err := json.Unmarshal([]byte(out), &plan); err != nil {
		t.Fatal(err)
	}
	if len(plan.Plan) != 1 || !plan.Plan[0].From.Equal(doc.Backups[0].Created) {
		t.Fatalf("incremental lower bound %+v, want the first backup's start %v", plan.Plan, doc.Backups[0].Created)
	}
}
