package localstore

import (
	"context"
	"fmt"
)

// Sync implements storage.Syncer: it makes everything written below the
// root durable, the data files backup-go wrote without syncing them
// included. Retention calls it before deleting a backup, so that a crash
// right after a prune cannot leave the newer backups, which replaced the
// deleted ones, only half on disk.
func (s *Store) Sync(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := syncTree(s.root); err != nil {
		return fmt.Errorf("%s: sync: %w", s, err)
	}
	return nil
}
