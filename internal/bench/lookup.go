package bench

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	as "github.com/aerospike/aerospike-client-go/v8"
)

// The one-key lookup: one record looked up in a chain of a full and
// lookupIncrementals incrementals, each after updating lookupShare of the
// records (spread over every partition, as an application's updates
// are), with find and with restore-at-timestamp --key, against a
// restore-at-timestamp of the whole chain into an empty namespace.
const (
	lookupIncrementals = 5
	lookupShare        = 0.02
	// lookupPartition is where the record looked up lives.
	lookupPartition = 2048
)

// Lookup is the one-key lookup's measurement.
type Lookup struct {
	Records      int // records of the namespace
	Incrementals int
	Share        float64 // of the records each incremental updated
	Parallel     int     // the backups' parallelism (their files)
	Key          string  // the record looked up, as the flags name it
	// Find, KeyRestore and Full are the medians of find --key,
	// restore-at-timestamp --key and restore-at-timestamp of the whole
	// chain.
	Find, KeyRestore, Full LookupRun
	// FindTimes and KeyTimes are each block's time of find and of
	// restore-at-timestamp --key over the full restore's; FindCPU and
	// KeyCPU the same for CPU time.
	FindTimes, KeyTimes, FindCPU, KeyCPU []float64
}

// LookupRun is one command's medians: its run and what it read.
type LookupRun struct {
	Sample Sample
	Read   LookupRead
}

// LookupRead is what one run said it read, in its --json document.
type LookupRead struct {
	BytesRead int64
	// FilesRead of FilesHeld data files (0 of 0 for a full restore,
	// whose document does not count them).
	FilesRead, FilesHeld int
	// Backups hold the record (find), or gave the version written
	// (restore --key); none for a full restore.
	Backups []string
	Records uint64 // records read (a full restore)
}

// lookupCmd is one of the lookup's three commands.
type lookupCmd int

const (
	fullRestore lookupCmd = iota // restore-at-timestamp of the whole chain
	findKey                      // find --key
	keyRestore                   // restore-at-timestamp --key
)

func (c lookupCmd) String() string {
	return [...]string{"restore-at-timestamp", "find --key", "restore-at-timestamp --key"}[c]
}

// parseRead takes what a run of c read from its --json document: find's
// own counts, the "selected" block of a restore of selected records, the
// totals of a full restore.
func parseRead(c lookupCmd, stdout string) (LookupRead, error) {
	var doc struct {
		Type      string `json:"type"`
		FilesRead *int   `json:"files-read"`
		FilesHeld int    `json:"files-held"`
		BytesRead int64  `json:"bytes-read"`
		Records   []struct {
			Found    bool `json:"found"`
			Versions []struct {
				Backup string `json:"backup"`
			} `json:"versions"`
		} `json:"records"`
		Totals *struct {
			Read      uint64 `json:"records-read"`
			BytesRead int64  `json:"bytes-read"`
		} `json:"totals"`
		Selected *struct {
			Records []struct {
				Found  bool   `json:"found"`
				Backup string `json:"backup"`
			} `json:"records"`
			FilesRead int   `json:"files-read"`
			FilesHeld int   `json:"files-held"`
			BytesRead int64 `json:"bytes-read"`
		} `json:"selected"`
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(stdout)))
	if err := dec.Decode(&doc); err != nil {
		return LookupRead{}, fmt.Errorf("aerobackup %s --json: %w:\n%s", c, err, tail(stdout, 500))
	}
	var rd LookupRead
	switch c {
	case findKey:
		if doc.Type != "find" || doc.FilesRead == nil {
			return rd, fmt.Errorf("aerobackup find --json: a %q document without \"files-read\" (is the binary older than find?)", doc.Type)
		}
		if len(doc.Records) != 1 || !doc.Records[0].Found {
			return rd, fmt.Errorf("aerobackup find --json: %d records, want the one looked up, found", len(doc.Records))
		}
		for _, v := range doc.Records[0].Versions {
			rd.Backups = append(rd.Backups, v.Backup)
		}
		rd.FilesRead, rd.FilesHeld, rd.BytesRead = *doc.FilesRead, doc.FilesHeld, doc.BytesRead
	case keyRestore:
		sel := doc.Selected
		if doc.Type != "restore" || sel == nil {
			return rd, fmt.Errorf("aerobackup %s --json: a %q document without \"selected\" (is the binary older than restore --key?)", c, doc.Type)
		}
		if len(sel.Records) != 1 || !sel.Records[0].Found {
			return rd, fmt.Errorf("aerobackup %s --json: %d records selected, want the one looked up, found", c, len(sel.Records))
		}
		rd.Backups = []string{sel.Records[0].Backup}
		rd.FilesRead, rd.FilesHeld, rd.BytesRead = sel.FilesRead, sel.FilesHeld, sel.BytesRead
	default:
		if doc.Type != "restore" || doc.Totals == nil || doc.Selected != nil {
			return rd, fmt.Errorf("aerobackup %s --json: want a restore document with totals and no \"selected\", got type %q", c, doc.Type)
		}
		rd.BytesRead, rd.Records = doc.Totals.BytesRead, doc.Totals.Read
	}
	return rd, nil
}

