package policy

import "fmt"

// InvalidError is a setting of the routine, its policy or the command line
// that backup-go would reject, or that contradicts another: found before
// anything is contacted.
type InvalidError struct{ Msg string }

func (e *InvalidError) Error() string { return e.Msg }

func invalid(format string, args ...any) error {
	return &InvalidError{Msg: fmt.Sprintf(format, args...)}
}

// DisabledError refuses to run a routine marked disabled: true, which the
// command was not forced to run.
type DisabledError struct{ Routine string }

func (e *DisabledError) Error() string {
	return fmt.Sprintf("skipped: routine %q is disabled in the config (use --force to run it anyway)", e.Routine)
}
