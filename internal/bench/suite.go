package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	as "github.com/aerospike/aerospike-client-go/v8"

	"github.com/aerobackup/aerobackup/internal/aerospiketest"
)

// Config says what to run and where.
type Config struct {
	CLI        string // the built aerobackup binary
	Self       string // the built aerobackup-bench binary (runs the direct baselines)
	TestServer string // the built aerospike-testserver, used when Aerospike is empty
	Aerospike  string // host:port of an existing server (AEROBACKUP_TEST_AEROSPIKE)
	Namespace  string // seeded source namespace
	Restore    string // empty namespace restores go to
	Records    int
	Small      int // the smaller record count of the RSS-growth check
	Repeat     int
	Parallel   int
	FileLimit  int // MiB
	ListCount  int
	// Absctl is an absctl binary (Aerospike's backup CLI) whose backups and
	// restores join the blocks, at the others' settings and at its own
	// defaults; empty: not measured.
	Absctl  string
	WorkDir string
	Log     io.Writer // progress lines

	// The long chain: a full of ChainRecords records and ChainIncrementals
	// incrementals, measured in ChainBlocks blocks (0 records: not run);
	// ChainOnly runs it alone.
	ChainRecords, ChainIncrementals, ChainBlocks int
	ChainOnly                                    bool
	// LookupOnly runs only the one-key lookup (lookup.go); with
	// ChainOnly, the lookup and then the long chain.
	LookupOnly bool
}

// Row is one operation measured both ways (medians).
type Row struct {
	Name    string
	Records int   // records per run (0 for list)
	Bytes   int64 // uncompressed backup data per run, for MiB/s
	Items   int   // backups listed (list only)
	CLI     Sample
	Direct  Sample
	// Ratios are each block's backup-go time over aerobackup's (suite.blocks).
	Ratios    []float64
	CPURatios []float64 // the same for CPU time (user+sys)
	WritesCLI int64     // server-side record writes (restore-at-timestamp), -1 unknown
	WritesDir int64
	Others    []Other // further programs measured in the same blocks (absctl)
	// Chain, on the long-chain row, says what it measured: its Direct
	// column is not backup-go alone but chainBaseline.
	Chain *ChainStats
}

// Other is a further program's measurement in a row.
type Other struct {
	Label  string // its column, e.g. "absctl (same settings)"
	Sample Sample // medians
	// Ratios are each block's time of this program over aerobackup's, so
	// above 1 aerobackup was the faster; CPURatios the same for CPU time.
	Ratios    []float64
	CPURatios []float64
}

// Result is a whole run.
type Result struct {
	Rows []Row
	// Lookup is the one-key lookup's measurement (nil: not run).
	Lookup *Lookup
	Checks []string
}

type suite struct {
	cfg    Config
	host   string
	port   int
	client *as.Client
	stats  bool // the server answers aerospiketest-stats
	// collect: the server is the project's test server, which collects
	// its garbage when asked (aerospiketest-collect)
	collect bool
	res     Result
	// plainKey is the kept uncompressed backup the restores read.
	plainKey string
}

// Run runs the whole suite and returns its measurements.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	s, closeFn, err := open(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer closeFn()
	// The lookup follows restoreAt, whose namespace of Records records
	// it builds its chain over.
	steps := []func(context.Context) error{s.backupRSS, s.backups, s.restore, s.restoreAt, s.lookup, s.longChain, s.list}
	if cfg.ChainOnly || cfg.LookupOnly {
		steps = nil
		if cfg.LookupOnly {
			steps = append(steps, s.lookup)
		}
		if cfg.ChainOnly {
			steps = append(steps, s.longChain)
		}
	}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return &s.res, err
		}
	}
	return &s.res, nil
}

