package backend

import (
	"testing"

	"github.com/aerobackup/aerobackup/internal/config"
	"github.com/aerobackup/aerobackup/internal/storage"
)

func TestWriterOptionsStorageClass(t *testing.T) {
	for _, tt := range []struct {
		name string
		s    *config.Storage
		want string
	}{
		{"no storage", nil, ""},
		{"local", &config.Storage{Local: &config.LocalStorage{Path: "/b"}}, ""},
		{"s3 without a class", &config.Storage{S3: &config.S3Storage{Bucket: "b"}}, ""},
		{"s3 data class", &config.Storage{S3: &config.S3Storage{StorageClass: &config.S3StorageClass{Data: ptr("GLACIER_IR"), Metadata: ptr("STANDARD")}}}, "GLACIER_IR"},
		{"s3 metadata class only", &config.Storage{S3: &config.S3Storage{StorageClass: &config.S3StorageClass{Metadata: ptr("STANDARD")}}}, ""},
		{"gcp", &config.Storage{GCP: &config.GCPStorage{StorageClass: &config.GCPStorageClass{Data: ptr("NEARLINE")}}}, "NEARLINE"},
		{"azure", &config.Storage{Azure: &config.AzureStorage{StorageClass: &config.AzureStorageClass{Data: ptr("Cool")}}}, "Cool"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := WriterOptions(tt.s); got != (storage.WriterOptions{StorageClass: tt.want}) {
				t.Errorf("got %+v, want storage class %q", got, tt.want)
			}
		})
	}
}
