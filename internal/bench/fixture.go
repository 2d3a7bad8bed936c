package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/aerobackup/aerobackup/internal/catalog"
)

// WriteCatalog writes n backups of routine under root in the ABS layout,
// without a cluster: every 10th a full, the others incrementals, one
// namespace each, an hour apart, each holding its metadata.yaml and one
// small .asb file.
func WriteCatalog(root, routine, namespace string, n int) error {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		created := start.Add(time.Duration(i) * time.Hour)
		typ, from := catalog.Full, time.Time{}
		if i%10 != 0 {
			typ, from = catalog.Incremental, created.Add(-time.Hour)
		}
		nsDir := filepath.Join(root, filepath.FromSlash(catalog.NamespaceDir(catalog.RunDir(routine, typ, created), namespace)))
		if err := os.MkdirAll(nsDir, 0o755); err != nil {
			return err
		}
		m := &catalog.Metadata{Created: created, Finished: created.Add(time.Minute), From: from,
			Namespace: namespace, RecordCount: 1000, ByteCount: 100_000, FileCount: 1,
			Compression: "NONE", Encryption: "NONE"}
		b, err := m.Marshal()
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(nsDir, "0_0.asb"), []byte("Version 3.1\n"), 0o644); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(nsDir, catalog.MetadataFile), b, 0o644); err != nil {
			return fmt.Errorf("backup %d: %w", i, err)
		}
	}
	return nil
}
