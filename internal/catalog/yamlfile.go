package catalog

import (
	"context"
	"fmt"

	"gopkg.in/yaml.v3"

	"github.com/aerobackup/aerobackup/internal/storage"
)

// writeYAML stores v as the YAML object p.
func writeYAML(ctx context.Context, store storage.Store, p string, v any) error {
	data, err := yaml.Marshal(v)
	if err != nil {
		return err
	}
	return store.WriteFile(ctx, p, data)
}

// readYAML reads the YAML object p; storage.ErrNotFound (wrapped) when it
// is absent, an error naming the store and p when it does not decode.
func readYAML[T any](ctx context.Context, store storage.Store, p string) (*T, error) {
	data, err := store.ReadFile(ctx, p)
	if err != nil {
		return nil, err
	}
	var v T
	if err := yaml.Unmarshal(data, &v); err != nil {
		return nil, fmt.Errorf("%s: %s: %w", store, p, err)
	}
	return &v, nil
}
