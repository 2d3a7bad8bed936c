package outcome

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aerobackup/aerobackup/internal/backupjob"
	"github.com/aerobackup/aerobackup/internal/backupslice"
	"github.com/aerobackup/aerobackup/internal/config"
	"github.com/aerobackup/aerobackup/internal/lock"
	"github.com/aerobackup/aerobackup/internal/plan"
	"github.com/aerobackup/aerobackup/internal/policy"
	"github.com/aerobackup/aerobackup/internal/routine"
	"github.com/aerobackup/aerobackup/internal/schedule"
	"github.com/aerobackup/aerobackup/internal/secret"
	"github.com/aerobackup/aerobackup/internal/session"
	"github.com/aerobackup/aerobackup/internal/storage/backend"
)

func TestExitCode(t *testing.T) {
	held := &lock.HeldError{Routine: "r", Want: lock.Full, Holder: lock.Info{Kind: lock.Full}, Path: "r/.lock/full"}
	tests := []struct {
		err   error
		class Class
		want  int
	}{
		{nil, ClassSuccess, 0},
		{errors.New("boom"), ClassFailed, 1},
		{Usage("bad flag %s", "--x"), ClassUsage, 2},
		{fmt.Errorf("wrapped: %w", AsUsage(errors.New("bad"))), ClassUsage, 2},
		{Skip("locked by %s", "host"), ClassSkipped, 3},
		{&InterruptError{Signal: "interrupt"}, ClassInterrupted, 130},
		{&InterruptError{Signal: "terminated"}, ClassInterrupted, 143},
		{&InterruptError{Signal: "hangup"}, ClassInterrupted, 129},
		{&InterruptError{Signal: "quit"}, ClassInterrupted, 131},
		{&InterruptError{Signal: "user defined signal 1"}, ClassInterrupted, 130},
		{fmt.Errorf("backup: %w", &InterruptError{Signal: "hangup"}), ClassInterrupted, 129},
		{fmt.Errorf("scan: %w", context.Canceled), ClassInterrupted, 130},
		// An interrupt wins over what the interrupted run was failing with.
		{errors.Join(&InterruptError{Signal: "terminated"}, Usage("x")), ClassInterrupted, 143},
		// The domain packages' errors for bad settings are usage errors,
		// wrapped or not.
		{config.Errors{{File: "a.yml", Line: 3, Msg: "bad"}}, ClassUsage, 2},
		{fmt.Errorf("load: %w", config.Errors{{File: "a.yml", Msg: "bad"}}), ClassUsage, 2},
		{&config.Error{File: "a.yml", Msg: "bad"}, ClassUsage, 2},
		{&config.FileError{Path: "a.yml", Msg: "config file a.yml (from --config) does not exist"}, ClassUsage, 2},
		{&config.LookupError{What: "routine", Name: "x", Msg: "routine \"x\" is not in a.yml"}, ClassUsage, 2},
		{fmt.Errorf("routine %q: %w", "r", &policy.InvalidError{Msg: "--bandwidth must not be negative"}), ClassUsage, 2},
		{&secret.ConfigError{Field: "f", Msg: "no agent"}, ClassUsage, 2},
		{fmt.Errorf("storage %q: %w", "s", &secret.ConfigError{Field: "f", Msg: "no agent"}), ClassUsage, 2},
		{&backend.ConfigError{Storage: "s", Err: errors.New("bad key")}, ClassUsage, 2},
		{&backend.URLError{URL: "ftp://x", Msg: "want /abs/path"}, ClassUsage, 2},
		{&routine.RequestError{Msg: "no config file and no --host for ad-hoc mode"}, ClassUsage, 2},
		// A plan refused, a session option, slices that disagree.
		{&plan.RefusedError{Err: errors.New("backup b holds none of the namespaces x")}, ClassUsage, 2},
		{fmt.Errorf("restore: %w", &plan.RefusedError{Err: errors.New("no full")}), ClassUsage, 2},
		{&session.OptionError{Msg: "--lock-stale-after must be positive, got 0s"}, ClassUsage, 2},
		{fmt.Errorf("backup: %w", &session.OptionError{Msg: "bad"}), ClassUsage, 2},
		{&backupjob.SliceCountError{Namespace: "test", Folder: "r/backup/1", Have: 4, Want: 3}, ClassUsage, 2},
		{&schedule.RefusedError{Err: errors.New("no enabled routine to export")}, ClassUsage, 2},
		{&backupslice.FlagError{Err: errors.New("--slice: bad")}, ClassUsage, 2},
		{fmt.Errorf("every namespace failed (a, b): %w", &backupjob.SliceCountError{Have: 4, Want: 3}), ClassUsage, 2},
		// Nothing to do, or another run holds the routine: skipped.
		{&plan.NothingToDoError{Reason: "no full backup to build on"}, ClassSkipped, 3},
		{fmt.Errorf("plan: %w", &plan.NothingToDoError{Reason: "x"}), ClassSkipped, 3},
		{&policy.DisabledError{Routine: "paused"}, ClassSkipped, 3},
		{fmt.Errorf("backup: %w", &policy.DisabledError{Routine: "paused"}), ClassSkipped, 3},
		{held, ClassSkipped, 3},
		{fmt.Errorf("prune: %w", held), ClassSkipped, 3},
		{&session.LockedError{Held: held, StaleAfter: time.Minute}, ClassSkipped, 3},
		{fmt.Errorf("backup: %w", &session.LockedError{Held: held, StaleAfter: time.Minute}), ClassSkipped, 3},
		// Some namespaces backed up, some not: partial, unless the failure
		// was a usage error.
		{&backupjob.PartialError{Failed: []string{"ns"}, Err: errors.New("ns failed")}, ClassPartial, 4},
		{fmt.Errorf("routine r: %w", &backupjob.PartialError{Failed: []string{"ns"}, Err: errors.New("ns failed")}), ClassPartial, 4},
		{&backupjob.PartialError{Failed: []string{"ns"}, Err: &backupjob.SliceCountError{Have: 4, Want: 3}}, ClassUsage, 2},
		// A failure of the storage or a secret agent is not the settings'.
		{fmt.Errorf("storage %q: %w", "s", errors.New("unreachable")), ClassFailed, 1},
	}
	for _, tt := range tests {
		if got := Kind(tt.err); got != tt.class {
			t.Errorf("Kind(%v) = %q, want %q", tt.err, got, tt.class)
		}
		if got := ExitCode(tt.err); got != tt.want {
			t.Errorf("ExitCode(%v) = %d, want %d", tt.err, got, tt.want)
		}
	}
	// Marking twice keeps one wrapper.
	u := AsUsage(Usage("x"))
	var ue *UsageError
	if !errors.As(u, &ue) || errors.Unwrap(ue) == nil || errors.As(errors.Unwrap(ue), new(*UsageError)) {
		t.Errorf("AsUsage wrapped a usage error again: %#v", u)
	}
	if AsUsage(nil) != nil {
		t.Error("AsUsage(nil) must be nil")
	}
}

