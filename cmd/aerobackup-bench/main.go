// Command aerobackup-bench runs aerobackup's benchmark suite (`make bench`,
// internal/bench): the built aerobackup binary against a minimal program
// calling backup-go directly, on the same server and data. Its direct-*
// subcommands are that minimal program; the suite runs them as separate
// processes so that each one's peak RSS is its own.
//
// Usage:
//
//	aerobackup-bench [-cli bin/aerobackup] [-testserver bin/aerospike-testserver] [-records 200000] [-repeat 6] [-absctl PATH]
//	aerobackup-bench -chain-only [-chain-records 100000] [-chain-incrementals 48] [-chain-blocks 3]
//	aerobackup-bench -lookup [-records 200000] [-repeat 6]
//	aerobackup-bench -catalog [-catalog-sizes 10,1000,10000] [-latency 20ms] [-repeat 3]
//	aerobackup-bench -sweep [-sweep-backup-parallel 1,2,4,8,16] [-sweep-restore-parallel 1,2,4,8,16] [-sweep-batch-size 32,64,128,256,512]
//	aerobackup-bench direct-backup|direct-restore|direct-list [flags]
//
// -absctl PATH adds Aerospike's own backup CLI, absctl, built outside the
// project (docs/performance.md says how): its backups and its restore into
// an empty namespace run in the same blocks, once at the settings the other
// two get and once at absctl's own defaults, and the report gets a column
// of each beside them. Without it the suite and its report are unchanged;
// -sweep ignores it.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/aerobackup/aerobackup/internal/bench"
)

func main() {
	if len(os.Args) > 1 && strings.HasPrefix(os.Args[1], "direct-") {
		// The baselines honour aerobackup's profiling variables, so that
		// both programs can be profiled the same way.
		if path := os.Getenv("AEROBACKUP_CPUPROFILE"); path != "" {
			if f, err := os.Create(path); err == nil && pprof.StartCPUProfile(f) == nil {
				defer func() { pprof.StopCPUProfile(); f.Close() }()
			}
		}
		if path := os.Getenv("AEROBACKUP_MEMPROFILE"); path != "" {
			defer writeHeapProfile(path)
		}
	}
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "aerobackup-bench:", err)
		os.Exit(1)
	}
}

