package aerospiketest

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	as "github.com/aerospike/aerospike-client-go/v8"
	"github.com/aerospike/backup-go"
	"github.com/aerospike/backup-go/io/encoding/asb"
	"github.com/aerospike/backup-go/io/storage/local"
	"github.com/aerospike/backup-go/io/storage/options"
)

// runBackup backs up cfg.Namespace into dir with the unmodified backup-go.
func runBackup(t testing.TB, c *as.Client, cfg *backup.ConfigBackup, dir string) *backup.BackupHandler {
	t.Helper()
	ctx := context.Background()
	bc, err := backup.NewClient(c, backup.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatalf("backup client: %v", err)
	}
	w, err := local.NewWriter(ctx, options.WithDir(dir), options.WithRemoveFiles())
	if err != nil {
		t.Fatalf("local writer: %v", err)
	}
	h, err := bc.Backup(ctx, cfg, w, nil)
	if err != nil {
		t.Fatalf("start backup: %v", err)
	}
	if err := h.Wait(ctx); err != nil {
		t.Fatalf("backup: %v", err)
	}
	return h
}

// runRestore restores dir from namespace src into dst.
func runRestore(t testing.TB, c *as.Client, dir, src, dst string, tune func(*backup.ConfigRestore)) backup.Restorer {
	t.Helper()
	ctx := context.Background()
	bc, err := backup.NewClient(c, backup.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatalf("backup client: %v", err)
	}
	r, err := local.NewReader(ctx, options.WithDir(dir), options.WithValidator(asb.NewValidator()))
	if err != nil {
		t.Fatalf("local reader: %v", err)
	}
	cfg := backup.NewDefaultRestoreConfig()
	cfg.Namespace = &backup.RestoreNamespaceConfig{Source: &src, Destination: &dst}
	cfg.Parallel = 4
	// Keys come back only when sent, as with a real server.
	cfg.WritePolicy = as.NewWritePolicy(0, 0)
	cfg.WritePolicy.SendKey = true
	if tune != nil {
		tune(cfg)
	}
	h, err := bc.Restore(ctx, cfg, r)
	if err != nil {
		t.Fatalf("start restore: %v", err)
	}
	if err := h.Wait(ctx); err != nil {
		t.Fatalf("restore: %v", err)
	}
	return h
}

// resetNamespaces empties the namespaces and drops test metadata, so the
// suite can run against a long-lived real server too.
func resetNamespaces(t testing.TB, c *as.Client, nss ...string) {
	t.Helper()
	if err := EmptyNamespaces(c, nss...); err != nil {
		t.Fatal(err)
	}
	for _, ns := range nss {
		_ = c.DropIndex(nil, ns, "people", "idx_"+ns+"_age")
	}
}

// putEveryType writes records holding every particle type through the client.
func putEveryType(t testing.TB, c *as.Client, ns string, n int) {
	t.Helper()
	wp := as.NewWritePolicy(0, 0)
	wp.SendKey = true
	for i := range n {
		var userKey any
		switch i % 3 {
		case 0:
			userKey = i
		case 1:
			userKey = fmt.Sprintf("person-%d", i)
		default:
			userKey = []byte(fmt.Sprintf("blob-key-%d", i))
		}
		set := "people"
		if i%4 == 3 {
			set = ""
		}
		key, err := as.NewKey(ns, set, userKey)
		if err != nil {
			t.Fatal(err)
		}
		bins := as.BinMap{
			"age":   i,
			"score": float64(i) + 0.25,
			"name":  fmt.Sprintf("name-%d", i),
			"raw":   []byte{byte(i), 0, 0xFF},
			"flag":  i%2 == 0,
			"list":  []any{i, "x", 2.5, []any{"nested"}},
			"map":   map[any]any{"k": i, "s": "v"},
			"omap":  as.NewMapValue(map[any]any{"b": 2, "a": 1}),
			"geo":   as.NewGeoJSONValue(fmt.Sprintf(`{"type":"Point","coordinates":[%d.5,45.25]}`, i%90)),
		}
		w := *wp
		if i%5 == 0 {
			w.Expiration = uint32(3600 + i)
		}
		if err := c.Put(&w, key, bins); err != nil {
			t.Fatalf("put %v: %v", userKey, err)
		}
		if i%6 == 0 {
			// An HLL bin built by the server's own HLL operation on a real
			// server; the in-process server refuses HLL operations, so
			// store a raw HLL particle there instead.
			if _, err := c.Operate(&w, key, as.HLLAddOp(as.DefaultHLLPolicy(), "hll", []as.Value{as.NewValue("a"), as.NewValue(i)}, 8, 0)); err != nil {
				if err := c.PutBins(&w, key, as.NewBin("hll", as.NewHLLValue(append([]byte{0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0}, byte(i), 1, 2, 3, 0, 0, 0, 0, 0, 0, 0, 0)))); err != nil {
					t.Fatalf("put hll: %v", err)
				}
			}
		}
	}
	// A key-ordered map, so restores must keep the order flag.
	key, _ := as.NewKey(ns, "people", "ordered")
	if _, err := c.Operate(wp, key, as.MapPutItemsOp(as.NewMapPolicy(as.MapOrder.KEY_ORDERED, as.MapWriteMode.UPDATE), "om",
		map[any]any{"z": 1, "a": 2})); err != nil {
		// The in-process server does not execute CDT operations: write the
		// ordered map particle directly.
		if err := c.PutBins(wp, key, as.NewBin("om", as.NewRawBlobValue(19, []byte{0x83, 0xc7, 0x00, 0x01, 0xc0, 0xa2, 0x03, 'a', 0x02, 0xa2, 0x03, 'z', 0x01}))); err != nil {
			t.Fatalf("put ordered map: %v", err)
		}
	}
}

