package routine

import (
	"errors"
	"testing"

	"github.com/aerobackup/aerobackup/internal/storage/backend"
)

func TestStorageByNameOrURL(t *testing.T) {
	tests := []struct {
		name, value string
		wantName    string // the entry's name
		wantURL     string
		wantErr     string
		urlErr      bool
	}{
		{name: "an entry by name", value: "offsite", wantName: "offsite", wantURL: "s3://offsite/copies"},
		{name: "the routine's own entry", value: "primary", wantName: "primary", wantURL: "/srv/primary"},
		{name: "a path", value: "/srv/elsewhere", wantName: "/srv/elsewhere", wantURL: "/srv/elsewhere"},
		{name: "a URL", value: "gs://b/p", wantName: "gs://b/p", wantURL: "gs://b/p"},
		{name: "neither", value: "ofsite", wantErr: `--storage "ofsite": neither a storage of the config (known: offsite, primary) nor a storage URL (/abs/path, s3://, gs://, azblob://)`},
		{name: "a bad URL", value: "ftp://x", urlErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Resolve(load(t, "testdata/two-storages.yml"), Request{Storage: tt.value})
			switch {
			case tt.urlErr:
				if !errors.As(err, new(*backend.URLError)) {
					t.Errorf("err = %v, want a URLError", err)
				}
				return
			case tt.wantErr != "":
				var re *RequestError
				if !errors.As(err, &re) || err.Error() != tt.wantErr {
					t.Errorf("err = %v\nwant   %s", err, tt.wantErr)
				}
				return
			case err != nil:
				t.Fatal(err)
			}
			if s := got.Routine.Storage(); got.Routine.StorageName != tt.wantName || s.URL() != tt.wantURL {
				t.Errorf("storage %q (%s), want %q (%s)", got.Routine.StorageName, s.URL(), tt.wantName, tt.wantURL)
			}
		})
	}
}

func TestWithStorage(t *testing.T) {
	tests := []struct {
		name, value string
		wantURL     string
		wantErr     string
	}{
		{name: "another entry", value: "offsite", wantURL: "s3://offsite/copies"},
		{name: "a URL", value: "/srv/copy", wantURL: "/srv/copy"},
		{name: "the own entry", value: "primary", wantErr: `--to "primary": that is routine "daily"'s own storage; name another`},
		{name: "the own folder as a URL", value: "file:///srv/primary", wantErr: `--to "file:///srv/primary": that is routine "daily"'s own storage; name another`},
		{name: "unknown", value: "nowhere", wantErr: `--to "nowhere": neither a storage of the config (known: offsite, primary) nor a storage URL (/abs/path, s3://, gs://, azblob://)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := Resolve(load(t, "testdata/two-storages.yml"), Request{})
			if err != nil {
				t.Fatal(err)
			}
			dst, err := src.WithStorage("--to", tt.value)
			if tt.wantErr != "" {
				if !errors.As(err, new(*RequestError)) || err.Error() != tt.wantErr {
					t.Errorf("err = %v\nwant   %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if dst.Name() != "daily" || dst.Routine.Storage().URL() != tt.wantURL || dst.Config != src.Config {
				t.Errorf("destination %s in %s", dst.Name(), dst.Routine.Storage().URL())
			}
			if src.Routine.Storage().URL() != "/srv/primary" || src.Routine.StorageName != "primary" {
				t.Errorf("the source changed: %s", src.Routine.Storage().URL())
			}
		})
	}
}
