package azurestore

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"golang.org/x/oauth2"

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

// isCode reports whether err is a service error with one of codes.
func isCode(err error, codes ...string) bool {
	var re *azcore.ResponseError
	if !errors.As(err, &re) {
		return false
	}
	for _, c := range codes {
		if re.ErrorCode == c {
			return true
		}
	}
	return false
}

// fail turns a client error from operation op on store path p into an
// Error that names the store, the blob and, for the common failures, what
// to check.
func (s *Store) fail(op, p string, err error) error {
	what := ""
	if op != "open" {
		what = fmt.Sprintf("%s %q: ", op, clean(p))
	}
	e := &Error{err: err}
	var re *azcore.ResponseError
	status, code := 0, ""
	if errors.As(err, &re) {
		status, code = re.StatusCode, re.ErrorCode
	}
	var tokenErr *oauth2.RetrieveError
	var urlErr *url.Error
	var netErr net.Error
	switch {
	case errors.Is(err, context.Canceled):
		e.msg = fmt.Sprintf("%s: %s%v", s.name, what, context.Canceled)
	case errors.Is(err, context.DeadlineExceeded):
		e.msg = fmt.Sprintf("%s: %s%v", s.name, what, context.DeadlineExceeded)
	case code == "ContainerNotFound" || (op == "open" && status == http.StatusNotFound):
		e.msg = fmt.Sprintf("%s: container %q not found (check container-name)", s.name, s.opts.ContainerName)
	case code == "BlobNotFound" || status == http.StatusNotFound:
		e.kind = storage.ErrNotFound
		e.msg = fmt.Sprintf("%s: %snot found", s.name, what)
	case code == "BlobAlreadyExists" || code == "ConditionNotMet" || status == http.StatusPreconditionFailed:
		e.kind = storage.ErrExists
		e.msg = fmt.Sprintf("%s: %salready exists", s.name, what)
	case code == "AuthenticationFailed" || code == "InvalidAuthenticationInfo" ||
		status == http.StatusUnauthorized || errors.As(err, &tokenErr) || badSignature(re):
		e.msg = fmt.Sprintf("%s: %swrong credentials (check account-name and account-key, or tenant-id, client-id and client-secret)",
			s.name, what)
	case status == http.StatusForbidden:
		e.msg = fmt.Sprintf("%s: %saccess denied (check the identity's role on the container)", s.name, what)
	case errors.As(err, &urlErr) || errors.As(err, &netErr):
		e.msg = fmt.Sprintf("%s: %sendpoint unreachable (check endpoint and the network): %v", s.name, what, rootCause(err))
	case re != nil:
		e.msg = fmt.Sprintf("%s: %sHTTP %d %s", s.name, what, status, code)
	default:
		e.msg = fmt.Sprintf("%s: %s%v", s.name, what, err)
	}
	return e
}

// badSignature spots a rejected shared key on a HEAD request, whose answer
// has no body: Azure and Azurite then say so only in the status line
// ("Server failed to authenticate the request..."), Azurite with the code
// AuthorizationFailure.
func badSignature(re *azcore.ResponseError) bool {
	return re != nil && re.StatusCode == http.StatusForbidden && re.RawResponse != nil &&
		strings.Contains(re.RawResponse.Status, "failed to authenticate")
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
