package backupjob

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aerospike/aerospike-client-go/v8"
	"github.com/aerospike/backup-go"
	"github.com/aerospike/backup-go/io/encoding/asb"
	"github.com/aerospike/backup-go/models"

	"github.com/aerobackup/aerobackup/internal/aerospiketest"
	"github.com/aerobackup/aerobackup/internal/backupslice"
	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/cluster"
	"github.com/aerobackup/aerobackup/internal/logging"
	"github.com/aerobackup/aerobackup/internal/storage/localstore"
)

type pr = catalog.PartitionRange

func p(begin, count int) pr { return pr{Begin: begin, Count: count} }

func rng(begin, count int) *aerospike.PartitionFilter {
	return aerospike.NewPartitionFilterByRange(begin, count)
}

func TestWorkerShares(t *testing.T) {
	for _, tt := range []struct {
		name    string
		filters []*aerospike.PartitionFilter
		workers int
		want    [][]pr
	}{
		{"all partitions, 4 workers", []*aerospike.PartitionFilter{rng(0, 4096)}, 4,
			[][]pr{{p(0, 1024)}, {p(1024, 1024)}, {p(2048, 1024)}, {p(3072, 1024)}}},
		{"all partitions, 3 workers: uneven shares", []*aerospike.PartitionFilter{rng(0, 4096)}, 3,
			[][]pr{{p(0, 1365)}, {p(1365, 1365)}, {p(2730, 1366)}}},
		{"a range from 100, 3 workers", []*aerospike.PartitionFilter{rng(100, 10)}, 3,
			[][]pr{{p(100, 3)}, {p(103, 3)}, {p(106, 4)}}},
		{"one worker", []*aerospike.PartitionFilter{rng(7, 9)}, 1, [][]pr{{p(7, 9)}}},
		{"as many partitions as workers", []*aerospike.PartitionFilter{rng(10, 2)}, 2, [][]pr{{p(10, 1)}, {p(11, 1)}}},
		{"after a digest", []*aerospike.PartitionFilter{{Begin: 4000, Count: 96, Digest: make([]byte, 20)}}, 2,
			[][]pr{{p(4000, 48)}, {p(4048, 48)}}},
		{"one filter per worker", []*aerospike.PartitionFilter{rng(0, 10), aerospike.NewPartitionFilterById(500)}, 2,
			[][]pr{{p(0, 10)}, {p(500, 1)}}},
		{"one partition, one worker", []*aerospike.PartitionFilter{aerospike.NewPartitionFilterById(9)}, 1, [][]pr{{p(9, 1)}}},
		// Cases backup-go shares out by other rules, or refuses: unknown.
		{"one partition, several workers", []*aerospike.PartitionFilter{aerospike.NewPartitionFilterById(9)}, 2, nil},
		{"fewer filters than workers", []*aerospike.PartitionFilter{rng(0, 10), rng(20, 10)}, 4, nil},
		{"more filters than workers", []*aerospike.PartitionFilter{rng(0, 10), rng(20, 10)}, 1, nil},
		{"fewer partitions than workers", []*aerospike.PartitionFilter{rng(0, 3)}, 4, nil},
		{"no filters", nil, 4, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := workerShares(tt.filters, tt.workers); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestPlanFilePartitions(t *testing.T) {
	cfg := func(edit func(*backup.ConfigBackup)) *backup.ConfigBackup {
		c := backup.NewDefaultBackupConfig()
		c.ParallelRead, c.ParallelWrite = 2, 2
		edit(c)
		return c
	}
	for _, tt := range []struct {
		name string
		cfg  *backup.ConfigBackup
		// want maps file names to their ranges.
		want map[string][]pr
	}{
		{"all partitions: each worker its half", cfg(func(*backup.ConfigBackup) {}), map[string][]pr{
			"0_test_1.asb": {p(0, 2048)}, "1_test_7(1).asb": {p(2048, 2048)},
			"metadata_test_2.asb": nil, "5_test_3.asb": nil}},
		{"a partition list", cfg(func(c *backup.ConfigBackup) {
			c.PartitionFilters = []*aerospike.PartitionFilter{rng(0, 100), rng(100, 50)}
		}), map[string][]pr{"0_test_1.asb": {p(0, 100)}, "1_test_2.asb": {p(100, 50)}, "metadata_test_3.asb": {p(0, 150)}}},
		{"one worker of all partitions: nothing", cfg(func(c *backup.ConfigBackup) { c.ParallelRead, c.ParallelWrite = 1, 1 }),
			map[string][]pr{"0_test_1.asb": nil}},
		{"more readers than writers: records go round robin", cfg(func(c *backup.ConfigBackup) { c.ParallelRead = 4 }),
			map[string][]pr{"0_test_1.asb": nil, "1_test_2.asb": nil}},
		{"round robin within a partition range", cfg(func(c *backup.ConfigBackup) {
			c.ParallelWrite = 1
			c.PartitionFilters = []*aerospike.PartitionFilter{rng(10, 20)}
		}), map[string][]pr{"0_test_1.asb": {p(10, 20)}}},
		{"a prefix (slices): the scan's ranges", cfg(func(c *backup.ConfigBackup) {
			c.OutputFilePrefix = "slice-1-of-4_"
			c.PartitionFilters = []*aerospike.PartitionFilter{rng(1024, 1024)}
		}), map[string][]pr{"slice-1-of-4_test_1.asb": {p(1024, 1024)}, "0_x.asb": {p(1024, 1024)}}},
		{"single partitions spread round robin: their union", cfg(func(c *backup.ConfigBackup) {
			c.ParallelRead, c.ParallelWrite = 4, 4
			c.PartitionFilters = []*aerospike.PartitionFilter{aerospike.NewPartitionFilterById(3), aerospike.NewPartitionFilterById(4),
				aerospike.NewPartitionFilterById(9)}
		}), map[string][]pr{"0_test_1.asb": {p(3, 2), p(9, 1)}}},
		{"a node list", cfg(func(c *backup.ConfigBackup) {
			c.NodeList = []string{"BB9"}
			c.PartitionFilters = []*aerospike.PartitionFilter{rng(0, 10)}
		}), map[string][]pr{"0_test_1.asb": nil}},
		{"a continued run", cfg(func(c *backup.ConfigBackup) {
			c.StateFile, c.Continue = "state", true
			c.PartitionFilters = []*aerospike.PartitionFilter{rng(0, 10)}
		}), map[string][]pr{"0_test_1(1).asb": nil}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			fp := planFilePartitions(tt.cfg)
			for name, want := range tt.want {
				if got := fp.of(name); !reflect.DeepEqual(got, want) {
					t.Errorf("%s: got %v, want %v", name, got, want)
				}
			}
		})
	}
}

// TestBackupRecordsFilePartitions backs up with backup-go and checks, by
// decoding every file, that each record lies in its file's recorded
// ranges and that the files' ranges cover the backup's partitions.
func TestBackupRecordsFilePartitions(t *testing.T) {
	host, port, srv := aerospiketest.TestCluster(t)
	ctx := context.Background()
	conn, err := cluster.Connect(ctx, cluster.Settings{Seeds: []cluster.Seed{{Host: host, Port: port}}}, logging.Discard())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	seedTest(t, conn, srv, "test", 4000, 1)
	config := func(read, write int, filters ...*aerospike.PartitionFilter) *backup.ConfigBackup {
		cfg := backup.NewDefaultBackupConfig()
		cfg.ParallelRead, cfg.ParallelWrite = read, write
		cfg.FileLimit = 32 * 1024 // several files per worker
		if filters != nil {
			cfg.PartitionFilters = filters
		}
		return cfg
	}
	for _, tt := range []struct {
		name    string
		cfg     *backup.ConfigBackup
		slices  int // run every slice of this many
		ranged  bool
		covered []pr
	}{
		{name: "parallel 4", cfg: config(4, 4), ranged: true, covered: []pr{p(0, 4096)}},
		{name: "parallel 3 of a range", cfg: config(3, 3, rng(1000, 2000)), ranged: true, covered: []pr{p(1000, 2000)}},
		{name: "slices", cfg: config(2, 2), slices: 3, ranged: true, covered: []pr{p(0, 4096)}},
		{name: "parallel read 4, write 2", cfg: config(4, 2)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			store, err := localstore.New(root)
			if err != nil {
				t.Fatal(err)
			}
			job := &Job{Store: store, Conn: conn, Routine: "nightly", Type: catalog.Full, Start: time.UnixMilli(1763712000000).UTC(),
				Namespaces: []Namespace{{Name: "test", Config: tt.cfg}}, Log: logging.Discard(), ToolVersion: "test"}
			var key string
			if tt.slices == 0 {
				res, err := job.Run(ctx)
				if err != nil {
					t.Fatal(err)
				}
				key = res.Key
			}
			for i := range tt.slices {
				spec := backupslice.Spec{Index: i, Count: tt.slices}
				parts, err := spec.Partitions(nil)
				if err != nil {
					t.Fatal(err)
				}
				cfg := *tt.cfg
				cfg.PartitionFilters = nil
				for _, r := range parts {
					cfg.PartitionFilters = append(cfg.PartitionFilters, rng(r.Begin, r.Count))
				}
				job.Slice, job.RunFolder = &spec, "1763712000000"
				job.Namespaces = []Namespace{{Name: "test", Config: &cfg}}
				res, err := job.Run(ctx)
				if err != nil {
					t.Fatal(err)
				}
				key = res.Key
			}
			nsDir := catalog.NamespaceDir(key, "test")
			m, err := catalog.LoadManifest(ctx, store, nsDir)
			if err != nil {
				t.Fatal(err)
			}
			checkFilePartitions(t, filepath.Join(root, filepath.FromSlash(nsDir)), m, tt.ranged, tt.covered)
		})
	}
}

func checkFilePartitions(t *testing.T, dir string, m *catalog.Manifest, ranged bool, covered []pr) {
	t.Helper()
	var union []pr
	records := 0
	for _, e := range m.Files {
		if !ranged && len(e.Partitions) > 0 {
			t.Errorf("%s: records %v, want no ranges (records go round robin)", e.Name, e.Partitions)
		}
		data := strings.HasPrefix(e.Name, "metadata_")
		if ranged && !data && len(e.Partitions) == 0 {
			t.Errorf("%s: no partition ranges recorded", e.Name)
		}
		if !data {
			union = append(union, e.Partitions...)
		}
		for _, id := range decodePartitions(t, filepath.Join(dir, e.Name)) {
			records++
			if !e.MayHold(id) {
				t.Errorf("%s: a record of partition %d, outside the recorded %v", e.Name, id, e.Partitions)
			}
		}
	}
	if records < 1000 {
		t.Fatalf("decoded %d records, want the seeded ones", records)
	}
	if ranged {
		if got := mergeRanges(union); !reflect.DeepEqual(got, covered) {
			t.Errorf("the files' ranges cover %v, want %v", got, covered)
		}
	}
}

// decodePartitions returns the partition of each record in a plain .asb file.
func decodePartitions(t *testing.T, file string) []int {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec, err := asb.NewDecoder[*models.Token](f, filepath.Base(file), false, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	var out []int
	for {
		tok, err := dec.NextToken()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if tok.Type == models.TokenTypeRecord {
			out = append(out, tok.Record.Key.PartitionId())
		}
	}
}
