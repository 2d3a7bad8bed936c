package metrics

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"google.golang.org/protobuf/proto"
)

type pushRequest struct {
	method, path, contentType, user, pass string
	body                                  []byte
}

// fakeGateway keeps the last PUT of each group and exposes all groups on
// GET /metrics with the grouping labels (and the empty instance label, and
// push_time_seconds) the way a Pushgateway does.
type fakeGateway struct {
	t      *testing.T
	mu     sync.Mutex
	groups map[string][]byte // "job/routine" -> body of the last PUT
	pushes []pushRequest
	gets   []pushRequest
	status int // if set, every request fails with it
}

func newFakeGateway(t *testing.T) (*fakeGateway, *httptest.Server) {
	g := &fakeGateway{t: t, groups: map[string][]byte{}}
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	return g, srv
}

func (g *fakeGateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	defer g.mu.Unlock()
	user, pass, _ := r.BasicAuth()
	body, _ := io.ReadAll(r.Body)
	req := pushRequest{r.Method, r.URL.Path, r.Header.Get("Content-Type"), user, pass, body}
	if g.status != 0 {
		http.Error(w, "gateway says no", g.status)
		return
	}
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/metrics":
		g.gets = append(g.gets, req)
		_, _ = w.Write(g.exposition())
	case r.Method == http.MethodPut && strings.HasPrefix(r.URL.Path, "/metrics/job/"):
		g.pushes = append(g.pushes, req)
		// /metrics/job/<job>/routine/<routine>
		parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/metrics/job/"), "/")
		if len(parts) != 3 || parts[1] != "routine" {
			http.Error(w, "unexpected grouping path", http.StatusBadRequest)
			return
		}
		if _, err := parse(body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		g.groups[parts[0]+"/"+parts[2]] = body
	default:
		http.Error(w, "not found", http.StatusNotFound)
	}
}

func (g *fakeGateway) exposition() []byte {
	all := state{
		"go_goroutines": {Name: proto.String("go_goroutines"), Type: dto.MetricType_GAUGE.Enum(),
			Metric: []*dto.Metric{{Gauge: &dto.Gauge{Value: proto.Float64(12)}}}},
	}
	add := func(mf *dto.MetricFamily, m *dto.Metric) {
		if all[mf.GetName()] == nil {
			all[mf.GetName()] = &dto.MetricFamily{Name: mf.Name, Help: mf.Help, Type: mf.Type}
		}
		all[mf.GetName()].Metric = append(all[mf.GetName()].Metric, m)
	}
	for key, body := range g.groups {
		job, routine, _ := strings.Cut(key, "/")
		grouping := []*dto.LabelPair{
			{Name: proto.String("instance"), Value: proto.String("")},
			{Name: proto.String("job"), Value: proto.String(job)},
			{Name: proto.String("routine"), Value: proto.String(routine)},
		}
		s, err := parse(body)
		if err != nil {
			g.t.Errorf("stored group %s: %v", key, err)
		}
		s["push_time_seconds"] = &dto.MetricFamily{Name: proto.String("push_time_seconds"), Type: dto.MetricType_GAUGE.Enum(),
			Metric: []*dto.Metric{{Gauge: &dto.Gauge{Value: proto.Float64(1.7e9)}}}}
		for _, mf := range s {
			for _, m := range mf.Metric {
				m.Label = append(append([]*dto.LabelPair{}, grouping...), m.Label...)
				add(mf, m)
			}
		}
	}
	out, err := all.text()
	if err != nil {
		g.t.Error(err)
	}
	return out
}