func writeHeapProfile(path string) {
	f, err := os.Create(path)
	if err != nil {
		return
	}
	defer f.Close()
	// No runtime.GC(): in-use figures stay those of the last collection,
	// taken while the run was working.
	_ = pprof.Lookup("allocs").WriteTo(f, 0)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "direct-backup":
			return directBackup(ctx, args[1:], stdout)
		case "direct-restore":
			return directRestore(ctx, args[1:], stdout)
		case "direct-list":
			return directList(args[1:], stdout)
		}
	}
	fs := flag.NewFlagSet("aerobackup-bench", flag.ContinueOnError)
	self, _ := os.Executable()
	cfg := bench.Config{Log: stderr, Self: self, Aerospike: os.Getenv("AEROBACKUP_TEST_AEROSPIKE")}
	fs.StringVar(&cfg.CLI, "cli", "bin/aerobackup", "the built aerobackup binary")
	fs.StringVar(&cfg.TestServer, "testserver", "bin/aerospike-testserver", "the built test server (unless AEROBACKUP_TEST_AEROSPIKE is set)")
	fs.StringVar(&cfg.Namespace, "namespace", "test", "source namespace (emptied and seeded)")
	fs.StringVar(&cfg.Restore, "restore-namespace", "bar", "namespace restores go to (emptied)")
	fs.IntVar(&cfg.Records, "records", 200_000, "records seeded")
	fs.IntVar(&cfg.Small, "small", 50_000, "smaller record count of the peak-RSS check")
	fs.IntVar(&cfg.Repeat, "repeat", 6, "blocks of each measurement, four runs a block (aerobackup, backup-go, backup-go, aerobackup), medians reported; the full-size backups get eight times as many; with -sweep, runs of each setting")
	fs.IntVar(&cfg.Parallel, "parallel", 8, "backup parallelism of both programs (aerobackup's default is 8)")
	fs.IntVar(&cfg.FileLimit, "file-limit", 250, "file limit in MiB of both programs (aerobackup's default is 250)")
	fs.IntVar(&cfg.ListCount, "list-backups", 1000, "backups in the list benchmark's routine")
	catalogRun := fs.Bool("catalog", false, "instead of the comparison, measure the commands that read the catalog over routines of -catalog-sizes stored backups, locally and (with AEROBACKUP_TEST_S3_* set) on MinIO behind a proxy adding -latency a request")
	catalogSizes := fs.String("catalog-sizes", "10,1000,10000", "with -catalog: the stored backups of each routine")
	latency := fs.Duration("latency", 20*time.Millisecond, "with -catalog: the delay added to every S3 request")
	fs.StringVar(&cfg.Absctl, "absctl", "", "an absctl binary to measure beside them, at their settings and at its defaults (built outside the project; docs/performance.md)")
	fs.IntVar(&cfg.ChainRecords, "chain-records", 100_000, "records of the long chain's namespace (0: no long chain)")
	fs.IntVar(&cfg.ChainIncrementals, "chain-incrementals", 48, "incrementals of the long chain, each after changing a tenth of the records")
	fs.IntVar(&cfg.ChainBlocks, "chain-blocks", 3, "blocks of the long chain's measurement (restore-at-timestamp against verify --read-data plus a restore of one full)")
	fs.BoolVar(&cfg.ChainOnly, "chain-only", false, "run only the long chain")
	fs.BoolVar(&cfg.LookupOnly, "lookup", false, "run only the one-key lookup (find and restore-at-timestamp --key of one record in a chain of -records records, a full + 5 incrementals, against a restore of the whole chain; -repeat blocks); with -chain-only, both")
	sweep := fs.Bool("sweep", false, "instead of the comparison, sweep aerobackup's backup --parallel and restore --parallel and --batch-size")
	sweepBackup := fs.String("sweep-backup-parallel", "1,2,4,8,16", "with -sweep: backup --parallel values")
	sweepRestore := fs.String("sweep-restore-parallel", "1,2,4,8,16", "with -sweep: restore --parallel values, at the default --batch-size")
	sweepBatch := fs.String("sweep-batch-size", "32,64,128,256,512", "with -sweep: restore --batch-size values, at the default --parallel")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var sw bench.SweepConfig
	for _, l := range []struct {
		dst  *[]int
		flag string
		val  string
	}{{&sw.BackupParallel, "sweep-backup-parallel", *sweepBackup}, {&sw.RestoreParallel, "sweep-restore-parallel", *sweepRestore},
		{&sw.BatchSize, "sweep-batch-size", *sweepBatch}} {
		v, err := bench.ParseInts(l.val)
		if err != nil {
			return fmt.Errorf("-%s: %w", l.flag, err)
		}
		*l.dst = v
	}
	for _, p := range []*string{&cfg.CLI, &cfg.TestServer, &cfg.Absctl} {
		if *p == "" {
			continue
		}
		abs, err := filepath.Abs(*p)
		if err != nil {
			return err
		}
		*p = abs
	}
	work, err := os.MkdirTemp("", "aerobackup-bench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	cfg.WorkDir = work
	if *catalogRun {
		return runCatalog(ctx, cfg, *catalogSizes, *latency, stdout)
	}
	if *sweep {
		res, err := bench.Sweep(ctx, cfg, sw)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "\n%d records, no compression, file limit %d MiB; server: %s; %s, %d CPUs (GOMAXPROCS %d)\n\n",
			cfg.Records, cfg.FileLimit, serverName(cfg), runtime.Version(), runtime.NumCPU(), runtime.GOMAXPROCS(0))
		res.WriteTable(stdout, cfg.Repeat)
		return nil
	}
	return runSuite(ctx, cfg, stdout)
}

// runSuite is the comparison: aerobackup against backup-go alone (and
// absctl, when given), then the long chain.
func runSuite(ctx context.Context, cfg bench.Config, stdout io.Writer) error {
	absctl := ""
	if cfg.Absctl != "" {
		v, err := bench.AbsctlVersion(ctx, cfg.Absctl)
		if err != nil {
			return err
		}
		absctl = "; absctl " + strings.TrimPrefix(v, "version: ")
	}
	res, err := bench.Run(ctx, cfg)
	if err != nil {
		return err
	}
	res.Check(cfg)
	what := fmt.Sprintf("%d records", cfg.Records)
	switch {
	case cfg.ChainOnly && cfg.LookupOnly:
		what = fmt.Sprintf("the one-key lookup, %d records, and the long chain, %d records", cfg.Records, cfg.ChainRecords)
	case cfg.ChainOnly:
		what = fmt.Sprintf("the long chain only, %d records", cfg.ChainRecords)
	case cfg.LookupOnly:
		what = fmt.Sprintf("the one-key lookup only, %d records", cfg.Records)
	}
	fmt.Fprintf(stdout, "\n%s, parallel %d, file limit %d MiB; server: %s; %s, %d CPUs (GOMAXPROCS %d)%s\n\n",
		what, cfg.Parallel, cfg.FileLimit, serverName(cfg), runtime.Version(), runtime.NumCPU(), runtime.GOMAXPROCS(0), absctl)
	res.WriteTable(stdout, cfg.Records, cfg.Repeat)
	return nil
}

