package backupjob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"

	as "github.com/aerospike/aerospike-client-go/v8"
	"github.com/aerospike/aerospike-client-go/v8/types"

	"github.com/aerobackup/aerobackup/internal/policy"
	"github.com/aerobackup/aerobackup/internal/secret"
)

func TestRetryable(t *testing.T) {
	wrap := func(err error) error { return fmt.Errorf("namespace test: failed to start backup: %w", err) }
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nothing", nil, false},
		{"a timeout", wrap(as.ErrTimeout), true},
		{"a node gone", wrap(&as.AerospikeError{ResultCode: types.INVALID_NODE_ERROR}), true},
		{"a network error", wrap(&as.AerospikeError{ResultCode: types.NETWORK_ERROR}), true},
		{"a device overload", wrap(&as.AerospikeError{ResultCode: types.DEVICE_OVERLOAD}), true},
		{"a connection refused", wrap(&net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}), true},
		{"a connection reset", wrap(syscall.ECONNRESET), true},
		{"a stream cut", wrap(io.ErrUnexpectedEOF), true},
		{"an error of no known kind", errors.New("storage answered 503 Slow Down"), true},
		{"a namespace the cluster lacks", wrap(&as.AerospikeError{ResultCode: types.INVALID_NAMESPACE}), false},
		{"refused credentials", wrap(&as.AerospikeError{ResultCode: types.NOT_AUTHENTICATED}), false},
		{"a bad password", wrap(&as.AerospikeError{ResultCode: types.INVALID_CREDENTIAL}), false},
		{"a role without the privilege", wrap(&as.AerospikeError{ResultCode: types.ROLE_VIOLATION}), false},
		{"a bad parameter", wrap(&as.AerospikeError{ResultCode: types.PARAMETER_ERROR}), false},
		{"a key that cannot be had", wrap(&policy.KeyError{Err: errors.New("secret not found")}), false},
		{"a bad setting", wrap(&policy.InvalidError{}), false},
		{"no agent for a reference", wrap(&secret.ConfigError{Field: "key-secret", Msg: "no agent"}), false},
		{"a real node's answer for a namespace it lacks", errors.New("failed to create backup handler: failed to check if expression sindex exists: failed after 3 attempt(s): failed to parse sindexes response: command sindex-list:namespace=nosuch;b64=true failed: ERROR:20:namespace not found on node"), false},
		{"backup-go's missing secret", errors.New("failed to create backup handler: failed to resolve encryption key: failed to read PEM from secret agent: failed to read secret config key: failed to get secret from secret agent: secret not found"), false},
		{"backup-go's bad key file", errors.New("failed to create backup handler: failed to resolve encryption key: failed to decode PEM block containing private key"), false},
		{"a cancelled run", context.Canceled, true}, // the loop stops on the run's context first
	}
	for _, tt := range tests {
		if got := Retryable(tt.err); got != tt.want {
			t.Errorf("%s: Retryable(%v) = %v, want %v", tt.name, tt.err, got, tt.want)
		}
	}
}
