package bench

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	as "github.com/aerospike/aerospike-client-go/v8"
	"github.com/aerospike/aerospike-client-go/v8/types"
)

// ChainStats are the long-chain row's own: its baseline is not backup-go
// alone but what the restore cannot do with less, decoding every backup
// of the chain once and writing each final record once.
type ChainStats struct {
	Incrementals int
	// Records is the records of the namespace (each written once).
	Records int
	// Exists are the writes the server refused as already present during
	// a restore-at-timestamp run (the most of any run), -1 unknown.
	Exists int64
}

// chainBaseline names what the long-chain row's other column measured.
const chainBaseline = "verify --read-data of the chain + restore of one full of the final records"

// chainShare is the fraction of the records each incremental changes.
const chainShare = 0.1

// longChain takes a full of ChainRecords records and ChainIncrementals
// incrementals, each after changing a tenth of the records (a tenth of
// the partitions, the next tenth each time, round the namespace), and a
// full of the final records in a store of its own. It then measures
// restore-at-timestamp of the chain's end into an empty namespace against
// the least the restore has to do: verify --read-data of the chain (every
// backup decoded once) plus a plain restore of that one full (every final
// record written once).
func (s *suite) longChain(ctx context.Context) error {
	n, incrs := s.cfg.ChainRecords, s.cfg.ChainIncrementals
	if n <= 0 || incrs <= 0 {
		return nil
	}
	if err := s.truncate(s.cfg.Namespace); err != nil {
		return err
	}
	if err := s.seed(n); err != nil {
		return err
	}
	chain, final := filepath.Join(s.cfg.WorkDir, "chain"), filepath.Join(s.cfg.WorkDir, "chain-final")
	width := int(math.Round(chainShare * 4096))
	touch := func(h int) (int, error) { return s.touchRange(h+1, h*width%4096, width) }
	_, read, err := s.buildChain(ctx, chain, "chain", n, incrs, touch)
	if err != nil {
		return err
	}
	smp, err := s.cliBackup(ctx, final, "final", "NONE")
	if err != nil {
		return err
	}
	finalKey := strings.TrimSpace(smp.Stdout)
	at := strconv.FormatInt(time.Now().UnixMilli(), 10)
	row := Row{Name: fmt.Sprintf("restore-at-timestamp, full + %d incrementals of %.0f%% each (%dk records read, %dk written)",
		incrs, chainShare*100, read/1000, n/1000), Records: read, WritesCLI: -1, WritesDir: -1,
		Chain: &ChainStats{Incrementals: incrs, Records: n, Exists: -1}}
	if row.Bytes, err = asbBytes(chain); err != nil {
		return err
	}
	runCLI := func(int) (Sample, error) {
		return s.chainRestore(ctx, &row, "restore-at-timestamp", "--storage", chain, "-r", "chain", "--time", at)
	}
	runBase := func(int) (Sample, error) {
		v, err := s.measure(ctx, s.cfg.CLI, "verify", "--storage", chain, "-r", "chain", "--read-data", "--quiet", "--log-level", "error")
		if err != nil {
			return v, err
		}
		r, err := s.chainRestore(ctx, nil, "restore", "--storage", final, "-r", "final", "--backup", finalKey)
		return Sample{Elapsed: v.Elapsed + r.Elapsed, CPU: v.CPU + r.CPU, MaxRSS: max(v.MaxRSS, r.MaxRSS)}, err
	}
	got, err := s.blocks("long chain", s.cfg.ChainBlocks,
		runner{label: "restore-at-timestamp", run: runCLI}, runner{label: chainBaseline, run: runBase})
	if err != nil {
		return err
	}
	s.logf("long chain: restore-at-timestamp wrote %d records, the server refused %d as already present", row.WritesCLI, row.Chain.Exists)
	row.CLI, row.Direct, row.Ratios, row.CPURatios = median(got[0].samples), median(got[1].samples), got[1].ratios, got[1].cpu
	s.res.Rows = append(s.res.Rows, row)
	return nil
}

