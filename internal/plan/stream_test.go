package plan

import (
	"strings"
	"testing"

	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/config"
)

func TestStreamNamespace(t *testing.T) {
	for _, tt := range []struct {
		name    string
		named   []string
		cluster []string
		want    string
		err     string
	}{
		{name: "the routine's one", named: []string{"a"}, cluster: []string{"a", "b"}, want: "a"},
		{name: "the routine's one, cluster not asked", named: []string{"a"}, want: "a"},
		{name: "the routine names several", named: []string{"b", "a"},
			err: `usage: --output - streams exactly one namespace; routine "r" names 2 (a, b): pick one with --namespace`},
		{name: "the routine names none, cluster not asked", want: ""},
		{name: "the cluster's one", cluster: []string{"only"}, want: "only"},
		{name: "the cluster has several", cluster: []string{"test", "bar"},
			err: `usage: --output - streams exactly one namespace; the cluster has 2 (bar, test): pick one with --namespace`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := StreamNamespace(StreamRequest{Routine: "r", Named: tt.named}, tt.cluster)
			if tt.err != "" {
				if err == nil || exitOf(err)+": "+err.Error() != tt.err {
					t.Fatalf("err %v, want %s", err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestStream(t *testing.T) {
	now := ms(9000)
	backups := []catalog.Backup{full(1000, "a", "b"), incr(2000, 1000, "a"), full(3000, "b")}
	for _, tt := range []struct {
		name   string
		req    StreamRequest
		ns     string
		want   StreamPlan
		reason string
		err    string
	}{
		{name: "full", req: StreamRequest{}, ns: "a", want: StreamPlan{Namespace: "a", Type: catalog.Full}, reason: "full: every record"},
		{name: "incremental, differential: from the last backup", req: StreamRequest{Incremental: true, Mode: config.IncrModeDifferential}, ns: "a",
			want:   StreamPlan{Namespace: "a", Type: catalog.Incremental, From: ms(2000)},
			reason: "incremental from r/incremental/2000 (last backup, differential mode)"},
		{name: "incremental, cumulative: from the last full", req: StreamRequest{Incremental: true, Mode: config.IncrModeCumulative}, ns: "a",
			want:   StreamPlan{Namespace: "a", Type: catalog.Incremental, From: ms(1000)},
			reason: "incremental from r/backup/1000 (last full, cumulative mode)"},
		{name: "sealed: bounded by the start", req: StreamRequest{Incremental: true, Mode: config.IncrModeDifferential, Sealed: true}, ns: "b",
			want:   StreamPlan{Namespace: "b", Type: catalog.Incremental, From: ms(3000), Until: now},
			reason: "incremental from r/backup/3000 (last full, differential mode)"},
		{name: "sealed full: no upper bound", req: StreamRequest{Sealed: true}, ns: "b",
			want: StreamPlan{Namespace: "b", Type: catalog.Full}, reason: "full: every record"},
		{name: "incremental without a full", req: StreamRequest{Incremental: true}, ns: "c",
			err: `skip: skipped: routine "r": no full backup of namespace c to build an incremental on`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.req.Routine = "r"
			got, err := Stream(tt.req, tt.ns, backups, now)
			if tt.err != "" {
				if err == nil || exitOf(err)+": "+err.Error() != tt.err {
					t.Fatalf("err %v, want %s", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Namespace != tt.want.Namespace || got.Type != tt.want.Type || !got.From.Equal(tt.want.From) ||
				!got.Until.Equal(tt.want.Until) || got.Reason != tt.reason {
				t.Errorf("got %+v, want %+v (%s)", got, tt.want, tt.reason)
			}
		})
	}
}

// NewStreamRequest takes the routine's namespaces, incr-mode and sealed.
func TestNewStreamRequest(t *testing.T) {
	cfg, err := config.Parse("t.yml", []byte(`aerospike-clusters:
  c: {seed-nodes: [{host-name: h, port: 3000}]}
storage:
  s: {local-storage: {path: /tmp/x}}
backup-policies:
  p: {incr-mode: cumulative, sealed: true}
backup-routines:
  r: {interval-cron: "@daily", source-cluster: c, storage: s, backup-policy: p, namespaces: [a, b]}
`))
	if err != nil {
		t.Fatal(err)
	}
	r, err := cfg.Routine("r")
	if err != nil {
		t.Fatal(err)
	}
	got := NewStreamRequest(r, true)
	if got.Routine != "r" || strings.Join(got.Named, ",") != "a,b" || !got.Incremental || got.Mode != config.IncrModeCumulative || !got.Sealed {
		t.Fatalf("request %+v", got)
	}
}