// open starts the test server (unless cfg.Aerospike names one), connects
// and empties both namespaces.
func open(ctx context.Context, cfg Config) (_ *suite, closeFn func(), err error) {
	s := &suite{cfg: cfg}
	var stops []func()
	closeFn = func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
	}
	defer func() {
		if err != nil {
			closeFn()
		}
	}()
	addr := cfg.Aerospike
	if addr == "" {
		a, stop, err := startTestServer(ctx, cfg.TestServer, cfg.WorkDir, cfg.Namespace, cfg.Restore)
		if err != nil {
			return nil, nil, err
		}
		stops = append(stops, stop)
		addr = a
	}
	host, portStr, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, nil, fmt.Errorf("aerospike address %q: want host:port", addr)
	}
	s.host = host
	if s.port, err = strconv.Atoi(portStr); err != nil {
		return nil, nil, fmt.Errorf("aerospike address %q: %w", addr, err)
	}
	if s.client, err = connect(s.host, s.port); err != nil {
		return nil, nil, err
	}
	stops = append(stops, s.client.Close)
	_, serr := s.serverStats()
	s.stats = serr == nil
	v, _ := s.info(aerospiketest.CollectInfoCommand)
	s.collect = v == "ok"
	for _, ns := range []string{cfg.Namespace, cfg.Restore} {
		if err := s.truncate(ns); err != nil {
			return nil, nil, err
		}
	}
	return s, closeFn, nil
}

// measure runs one measured process. On the project's test server it
// first has the server collect its garbage: its records live on its Go
// heap, and a collection marking them all would land in some random run
// (Aerospike has no collector). Collected just before, at GOGC 400 (see
// startTestServer), it does not collect again within a run.
func (s *suite) measure(ctx context.Context, name string, args ...string) (Sample, error) {
	if s.collect {
		if _, err := s.info(aerospiketest.CollectInfoCommand); err != nil {
			return Sample{}, err
		}
	}
	return measure(ctx, name, args...)
}

func (s *suite) logf(format string, args ...any) {
	fmt.Fprintf(s.cfg.Log, "bench: "+format+"\n", args...)
}

func (s *suite) addr() string { return net.JoinHostPort(s.host, strconv.Itoa(s.port)) }

func (s *suite) seed(n int) error {
	start := time.Now()
	if err := aerospiketest.SeedClient(s.client, s.cfg.Namespace, n, 1); err != nil {
		return err
	}
	s.logf("seeded %d records into %s in %s", n, s.cfg.Namespace, time.Since(start).Round(time.Millisecond))
	return s.expectCount(s.cfg.Namespace, n)
}

// cliBackup runs `aerobackup backup` into storage and returns the sample
// and the printed backup key.
func (s *suite) cliBackup(ctx context.Context, storage, routine, compress string, extra ...string) (Sample, error) {
	args := append([]string{"backup", "--host", s.addr(), "-n", s.cfg.Namespace, "--storage", storage, "-r", routine,
		"--parallel", strconv.Itoa(s.cfg.Parallel), "--file-limit", strconv.Itoa(s.cfg.FileLimit),
		"--compress", compress, "--log-level", "error"}, extra...) // not --quiet: it prints the key
	return s.measure(ctx, s.cfg.CLI, args...)
}

func (s *suite) directBackup(ctx context.Context, dir, compress string) (Sample, error) {
	smp, err := s.measure(ctx, s.cfg.Self, "direct-backup", "-host", s.host, "-port", strconv.Itoa(s.port),
		"-namespace", s.cfg.Namespace, "-dir", dir, "-parallel", strconv.Itoa(s.cfg.Parallel),
		"-file-limit", strconv.Itoa(s.cfg.FileLimit), "-compress", compress)
	return smp, err
}

// runner is one program's run in a measurement: run numbers count from 0
// within each program, -1 for the warm-up.
type runner struct {
	label string // in the progress lines
	run   func(run int) (Sample, error)
}

// series is one program's runs in a measurement.
type series struct {
	samples []Sample
	// ratios and cpu are each block's: this program's two times over the
	// first program's (aerobackup's) two, wall and CPU time; empty for
	// the first program itself.
	ratios, cpu []float64
}

