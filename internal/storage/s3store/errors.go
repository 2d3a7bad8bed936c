package s3store

import (
	"errors"
	"net"
	"net/http"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/aerobackup/aerobackup/internal/storage"
)

// fail turns an SDK error from operation op on store path p into an Error
// that names the store, the object and, for the common failures, what to
// check.
func (s *Store) fail(op, p string, err error) error {
	what := ""
	if p != "" || op != "open" {
		what = storage.Operation(op, p)
	}
	if e := storage.ContextError(s.name, what, err); e != nil {
		return e
	}
	code, status := apiCode(err)
	var sendErr *smithyhttp.RequestSendError
	var signErr *v4.SigningError
	var netErr net.Error
	switch {
	case code == "NoSuchBucket" || (op == "open" && status == http.StatusNotFound):
		return storage.Errorf(err, "%s: bucket %q not found (check bucket name and s3-region)", s.name, s.opts.Bucket)
	case code == "NoSuchKey" || code == "NotFound" || status == http.StatusNotFound:
		return storage.NotFoundError(s.name, what, err)
	case code == "PreconditionFailed" || code == "ConditionalRequestConflict" ||
		status == http.StatusPreconditionFailed:
		return storage.ExistsError(s.name, what, err)
	case code == "InvalidAccessKeyId" || code == "SignatureDoesNotMatch":
		return storage.Errorf(err, "%s: %swrong credentials (check access-key-id and secret-access-key or s3-profile)", s.name, what)
	case code == "AccessDenied" || code == "Forbidden" || status == http.StatusForbidden:
		return storage.Errorf(err, "%s: %saccess denied (check credentials and the bucket's permissions)", s.name, what)
	case code == "PermanentRedirect" || code == "AuthorizationHeaderMalformed" ||
		status == http.StatusMovedPermanently:
		return storage.Errorf(err, "%s: %sbucket %q is in another region (check s3-region)", s.name, what, s.opts.Bucket)
	case errors.As(err, &signErr):
		return storage.Errorf(err, "%s: %sno credentials (set access-key-id and secret-access-key, s3-profile or AWS_* variables): %v",
			s.name, what, errors.Unwrap(signErr.Err))
	case errors.As(err, &sendErr) || errors.As(err, &netErr):
		return storage.Errorf(err, "%s: %sendpoint unreachable (check s3-endpoint-override, s3-region and the network): %v",
			s.name, what, storage.RootCause(err))
	case code != "":
		var api smithy.APIError
		errors.As(err, &api)
		return storage.Errorf(err, "%s: %s%s: %s", s.name, what, code, api.ErrorMessage())
	default:
		return storage.OtherError(s.name, what, err)
	}
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
