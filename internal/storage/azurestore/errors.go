package azurestore

import (
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"golang.org/x/oauth2"

	"github.com/aerobackup/aerobackup/internal/storage"
)

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
		what = storage.Operation(op, p)
	}
	if e := storage.ContextError(s.name, what, err); e != nil {
		return e
	}
	var re *azcore.ResponseError
	status, code := 0, ""
	if errors.As(err, &re) {
		status, code = re.StatusCode, re.ErrorCode
	}
	var tokenErr *oauth2.RetrieveError
	var urlErr *url.Error
	var netErr net.Error
	switch {
	case code == "ContainerNotFound" || (op == "open" && status == http.StatusNotFound):
		return storage.Errorf(err, "%s: container %q not found (check container-name)", s.name, s.opts.ContainerName)
	case code == "BlobNotFound" || status == http.StatusNotFound:
		return storage.NotFoundError(s.name, what, err)
	case code == "BlobAlreadyExists" || code == "ConditionNotMet" || status == http.StatusPreconditionFailed:
		return storage.ExistsError(s.name, what, err)
	case code == "AuthenticationFailed" || code == "InvalidAuthenticationInfo" ||
		status == http.StatusUnauthorized || errors.As(err, &tokenErr) || badSignature(re):
		return storage.Errorf(err, "%s: %swrong credentials (check account-name and account-key, or tenant-id, client-id and client-secret)",
			s.name, what)
	case status == http.StatusForbidden:
		return storage.Errorf(err, "%s: %saccess denied (check the identity's role on the container)", s.name, what)
	case errors.As(err, &urlErr) || errors.As(err, &netErr):
		return storage.Errorf(err, "%s: %sendpoint unreachable (check endpoint and the network): %v", s.name, what, storage.RootCause(err))
	case re != nil:
		return storage.Errorf(err, "%s: %sHTTP %d %s", s.name, what, status, code)
	default:
		return storage.OtherError(s.name, what, err)
	}
}

// badSignature spots a rejected shared key on a HEAD request, whose answer
// has no body: Azure and Azurite then say so only in the status line
// ("Server failed to authenticate the request..."), Azurite with the code
// AuthorizationFailure.
func badSignature(re *azcore.ResponseError) bool {
	return re != nil && re.StatusCode == http.StatusForbidden && re.RawResponse != nil &&
		strings.Contains(re.RawResponse.Status, "failed to authenticate")
}
