package gcsstore

import (
	"errors"
	"net"
	"net/http"
	"net/url"

	"cloud.google.com/go/auth"
	gcs "cloud.google.com/go/storage"
	"golang.org/x/oauth2"
	"google.golang.org/api/googleapi"

	"github.com/aerobackup/aerobackup/internal/storage"
)

// fail turns a client error from operation op on store path p into an
// Error that names the store, the object and, for the common failures,
// what to check.
func (s *Store) fail(op, p string, err error) error {
	what := ""
	if op != "open" && op != "credentials" {
		what = storage.Operation(op, p)
	}
	if e := storage.ContextError(s.name, what, err); e != nil {
		return e
	}
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
	case errors.Is(err, gcs.ErrBucketNotExist) || (op == "open" && status == http.StatusNotFound):
		return storage.Errorf(err, "%s: bucket %q not found (check bucket-name)", s.name, s.opts.BucketName)
	case errors.Is(err, gcs.ErrObjectNotExist) || status == http.StatusNotFound:
		return storage.NotFoundError(s.name, what, err)
	case status == http.StatusPreconditionFailed:
		return storage.ExistsError(s.name, what, err)
	case status == http.StatusUnauthorized || errors.As(err, &authErr) || errors.As(err, &tokenErr):
		return storage.Errorf(err, "%s: %swrong credentials (check key-file-path or key)", s.name, what)
	case status == http.StatusForbidden:
		return storage.Errorf(err, "%s: %saccess denied (check the service account's permissions on the bucket)", s.name, what)
	case op == "credentials":
		// Raised while building the client: the key could not be loaded.
		return storage.Errorf(err, "%s: cannot load credentials (check key-file-path or key, or GOOGLE_APPLICATION_CREDENTIALS): %v",
			s.name, err)
	case errors.As(err, &urlErr) || errors.As(err, &netErr):
		return storage.Errorf(err, "%s: %sendpoint unreachable (check endpoint and the network): %v", s.name, what, storage.RootCause(err))
	case api != nil:
		return storage.Errorf(err, "%s: %sHTTP %d: %s", s.name, what, api.Code, api.Message)
	default:
		return storage.OtherError(s.name, what, err)
	}
}
