package apply

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aerobackup/aerobackup/internal/aerospiketest"
	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/cluster"
	"github.com/aerobackup/aerobackup/internal/lock"
	"github.com/aerobackup/aerobackup/internal/plan"
	"github.com/aerobackup/aerobackup/internal/policy"
)

// PlanBackup connects only once the resume decision is made, plans over
// the session's catalog with the cluster's namespaces, swaps the lock of a
// promoted incremental, and hands the connection over only on success.
func TestPlanBackup(t *testing.T) {
	srv := aerospiketest.NewServer(t, aerospiketest.Options{})
	connect := func() (*cluster.Conn, error) {
		return cluster.Connect(context.Background(), cluster.Settings{Seeds: []cluster.Seed{{Host: srv.Host(), Port: srv.Port()}}}, slog.New(slog.DiscardHandler))
	}
	pol, log := testPolicy(t), slog.New(slog.DiscardHandler)
	r := mustRoutine(t, routineYAML)
	now := base.Add(2 * time.Hour)
	incr := func(auto bool, ns ...string) plan.BackupRequest {
		return plan.BackupRequest{Routine: "r", Policy: r.Policy(), Incremental: true, AutoFull: auto, Namespaces: ns}
	}
	st, o := fulls(t, 1)

	t.Run("no cluster", func(t *testing.T) {
		down := errors.New("cluster down")
		_, conn, err := PlanBackup(open(t, o, lock.Incremental), incr(false), pol, []string{"test"},
			func() (*cluster.Conn, error) { return nil, down }, now, log)
		if !errors.Is(err, down) || conn != nil {
			t.Fatalf("err %v, conn %v; want the connection's error and none", err, conn)
		}
	})
	t.Run("incremental from the full", func(t *testing.T) {
		p, conn, err := PlanBackup(open(t, o, lock.Incremental), incr(false), pol, []string{"test"}, connect, now, log)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if p.Type != catalog.Incremental || len(p.Namespaces) != 1 || !p.Namespaces[0].From.Equal(base) {
			t.Fatalf("plan %+v; want an incremental of test from the full at %v", p, base)
		}
	})
	t.Run("no base", func(t *testing.T) {
		p, conn, err := PlanBackup(open(t, o, lock.Incremental), incr(false), pol, []string{"bar"}, connect, now, log)
		var skip *plan.NothingToDoError
		if !errors.As(err, &skip) || conn != nil || p.Promoted {
			t.Fatalf("err %v, conn %v, promoted %v; want nothing to do, no connection", err, conn, p.Promoted)
		}
	})
	t.Run("promoted", func(t *testing.T) {
		p, conn, err := PlanBackup(open(t, o, lock.Incremental), incr(true), pol, []string{"bar"}, connect, now, log)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		objs, err := st.List(context.Background(), lock.Dir("r"))
		if err != nil {
			t.Fatal(err)
		}
		if !p.Promoted || p.Type != catalog.Full || len(objs) != 1 || objs[0].Path != "r/.lock/full" {
			t.Fatalf("promoted %v, type %s, locks %v; want a full under the full lock", p.Promoted, p.Type, objs)
		}
	})
}

// Request names the routine and the settings a continuation shares,
// refuses at once a resumable run over a policy that cannot resume, and
// reads the retention counts only for --prune.
func TestRequest(t *testing.T) {
	r, pol := mustRoutine(t, routineYAML), testPolicy(t)
	req, err := Request(plan.BackupRequest{Incremental: true, Namespaces: []string{"test"}}, r, pol, false)
	if err != nil {
		t.Fatal(err)
	}
	if req.Routine != "r" || req.Policy != r.Policy() || !req.Incremental || req.Settings.Compression != "ZSTD" ||
		req.Settings.Selection != pol.Selection() || req.Settings.NotResumable != nil || req.Prune != nil {
		t.Fatalf("request %+v", req)
	}
	if _, err := Request(plan.BackupRequest{}, r, pol, true); err == nil || !strings.HasPrefix(err.Error(), "--prune: ") {
		t.Errorf("--prune without a retention: %v, want the refusal", err)
	}
	kept := mustRoutine(t, strings.Replace(routineYAML, "retry-policy: {max-retries: 2}", "retry-policy: {max-retries: 2}, retention: {full: 3}", 1))
	if req, err := Request(plan.BackupRequest{}, kept, pol, true); err != nil || req.Prune == nil || req.Prune.Full != 3 {
		t.Errorf("--prune with full: 3: %+v, %v", req.Prune, err)
	}
	noLimit, err := policy.NewBackup(mustRoutine(t, strings.Replace(routineYAML, "file-limit: 10,", "file-limit: 0,", 1)), policy.BackupOverrides{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, asked := range []plan.BackupRequest{{Resumable: true}, {Resume: true}} {
		if _, err := Request(asked, r, noLimit, false); err == nil || err.Error() != noLimit.ResumableError().Error() {
			t.Errorf("%+v over a policy without a file limit: %v, want its ResumableError", asked, err)
		}
	}
	if req, err := Request(plan.BackupRequest{}, r, noLimit, false); err != nil || req.Settings.NotResumable == nil {
		t.Errorf("an ordinary run keeps the reason for later: %+v, %v", req.Settings, err)
	}
}

// Estimate connects, sizes the namespaces named (else the cluster's) and
// reports a connection's failure as it is.
func TestEstimate(t *testing.T) {
	srv := aerospiketest.NewServer(t, aerospiketest.Options{})
	if err := srv.Seed("test", 500, 1); err != nil {
		t.Fatal(err)
	}
	connect := func(ctx context.Context) (*cluster.Conn, error) {
		return cluster.Connect(ctx, cluster.Settings{Seeds: []cluster.Seed{{Host: srv.Host(), Port: srv.Port()}}}, slog.New(slog.DiscardHandler))
	}
	ctx, pol, log := context.Background(), testPolicy(t), slog.New(slog.DiscardHandler)
	doc, err := Estimate(ctx, connect, pol, "r", []string{"test"}, 50, log)
	if err != nil {
		t.Fatal(err)
	}
	if doc.Routine != "r" || doc.Samples != 50 || len(doc.Namespaces) != 1 || doc.Namespaces[0].Namespace != "test" || doc.Bytes == 0 {
		t.Fatalf("estimate %+v, want test's size from 50 samples", doc)
	}
	if doc, err = Estimate(ctx, connect, pol, "r", nil, 50, log); err != nil || len(doc.Namespaces) != 2 {
		t.Fatalf("none named: %+v, %v; want the cluster's two namespaces", doc, err)
	}
	down := errors.New("cluster down")
	if _, err := Estimate(ctx, func(context.Context) (*cluster.Conn, error) { return nil, down }, pol, "r", nil, 50, log); !errors.Is(err, down) {
		t.Fatalf("err %v, want the connection's", err)
	}
}