// blocks measures the programs in n blocks, after a discarded warm-up run
// of each. A block runs them in order and then in reverse: aerobackup,
// backup-go, backup-go, aerobackup; with absctl (Config.Absctl), aerobackup,
// backup-go, absctl, absctl with its defaults, then the same backwards.
//
// A block, not a pair of runs, is the unit because a run's time depends on
// which program ran just before it (docs/performance.md): in a block the
// order and its reverse cancel that, and the runs, seconds apart, share
// the machine's slow spells. A block's ratio is one program's two times
// over aerobackup's two; a row's ratio is the median of its blocks'.
func (s *suite) blocks(name string, n int, runs ...runner) ([]series, error) {
	for _, r := range runs {
		if _, err := r.run(-1); err != nil {
			return nil, err
		}
	}
	out := make([]series, len(runs))
	order := make([]int, 0, 2*len(runs))
	for i := range runs {
		order = append(order, i)
	}
	for i := len(runs) - 1; i >= 0; i-- {
		order = append(order, i)
	}
	for b := range n {
		pair := make([][2]Sample, len(runs))
		seen := make([]int, len(runs))
		for _, i := range order {
			smp, err := runs[i].run(2*b + seen[i])
			if err != nil {
				return nil, err
			}
			pair[i][seen[i]] = smp
			seen[i]++
			out[i].samples = append(out[i].samples, smp)
		}
		base := pair[0][0].Elapsed + pair[0][1].Elapsed
		baseCPU := pair[0][0].CPU + pair[0][1].CPU
		parts := make([]string, len(runs))
		for i, p := range pair {
			parts[i] = fmt.Sprintf("%s %s %s", runs[i].label, p[0].Elapsed.Round(time.Millisecond), p[1].Elapsed.Round(time.Millisecond))
			if i == 0 {
				continue
			}
			r := ratioOf(nil, p[0].Elapsed+p[1].Elapsed, base)
			out[i].ratios = append(out[i].ratios, r)
			if baseCPU > 0 {
				out[i].cpu = append(out[i].cpu, ratioOf(nil, p[0].CPU+p[1].CPU, baseCPU))
			}
			parts[i] += fmt.Sprintf(" (ratio %.2f)", r)
		}
		s.logf("%s block %d: %s", name, b+1, strings.Join(parts, ", "))
	}
	return out, nil
}

// measureRow measures aerobackup (cli), backup-go alone (direct) and any
// further programs in n blocks and returns their row (named, without
// records or bytes).
func (s *suite) measureRow(name string, n int, cli, direct runner, others ...runner) (Row, error) {
	got, err := s.blocks(name, n, append([]runner{cli, direct}, others...)...)
	if err != nil {
		return Row{}, err
	}
	row := Row{Name: name, CLI: median(got[0].samples), Direct: median(got[1].samples),
		Ratios: got[1].ratios, CPURatios: got[1].cpu, WritesCLI: -1, WritesDir: -1}
	for i, o := range others {
		g := got[2+i]
		row.Others = append(row.Others, Other{Label: o.label, Sample: median(g.samples), Ratios: g.ratios, CPURatios: g.cpu})
	}
	return row, nil
}

// backupPair measures CLI and direct backups in blocks, each into a fresh
// folder; keep names a folder whose CLI backup is kept (its key).
func (s *suite) backupPair(ctx context.Context, name, compress string, records, blocks int, keep string) (Row, string, error) {
	key := ""
	runCLI := func(i int) (Sample, error) {
		store := filepath.Join(s.cfg.WorkDir, fmt.Sprintf("cli-%s-%d", compress, i))
		smp, err := s.cliBackup(ctx, store, "bench", compress)
		if err != nil {
			return smp, err
		}
		if i == 0 && keep != "" {
			key = strings.TrimSpace(smp.Stdout)
			return smp, os.Rename(store, keep)
		}
		return smp, os.RemoveAll(store)
	}
	runDirect := func(i int) (Sample, error) {
		d := filepath.Join(s.cfg.WorkDir, fmt.Sprintf("direct-%s-%d", compress, i))
		smp, err := s.directBackup(ctx, d, compress)
		if err != nil {
			return smp, err
		}
		if got, _ := strconv.Atoi(strings.TrimSpace(smp.Stdout)); got != records {
			return smp, fmt.Errorf("direct backup read %q records, want %d", strings.TrimSpace(smp.Stdout), records)
		}
		return smp, os.RemoveAll(d)
	}
	row, err := s.measureRow(name, blocks, runner{"aerobackup", runCLI}, runner{"backup-go", runDirect},
		s.absctlBackups(ctx, compress, records)...)
	if err != nil {
		return Row{}, "", err
	}
	row.Records = records
	return row, key, nil
}

// backupRSS backs up the smaller data set, for the RSS-growth check.
func (s *suite) backupRSS(ctx context.Context) error {
	if err := s.seed(s.cfg.Small); err != nil {
		return err
	}
	row, _, err := s.backupPair(ctx, fmt.Sprintf("backup %dk, no compression", s.cfg.Small/1000), "NONE", s.cfg.Small, s.cfg.Repeat, "")
	if err != nil {
		return err
	}
	s.res.Rows = append(s.res.Rows, row)
	return nil
}

