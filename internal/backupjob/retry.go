package backupjob

import (
	"errors"
	"strings"

	as "github.com/aerospike/aerospike-client-go/v8"
	"github.com/aerospike/aerospike-client-go/v8/types"

	"github.com/aerobackup/aerobackup/internal/policy"
	"github.com/aerobackup/aerobackup/internal/secret"
)

// permanentCodes are the server's answers that a namespace backup started
// again would get again: the namespace, the request or the credentials
// are wrong, whatever the network does.
var permanentCodes = []types.ResultCode{
	types.PARAMETER_ERROR, types.UNSUPPORTED_FEATURE, types.INVALID_NAMESPACE, types.ENTERPRISE_ONLY,
	types.SECURITY_NOT_SUPPORTED, types.SECURITY_NOT_ENABLED, types.INVALID_COMMAND, types.ILLEGAL_STATE,
	types.INVALID_USER, types.INVALID_PASSWORD, types.EXPIRED_PASSWORD, types.FORBIDDEN_PASSWORD,
	types.INVALID_CREDENTIAL, types.INVALID_ROLE, types.INVALID_PRIVILEGE, types.INVALID_WHITELIST,
	types.NOT_AUTHENTICATED, types.ROLE_VIOLATION, types.NOT_WHITELISTED,
}

// permanentTexts are backup-go's words for a key or secret it cannot get,
// where the error it wraps carries no type to test (the agent's answer),
// and a node's info answer for a namespace it does not have (code 20,
// INVALID_NAMESPACE, as text: backup-go asks for the namespace's indexes
// before it scans).
var permanentTexts = []string{
	"failed to resolve encryption key", "failed to read PEM", "failed to decode PEM", "failed to parse private key",
	"secret agent", "secret config not initialized", "ERROR:20:namespace not found",
}

// Retryable reports whether a failed namespace backup may succeed when
// started again, as the routine's retry-policy would: a connection lost,
// a timeout, an overloaded node or storage may pass. A missing key or
// secret, a namespace the cluster does not have, refused credentials, a
// request the server rejects or a bad setting will not, and are not
// retried. An error of no known kind is retried, as every error was
// before this distinction.
func Retryable(err error) bool {
	if err == nil {
		return false
	}
	var ae *as.AerospikeError
	switch {
	case errors.As(err, new(*policy.KeyError)), errors.As(err, new(*policy.InvalidError)),
		errors.As(err, new(*secret.ConfigError)), errors.As(err, new(*SliceCountError)):
		return false
	case errors.As(err, &ae) && ae.Matches(permanentCodes...):
		return false
	}
	msg := err.Error()
	for _, t := range permanentTexts {
		if strings.Contains(msg, t) {
			return false
		}
	}
	return true
}
