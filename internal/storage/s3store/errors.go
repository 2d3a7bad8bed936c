package s3store

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/aerobackup/aerobackup/internal/storage"
)

// Error is a storage failure with a one-line message. It unwraps to the
// storage sentinel (ErrNotFound, ErrExists) when there is one, and to the
// SDK error for callers that want the details.
type Error struct {
	msg  string
	kind error
	err  error
}

func (e *Error) Error() string { return e.msg }

// Unwrap returns the sentinel and the underlying SDK error.
func (e *Error) Unwrap() []error {
	if e.kind == nil {
		return []error{e.err}
	}
	return []error{e.kind, e.err}
}

// fail turns an SDK error from operation op on store path p into an Error
// that names the store, the object and, for the common failures, what to
// check.
func (s *Store) fail(op, p string, err error) error {
	what := ""
	if p != "" || op != "open" {
		what = fmt.Sprintf("%s %q: ", op, clean(p))
	}
	e := &Error{err: err}
	code, status := apiCode(err)
	var sendErr *smithyhttp.RequestSendError
	var signErr *v4.SigningError
	var netErr net.Error
	switch {
	case errors.Is(err, context.Canceled):
		e.msg = fmt.Sprintf("%s: %s%v", s.name, what, context.Canceled)
	case errors.Is(err, context.DeadlineExceeded):
		e.msg = fmt.Sprintf("%s: %s%v", s.name, what, context.DeadlineExceeded)
	case code == "NoSuchBucket" || (op == "open" && status == http.StatusNotFound):
		e.msg = fmt.Sprintf("%s: bucket %q not found (check bucket name and s3-region)", s.name, s.opts.Bucket)
	case code == "NoSuchKey" || code == "NotFound" || status == http.StatusNotFound:
		e.kind = storage.ErrNotFound
		e.msg = fmt.Sprintf("%s: %snot found", s.name, what)
	case code == "PreconditionFailed" || code == "ConditionalRequestConflict" ||
		status == http.StatusPreconditionFailed:
		e.kind = storage.ErrExists
		e.msg = fmt.Sprintf("%s: %salready exists", s.name, what)
	case code == "InvalidAccessKeyId" || code == "SignatureDoesNotMatch":
		e.msg = fmt.Sprintf("%s: %swrong credentials (check access-key-id and secret-access-key or s3-profile)", s.name, what)
	case code == "AccessDenied" || code == "Forbidden" || status == http.StatusForbidden:
		e.msg = fmt.Sprintf("%s: %saccess denied (check credentials and the bucket's permissions)", s.name, what)
	case code == "PermanentRedirect" || code == "AuthorizationHeaderMalformed" ||
		status == http.StatusMovedPermanently:
		e.msg = fmt.Sprintf("%s: %sbucket %q is in another region (check s3-region)", s.name, what, s.opts.Bucket)
	case errors.As(err, &signErr):
		e.msg = fmt.Sprintf("%s: %sno credentials (set access-key-id and secret-access-key, s3-profile or AWS_* variables): %v",
			s.name, what, errors.Unwrap(signErr.Err))
	case errors.As(err, &sendErr) || errors.As(err, &netErr):
		e.msg = fmt.Sprintf("%s: %sendpoint unreachable (check s3-endpoint-override, s3-region and the network): %v",
			s.name, what, rootCause(err))
	case code != "":
		var api smithy.APIError
		errors.As(err, &api)
		e.msg = fmt.Sprintf("%s: %s%s: %s", s.name, what, code, api.ErrorMessage())
	default:
		e.msg = fmt.Sprintf("%s: %s%v", s.name, what, err)
	}
	return e
}

// apiCode returns the S3 error code and HTTP status of err, if any.
func apiCode(err error) (string, int) {
	code := ""
	var api smithy.APIError
	if errors.As(err, &api) {
		code = api.ErrorCode()
	}
	status := 0
	var resp *awshttp.ResponseError
	if errors.As(err, &resp) {
		status = resp.HTTPStatusCode()
	}
	return code, status
}

func isNotFound(err error) bool {
	code, status := apiCode(err)
	return code == "NoSuchKey" || code == "NotFound" || status == http.StatusNotFound
}

// rootCause digs out the innermost useful error, e.g. "dial tcp ...:
// connection refused", which is what an operator needs to see.
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