// The help's exit-status block is the contract's table, one code a line,
// continuation lines indented under the meaning.
func TestHelp(t *testing.T) {
	want := `
Exit status:
  0    success
  1    the operation failed
  2    usage or configuration error (nothing was touched)
  3    skipped (routine locked, disabled, or no full backup to build on)
  4    partial: some namespaces succeeded, some failed
  129  interrupted by SIGHUP, 130 by SIGINT, 131 by SIGQUIT, 143 by SIGTERM
       (partial output removed unless backup --resumable, lock released)
`
	if got := Help(); got != want {
		t.Errorf("Help() =\n%s\nwant\n%s", got, want)
	}
}

func TestInterruptErrorNamesTheSignal(t *testing.T) {
	for sig, want := range map[string]string{
		"interrupt": "interrupted (SIGINT)", "terminated": "interrupted (SIGTERM)",
		"hangup": "interrupted (SIGHUP)", "quit": "interrupted (SIGQUIT)",
		"user defined signal 1": "interrupted (user defined signal 1)",
	} {
		if got := (&InterruptError{Signal: sig}).Error(); got != want {
			t.Errorf("signal %q: %q, want %q", sig, got, want)
		}
	}
}

// Final makes an error before any command ran a usage error, and one of a
// cancelled run the interrupt of the signal received.
func TestFinal(t *testing.T) {
	var sig atomic.Value
	sig.Store("terminated")
	var none atomic.Value
	failed := errors.New("boom")
	for _, tt := range []struct {
		name           string
		err            error
		ran, cancelled bool
		sig            *atomic.Value
		want           Class
		wantMsg        string
	}{
		{name: "success", err: nil, ran: true, want: ClassSuccess},
		{name: "a command's failure", err: failed, ran: true, want: ClassFailed, wantMsg: "boom"},
		{name: "cobra's check", err: failed, ran: false, want: ClassUsage, wantMsg: "boom"},
		{name: "a signal", err: failed, ran: true, cancelled: true, sig: &sig, want: ClassInterrupted, wantMsg: "interrupted (SIGTERM)"},
		{name: "cancelled, no signal recorded", err: failed, ran: true, cancelled: true, sig: &none, want: ClassFailed, wantMsg: "boom"},
		{name: "cancelled, no signal watched", err: failed, ran: true, cancelled: true, want: ClassFailed, wantMsg: "boom"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := Final(tt.err, tt.ran, tt.cancelled, tt.sig)
			if Kind(got) != tt.want || (got != nil && got.Error() != tt.wantMsg) {
				t.Fatalf("Final = %v (%s), want %s %q", got, Kind(got), tt.want, tt.wantMsg)
			}
		})
	}
}