// medianRead is the run whose bytes read are the median of runs'.
func medianRead(runs []LookupRead) LookupRead {
	if len(runs) == 0 {
		return LookupRead{}
	}
	s := slices.Clone(runs)
	slices.SortFunc(s, func(a, b LookupRead) int { return cmp.Compare(a.BytesRead, b.BytesRead) })
	return s[len(s)/2]
}

// lookupTarget is the record looked up: one with a stored string or
// integer key in lookupPartition, which the incrementals leave alone, so
// that only the full holds it and restore --key searches every backup.
type lookupTarget struct {
	set, key, keyType string
	digest            []byte
}

func (t lookupTarget) args() []string {
	return []string{"--set", t.set, "--key", t.key, "--key-type", t.keyType}
}

func (t lookupTarget) String() string {
	return fmt.Sprintf("%s %q in set %q", t.keyType, t.key, t.set)
}

func (s *suite) findTarget() (lookupTarget, error) {
	rs, err := s.client.ScanPartitions(nil, as.NewPartitionFilterByRange(lookupPartition, 1), s.cfg.Namespace, "")
	if err != nil {
		return lookupTarget{}, err
	}
	defer rs.Close()
	for r := range rs.Results() {
		if r.Err != nil {
			return lookupTarget{}, r.Err
		}
		k := r.Record.Key
		if k.SetName() == "" || k.Value() == nil {
			continue
		}
		switch v := k.Value().GetObject().(type) {
		case string:
			return lookupTarget{set: k.SetName(), key: v, keyType: "string", digest: k.Digest()}, nil
		case int, int64:
			return lookupTarget{set: k.SetName(), key: fmt.Sprint(v), keyType: "int", digest: k.Digest()}, nil
		}
	}
	return lookupTarget{}, fmt.Errorf("partition %d of %s holds no record with a stored string or integer key in a set", lookupPartition, s.cfg.Namespace)
}

// touchSpread updates every every-th record of the namespace in scan
// order, from the step-th, leaving out the record whose digest is skip,
// and returns how many it changed.
func (s *suite) touchSpread(step, every int, skip []byte) (int, error) {
	sp := as.NewScanPolicy()
	sp.IncludeBinData = false
	rs, err := s.client.ScanAll(sp, s.cfg.Namespace, "")
	if err != nil {
		return 0, err
	}
	var keys []*as.Key
	i := 0
	for r := range rs.Results() {
		if r.Err != nil {
			return 0, r.Err
		}
		if bytes.Equal(r.Record.Key.Digest(), skip) {
			continue
		}
		if i%every == step%every {
			keys = append(keys, r.Record.Key)
		}
		i++
	}
	return len(keys), s.rewrite(step, keys)
}