// backupBlocks is the blocks of each 200k backup measurement: a block's
// ratio scatters widely on a small shared machine, and a backup's block is
// short, so backups get eight times the blocks of restores, whose ratio
// is further from the target. The smaller backup, there for its peak RSS,
// gets Repeat.
func (s *suite) backupBlocks() int { return backupBlocksPer * s.cfg.Repeat }

// backupBlocksPer is backupBlocks as a multiple of Config.Repeat.
const backupBlocksPer = 8

func (s *suite) plainStore() string { return filepath.Join(s.cfg.WorkDir, "plain") }

func (s *suite) backups(ctx context.Context) error {
	if err := s.seed(s.cfg.Records); err != nil {
		return err
	}
	row, key, err := s.backupPair(ctx, fmt.Sprintf("backup %dk, no compression", s.cfg.Records/1000), "NONE", s.cfg.Records, s.backupBlocks(), s.plainStore())
	if err != nil {
		return err
	}
	s.plainKey = key
	size, err := asbBytes(filepath.Join(s.plainStore(), filepath.FromSlash(key)))
	if err != nil {
		return err
	}
	if size == 0 {
		return fmt.Errorf("backup %q under %s holds no .asb data", key, s.plainStore())
	}
	// MiB/s of the 50k row, from its share of the records.
	s.res.Rows[0].Bytes = size * int64(s.cfg.Small) / int64(s.cfg.Records)
	row.Bytes = size
	s.res.Rows = append(s.res.Rows, row)
	zrow, _, err := s.backupPair(ctx, fmt.Sprintf("backup %dk, ZSTD", s.cfg.Records/1000), "ZSTD", s.cfg.Records, s.backupBlocks(), "")
	if err != nil {
		return err
	}
	zrow.Bytes = size
	s.res.Rows = append(s.res.Rows, zrow)
	return nil
}

func (s *suite) restore(ctx context.Context) error {
	data := filepath.Join(s.plainStore(), filepath.FromSlash(s.plainKey), "data", s.cfg.Namespace)
	runCLI := func(int) (Sample, error) {
		if err := s.truncate(s.cfg.Restore); err != nil {
			return Sample{}, err
		}
		smp, err := s.measure(ctx, s.cfg.CLI, "restore", "--host", s.addr(), "--storage", s.plainStore(), "-r", "bench",
			"--backup", s.plainKey, "--namespace-map", s.cfg.Namespace+"="+s.cfg.Restore, "--quiet", "--log-level", "error")
		if err != nil {
			return smp, err
		}
		if err := s.expectCount(s.cfg.Restore, s.cfg.Records); err != nil {
			return smp, fmt.Errorf("aerobackup restore: %w", err)
		}
		return smp, nil
	}
	runDirect := func(int) (Sample, error) {
		if err := s.truncate(s.cfg.Restore); err != nil {
			return Sample{}, err
		}
		smp, err := s.directRestore(ctx, false, data)
		if err != nil {
			return smp, err
		}
		if err := s.expectCount(s.cfg.Restore, s.cfg.Records); err != nil {
			return smp, fmt.Errorf("direct restore: %w", err)
		}
		return smp, nil
	}
	row, err := s.measureRow(fmt.Sprintf("restore %dk into an empty namespace", s.cfg.Records/1000), s.cfg.Repeat,
		runner{"aerobackup", runCLI}, runner{"backup-go", runDirect}, s.absctlRestores(ctx, data)...)
	if err != nil {
		return err
	}
	row.Records, row.Bytes = s.cfg.Records, s.res.Rows[1].Bytes
	s.res.Rows = append(s.res.Rows, row)
	return nil
}

func (s *suite) directRestore(ctx context.Context, createOnly bool, dirs ...string) (Sample, error) {
	args := []string{"direct-restore", "-host", s.host, "-port", strconv.Itoa(s.port),
		"-from", s.cfg.Namespace, "-to", s.cfg.Restore, "-create-only=" + strconv.FormatBool(createOnly)}
	return s.measure(ctx, s.cfg.Self, append(args, dirs...)...)
}

