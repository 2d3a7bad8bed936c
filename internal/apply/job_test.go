package apply

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aerobackup/aerobackup/internal/aerospiketest"
	"github.com/aerobackup/aerobackup/internal/backupjob"
	"github.com/aerobackup/aerobackup/internal/backupslice"
	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/cluster"
	"github.com/aerobackup/aerobackup/internal/config"
	"github.com/aerobackup/aerobackup/internal/plan"
	"github.com/aerobackup/aerobackup/internal/policy"
)

const routineYAML = `aerospike-clusters:
  c: {seed-nodes: [{host-name: h, port: 3000}]}
storage:
  s: {local-storage: {path: /tmp/x}}
backup-policies:
  p: {file-limit: 10, compression: {mode: ZSTD, level: 3}, retry-policy: {max-retries: 2}}
backup-routines:
  r: {interval-cron: "@daily", source-cluster: c, storage: s, backup-policy: p, namespaces: [test, bar]}
`

func testPolicy(t *testing.T) *policy.Backup {
	t.Helper()
	cfg, err := config.Parse("test.yml", []byte(routineYAML))
	if err != nil {
		t.Fatal(err)
	}
	r, err := cfg.Routine("r")
	if err != nil {
		t.Fatal(err)
	}
	pol, err := policy.NewBackup(r, policy.BackupOverrides{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return pol
}

// BackupJob gives the job the plan's type, window and namespaces with the
// policy's settings; only a full saves the cluster configuration, only a
// resumable plan pages the scans, only a continuation carries the marker.
func TestBackupJob(t *testing.T) {
	start := time.UnixMilli(1763712000000).UTC()
	from := start.Add(-time.Hour)
	marker := &catalog.ResumeMarker{Attempts: 1}
	for _, tt := range []struct {
		name        string
		p           plan.BackupPlan
		clusterConf bool
		wantConf    bool
		wantPage    int64
		wantResume  bool
	}{
		{name: "full with cluster configuration",
			p:           plan.BackupPlan{Type: catalog.Full, Start: start, Namespaces: []plan.NamespacePlan{{Name: "test"}, {Name: "bar"}}},
			clusterConf: true, wantConf: true},
		{name: "incremental saves no cluster configuration",
			p:           plan.BackupPlan{Type: catalog.Incremental, Start: start, Until: start, Namespaces: []plan.NamespacePlan{{Name: "test", From: from}}},
			clusterConf: true},
		{name: "full without cluster configuration",
			p: plan.BackupPlan{Type: catalog.Full, Start: start, Namespaces: []plan.NamespacePlan{{Name: "test"}}}},
		{name: "resumable pages the scans",
			p:        plan.BackupPlan{Type: catalog.Full, Start: start, Resumable: true, Namespaces: []plan.NamespacePlan{{Name: "test"}}},
			wantPage: policy.DefaultResumablePageSize},
		{name: "continuation carries the marker",
			p: plan.BackupPlan{Type: catalog.Full, Start: start, Resumable: true, Namespaces: []plan.NamespacePlan{{Name: "test"}},
				Resume: plan.ResumeDecision{Action: plan.Continue, Run: catalog.Resumable{Key: "r/backup/1", Marker: marker}}},
			wantPage: policy.DefaultResumablePageSize, wantResume: true},
		{name: "a removed run is not continued",
			p: plan.BackupPlan{Type: catalog.Full, Start: start, Namespaces: []plan.NamespacePlan{{Name: "test"}},
				Resume: plan.ResumeDecision{Action: plan.Remove, Run: catalog.Resumable{Key: "r/backup/1", Marker: marker}}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			pol := testPolicy(t)
			j := &backupjob.Job{Routine: "r"}
			spec := &backupslice.Spec{Index: 1, Count: 2}
			req := plan.BackupRequest{Policy: &config.BackupPolicy{WithClusterConfiguration: &tt.clusterConf}, Slice: spec, RunFolder: "1763712000000"}
			if err := BackupJob(j, req, tt.p, pol); err != nil {
				t.Fatal(err)
			}
			if j.Type != tt.p.Type || !j.Start.Equal(start) || !j.Until.Equal(tt.p.Until) || j.Resumable != tt.p.Resumable {
				t.Errorf("type %s start %v until %v resumable %v; want the plan's", j.Type, j.Start, j.Until, j.Resumable)
			}
			if j.Compression != "ZSTD" || j.Encryption != pol.Encryption || j.Retry == nil || j.Retry.MaxRetries != 2 || j.Selection != pol.Selection() {
				t.Errorf("compression %q encryption %q retry %+v; want the policy's", j.Compression, j.Encryption, j.Retry)
			}
			if j.Slice != spec || j.RunFolder != req.RunFolder {
				t.Errorf("slice %v in %q, want the request's", j.Slice, j.RunFolder)
			}
			if j.ClusterConfiguration != tt.wantConf {
				t.Errorf("ClusterConfiguration = %v, want %v", j.ClusterConfiguration, tt.wantConf)
			}
			if (j.Resume == marker) != tt.wantResume || (!tt.wantResume && j.Resume != nil) {
				t.Errorf("Resume = %v, want the marker: %v", j.Resume, tt.wantResume)
			}
			if len(j.Namespaces) != len(tt.p.Namespaces) {
				t.Fatalf("namespaces %+v", j.Namespaces)
			}
			for i, n := range j.Namespaces {
				if n.Name != tt.p.Namespaces[i].Name || !n.From.Equal(tt.p.Namespaces[i].From) || n.Config.Namespace != n.Name {
					t.Errorf("namespace %d: %s from %v (config %q); want %+v", i, n.Name, n.From, n.Config.Namespace, tt.p.Namespaces[i])
				}
				if n.Config.PageSize != tt.wantPage {
					t.Errorf("namespace %s: page size %d, want %d", n.Name, n.Config.PageSize, tt.wantPage)
				}
			}
		})
	}
}

// A resumable plan over a policy that cannot resume (no file limit) fails
// before any namespace is configured.
func TestBackupJobNotResumable(t *testing.T) {
	pol, err := policy.NewBackup(mustRoutine(t, strings.Replace(routineYAML, "file-limit: 10,", "file-limit: 0,", 1)), policy.BackupOverrides{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	j := &backupjob.Job{}
	err = BackupJob(j, plan.BackupRequest{}, plan.BackupPlan{Type: catalog.Full, Resumable: true, Namespaces: []plan.NamespacePlan{{Name: "test"}}}, pol)
	if err == nil || err.Error() != pol.ResumableError().Error() || len(j.Namespaces) != 0 {
		t.Fatalf("err %v, namespaces %d; want the policy's ResumableError and none", err, len(j.Namespaces))
	}
}

func mustRoutine(t *testing.T, yml string) *config.Routine {
	t.Helper()
	cfg, err := config.Parse("test.yml", []byte(yml))
	if err != nil {
		t.Fatal(err)
	}
	r, err := cfg.Routine("r")
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// Stream picks the one namespace from the cluster's and the window
// from the catalog.
func TestPlanStream(t *testing.T) {
	srv := aerospiketest.NewServer(t, aerospiketest.Options{})
	conn, err := cluster.Connect(context.Background(), cluster.Settings{Seeds: []cluster.Seed{{Host: srv.Host(), Port: srv.Port()}}}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	pol := testPolicy(t)
	log := slog.New(slog.DiscardHandler)
	now := time.UnixMilli(1763712000000).UTC()
	if _, err := Stream(conn, pol, plan.StreamRequest{Routine: "r"}, nil, now, log); err == nil {
		t.Fatal("a cluster of two namespaces and none named: no error")
	}
	s, err := Stream(conn, pol, plan.StreamRequest{Routine: "r", Named: []string{"bar"}}, nil, now, log)
	if err != nil {
		t.Fatal(err)
	}
	if s.Type != catalog.Full || s.Namespace.Name != "bar" || !s.Namespace.From.IsZero() || s.Conn != conn || s.Routine != "r" {
		t.Fatalf("full stream: %+v", s)
	}
	full := now.Add(-time.Hour)
	key := catalog.RunDir("r", catalog.Full, full)
	existing := []catalog.Backup{{Routine: "r", Type: catalog.Full, Time: full, Key: key, Namespaces: []catalog.NamespaceBackup{
		{Namespace: "bar", Dir: catalog.NamespaceDir(key, "bar"), Metadata: catalog.Metadata{Created: full, Finished: full, Namespace: "bar"}}}}}
	s, err = Stream(conn, pol, plan.StreamRequest{Routine: "r", Named: []string{"bar"}, Incremental: true}, existing, now, log)
	if err != nil {
		t.Fatal(err)
	}
	if s.Type != catalog.Incremental || !s.Namespace.From.Equal(full) {
		t.Fatalf("incremental stream: type %s from %v; want an incremental from the full", s.Type, s.Namespace.From)
	}
}

// OpenStream refuses a routine of several namespaces before opening
// anything, reads the catalog only for an incremental, and connects last.
func TestOpenStream(t *testing.T) {
	srv := aerospiketest.NewServer(t, aerospiketest.Options{})
	now := time.UnixMilli(1763712000000).UTC()
	full := now.Add(-time.Hour)
	key := catalog.RunDir("r", catalog.Full, full)
	existing := []catalog.Backup{{Routine: "r", Type: catalog.Full, Time: full, Key: key, Namespaces: []catalog.NamespaceBackup{
		{Namespace: "bar", Dir: catalog.NamespaceDir(key, "bar"), Metadata: catalog.Metadata{Created: full, Finished: full, Namespace: "bar"}}}}}
	var calls []string
	backups := func(context.Context) ([]catalog.Backup, error) {
		calls = append(calls, "catalog")
		return existing, nil
	}
	connect := func(ctx context.Context) (*cluster.Conn, error) {
		calls = append(calls, "connect")
		return cluster.Connect(ctx, cluster.Settings{Seeds: []cluster.Seed{{Host: srv.Host(), Port: srv.Port()}}}, slog.New(slog.DiscardHandler))
	}
	pol, log, ctx := testPolicy(t), slog.New(slog.DiscardHandler), context.Background()
	if _, err := OpenStream(ctx, mustRoutine(t, routineYAML), pol, false, now, backups, connect, log); err == nil || len(calls) != 0 {
		t.Fatalf("two namespaces: err %v, calls %v; want a refusal before anything is opened", err, calls)
	}
	one := mustRoutine(t, strings.Replace(routineYAML, "namespaces: [test, bar]", "namespaces: [bar]", 1))
	for _, c := range []struct {
		incremental bool
		want        string
	}{{false, "connect"}, {true, "catalog,connect"}} {
		calls = nil
		s, err := OpenStream(ctx, one, pol, c.incremental, now, backups, connect, log)
		if err != nil {
			t.Fatalf("incremental %v: %v", c.incremental, err)
		}
		s.Conn.Close()
		if got := strings.Join(calls, ","); got != c.want || s.Namespace.Name != "bar" {
			t.Fatalf("incremental %v: calls %s, namespace %s; want %s of bar", c.incremental, got, s.Namespace.Name, c.want)
		}
	}
	down := errors.New("down")
	failing := func(context.Context) ([]catalog.Backup, error) { return nil, down }
	if _, err := OpenStream(ctx, one, pol, true, now, failing, connect, log); !errors.Is(err, down) {
		t.Fatalf("catalog failure: %v", err)
	}
}