// lookup builds the chain (over the namespace as the earlier steps left
// it, seeded afresh unless it holds Records records) and measures the
// three commands in blocks: the full restore, find, restore --key and
// back.
func (s *suite) lookup(ctx context.Context) error {
	n := s.cfg.Records
	if got, err := s.count(s.cfg.Namespace); err != nil || got != n {
		if err := s.truncate(s.cfg.Namespace); err != nil {
			return err
		}
		if err := s.seed(n); err != nil {
			return err
		}
	}
	target, err := s.findTarget()
	if err != nil {
		return err
	}
	store := filepath.Join(s.cfg.WorkDir, "lookup")
	every := int(1 / lookupShare)
	touch := func(h int) (int, error) { return s.touchSpread(h+1, every, target.digest) }
	keys, total, err := s.buildChain(ctx, store, "lookup", n, lookupIncrementals, touch)
	if err != nil {
		return err
	}
	at := strconv.FormatInt(time.Now().UnixMilli(), 10)
	reads := make([][]LookupRead, 3)
	run := func(c lookupCmd) runner {
		return runner{label: c.String(), run: func(i int) (Sample, error) {
			smp, rd, err := s.lookupRun(ctx, c, store, at, target)
			if err != nil {
				return smp, err
			}
			if err := rd.expect(c, keys[0], total); err != nil {
				return smp, err
			}
			if i >= 0 {
				reads[c] = append(reads[c], rd)
			}
			return smp, nil
		}}
	}
	got, err := s.blocks("lookup", s.cfg.Repeat, run(fullRestore), run(findKey), run(keyRestore))
	if err != nil {
		return err
	}
	lk := &Lookup{Records: n, Incrementals: lookupIncrementals, Share: lookupShare, Parallel: s.cfg.Parallel, Key: target.String(),
		FindTimes: got[findKey].ratios, KeyTimes: got[keyRestore].ratios, FindCPU: got[findKey].cpu, KeyCPU: got[keyRestore].cpu}
	for c, dst := range []*LookupRun{&lk.Full, &lk.Find, &lk.KeyRestore} {
		*dst = LookupRun{Sample: median(got[c].samples), Read: medianRead(reads[c])}
	}
	s.res.Lookup = lk
	return nil
}

// lookupRun runs one of the lookup's commands, a restore into the emptied
// restore namespace, and checks what the namespace then holds.
func (s *suite) lookupRun(ctx context.Context, c lookupCmd, store, at string, t lookupTarget) (Sample, LookupRead, error) {
	where := []string{"--storage", store, "-r", "lookup", "--json", "--log-level", "error"}
	restore := append([]string{"restore-at-timestamp", "--host", s.addr(), "--time", at,
		"--namespace-map", s.cfg.Namespace + "=" + s.cfg.Restore}, where...)
	var args []string
	want := 1
	switch c {
	case findKey:
		args = append(append([]string{"find"}, where...), t.args()...)
	case keyRestore:
		args = append(restore, t.args()...)
	default:
		args, want = restore, s.cfg.Records
	}
	if c != findKey {
		if err := s.truncate(s.cfg.Restore); err != nil {
			return Sample{}, LookupRead{}, err
		}
	}
	smp, err := s.measure(ctx, s.cfg.CLI, args...)
	if err != nil {
		return smp, LookupRead{}, err
	}
	rd, err := parseRead(c, smp.Stdout)
	if err != nil {
		return smp, rd, err
	}
	if c != findKey {
		if err := s.expectCount(s.cfg.Restore, want); err != nil {
			return smp, rd, fmt.Errorf("aerobackup %s: %w", c, err)
		}
	}
	return smp, rd, nil
}

// expect checks a run read what the chain says it must: the record found
// in the full alone (the incrementals leave it alone), every record of
// the chain read by the full restore, and never more files than held.
func (rd LookupRead) expect(c lookupCmd, full string, records int) error {
	switch c {
	case fullRestore:
		if rd.Records != uint64(records) {
			return fmt.Errorf("aerobackup %s read %d records, want the chain's %d", c, rd.Records, records)
		}
	default:
		if !slices.Equal(rd.Backups, []string{full}) {
			return fmt.Errorf("aerobackup %s: the record is in %v, want only the full %s", c, rd.Backups, full)
		}
		if rd.FilesRead <= 0 || rd.FilesRead > rd.FilesHeld {
			return fmt.Errorf("aerobackup %s read %d of %d data files", c, rd.FilesRead, rd.FilesHeld)
		}
	}
	if rd.BytesRead <= 0 {
		return fmt.Errorf("aerobackup %s read %d bytes", c, rd.BytesRead)
	}
	return nil
}

