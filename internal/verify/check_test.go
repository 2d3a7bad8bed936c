package verify

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/storage/localstore"
)

func mkBackup(typ catalog.Type, created, from time.Time, records uint64) catalog.Backup {
	key := catalog.RunDir("nightly", typ, created)
	return catalog.Backup{Routine: "nightly", Type: typ, Time: created, Key: key,
		Namespaces: []catalog.NamespaceBackup{{Namespace: "test", Dir: catalog.NamespaceDir(key, "test"),
			Metadata: catalog.Metadata{Created: created, Finished: created.Add(time.Minute), From: from,
				Namespace: "test", RecordCount: records}}}}
}

func TestCheckEdges(t *testing.T) {
	full := mkBackup(catalog.Full, t0, time.Time{}, 1000)
	inc := mkBackup(catalog.Incremental, t0.Add(6*time.Hour), t0, 10)
	gapInc := mkBackup(catalog.Incremental, t0.Add(6*time.Hour), t0.Add(time.Hour), 10)
	orphan := mkBackup(catalog.Incremental, t0.Add(6*time.Hour), t0.Add(-time.Hour), 10)
	day := 24 * time.Hour
	cases := []struct {
		name       string
		backups    []catalog.Backup
		now        time.Time
		maxAge     time.Duration
		minRecords uint64
		ok         bool
		reason     string
	}{
		{"no backups", nil, t0, day, 0, false, "no successful backup"},
		{"age just under max", []catalog.Backup{full}, t0.Add(day - time.Millisecond), day, 0, true, "restorable to now"},
		{"age equal to max", []catalog.Backup{full}, t0.Add(day), day, 0, false, "is 24h0m0s old, not younger than --max-age 24h0m0s"},
		{"age over max", []catalog.Backup{full}, t0.Add(day + time.Second), day, 0, false, "not younger than"},
		{"incremental keeps it fresh", []catalog.Backup{full, inc}, t0.Add(day + time.Hour), day, 0, true, "+ 1 incremental"},
		{"gap in the chain", []catalog.Backup{full, gapInc}, t0.Add(7 * time.Hour), day, 0, false, "does not restore to now: gap"},
		{"only an incremental", []catalog.Backup{orphan}, t0.Add(7 * time.Hour), day, 0, false, "no full backup"},
		{"records equal to min", []catalog.Backup{full}, t0.Add(time.Hour), day, 1000, true, "1000 records"},
		{"records one below min", []catalog.Backup{full}, t0.Add(time.Hour), day, 1001, false, "holds 1000 records, fewer than --min-records 1001"},
		{"a backup from the future does not count", []catalog.Backup{mkBackup(catalog.Full, t0.Add(time.Hour), time.Time{}, 5)}, t0, day, 0, false, "no successful backup"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := Check("nightly", c.backups, c.now, c.maxAge, c.minRecords)
			if f.OK != c.ok || !strings.Contains(f.Reason, c.reason) {
				t.Fatalf("ok %v %q, want ok %v containing %q", f.OK, f.Reason, c.ok, c.reason)
			}
			if strings.Contains(f.Reason, "\n") {
				t.Fatalf("reason is not one line: %q", f.Reason)
			}
		})
	}
}

// CheckStore reads the routine's metadata.yaml files, only the namespaces
// asked, and checks them.
func TestCheckStore(t *testing.T) {
	ctx := context.Background()
	store, err := localstore.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	full := mkBackup(catalog.Full, t0, time.Time{}, 1000)
	for _, ns := range []string{"test", "big"} {
		md := full.Namespaces[0].Metadata
		md.Namespace = ns
		if ns == "big" {
			md.RecordCount = 5
		}
		if err := catalog.WriteMetadata(ctx, store, catalog.NamespaceDir(full.Key, ns), &md); err != nil {
			t.Fatal(err)
		}
	}
	res, err := CheckStore(ctx, store, "nightly", []string{"test"}, t0.Add(time.Hour), 24*time.Hour, 1000)
	if err != nil || !res.OK || res.Records != 1000 {
		t.Errorf("namespace test: %+v, %v", res, err)
	}
	res, err = CheckStore(ctx, store, "nightly", nil, t0.Add(time.Hour), 24*time.Hour, 1006)
	if err != nil || res.OK || !strings.Contains(res.Reason, "1005") {
		t.Errorf("every namespace, 1006 records wanted: %+v, %v", res, err)
	}
	if res, err = CheckStore(ctx, store, "weekly", nil, t0, time.Hour, 0); err != nil || res.OK {
		t.Errorf("another routine has no backup: %+v, %v", res, err)
	}
}
