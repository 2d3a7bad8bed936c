package catalog

import (
	"context"
	"errors"
	"fmt"
	"path"

	"github.com/aerobackup/aerobackup/internal/storage"
)

// RemoveRun deletes the run named by key (a run key, or ABS's namespace
// key, which removes that namespace only). Each metadata.yaml goes first,
// so a removal cut short leaves folders that no longer list as backups
// rather than backups with missing files.
func RemoveRun(ctx context.Context, store storage.Store, key string) error {
	k, err := ParseKey(key)
	if err != nil {
		return err
	}
	dir := k.Dir()
	target := dir
	namespaces := []string{k.Namespace}
	if k.Namespace == "" {
		namespaces, err = store.ListDirs(ctx, path.Join(dir, DataDir))
		if err != nil {
			return fmt.Errorf("remove %s from %s: %w", dir, store, err)
		}
	} else {
		target = NamespaceDir(dir, k.Namespace)
	}
	for _, ns := range namespaces {
		p := MetadataPath(NamespaceDir(dir, ns))
		if err := store.Delete(ctx, p); err != nil && !errors.Is(err, storage.ErrNotFound) {
			return fmt.Errorf("remove %s from %s: %w", p, store, err)
		}
	}
	if err := store.DeleteAll(ctx, target); err != nil {
		return fmt.Errorf("remove %s from %s: %w", target, store, err)
	}
	return nil
}