// lookupSlack is the lookup's expectation: reading only the files whose
// partitions can hold the record, it reads about 1/parallel of each
// backup, and at most lookupSlack/parallel of the whole chain.
const lookupSlack = 2.0

// BytesRatio is what run read over what the full restore read (0 when
// that is unknown).
func (lk *Lookup) BytesRatio(run LookupRun) float64 {
	if lk.Full.Read.BytesRead <= 0 {
		return 0
	}
	return float64(run.Read.BytesRead) / float64(lk.Full.Read.BytesRead)
}

// writeTable prints the lookup's rows: each command's medians, what it
// read, and its time and bytes over the full restore's.
func (lk *Lookup) writeTable(w io.Writer) {
	fmt.Fprintf(w, "| one key in a %s-record chain: full + %d incrementals of %.0f%% each, parallel %d (medians; %d blocks) | time | CPU | RSS | bytes read | data files read | time over the full restore's (median of the blocks') | CPU over the full restore's | bytes over the full restore's |\n",
		thousands(lk.Records), lk.Incrementals, lk.Share*100, lk.Parallel, len(lk.FindTimes))
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|")
	row := func(name string, r LookupRun, files string, times, cpu []float64) {
		fmt.Fprintf(w, "| %s | %s | %s | %.0f MiB | %s | %s | %.3f | %.3f | %.3f |\n", name, r.Sample.Elapsed.Round(time.Millisecond),
			r.Sample.CPU.Round(time.Millisecond), float64(r.Sample.MaxRSS)/mib, mibs(r.Read.BytesRead), files,
			ratioOf(times, r.Sample.Elapsed, lk.Full.Sample.Elapsed), ratioOf(cpu, r.Sample.CPU, lk.Full.Sample.CPU), lk.BytesRatio(r))
	}
	of := func(r LookupRun) string { return fmt.Sprintf("%d of %d", r.Read.FilesRead, r.Read.FilesHeld) }
	row(findKey.String()+" "+lk.Key, lk.Find, of(lk.Find), lk.FindTimes, lk.FindCPU)
	row(keyRestore.String()+" "+lk.Key, lk.KeyRestore, of(lk.KeyRestore), lk.KeyTimes, lk.KeyCPU)
	row("restore-at-timestamp of the whole chain into an empty namespace", lk.Full, fmt.Sprintf("all %d", lk.Find.Read.FilesHeld), nil, nil)
	fmt.Fprintln(w)
}

func mibs(n int64) string {
	if n < mib {
		return fmt.Sprintf("%.0f KiB", float64(n)/1024)
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/mib)
}

// checks say, for find and restore --key, the share of the full
// restore's bytes and time, against lookupSlack/parallel of its bytes.
func (lk *Lookup) checks(verdict func(bool) string) []string {
	limit := lookupSlack / float64(max(lk.Parallel, 1))
	var out []string
	for _, c := range []struct {
		cmd         lookupCmd
		run         LookupRun
		times, cpus []float64
	}{{findKey, lk.Find, lk.FindTimes, lk.FindCPU}, {keyRestore, lk.KeyRestore, lk.KeyTimes, lk.KeyCPU}} {
		b := lk.BytesRatio(c.run)
		out = append(out, fmt.Sprintf("- one-key lookup: %s read %d of %d data files, %s: x%.3f the bytes of the whole chain's restore (%s; want <= x%.3f, %.0f/parallel) in x%.3f%s its time (CPU x%.3f): %s",
			c.cmd, c.run.Read.FilesRead, c.run.Read.FilesHeld, mibs(c.run.Read.BytesRead), b, mibs(lk.Full.Read.BytesRead), limit, lookupSlack,
			ratioOf(c.times, c.run.Sample.Elapsed, lk.Full.Sample.Elapsed), spread(c.times),
			ratioOf(c.cpus, c.run.Sample.CPU, lk.Full.Sample.CPU), verdict(b > 0 && b <= limit)))
	}
	return out
}