// restoreAt takes a full and 3 incrementals, each after changing a slice
// of the records (a quarter of the partitions' sixteenth each), then
// restores the point in time after the last into an empty namespace.
func (s *suite) restoreAt(ctx context.Context) error {
	store := filepath.Join(s.cfg.WorkDir, "pit")
	var dirs []string // newest first
	smp, err := s.cliBackup(ctx, store, "pit", "NONE")
	if err != nil {
		return err
	}
	dirs = append(dirs, filepath.Join(store, filepath.FromSlash(strings.TrimSpace(smp.Stdout)), "data", s.cfg.Namespace))
	changed := 0
	for step := 1; step <= 3; step++ {
		time.Sleep(1100 * time.Millisecond)
		n, err := s.touch(step, (step-1)*256, 256)
		if err != nil {
			return err
		}
		changed += n
		time.Sleep(1100 * time.Millisecond)
		smp, err := s.cliBackup(ctx, store, "pit", "NONE", "--incremental")
		if err != nil {
			return err
		}
		dirs = append([]string{filepath.Join(store, filepath.FromSlash(strings.TrimSpace(smp.Stdout)), "data", s.cfg.Namespace)}, dirs...)
	}
	s.logf("restore-at-timestamp: a full and 3 incrementals of %d changed records in all", changed)
	at := strconv.FormatInt(time.Now().UnixMilli(), 10)
	total := s.cfg.Records + changed
	row := Row{Name: fmt.Sprintf("restore-at-timestamp, full + 3 incrementals (%dk records read)", total/1000),
		Records: total, WritesCLI: -1, WritesDir: -1}
	// writes runs one restore into the emptied namespace and returns the
	// server's record writes during it (-1 when it does not count them).
	writes := func(what string, run func() (Sample, error)) (Sample, int64, error) {
		if err := s.truncate(s.cfg.Restore); err != nil {
			return Sample{}, -1, err
		}
		before, _ := s.serverStats()
		smp, err := run()
		if err != nil {
			return smp, -1, err
		}
		n := int64(-1)
		if s.stats {
			after, err := s.serverStats()
			if err != nil {
				return smp, -1, err
			}
			n = after.Writes + after.BatchWrites - before.Writes - before.BatchWrites
		}
		if err := s.expectCount(s.cfg.Restore, s.cfg.Records); err != nil {
			return smp, -1, fmt.Errorf("%s: %w", what, err)
		}
		return smp, n, nil
	}
	// The rows keep the most writes any run made.
	runCLI := func(int) (Sample, error) {
		smp, n, err := writes("aerobackup restore-at-timestamp", func() (Sample, error) {
			return s.measure(ctx, s.cfg.CLI, "restore-at-timestamp", "--host", s.addr(), "--storage", store, "-r", "pit",
				"--time", at, "--namespace-map", s.cfg.Namespace+"="+s.cfg.Restore, "--quiet", "--log-level", "error")
		})
		row.WritesCLI = max(row.WritesCLI, n)
		return smp, err
	}
	runDirect := func(int) (Sample, error) {
		smp, n, err := writes("direct restore of the chain", func() (Sample, error) {
			return s.directRestore(ctx, true, dirs...)
		})
		row.WritesDir = max(row.WritesDir, n)
		return smp, err
	}
	got, err := s.measureRow("restore-at-timestamp", s.cfg.Repeat, runner{"aerobackup", runCLI}, runner{"backup-go", runDirect})
	if err != nil {
		return err
	}
	s.logf("restore-at-timestamp: aerobackup wrote %d records, backup-go alone %d", row.WritesCLI, row.WritesDir)
	row.Ratios, row.CPURatios = got.Ratios, got.CPURatios
	row.CLI, row.Direct = got.CLI, got.Direct
	row.Bytes = s.res.Rows[1].Bytes * int64(total) / int64(s.cfg.Records)
	s.res.Rows = append(s.res.Rows, row)
	return nil
}

// touch rewrites one bin of every record in partitions [begin, begin+count)
// and returns how many it changed.
func (s *suite) touch(step, begin, count int) (int, error) {
	rs, err := s.client.ScanPartitions(nil, as.NewPartitionFilterByRange(begin, count), s.cfg.Namespace, "")
	if err != nil {
		return 0, err
	}
	var keys []*as.Key
	for r := range rs.Results() {
		if r.Err != nil {
			return 0, r.Err
		}
		keys = append(keys, r.Record.Key)
	}
	wp := as.NewWritePolicy(0, as.TTLDontUpdate)
	for _, k := range keys {
		if err := s.client.Put(wp, k, as.BinMap{"bench-step": step}); err != nil {
			return 0, err
		}
	}
	return len(keys), nil
}

