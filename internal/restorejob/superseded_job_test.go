package restorejob

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	as "github.com/aerospike/aerospike-client-go/v8"
	"github.com/aerospike/backup-go"

	"github.com/aerobackup/aerobackup/internal/aerospiketest"
	"github.com/aerobackup/aerobackup/internal/backupjob"
	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/storage"
	"github.com/aerobackup/aerobackup/internal/storage/localstore"
)

const chainRecords = 200

// twoBackups writes records k0..k199 (v=1) into test and backs them up;
// then updates the first half (v=2), deletes the last, adds n0..n4 (v=3)
// and backs up again. It returns the store and both namespace folders,
// oldest first.
func twoBackups(t *testing.T, srv *aerospiketest.Server) (storage.Store, []string) {
	t.Helper()
	c, aerr := as.NewClient(srv.Host(), srv.Port())
	if aerr != nil {
		t.Fatal(aerr)
	}
	defer c.Close()
	put := func(key string, v int) {
		k, _ := as.NewKey("test", "s", key)
		if err := c.Put(nil, k, as.BinMap{"v": v}); err != nil {
			t.Fatal(err)
		}
	}
	store, err := localstore.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	conn := connect(t, srv)
	var dirs []string
	backupAt := func(ms int64) {
		job := &backupjob.Job{Store: store, Conn: conn, Routine: "r", Type: catalog.Full, Start: time.UnixMilli(ms).UTC(),
			Namespaces:  []backupjob.Namespace{{Name: "test", Config: backup.NewDefaultBackupConfig()}},
			Compression: "NONE", Encryption: "NONE", Log: discard()}
		res, err := job.Run(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		dirs = append(dirs, catalog.NamespaceDir(res.Key, "test"))
	}
	for i := range chainRecords {
		put(fmt.Sprintf("k%d", i), 1)
	}
	backupAt(1763712000000)
	for i := range chainRecords / 2 {
		put(fmt.Sprintf("k%d", i), 2)
	}
	k, _ := as.NewKey("test", "s", fmt.Sprintf("k%d", chainRecords-1))
	if _, err := c.Delete(nil, k); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		put(fmt.Sprintf("n%d", i), 3)
	}
	backupAt(1763715600000)
	return store, dirs
}

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }

// wantNewest checks that bar holds every record at its newest backed-up
// value: the deleted one comes back from the older backup.
func wantNewest(t *testing.T, srv *aerospiketest.Server) {
	t.Helper()
	c, err := as.NewClient(srv.Host(), srv.Port())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	want := map[string]int{}
	for i := range chainRecords {
		want[fmt.Sprintf("k%d", i)] = 1
		if i < chainRecords/2 {
			want[fmt.Sprintf("k%d", i)] = 2
		}
	}
	for i := range 5 {
		want[fmt.Sprintf("n%d", i)] = 3
	}
	for key, v := range want {
		k, _ := as.NewKey("bar", "s", key)
		r, err := c.Get(nil, k)
		if err != nil {
			t.Fatalf("bar %s: %v", key, err)
		}
		if got := r.Bins["v"]; got != v {
			t.Errorf("bar %s: v=%v, want %d (the newest backup's)", key, got, v)
		}
	}
	if n := srv.Count("bar"); n != len(want) {
		t.Errorf("bar holds %d records, want %d", n, len(want))
	}
}

// A chain of two backups restored newest first with CREATE_ONLY: the
// records the newer one wrote are not sent again from the older, within
// the budget; beyond it the server refuses them. Every version read is
// counted once: written, superseded (not sent) or already present (sent
// and refused), and the server's refusals are exactly the latter.
func TestNewestFirstSkipsSuperseded(t *testing.T) {
	both := uint64(chainRecords - 1) // records in both backups
	for _, tc := range []struct {
		name   string
		budget *DigestBudget
		single bool
		// superseded: exactly this many; < 0: between 1 and -superseded
		superseded int
	}{
		{name: "batch writes", budget: NewDigestBudget(1 << 20), superseded: int(both)},
		{name: "single writes", budget: NewDigestBudget(1 << 20), single: true, superseded: int(both)},
		{name: "budget of 10 digests", budget: NewDigestBudget(10 * DigestBytes), superseded: -10},
		{name: "no budget", superseded: 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := aerospiketest.NewServer(t, aerospiketest.Options{Namespaces: []string{"test", "bar"}})
			store, dirs := twoBackups(t, srv)
			cfg := backup.NewDefaultRestoreConfig()
			wp := as.NewWritePolicy(0, 0)
			wp.SendKey, wp.RecordExistsAction = true, as.CREATE_ONLY
			cfg.WritePolicy, cfg.DisableBatchWrites = wp, tc.single
			var steps []Step
			for i := len(dirs) - 1; i >= 0; i-- {
				steps = append(steps, Step{Label: dirs[i], Dir: dirs[i], Source: "test", Destination: "bar", Config: cfg})
			}
			var logs bytes.Buffer
			job := &Job{Store: store, Conn: connect(t, srv), Log: slog.New(slog.NewTextHandler(&logs, nil)),
				Chains: []Chain{{Namespace: "bar", Steps: steps, Superseded: tc.budget}}}
			srv.ResetStats()
			res, err := job.Run(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			wantNewest(t, srv)
			tot := res.Totals()
			read := uint64(2*chainRecords - 1 + 5)
			if tot.Read != read || tot.Inserted != chainRecords+5 || tot.Inserted+tot.Existed+tot.Superseded != tot.Read {
				t.Errorf("counts %+v: want %d read = %d written + existed + superseded", tot, read, chainRecords+5)
			}
			switch {
			case tc.superseded >= 0 && tot.Superseded != uint64(tc.superseded):
				t.Errorf("%d superseded, want %d", tot.Superseded, tc.superseded)
			case tc.superseded < 0 && (tot.Superseded == 0 || tot.Superseded > uint64(-tc.superseded)):
				t.Errorf("%d superseded, want 1 to %d", tot.Superseded, -tc.superseded)
			}
			if st := srv.Stats(); uint64(st.KeyExists) != tot.Existed || st.WriteErrors != st.KeyExists {
				t.Errorf("the server refused %d writes as existing (%d in all), the restore counted %d already present",
					st.KeyExists, st.WriteErrors, tot.Existed)
			}
			if res.Steps[0].Superseded != 0 {
				t.Errorf("the newest step skipped %d records", res.Steps[0].Superseded)
			}
			spent := strings.Contains(logs.String(), "the memory for the digests of written records is spent")
			if spent != (tc.superseded < 0) {
				t.Errorf("budget-spent warning logged %v, want %v:\n%s", spent, tc.superseded < 0, logs.String())
			}
		})
	}
}
