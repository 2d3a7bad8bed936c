package storage

import (
	"github.com/aerospike/backup-go/io/encoding/asb"
	"github.com/aerospike/backup-go/io/storage/options"
)

// ReaderOpts returns backup-go's reader options for the .asb files of dir,
// of ro.Dirs, or exactly ro.Files, every path mapped to keys by root; the
// total size is calculated up front for progress reporting.
func ReaderOpts(root Prefix, dir string, ro ReaderOptions) []options.Opt {
	opts := []options.Opt{options.WithCalculateTotalSize()}
	switch {
	case len(ro.Files) > 0:
		opts = append(opts, options.WithFileList(root.Keys(ro.Files)))
	case len(ro.Dirs) > 0:
		opts = append(opts, options.WithDirList(root.Keys(ro.Dirs)), options.WithValidator(asb.NewValidator()))
	default:
		opts = append(opts, options.WithDir(root.Key(dir)), options.WithValidator(asb.NewValidator()))
	}
	return opts
}
