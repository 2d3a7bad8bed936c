package backupjob

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
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
	"github.com/aerobackup/aerobackup/internal/cluster"
	"github.com/aerobackup/aerobackup/internal/logging"
	"github.com/aerobackup/aerobackup/internal/storage/localstore"
)

// absMetadataKeys are the keys of ABS v3's BackupMetadata; ABS decodes
// metadata.yaml strictly, so nothing else may appear there.
var absMetadataKeys = []string{"byte-count", "compression", "created", "encryption", "file-count", "finished",
	"from", "namespace", "record-count", "secondary-index-count", "udf-count"}

func TestJobManifestHoldsChecksumsOfTheWrittenFiles(t *testing.T) {
	host, port, srv := aerospiketest.TestCluster(t)
	aerospiketest.RequireServer(t, srv, "seeding")
	if err := srv.Seed("test", 3000, 1); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	conn, err := cluster.Connect(ctx, cluster.Settings{Seeds: []cluster.Seed{{Host: host, Port: port}}}, logging.Discard())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	root := t.TempDir()
	store, err := localstore.New(root)
	if err != nil {
		t.Fatal(err)
	}
	cfg := backup.NewDefaultBackupConfig()
	cfg.ParallelRead, cfg.ParallelWrite = 4, 4
	cfg.FileLimit = 64 * 1024 // several files per worker
	start := time.UnixMilli(1763712000000).UTC()
	job := &Job{Store: store, Conn: conn, Routine: "nightly", Type: catalog.Full, Start: start,
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
		sum := sha256.Sum256(data)
		me, ok := m.File(e.Name())
		if !ok {
			t.Errorf("%s is not in the manifest", e.Name())
			continue
		}
		if me.Size != int64(len(data)) || me.SHA256 != hex.EncodeToString(sum[:]) {
			t.Errorf("%s: manifest %d bytes %s, stored %d bytes %x", e.Name(), me.Size, me.SHA256, len(data), sum)
		}
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
