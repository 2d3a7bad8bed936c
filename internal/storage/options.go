package storage

import (
	"github.com/aerospike/backup-go/io/encoding/asb"
	"github.com/aerospike/backup-go/io/storage/options"
)

// ReaderOpts returns backup-go's reader options for the .asb files of dir,
// of ro.Dirs, or exactly ro.Files, every path mapped to keys by root; the
// total size is calculated up front for progress reporting. With
// ro.AccessTier archived files are brought back first (S3, Azure only).
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
	if ro.AccessTier != "" {
		// backup-go then restores or rehydrates archived files and waits
		// inside NewReader; its log lines are rewritten by archiveLog.
		opts = append(opts, options.WithAccessTier(ro.AccessTier),
			options.WithWarmPollDuration(ro.pollInterval()),
			options.WithLogger(newArchiveLogger(ro.Log, ro, root.Key(dir))))
	}
	return opts
}

// WriterOpts returns backup-go's writer options for the folder dir: the
// folder's key and the upload part size, wo.ChunkSize or else minPartSize
// (none when both are 0), the upload concurrency when set, and no
// emptiness check with wo.AllowExisting. The storage class is the
// provider's to add.
func WriterOpts(root Prefix, dir string, wo WriterOptions, minPartSize int) []options.Opt {
	opts := []options.Opt{options.WithDir(root.Key(dir))}
	chunk := wo.ChunkSize
	if chunk == 0 {
		chunk = minPartSize
	}
	if chunk > 0 {
		opts = append(opts, options.WithChunkSize(chunk))
	}
	if wo.Concurrency > 0 {
		opts = append(opts, options.WithUploadConcurrency(wo.Concurrency))
	}
	if wo.AllowExisting {
		opts = append(opts, options.WithSkipDirCheck())
	}
	return opts
}

// Class returns wo.StorageClass, or def when it is not set.
func (wo WriterOptions) Class(def string) string {
	if wo.StorageClass == "" {
		return def
	}
	return wo.StorageClass
}