// buildChain backs the namespace, holding records records, up into store
// as routine: a full, then incrs incrementals, the h-th (from 0) after
// touch(h) changed some records. It returns the backups' keys, oldest
// first, and the records the chain holds.
func (s *suite) buildChain(ctx context.Context, store, routine string, records, incrs int, touch func(h int) (int, error)) ([]string, int, error) {
	// The test server shares this machine's clock; a real server's last
	// update times may lag it.
	pause := 1100 * time.Millisecond
	if s.collect {
		pause = 20 * time.Millisecond
	}
	started := time.Now()
	smp, err := s.cliBackup(ctx, store, routine, "NONE")
	if err != nil {
		return nil, 0, err
	}
	keys := []string{strings.TrimSpace(smp.Stdout)}
	total := records
	for h := range incrs {
		time.Sleep(pause)
		changed, err := touch(h)
		if err != nil {
			return nil, 0, err
		}
		time.Sleep(pause)
		smp, err := s.cliBackup(ctx, store, routine, "NONE", "--incremental")
		if err != nil {
			return nil, 0, err
		}
		keys = append(keys, strings.TrimSpace(smp.Stdout))
		total += changed
	}
	s.logf("routine %s: a full of %d records and %d incrementals, %d records in all, built in %s",
		routine, records, incrs, total, time.Since(started).Round(time.Second))
	return keys, total, nil
}

// touchRange rewrites one bin of every record in the count partitions from
// begin, round the end of the partitions, in batches, and returns how many
// it changed.
func (s *suite) touchRange(step, begin, count int) (int, error) {
	var keys []*as.Key
	for _, r := range [][2]int{{begin, min(count, 4096-begin)}, {0, count - min(count, 4096-begin)}} {
		if r[1] <= 0 {
			continue
		}
		rs, err := s.client.ScanPartitions(nil, as.NewPartitionFilterByRange(r[0], r[1]), s.cfg.Namespace, "")
		if err != nil {
			return 0, err
		}
		for rec := range rs.Results() {
			if rec.Err != nil {
				return 0, rec.Err
			}
			keys = append(keys, rec.Record.Key)
		}
	}
	return len(keys), s.rewrite(step, keys)
}

// rewrite sets bin bench-step of every key to step, 500 records a batch,
// keeping their expiry.
func (s *suite) rewrite(step int, keys []*as.Key) error {
	bwp := as.NewBatchWritePolicy()
	bwp.Expiration = as.TTLDontUpdate
	for i := 0; i < len(keys); i += 500 {
		var batch []as.BatchRecordIfc
		for _, k := range keys[i:min(i+500, len(keys))] {
			batch = append(batch, as.NewBatchWrite(bwp, k, as.PutOp(as.NewBin("bench-step", step))))
		}
		if err := s.client.BatchOperate(nil, batch); err != nil {
			return err
		}
		for _, b := range batch {
			if rc := b.BatchRec().ResultCode; rc != types.OK {
				return fmt.Errorf("touching %v: result code %v", b.BatchRec().Key, rc)
			}
		}
	}
	return nil
}

// chainRestore runs one restore of args into the emptied restore
// namespace and checks it holds the chain's records; given row, it keeps
// the most writes and "already present" answers of any run in it.
func (s *suite) chainRestore(ctx context.Context, row *Row, args ...string) (Sample, error) {
	if err := s.truncate(s.cfg.Restore); err != nil {
		return Sample{}, err
	}
	before, _ := s.serverStats()
	args = append(args, "--host", s.addr(), "--namespace-map", s.cfg.Namespace+"="+s.cfg.Restore, "--quiet", "--log-level", "error")
	smp, err := s.measure(ctx, s.cfg.CLI, args...)
	if err != nil {
		return smp, err
	}
	if row != nil && s.stats {
		after, err := s.serverStats()
		if err != nil {
			return smp, err
		}
		row.WritesCLI = max(row.WritesCLI, after.Writes+after.BatchWrites-before.Writes-before.BatchWrites)
		row.Chain.Exists = max(row.Chain.Exists, after.KeyExists-before.KeyExists)
	}
	if err := s.expectCount(s.cfg.Restore, s.cfg.ChainRecords); err != nil {
		return smp, fmt.Errorf("aerobackup %s: %w", args[0], err)
	}
	return smp, nil
}
