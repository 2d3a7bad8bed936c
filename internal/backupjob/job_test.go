package backupjob

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aerospike/backup-go"
	"gopkg.in/yaml.v3"

	"github.com/aerobackup/aerobackup/internal/aerospiketest"
	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/checksum"
	"github.com/aerobackup/aerobackup/internal/cluster"
	"github.com/aerobackup/aerobackup/internal/logging"
	"github.com/aerobackup/aerobackup/internal/storage/localstore"
)

// absMetadataKeys are the keys of ABS v3's BackupMetadata; ABS decodes
// metadata.yaml strictly, so nothing else may appear there.
var absMetadataKeys = []string{"byte-count", "compression", "created", "encryption", "file-count", "finished",
	"from", "namespace", "record-count", "secondary-index-count", "udf-count"}

// TestJobManifestHoldsChecksumsOfTheWrittenFiles: by default each file
// records CRC32C and nothing else; with Checksum SHA-256, SHA-256 only.
func TestJobManifestHoldsChecksumsOfTheWrittenFiles(t *testing.T) {
	for _, tt := range []struct {
		name string
		alg  checksum.Algorithm // Job.Checksum
		want checksum.Algorithm
	}{
		{"default", "", checksum.CRC32C},
		{"crc32c", checksum.CRC32C, checksum.CRC32C},
		{"sha256", checksum.SHA256, checksum.SHA256},
	} {
		t.Run(tt.name, func(t *testing.T) { testJobManifest(t, tt.alg, tt.want) })
	}
}

func testJobManifest(t *testing.T, alg, want checksum.Algorithm) {
	host, port, srv := aerospiketest.TestCluster(t)
	ctx := context.Background()
	conn, err := cluster.Connect(ctx, cluster.Settings{Seeds: []cluster.Seed{{Host: host, Port: port}}}, logging.Discard())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	seedTest(t, conn, srv, "test", 3000, 1)
	root := t.TempDir()
	store, err := localstore.New(root)
	if err != nil {
		t.Fatal(err)
	}
	cfg := backup.NewDefaultBackupConfig()
	cfg.ParallelRead, cfg.ParallelWrite = 4, 4
	cfg.FileLimit = 64 * 1024 // several files per worker
	start := time.UnixMilli(1763712000000).UTC()
	job := &Job{Store: store, Conn: conn, Routine: "nightly", Type: catalog.Full, Start: start, Checksum: alg,
		Namespaces: []Namespace{{Name: "test", Config: cfg}}, Log: logging.Discard(), ToolVersion: "1.2.3"}
	res, err := job.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	nsDir := catalog.NamespaceDir(res.Key, "test")
	m, err := catalog.ReadManifest(ctx, store, nsDir)
	if err != nil {
		t.Fatal(err)
	}
	if m.ToolVersion != "1.2.3" || m.Routine != "nightly" || m.Type != catalog.Full || !m.From.IsZero() || !m.To.Equal(start) {
		t.Errorf("manifest header: %+v", m)
	}
	if uint64(len(m.Files)) != res.Namespaces[0].Files || len(m.Files) < 2 {
		t.Fatalf("manifest lists %d files, backup-go wrote %d (want several)", len(m.Files), res.Namespaces[0].Files)
	}
	entries, err := os.ReadDir(filepath.Join(root, filepath.FromSlash(nsDir)))
	if err != nil {
		t.Fatal(err)
	}
	var asb int
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".asb") {
			continue
		}
		asb++
		data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(nsDir), e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		me, ok := m.File(e.Name())
		if !ok {
			t.Errorf("%s is not in the manifest", e.Name())
			continue
		}
		checkEntry(t, me, want, data)
	}
	if asb != len(m.Files) {
		t.Errorf("%d .asb files stored, manifest lists %d", asb, len(m.Files))
	}

	// metadata.yaml keeps exactly ABS's keys.
	raw, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(catalog.MetadataPath(nsDir))))
	if err != nil {
		t.Fatal(err)
	}
	var keys map[string]any
	if err := yaml.Unmarshal(raw, &keys); err != nil {
		t.Fatal(err)
	}
	var got []string
	for k := range keys {
		got = append(got, k)
	}
	slices.Sort(got)
	if !slices.Equal(got, absMetadataKeys) {
		t.Errorf("metadata.yaml keys %v, want ABS's %v", got, absMetadataKeys)
	}
}
