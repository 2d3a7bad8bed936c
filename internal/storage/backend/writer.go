package backend

import (
	"github.com/aerobackup/aerobackup/internal/config"
	"github.com/aerobackup/aerobackup/internal/storage"
)

// WriterOptions are the writer options an ABS storage entry sets: the
// storage class (access tier) of the data files (nil s: none).
func WriterOptions(s *config.Storage) storage.WriterOptions {
	var w storage.WriterOptions
	switch {
	case s == nil:
	case s.S3 != nil && s.S3.StorageClass != nil:
		w.StorageClass = deref(s.S3.StorageClass.Data)
	case s.GCP != nil && s.GCP.StorageClass != nil:
		w.StorageClass = deref(s.GCP.StorageClass.Data)
	case s.Azure != nil && s.Azure.StorageClass != nil:
		w.StorageClass = deref(s.Azure.StorageClass.Data)
	}
	return w
}
