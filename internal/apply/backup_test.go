package apply

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/aerobackup/aerobackup/internal/aerospiketest"
	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/cluster"
	"github.com/aerobackup/aerobackup/internal/lock"
	"github.com/aerobackup/aerobackup/internal/plan"
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
