package localstore

import (
	"context"
	"testing"

	"github.com/aerospike/backup-go"
	"github.com/aerospike/backup-go/models"
)

// streamNames drains a reader the way backup-go's restore does and
// returns the file names it produced.
func streamNames(t *testing.T, r backup.StreamingReader) []string {
	t.Helper()
	files := make(chan models.File)
	errs := make(chan error, 1)
	go r.StreamFiles(context.Background(), files, errs, nil)
	var names []string
	for f := range files {
		names = append(names, f.Name)
		_ = f.Reader.Close()
	}
	select {
	case err := <-errs:
		t.Fatalf("stream: %v", err)
	default:
	}
	return names
}
