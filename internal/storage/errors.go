package storage

import (
	"context"
	"errors"
	"fmt"
	"net"
)

// Error is a cloud storage failure with a one-line message. It unwraps to
// the storage sentinel (ErrNotFound, ErrExists) when there is one, and to
// the client error for callers that want the details.
type Error struct {
	msg  string
	kind error
	err  error
}

func (e *Error) Error() string { return e.msg }

// Unwrap returns the sentinel and the underlying client error.
func (e *Error) Unwrap() []error {
	if e.kind == nil {
		return []error{e.err}
	}
	return []error{e.kind, e.err}
}

// Errorf returns an Error for the client error err, without a sentinel,
// whose message is format applied to args.
func Errorf(err error, format string, args ...any) *Error {
	return &Error{msg: fmt.Sprintf(format, args...), err: err}
}

// Operation returns the part of a message that names operation op on store
// path p, e.g. `read "a/b.yaml": `.
func Operation(op, p string) string {
	return fmt.Sprintf("%s %q: ", op, Clean(p))
}

// ContextError returns the Error of a cancelled or timed-out operation,
// or nil when err is neither. name is the store, what its Operation ("" for
// the store as a whole).
func ContextError(name, what string, err error) *Error {
	for _, c := range []error{context.Canceled, context.DeadlineExceeded} {
		if errors.Is(err, c) {
			return Errorf(err, "%s: %s%v", name, what, c)
		}
	}
	return nil
}

// NotFoundError returns the Error of a missing object; it unwraps to
// ErrNotFound.
func NotFoundError(name, what string, err error) *Error {
	e := Errorf(err, "%s: %snot found", name, what)
	e.kind = ErrNotFound
	return e
}

// ExistsError returns the Error of a create that found the object; it
// unwraps to ErrExists.
func ExistsError(name, what string, err error) *Error {
	e := Errorf(err, "%s: %salready exists", name, what)
	e.kind = ErrExists
	return e
}

// OtherError returns the Error of a failure no provider rule explains.
func OtherError(name, what string, err error) *Error {
	return Errorf(err, "%s: %s%v", name, what, err)
}

// RootCause digs out the innermost useful error, e.g. "dial tcp ...:
// connection refused", which is what an operator needs to see.
func RootCause(err error) error {
	for {
		if _, ok := err.(*net.OpError); ok {
			return err
		}
		u, ok := err.(interface{ Unwrap() error })
		if !ok || u.Unwrap() == nil {
			return err
		}
		err = u.Unwrap()
	}
}
