package localstore

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aerobackup/aerobackup/internal/storage"
)

func TestSync(t *testing.T) {
	s, err := New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var _ storage.Syncer = s
	if err := s.WriteFile(context.Background(), "r/backup/1/data/test/0_test_1.asb", []byte("x")); err != nil {
		t.Fatal(err)
	}
	if err := s.Sync(context.Background()); err != nil {
		t.Fatalf("Sync: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Sync(ctx); err == nil {
		t.Fatal("Sync with a cancelled context succeeded")
	}
	gone := filepath.Join(t.TempDir(), "gone")
	g, err := New(gone)
	if err != nil {
		t.Skipf("New of a missing folder: %v", err)
	}
	_ = os.RemoveAll(gone)
	if err := g.Sync(context.Background()); err == nil || !strings.Contains(err.Error(), "sync") {
		t.Fatalf("Sync of a removed root: %v, want an error naming the sync", err)
	}
}
