// Package outcome owns the mapping from a run's result to the process exit
// status documented in CLI.md. Commands return these typed errors; only
// cmd/aerobackup turns them into an exit code.
package outcome

import (
	"context"
	"errors"
	"fmt"
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

// Interrupted reports whether an exit status means a signal stopped the run.
func Interrupted(code int) bool {
	switch code {
	case ExitHangup, ExitInterrupted, ExitQuit, ExitTerminated:
		return true
	}
	return false
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

// SkipError means the run deliberately did nothing (lock held, no base
// backup for an incremental, disabled routine).
type SkipError struct{ Reason string }

func (e *SkipError) Error() string { return "skipped: " + e.Reason }

// Skip builds a SkipError.
func Skip(format string, args ...any) error {
	return &SkipError{Reason: fmt.Sprintf(format, args...)}
}

// PartialError means some namespaces succeeded and some failed.
type PartialError struct {
	Failed []string // what failed, e.g. namespace names
	Err    error
}

func (e *PartialError) Error() string { return e.Err.Error() }
func (e *PartialError) Unwrap() error { return e.Err }

// InterruptError records the signal that stopped the run.
type InterruptError struct {
	Signal string // "hangup", "interrupt", "quit" or "terminated"
}

func (e *InterruptError) Error() string { return "interrupted by " + e.Signal }

// ExitCode maps an error returned by a command to the process exit status.
func ExitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	var (
		u *UsageError
		s *SkipError
		p *PartialError
		i *InterruptError
	)
	switch {
	case errors.As(err, &i):
		if code, ok := signalExits[i.Signal]; ok {
			return code
		}
		return ExitInterrupted
	case errors.As(err, &u):
		return ExitUsage
	case errors.As(err, &s):
		return ExitSkipped
	case errors.As(err, &p):
		return ExitPartial
	case errors.Is(err, context.Canceled):
		return ExitInterrupted
	}
	return ExitFailed
}
