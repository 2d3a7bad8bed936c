package gcsstore

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"

	"cloud.google.com/go/auth"
	gcs "cloud.google.com/go/storage"
	"golang.org/x/oauth2"
	"google.golang.org/api/googleapi"

	"github.com/aerobackup/aerobackup/internal/storage"
)

// Error is a storage failure with a one-line message. It unwraps to the
// storage sentinel (ErrNotFound, ErrExists) when there is one, and to the
// client error for callers that want the details.
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

// fail turns a client error from operation op on store path p into an
// Error that names the store, the object and, for the common failures,
// what to check.
func (s *Store) fail(op, p string, err error) error {
	what := ""
	if op != "open" && op != "credentials" {
		what = fmt.Sprintf("%s %q: ", op, clean(p))
	}
	e := &Error{err: err}
	status := 0
	var api *googleapi.Error
	if errors.As(err, &api) {
		status = api.Code
	}
	var authErr *auth.Error
	var tokenErr *oauth2.RetrieveError
	var urlErr *url.Error
	var netErr net.Error
	switch {
	case errors.Is(err, context.Canceled):
		e.msg = fmt.Sprintf("%s: %s%v", s.name, what, context.Canceled)
	case errors.Is(err, context.DeadlineExceeded):
		e.msg = fmt.Sprintf("%s: %s%v", s.name, what, context.DeadlineExceeded)
	case errors.Is(err, gcs.ErrBucketNotExist) || (op == "open" && status == http.StatusNotFound):
		e.msg = fmt.Sprintf("%s: bucket %q not found (check bucket-name)", s.name, s.opts.BucketName)
	case errors.Is(err, gcs.ErrObjectNotExist) || status == http.StatusNotFound:
		e.kind = storage.ErrNotFound
		e.msg = fmt.Sprintf("%s: %snot found", s.name, what)
	case status == http.StatusPreconditionFailed:
		e.kind = storage.ErrExists
		e.msg = fmt.Sprintf("%s: %salready exists", s.name, what)
	case status == http.StatusUnauthorized || errors.As(err, &authErr) || errors.As(err, &tokenErr):
		e.msg = fmt.Sprintf("%s: %swrong credentials (check key-file-path or key)", s.name, what)
	case status == http.StatusForbidden:
		e.msg = fmt.Sprintf("%s: %saccess denied (check the service account's permissions on the bucket)", s.name, what)
	case op == "credentials":
		// Raised while building the client: the key could not be loaded.
		e.msg = fmt.Sprintf("%s: cannot load credentials (check key-file-path or key, or GOOGLE_APPLICATION_CREDENTIALS): %v",
			s.name, err)
	case errors.As(err, &urlErr) || errors.As(err, &netErr):
		e.msg = fmt.Sprintf("%s: %sendpoint unreachable (check endpoint and the network): %v", s.name, what, rootCause(err))
	case api != nil:
		e.msg = fmt.Sprintf("%s: %sHTTP %d: %s", s.name, what, api.Code, api.Message)
	default:
		e.msg = fmt.Sprintf("%s: %s%v", s.name, what, err)
	}
	return e
}

// rootCause digs out the innermost useful error, e.g. "dial tcp ...:
// connection refused".
func rootCause(err error) error {
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
