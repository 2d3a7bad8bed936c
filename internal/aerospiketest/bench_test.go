package aerospiketest

import (
	"os"
	"testing"
	"time"

	"github.com/aerospike/backup-go"
)

const benchRecords = 200_000

// BenchmarkScan backs up 200k seeded records with backup-go (local writer)
// and reports records per second scanned.
func BenchmarkScan(b *testing.B) {
	srv := NewServer(b, Options{})
	if err := srv.Seed("test", benchRecords, 1); err != nil {
		b.Fatal(err)
	}
	c := newClient(b, srv.Host(), srv.Port())
	cfg := backup.NewDefaultBackupConfig()
	cfg.Namespace = "test"
	cfg.ParallelRead = 4
	cfg.ParallelWrite = 4
	dir := b.TempDir()
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		h := runBackup(b, c, cfg, dir)
		if got := h.GetStats().GetReadRecords(); got != benchRecords {
			b.Fatalf("backup read %d records, want %d", got, benchRecords)
		}
	}
	b.ReportMetric(float64(benchRecords*b.N)/time.Since(start).Seconds(), "records/s")
}

// BenchmarkRestore restores a 200k-record backup with backup-go's batch
// writes and reports records per second written.
func BenchmarkRestore(b *testing.B) {
	srv := NewServer(b, Options{})
	if err := srv.Seed("test", benchRecords, 2); err != nil {
		b.Fatal(err)
	}
	c := newClient(b, srv.Host(), srv.Port())
	cfg := backup.NewDefaultBackupConfig()
	cfg.Namespace = "test"
	cfg.ParallelRead = 4
	// Several files, so the restore decodes them in parallel.
	cfg.ParallelWrite = 4
	dir, err := os.MkdirTemp("", "aerospiketest-bench")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { os.RemoveAll(dir) })
	runBackup(b, c, cfg, dir)
	b.ResetTimer()
	var elapsed time.Duration
	for range b.N {
		b.StopTimer()
		if err := srv.Truncate("bar", ""); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		runRestore(b, c, dir, "test", "bar", func(rc *backup.ConfigRestore) { rc.Parallel = 4 })
		elapsed += time.Since(start)
		if got := srv.Count("bar"); got != benchRecords {
			b.Fatalf("restored %d records, want %d", got, benchRecords)
		}
	}
	b.ReportMetric(float64(benchRecords*b.N)/elapsed.Seconds(), "records/s")
}