func TestBackupRestoreEveryType(t *testing.T) {
	host, port, srv := TestCluster(t)
	c := newClient(t, host, port)
	resetNamespaces(t, c, "test", "bar")

	putEveryType(t, c, "test", 60)
	if srv != nil {
		// Server-side seeding adds the null set, digest-only keys and TTLs.
		if err := srv.Seed("test", 300, 42); err != nil {
			t.Fatal(err)
		}
	}
	task, err := c.CreateIndex(nil, "test", "people", "idx_test_age", "age", as.NUMERIC)
	if err != nil {
		t.Fatalf("create index: %v", err)
	}
	if err := <-task.OnComplete(); err != nil {
		t.Fatalf("index task: %v", err)
	}
	udf := []byte("function hello(rec)\n  return 'hello'\nend\n")
	reg, err := c.RegisterUDF(nil, udf, "aerobackup_test.lua", as.LUA)
	if err != nil {
		t.Fatalf("register udf: %v", err)
	}
	if err := <-reg.OnComplete(); err != nil {
		t.Fatalf("udf task: %v", err)
	}

	dir := t.TempDir()
	cfg := backup.NewDefaultBackupConfig()
	cfg.Namespace = "test"
	cfg.ParallelRead = 4
	bh := runBackup(t, c, cfg, dir)
	src, serr := ScanSnapshot(c, "test")
	if serr != nil {
		t.Fatal(serr)
	}
	if got := bh.GetStats().GetReadRecords(); got != uint64(len(src.Records)) {
		t.Errorf("backup read %d records, namespace holds %d", got, len(src.Records))
	}
	if got := bh.GetStats().GetSIndexes(); got < 1 {
		t.Errorf("backup wrote %d secondary indexes, want >= 1", got)
	}
	if got := bh.GetStats().GetUDFs(); got < 1 {
		t.Errorf("backup wrote %d UDFs, want >= 1", got)
	}

	// Remove the metadata so the restore has to bring it back.
	if _, err := c.RemoveUDF(nil, "aerobackup_test.lua"); err != nil {
		t.Fatalf("remove udf: %v", err)
	}
	if err := c.DropIndex(nil, "test", "people", "idx_test_age"); err != nil {
		t.Fatalf("drop index: %v", err)
	}
	runRestore(t, c, dir, "test", "bar", nil)

	dst, serr := ScanSnapshot(c, "bar")
	if serr != nil {
		t.Fatal(serr)
	}
	dst.Namespace = "bar"
	// Digests do not depend on the namespace, so records line up by digest.
	// A restore writes each record once: generations restart at 1.
	for _, d := range Diff(src, dst, CompareOptions{TTLTolerance: 2 * time.Second}) {
		t.Error(d)
	}
	if len(dst.Records) != len(src.Records) {
		t.Fatalf("restored %d records, want %d", len(dst.Records), len(src.Records))
	}
	for d, r := range dst.Records {
		if r.Generation != 1 {
			t.Errorf("%s: restored generation %d, want 1", d, r.Generation)
		}
	}

	// backup-go maps only records to the destination namespace: secondary
	// indexes come back in the namespace they were backed up from.
	// Plain "sindex-list" is spelled the same before and after 8.1.
	info, err := c.GetNodes()[0].RequestInfo(as.NewInfoPolicy(), "sindex-list", "udf-list")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(info["sindex-list"], "ns=test:indexname=idx_test_age") {
		t.Errorf("restored sindex missing from test: %q", info["sindex-list"])
	}
	if !strings.Contains(info["udf-list"], "filename=aerobackup_test.lua") {
		t.Errorf("restored UDF missing: %q", info["udf-list"])
	}
	_ = c.DropIndex(nil, "bar", "people", "idx_test_age")
	_ = c.DropIndex(nil, "test", "people", "idx_test_age")
}
