package aerospiketest

import (
	"testing"
	"time"

	as "github.com/aerospike/aerospike-client-go/v8"
	"github.com/aerospike/backup-go"
)

// TestBackupPartitionFiltersAndPaging checks backup-go's partition filters
// (ranges, single ids, after-digest) and paginated scans select exactly the
// records the client's partition map says they should.
func TestBackupPartitionFiltersAndPaging(t *testing.T) {
	host, port, srv := TestCluster(t)
	c := newClient(t, host, port)
	resetNamespaces(t, c, "test")
	const total = 1200
	if err := SeedCluster(c, srv, "test", total, 11); err != nil {
		t.Fatal(err)
	}
	snap, err := ScanSnapshot(c, "test")
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Records) != total {
		t.Fatalf("seeded %d records, the scan finds %d", total, len(snap.Records))
	}
	inRange := func(lo, hi int) (n uint64) {
		for d := range snap.Records {
			var b [20]byte
			for i := range 20 {
				b[i] = hexByte(d[2*i], d[2*i+1])
			}
			if p := partitionOf(b[:]); p >= lo && p < hi {
				n++
			}
		}
		return n
	}
	read := func(tune func(*backup.ConfigBackup)) uint64 {
		cfg := backup.NewDefaultBackupConfig()
		cfg.Namespace = "test"
		tune(cfg)
		return runBackup(t, c, cfg, t.TempDir()).GetStats().GetReadRecords()
	}

	lower := read(func(cfg *backup.ConfigBackup) {
		cfg.PartitionFilters = []*as.PartitionFilter{backup.NewPartitionFilterByRange(0, 2048)}
	})
	upper := read(func(cfg *backup.ConfigBackup) {
		cfg.PartitionFilters = []*as.PartitionFilter{backup.NewPartitionFilterByRange(2048, 2048)}
		cfg.ParallelRead = 3
	})
	if lower != inRange(0, 2048) || upper != inRange(2048, 4096) || lower+upper != total {
		t.Errorf("range filters read %d + %d, want %d + %d", lower, upper, inRange(0, 2048), inRange(2048, 4096))
	}
	one := read(func(cfg *backup.ConfigBackup) {
		cfg.PartitionFilters = []*as.PartitionFilter{backup.NewPartitionFilterByID(77)}
	})
	if one != inRange(77, 78) {
		t.Errorf("partition 77: read %d, want %d", one, inRange(77, 78))
	}
	paged := read(func(cfg *backup.ConfigBackup) { cfg.PageSize = 100 })
	if paged != total {
		t.Errorf("paginated backup read %d, want %d", paged, total)
	}

	// Records-per-second pacing: 300 records at 1000/s take at least ~0.3s.
	start := time.Now()
	rps := read(func(cfg *backup.ConfigBackup) {
		cfg.RecordsPerSecond = 1000
		cfg.PartitionFilters = []*as.PartitionFilter{backup.NewPartitionFilterByRange(0, 1024)}
	})
	if min := time.Duration(rps) * time.Second / 1000 * 8 / 10; time.Since(start) < min {
		t.Errorf("%d records at 1000/s took %v, want at least %v", rps, time.Since(start), min)
	}
}

func hexByte(a, b byte) byte {
	v := func(c byte) byte {
		if c >= 'a' {
			return c - 'a' + 10
		}
		return c - '0'
	}
	return v(a)<<4 | v(b)
}