func TestPushPayloadAndGrouping(t *testing.T) {
	g, srv := newFakeGateway(t)
	// Earlier pushes: nightly has 3 successful full backups, hourly 10.
	g.groups["aerobackup/nightly"] = []byte(`# TYPE aerospike_backup_service_backup_events_total counter
aerospike_backup_service_backup_events_total{outcome="success",type="full"} 3
# TYPE aerospike_backup_service_runs_total counter
aerospike_backup_service_runs_total 3
`)
	g.groups["aerobackup/hourly"] = []byte(`# TYPE aerospike_backup_service_runs_total counter
aerospike_backup_service_runs_total 10
`)
	url := strings.Replace(srv.URL, "http://", "http://ops:s3cret@", 1) + "/"

	if err := Push(context.Background(), url, backupRun("nightly", Full, Success, 125*time.Second)); err != nil {
		t.Fatal(err)
	}
	if len(g.pushes) != 1 || len(g.gets) != 1 {
		t.Fatalf("%d pushes and %d reads, want 1 and 1", len(g.pushes), len(g.gets))
	}
	p := g.pushes[0]
	if p.path != "/metrics/job/aerobackup/routine/nightly" {
		t.Errorf("grouping path %q", p.path)
	}
	if !strings.HasPrefix(p.contentType, "text/plain") {
		t.Errorf("content type %q, want the text format", p.contentType)
	}
	if p.user != "ops" || p.pass != "s3cret" || g.gets[0].user != "ops" {
		t.Errorf("basic auth %q:%q (read as %q), want ops:s3cret from the URL", p.user, p.pass, g.gets[0].user)
	}
	golden(t, "push_nightly.prom", p.body)

	fams := families(t, p.body)
	for name, mf := range fams {
		for _, m := range mf.Metric {
			if labelValue(m, "routine") != "" || labelValue(m, "job") != "" || labelValue(m, "instance") != "" {
				t.Errorf("%s carries a grouping label: %v", name, m.GetLabel())
			}
		}
	}
	if got := find(t, fams, backupEvents, "outcome", "success", "type", "full").GetCounter().GetValue(); got != 4 {
		t.Errorf("success events = %v, want 3 from the gateway + 1", got)
	}
	if got := find(t, fams, runsTotal).GetCounter().GetValue(); got != 4 {
		t.Errorf("runs_total = %v, want 4 (hourly's 10 belong to another group)", got)
	}
	if _, ok := fams["push_time_seconds"]; ok {
		t.Error("the gateway's push_time_seconds was pushed back")
	}
}

func TestPushTwiceContinuesCounters(t *testing.T) {
	g, srv := newFakeGateway(t)
	for i := 0; i < 2; i++ {
		if err := Push(context.Background(), srv.URL, backupRun("nightly", Incremental, Success, 30*time.Second)); err != nil {
			t.Fatal(err)
		}
		if err := Push(context.Background(), srv.URL, restoreRun("", Failure, time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	backup := families(t, g.groups["aerobackup/nightly"])
	if got := find(t, backup, incrRunsTotal).GetCounter().GetValue(); got != 2 {
		t.Errorf("incremental_runs_total = %v after two pushes, want 2", got)
	}
	if got := find(t, backup, backupDuration, "type", "incremental").GetHistogram(); got.GetSampleCount() != 2 || got.GetBucket()[0].GetCumulativeCount() != 2 {
		t.Errorf("histogram after two pushes: %v", got)
	}
	restore := families(t, g.groups["aerobackup/"+ByPath])
	if got := find(t, restore, restoreEvents, "outcome", "failure").GetCounter().GetValue(); got != 2 {
		t.Errorf("restore failure events = %v, want 2", got)
	}
	if p := g.pushes[1].path; p != "/metrics/job/aerobackup/routine/@by-path" {
		t.Errorf("restore by path pushed to %q", p)
	}
}

func TestPushErrors(t *testing.T) {
	g, srv := newFakeGateway(t)
	g.status = http.StatusServiceUnavailable
	url := strings.Replace(srv.URL, "http://", "http://ops:s3cret@", 1)
	err := Push(context.Background(), url, backupRun("nightly", Full, Success, time.Minute))
	if err == nil || !strings.Contains(err.Error(), "503") {
		t.Fatalf("err = %v, want the gateway's status", err)
	}
	if strings.Contains(err.Error(), "s3cret") {
		t.Errorf("error leaks the password: %v", err)
	}
	if len(g.pushes) != 0 {
		t.Error("pushed although the current group could not be read")
	}

	for _, bad := range []string{"pushgateway:9091", "://x", ""} {
		if err := Push(context.Background(), bad, backupRun("nightly", Full, Success, time.Minute)); err == nil {
			t.Errorf("Push(%q) accepted a URL without scheme and host", bad)
		}
	}
}