func (s *suite) list(ctx context.Context) error {
	root := filepath.Join(s.cfg.WorkDir, "many")
	if err := WriteCatalog(root, "many", s.cfg.Namespace, s.cfg.ListCount); err != nil {
		return err
	}
	runCLI := func(int) (Sample, error) {
		smp, err := s.measure(ctx, s.cfg.CLI, "list", "--storage", root, "-r", "many", "--log-level", "error")
		if err != nil {
			return smp, err
		}
		if lines := strings.Count(smp.Stdout, "many/"); lines < s.cfg.ListCount {
			return smp, fmt.Errorf("aerobackup list printed %d backups, want %d", lines, s.cfg.ListCount)
		}
		return smp, nil
	}
	runDirect := func(int) (Sample, error) {
		return s.measure(ctx, s.cfg.Self, "direct-list", "-root", root, "-routine", "many")
	}
	row, err := s.measureRow(fmt.Sprintf("list of %d backups (local storage)", s.cfg.ListCount), s.cfg.Repeat,
		runner{"aerobackup", runCLI}, runner{"backup-go", runDirect})
	if err != nil {
		return err
	}
	row.Items = s.cfg.ListCount
	s.res.Rows = append(s.res.Rows, row)
	return nil
}

func (s *suite) info(cmd string) (string, error) {
	nodes := s.client.GetNodes()
	if len(nodes) == 0 {
		return "", errors.New("no cluster nodes")
	}
	m, err := nodes[0].RequestInfo(as.NewInfoPolicy(), cmd)
	if err != nil {
		return "", err
	}
	v := m[cmd]
	if strings.HasPrefix(v, "ERROR") {
		return "", fmt.Errorf("info %s: %s", cmd, v)
	}
	return v, nil
}

func (s *suite) serverStats() (aerospiketest.Stats, error) {
	v, err := s.info(aerospiketest.StatsInfoCommand)
	if err != nil {
		return aerospiketest.Stats{}, err
	}
	return aerospiketest.ParseStats(v)
}

func (s *suite) truncate(ns string) error {
	if err := s.client.Truncate(nil, ns, "", nil); err != nil {
		return fmt.Errorf("truncate %s: %w", ns, err)
	}
	// Truncation is asynchronous on a real server.
	for range 100 {
		if n, err := s.count(ns); err == nil && n == 0 {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("namespace %s not empty 10s after truncate", ns)
}

func (s *suite) count(ns string) (int, error) {
	v, err := s.info("namespace/" + ns)
	if err != nil {
		return 0, err
	}
	for _, kv := range strings.Split(v, ";") {
		if k, val, _ := strings.Cut(kv, "="); k == "objects" {
			return strconv.Atoi(val)
		}
	}
	return 0, fmt.Errorf("namespace/%s: no objects count", ns)
}

func (s *suite) expectCount(ns string, want int) error {
	got, err := s.count(ns)
	if err != nil {
		return err
	}
	if got != want {
		return fmt.Errorf("namespace %s holds %d records, want %d", ns, got, want)
	}
	return nil
}

// asbBytes sums the sizes of the .asb files under dir.
func asbBytes(dir string) (int64, error) {
	var n int64
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".asb") {
			info, err := d.Info()
			if err != nil {
				return err
			}
			n += info.Size()
		}
		return nil
	})
	return n, err
}

// startTestServer runs cmd/aerospike-testserver in its own process, so its
// memory and CPU are not the measured processes'.
func startTestServer(ctx context.Context, bin, work string, namespaces ...string) (string, func(), error) {
	ready := filepath.Join(work, "server.ready")
	logf, err := os.Create(filepath.Join(work, "server.log"))
	if err != nil {
		return "", nil, err
	}
	cmd := exec.CommandContext(ctx, bin, "-addr", "127.0.0.1:0", "-namespaces", strings.Join(namespaces, ","), "-ready-file", ready)
	// Room for a run's garbage (a restore's records double the live heap)
	// between the collections suite.measure asks for.
	cmd.Env = append(os.Environ(), "GOGC=400")
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		return "", nil, fmt.Errorf("start %s: %w", bin, err)
	}
	stop := func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
		logf.Close()
	}
	for range 100 {
		if b, err := os.ReadFile(ready); err == nil && len(strings.TrimSpace(string(b))) > 0 {
			return strings.TrimSpace(string(b)), stop, nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	stop()
	return "", nil, fmt.Errorf("%s not ready after 10s (see %s)", bin, logf.Name())
}
