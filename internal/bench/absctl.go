package bench

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/aerospike/backup-go"
)

// absctl (github.com/aerospike/absctl) is Aerospike's own backup CLI, on
// backup-go like aerobackup. Given Config.Absctl, the suite runs it in the
// blocks of the backups and of the restore into an empty namespace, in two
// variants: at the settings aerobackup and backup-go alone get, and with
// only the flags that name the job (server, namespace, folder, and the
// compression of a ZSTD row), so at absctl's own defaults. It has no
// restore to a point in time and no list, so those rows have no absctl
// columns.

// The absctl columns' labels.
const (
	absctlSame     = "absctl (same settings)"
	absctlDefaults = "absctl (its defaults)"
)

// absctlBackupArgs is the command line of an absctl backup of namespace ns
// into dir. With defaults it names only the job; otherwise it also sets
// what aerobackup and backup-go alone get: parallel, the file limit in MiB
// and the compression, at their ZSTD level (0, which backup-go maps to its
// fastest encoder; absctl's own default level is 3).
func absctlBackupArgs(host string, port int, ns, dir, compress string, parallel, fileLimit int, defaults bool) []string {
	args := []string{"backup", "--host", host, "--port", strconv.Itoa(port), "--namespace", ns, "--directory", dir}
	if defaults {
		if compress != "NONE" {
			args = append(args, "--compress", compress)
		}
		return args
	}
	args = append(args, "--parallel", strconv.Itoa(parallel), "--file-limit", strconv.Itoa(fileLimit), "--compress", compress)
	if compress != "NONE" {
		args = append(args, "--compression-level", "0")
	}
	return args
}

// absctlRestoreArgs is the command line of an absctl restore of the backup
// files in dir from namespace from into to. Without defaults it sets
// backup-go's restore defaults, which backup-go alone and aerobackup run
// with; absctl's own are as many workers as CPUs and 32 batches in flight.
// absctl's write policy is backup-go alone's (UPDATE, generation greater,
// keys sent) either way.
func absctlRestoreArgs(host string, port int, from, to, dir string, defaults bool) []string {
	args := []string{"restore", "--host", host, "--port", strconv.Itoa(port), "--namespace", from + "," + to, "--directory", dir}
	if defaults {
		return args
	}
	d := backup.NewDefaultRestoreConfig()
	return append(args, "--parallel", strconv.Itoa(d.Parallel), "--batch-size", strconv.Itoa(d.BatchSize),
		"--max-async-batches", strconv.Itoa(d.MaxAsyncBatches))
}

// recordsRead is the "Records Read:" count of absctl's report.
var recordsRead = regexp.MustCompile(`(?m)^\s*Records Read:\s*(\d+)\s*$`)

// absctlRecords returns the records absctl's report says it read; it
// prints the report to stdout or stderr.
func absctlRecords(smp Sample) (int, error) {
	for _, out := range []string{smp.Stdout, smp.Stderr} {
		if m := recordsRead.FindStringSubmatch(out); m != nil {
			return strconv.Atoi(m[1])
		}
	}
	return 0, fmt.Errorf("absctl printed no \"Records Read:\" report:\n%s", tail(smp.Stdout+smp.Stderr, 2000))
}

// absctlBackups are the two absctl runners of a backup row (none without
// Config.Absctl): each run backs up into a fresh folder, checks the records
// absctl read and removes the folder.
func (s *suite) absctlBackups(ctx context.Context, compress string, records int) []runner {
	if s.cfg.Absctl == "" {
		return nil
	}
	run := func(label string, defaults bool) runner {
		tag := "same"
		if defaults {
			tag = "defaults"
		}
		return runner{label, func(i int) (Sample, error) {
			dir := filepath.Join(s.cfg.WorkDir, fmt.Sprintf("absctl-%s-%s-%d", tag, compress, i))
			smp, err := s.measure(ctx, s.cfg.Absctl, absctlBackupArgs(s.host, s.port, s.cfg.Namespace, dir, compress,
				s.cfg.Parallel, s.cfg.FileLimit, defaults)...)
			if err != nil {
				return smp, err
			}
			if got, err := absctlRecords(smp); err != nil || got != records {
				return smp, fmt.Errorf("%s backup read %d records, want %d (%v)", label, got, records, err)
			}
			return smp, os.RemoveAll(dir)
		}}
	}
	return []runner{run(absctlSame, false), run(absctlDefaults, true)}
}

// absctlRestores are the two absctl runners of the restore row (none
// without Config.Absctl): each run empties the restore namespace, restores
// the backup files in dir (those backup-go alone restores) and checks the
// namespace's count.
func (s *suite) absctlRestores(ctx context.Context, dir string) []runner {
	if s.cfg.Absctl == "" {
		return nil
	}
	run := func(label string, defaults bool) runner {
		return runner{label, func(int) (Sample, error) {
			if err := s.truncate(s.cfg.Restore); err != nil {
				return Sample{}, err
			}
			smp, err := s.measure(ctx, s.cfg.Absctl, absctlRestoreArgs(s.host, s.port, s.cfg.Namespace, s.cfg.Restore, dir, defaults)...)
			if err != nil {
				return smp, err
			}
			if err := s.expectCount(s.cfg.Restore, s.cfg.Records); err != nil {
				return smp, fmt.Errorf("%s restore: %w", label, err)
			}
			return smp, nil
		}}
	}
	return []runner{run(absctlSame, false), run(absctlDefaults, true)}
}

// AbsctlVersion runs `absctl --version` and returns what it printed, so a
// report can say which absctl it measured (and a wrong path fails at once).
func AbsctlVersion(ctx context.Context, bin string) (string, error) {
	out, err := exec.CommandContext(ctx, bin, "--version").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("%s --version: %w\n%s", bin, err, tail(string(out), 2000))
	}
	return strings.TrimSpace(string(out)), nil
}