// runCatalog is -catalog: the cost of a run against the history kept.
func runCatalog(ctx context.Context, cfg bench.Config, sizes string, latency time.Duration, stdout io.Writer) error {
	ns, err := bench.ParseInts(sizes)
	if err != nil {
		return fmt.Errorf("-catalog-sizes: %w", err)
	}
	cc := bench.CatalogConfig{Config: cfg, Sizes: ns, Latency: latency,
		S3Endpoint: os.Getenv("AEROBACKUP_TEST_S3_ENDPOINT"), S3Key: os.Getenv("AEROBACKUP_TEST_S3_ACCESS_KEY_ID"),
		S3Secret: os.Getenv("AEROBACKUP_TEST_S3_SECRET_ACCESS_KEY"), S3Region: os.Getenv("AEROBACKUP_TEST_S3_REGION")}
	res, err := bench.RunCatalog(ctx, cc)
	if res != nil {
		fmt.Fprintf(stdout, "\ncatalog cost: medians of %d runs, a namespace of %d records; server: %s; %s, %d CPUs\n\n",
			cfg.Repeat, res.Records, serverName(cfg), runtime.Version(), runtime.NumCPU())
		res.WriteTable(stdout)
	}
	return err
}

func serverName(cfg bench.Config) string {
	if cfg.Aerospike != "" {
		return "Aerospike at " + cfg.Aerospike
	}
	return "the project's in-process Aerospike test server (internal/aerospiketest, its own process), not Aerospike"
}

func directBackup(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("direct-backup", flag.ContinueOnError)
	var d bench.DirectBackup
	var limit int
	fs.StringVar(&d.Host, "host", "127.0.0.1", "server host")
	fs.IntVar(&d.Port, "port", 3000, "server port")
	fs.StringVar(&d.Namespace, "namespace", "test", "namespace")
	fs.StringVar(&d.Dir, "dir", "", "output folder")
	fs.IntVar(&d.Parallel, "parallel", 8, "read and write parallelism")
	fs.IntVar(&limit, "file-limit", 250, "file limit in MiB")
	fs.StringVar(&d.Compression, "compress", "NONE", "NONE or ZSTD")
	if err := fs.Parse(args); err != nil {
		return err
	}
	d.FileLimit = uint64(limit) << 20
	n, err := d.Run(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, n)
	return nil
}

func directRestore(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("direct-restore", flag.ContinueOnError)
	var d bench.DirectRestore
	fs.StringVar(&d.Host, "host", "127.0.0.1", "server host")
	fs.IntVar(&d.Port, "port", 3000, "server port")
	fs.StringVar(&d.Source, "from", "test", "namespace in the backup")
	fs.StringVar(&d.Destination, "to", "bar", "namespace to restore into")
	fs.StringVar(&d.Compression, "compress", "NONE", "NONE or ZSTD")
	fs.IntVar(&d.Parallel, "parallel", 0, "restore parallelism (0: backup-go's default)")
	fs.BoolVar(&d.CreateOnly, "create-only", false, "CREATE_ONLY writes (restore folders newest first)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	d.Dirs = fs.Args()
	if len(d.Dirs) == 0 {
		return fmt.Errorf("direct-restore: name the backup folders to restore, in order")
	}
	n, err := d.Run(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, n)
	return nil
}

func directList(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("direct-list", flag.ContinueOnError)
	root := fs.String("root", "", "storage folder")
	routine := fs.String("routine", "", "routine")
	if err := fs.Parse(args); err != nil {
		return err
	}
	n, err := bench.DirectList(*root, strings.TrimSpace(*routine))
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, n)
	return nil
}
