package bench

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"time"

	as "github.com/aerospike/aerospike-client-go/v8"
	"github.com/aerospike/backup-go"
	"github.com/aerospike/backup-go/io/encoding/asb"
	"github.com/aerospike/backup-go/io/storage/local"
	"github.com/aerospike/backup-go/io/storage/options"
	"gopkg.in/yaml.v3"
)

// DirectBackup is the baseline for `aerobackup backup`: one backup-go
// backup of a namespace into dir with the local writer, nothing else.
type DirectBackup struct {
	Host        string
	Port        int
	Namespace   string
	Dir         string
	Parallel    int
	FileLimit   uint64 // bytes, 0 = none
	Compression string // NONE or ZSTD
}

// Run takes the backup and returns the records read.
func (d DirectBackup) Run(ctx context.Context) (uint64, error) {
	c, err := connect(d.Host, d.Port)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	bc, err := backup.NewClient(c, backup.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		return 0, err
	}
	w, err := local.NewWriter(ctx, options.WithDir(d.Dir), options.WithRemoveFiles())
	if err != nil {
		return 0, err
	}
	cfg := backup.NewDefaultBackupConfig()
	cfg.Namespace = d.Namespace
	cfg.ParallelRead, cfg.ParallelWrite = d.Parallel, d.Parallel
	cfg.FileLimit = d.FileLimit
	if d.Compression == "ZSTD" {
		cfg.CompressionPolicy = backup.NewCompressionPolicy("ZSTD", 0)
	}
	h, err := bc.Backup(ctx, cfg, w, nil)
	if err != nil {
		return 0, err
	}
	if err := h.Wait(ctx); err != nil {
		return 0, err
	}
	return h.GetStats().GetReadRecords(), nil
}

// DirectRestore is the baseline for `aerobackup restore` and
// `restore-at-timestamp`: backup-go restores of each dir in order, with
// the write policy aerobackup uses (UPDATE, generation must be greater,
// keys sent), or CREATE_ONLY with no generation check when CreateOnly.
type DirectRestore struct {
	Host        string
	Port        int
	Source      string
	Destination string
	Dirs        []string
	Compression string
	Parallel    int // 0: backup-go's default
	CreateOnly  bool
}

// Run restores and returns the records read from the files.
func (d DirectRestore) Run(ctx context.Context) (uint64, error) {
	c, err := connect(d.Host, d.Port)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	bc, err := backup.NewClient(c, backup.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		return 0, err
	}
	var total uint64
	for _, dir := range d.Dirs {
		r, err := local.NewReader(ctx, options.WithDir(dir), options.WithValidator(asb.NewValidator()))
		if err != nil {
			return 0, err
		}
		cfg := backup.NewDefaultRestoreConfig()
		src, dst := d.Source, d.Destination
		cfg.Namespace = &backup.RestoreNamespaceConfig{Source: &src, Destination: &dst}
		if d.Parallel > 0 {
			cfg.Parallel = d.Parallel
		}
		if d.Compression == "ZSTD" {
			cfg.CompressionPolicy = backup.NewCompressionPolicy("ZSTD", 0)
		}
		wp := as.NewWritePolicy(0, 0)
		wp.SendKey = true
		wp.RecordExistsAction = as.UPDATE
		wp.GenerationPolicy = as.EXPECT_GEN_GT
		if d.CreateOnly {
			wp.RecordExistsAction = as.CREATE_ONLY
			wp.GenerationPolicy = as.NONE
			// Older copies are refused by design.
			cfg.IgnoreRecordError = true
		}
		cfg.WritePolicy = wp
		h, err := bc.Restore(ctx, cfg, r)
		if err != nil {
			return 0, fmt.Errorf("restore %s: %w", dir, err)
		}
		if err := h.Wait(ctx); err != nil {
			return 0, fmt.Errorf("restore %s: %w", dir, err)
		}
		total += h.GetStats().GetReadRecords()
	}
	return total, nil
}

// DirectList is the baseline for `aerobackup list`: read every
// <routine>/{backup,incremental}/<run>/data/<ns>/metadata.yaml under root
// with os and yaml, newest first. It returns the backups found.
func DirectList(root, routine string) (int, error) {
	type entry struct {
		Created     time.Time `yaml:"created"`
		Namespace   string    `yaml:"namespace"`
		RecordCount uint64    `yaml:"record-count"`
	}
	var all []entry
	for _, typ := range []string{"backup", "incremental"} {
		runs, err := os.ReadDir(filepath.Join(root, routine, typ))
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			return 0, err
		}
		for _, run := range runs {
			data := filepath.Join(root, routine, typ, run.Name(), "data")
			nss, err := os.ReadDir(data)
			if err != nil {
				return 0, err
			}
			for _, ns := range nss {
				b, err := os.ReadFile(filepath.Join(data, ns.Name(), "metadata.yaml"))
				if err != nil {
					return 0, err
				}
				var e entry
				if err := yaml.Unmarshal(b, &e); err != nil {
					return 0, err
				}
				all = append(all, e)
			}
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Created.After(all[j].Created) })
	return len(all), nil
}

func connect(host string, port int) (*as.Client, error) {
	cp := as.NewClientPolicy()
	cp.Timeout = 10 * time.Second
	c, err := as.NewClientWithPolicy(cp, host, port)
	if err != nil {
		return nil, fmt.Errorf("connect to %s:%d: %w", host, port, err)
	}
	return c, nil
}
