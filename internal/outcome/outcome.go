// Package outcome owns the classes of a run's result (success, failure,
// usage error, skipped, partial, interrupted) and the one mapping from an
// error to its class (Kind), which the exit status documented in CLI.md,
// the --json error document, the metrics and the help's exit-status table
// all follow. Domain packages return their own typed errors (a bad config,
// a refused plan, a held lock, a partial backup) and never choose an exit
// class; Kind is where those become usage errors, skips or partial runs.
// It must not log or print.
package outcome

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/aerobackup/aerobackup/internal/backupjob"
	"github.com/aerobackup/aerobackup/internal/backupslice"
	"github.com/aerobackup/aerobackup/internal/cluster"
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

// Exit statuses from the command contract.
const (
	ExitOK          = 0
	ExitFailed      = 1
	ExitUsage       = 2
	ExitSkipped     = 3
	ExitPartial     = 4
	ExitHangup      = 129 // SIGHUP: the terminal or SSH session went away
	ExitInterrupted = 130 // SIGINT
	ExitQuit        = 131 // SIGQUIT
	ExitTerminated  = 143 // SIGTERM
)

// signalExits maps a stopping signal's name (Go's os.Signal String) to its
// exit status, 128 + the signal number as shells report it.
var signalExits = map[string]int{
	"hangup":     ExitHangup,
	"interrupt":  ExitInterrupted,
	"quit":       ExitQuit,
	"terminated": ExitTerminated,
}

// UsageError is a bad flag, argument or configuration: nothing was touched.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// Usage wraps err (or a formatted message) as a usage/configuration error.
func Usage(format string, args ...any) error {
	return &UsageError{Err: fmt.Errorf(format, args...)}
}

// AsUsage marks an existing error as a usage/configuration error.
func AsUsage(err error) error {
	if err == nil {
		return nil
	}
	var u *UsageError
	if errors.As(err, &u) {
		return err
	}
	return &UsageError{Err: err}
}

// SkipError means the command deliberately did nothing; the domain
// packages have their own (isSkip).
type SkipError struct{ Reason string }

func (e *SkipError) Error() string { return "skipped: " + e.Reason }

// Skip builds a SkipError.
func Skip(format string, args ...any) error {
	return &SkipError{Reason: fmt.Sprintf(format, args...)}
}

// InterruptError records the signal that stopped the run.
type InterruptError struct {
	Signal string // "hangup", "interrupt", "quit" or "terminated"
}

// Error names the signal as people know it: "interrupted (SIGINT)".
func (e *InterruptError) Error() string {
	name, ok := signalNames[e.Signal]
	if !ok {
		name = e.Signal
	}
	return "interrupted (" + name + ")"
}

// Final is the error a command line ends with: err of a command that
// never ran (ran false) is cobra's check of the command line, a usage
// error; err of a run whose context was cancelled is the interrupt of the
// signal sig holds, when it holds one.
func Final(err error, ran, cancelled bool, sig *atomic.Value) error {
	if err == nil {
		return nil
	}
	if !ran {
		err = AsUsage(err)
	}
	if cancelled && sig != nil {
		if s, ok := sig.Load().(string); ok {
			err = &InterruptError{Signal: s}
		}
	}
	return err
}

// signalNames maps Go's name of a stopping signal to its SIG name.
var signalNames = map[string]string{
	"hangup": "SIGHUP", "interrupt": "SIGINT", "quit": "SIGQUIT", "terminated": "SIGTERM",
}

// Class is what became of a run, as the exit status, a --json error's
// "kind" and the metrics all tell it.
type Class string

// The classes of a run's result; the strings are the --json error kinds.
const (
	ClassSuccess     Class = "success"
	ClassFailed      Class = "error"
	ClassUsage       Class = "usage"
	ClassSkipped     Class = "skipped"
	ClassPartial     Class = "partial"
	ClassInterrupted Class = "interrupted"
)

// Kind classifies the error a command returned. It is the one place that
// decides: ExitCode, the --json error document, the metrics outcome and
// the help's exit-status table all follow it.
func Kind(err error) Class {
	if err == nil {
		return ClassSuccess
	}
	switch {
	case errors.As(err, new(*InterruptError)):
		return ClassInterrupted
	case errors.As(err, new(*UsageError)), isBadSetting(err):
		return ClassUsage
	case isSkip(err):
		return ClassSkipped
	case errors.As(err, new(*backupjob.PartialError)):
		return ClassPartial
	case errors.Is(err, context.Canceled):
		return ClassInterrupted
	}
	return ClassFailed
}

// isBadSetting: a domain package's error for a bad config, flag, setting
// or request, found before anything was touched.
func isBadSetting(err error) bool {
	return errors.As(err, new(config.Errors)) || errors.As(err, new(*config.Error)) ||
		errors.As(err, new(*config.FileError)) || errors.As(err, new(*config.LookupError)) ||
		errors.As(err, new(*policy.InvalidError)) || errors.As(err, new(*secret.ConfigError)) ||
		errors.As(err, new(*backend.ConfigError)) || errors.As(err, new(*backend.URLError)) ||
		errors.As(err, new(*routine.RequestError)) || errors.As(err, new(*plan.RefusedError)) ||
		errors.As(err, new(*session.OptionError)) || errors.As(err, new(*schedule.RefusedError)) || errors.As(err, new(*backupjob.SliceCountError)) ||
		errors.As(err, new(*backupslice.FlagError)) || errors.As(err, new(*cluster.SettingsError))
}

// isSkip: the run deliberately did nothing: the command's own reason, the
// planner's (nothing to build on or continue), a disabled routine or
// another run's lock.
func isSkip(err error) bool {
	return errors.As(err, new(*SkipError)) || errors.As(err, new(*plan.NothingToDoError)) ||
		errors.As(err, new(*policy.DisabledError)) || errors.Is(err, lock.ErrHeld)
}

// classExits is each class's exit status; an interrupted run's depends on
// the signal (signalExits), SIGINT's when it is not known.
var classExits = map[Class]int{
	ClassSuccess:     ExitOK,
	ClassFailed:      ExitFailed,
	ClassUsage:       ExitUsage,
	ClassSkipped:     ExitSkipped,
	ClassPartial:     ExitPartial,
	ClassInterrupted: ExitInterrupted,
}

// ExitCode maps an error returned by a command to the process exit status.
func ExitCode(err error) int {
	c := Kind(err)
	var i *InterruptError
	if c == ClassInterrupted && errors.As(err, &i) {
		if code, ok := signalExits[i.Signal]; ok {
			return code
		}
	}
	return classExits[c]
}

// Statuses is the exit-status table of the command contract, in order, as
// every command's help ends with it.
var Statuses = []struct {
	Codes   string
	Meaning string
}{
	{"0", "success"},
	{"1", "the operation failed"},
	{"2", "usage or configuration error (nothing was touched)"},
	{"3", "skipped (routine locked, disabled, or no full backup to build on)"},
	{"4", "partial: some namespaces succeeded, some failed"},
	{"129", "interrupted by SIGHUP, 130 by SIGINT, 131 by SIGQUIT, 143 by SIGTERM\n(partial output removed unless backup --resumable, lock released)"},
}

// Help renders Statuses as the "Exit status:" block of a command's help.
func Help() string {
	var b strings.Builder
	b.WriteString("\nExit status:\n")
	for _, s := range Statuses {
		for i, line := range strings.Split(s.Meaning, "\n") {
			code := s.Codes
			if i > 0 {
				code = ""
			}
			fmt.Fprintf(&b, "  %-4s %s\n", code, line)
		}
	}
	return b.String()
}
