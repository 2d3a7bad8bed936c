package plan

import "fmt"

// RefusedError is a request a planner refuses before anything is touched:
// options that contradict the catalog, the policy or each other. outcome
// classes it as a usage error.
type RefusedError struct{ Err error }

func (e *RefusedError) Error() string { return e.Err.Error() }
func (e *RefusedError) Unwrap() error { return e.Err }

func refuse(format string, args ...any) error {
	return &RefusedError{Err: fmt.Errorf(format, args...)}
}

// NothingToDoError says the run has nothing to do and deliberately does
// nothing: no full to build an incremental on, no interrupted run to
// continue, or the one to continue may still be running. outcome classes
// it as a skip.
type NothingToDoError struct{ Reason string }

func (e *NothingToDoError) Error() string { return "skipped: " + e.Reason }

func nothingToDo(format string, args ...any) error {
	return &NothingToDoError{Reason: fmt.Sprintf(format, args...)}
}
