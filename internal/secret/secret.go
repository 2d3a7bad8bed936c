// Package secret owns resolving ABS secret-agent references
// ("secrets:<resource>:<key>") in config values through Aerospike Secret
// Agent, using backup-go's client.
//
// It must never put a secret value in an error, a log line or a cache that
// outlives the Resolver, and it does not decide which agent a field uses: the
// caller (with package config's CredentialsAgent, StorageAgent and
// Routine.SecretAgent) does.
package secret

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/aerobackup/aerobackup/internal/config"
	"github.com/aerospike/backup-go"
)

// IsReference reports whether value is a secret-agent reference rather than a
// literal.
func IsReference(value string) bool { return config.IsSecretRef(value) }

// Resolver resolves references through the config's named secret agents.
// It caches resolved values for its own lifetime (one CLI run), so a value
// used by several namespaces is fetched once.
type Resolver struct {
	agents map[string]*config.SecretAgent

	mu    sync.Mutex
	cache map[cacheKey]string
}

type cacheKey struct {
	agent *config.SecretAgent
	ref   string
}

// NewResolver returns a Resolver over the config's secret-agents section.
func NewResolver(agents map[string]*config.SecretAgent) *Resolver {
	return &Resolver{agents: agents, cache: map[cacheKey]string{}}
}

// Resolve returns value unchanged when it is not a reference; otherwise it
// asks the named agent. field is the YAML path of the value (for messages).
// Errors name the field, the reference and the agent, never a secret.
func (r *Resolver) Resolve(ctx context.Context, agentName, field, value string) (string, error) {
	if !IsReference(value) {
		return value, nil
	}
	if agentName == "" {
		return "", &ConfigError{Field: field, Msg: value + " is a secret-agent reference but no secret agent is configured for it"}
	}
	agent, ok := r.agents[agentName]
	if !ok {
		names := make([]string, 0, len(r.agents))
		for n := range r.agents {
			names = append(names, n)
		}
		sort.Strings(names)
		return "", &ConfigError{Field: field, Msg: fmt.Sprintf("secret agent %q is not defined (known: %s)", agentName, strings.Join(names, ", "))}
	}
	return r.ResolveWith(ctx, agent, field, value)
}

// ResolveWith resolves value through agent, which may be an inline
// secret-agent block of credentials or storage. A nil agent is an error
// only when value is a reference.
func (r *Resolver) ResolveWith(ctx context.Context, agent *config.SecretAgent, field, value string) (string, error) {
	if !IsReference(value) {
		return value, nil
	}
	if agent == nil {
		return "", &ConfigError{Field: field, Msg: value + " is a secret-agent reference but no secret agent is configured for it"}
	}
	key := cacheKey{agent, value}
	r.mu.Lock()
	cached, ok := r.cache[key]
	r.mu.Unlock()
	if ok {
		return cached, nil
	}

	got, err := backup.ParseSecret(ctx, AgentConfig(agent), value)
	if err != nil {
		return "", fmt.Errorf("%s: resolve %s with secret agent %s: %w (check that the agent is running and serves this resource and key)",
			field, value, describe(agent), scrub(err))
	}
	r.mu.Lock()
	r.cache[key] = got
	r.mu.Unlock()
	return got, nil
}

// ConfigError is a reference the config gives no usable agent for: the
// configuration's fault, where a failing agent's error is not.
type ConfigError struct {
	Field string // the YAML path of the value
	Msg   string
}

func (e *ConfigError) Error() string { return e.Field + ": " + e.Msg }

// AgentConfig builds backup-go's SecretAgentConfig from a config entry.
func AgentConfig(a *config.SecretAgent) *backup.SecretAgentConfig {
	conn := a.Connection()
	addr := a.Address
	timeout := int(a.TimeoutDuration().Milliseconds())
	return &backup.SecretAgentConfig{
		ConnectionType:     &conn,
		Address:            &addr,
		Port:               a.Port,
		TimeoutMillisecond: &timeout,
		CaFile:             a.TLSCAFile,
		IsBase64:           a.IsBase64,
	}
}

// describe names an agent for messages: its config name, or its address for
// an inline block.
func describe(a *config.SecretAgent) string {
	addr := a.Address
	if a.Port != nil {
		addr = fmt.Sprintf("%s:%d", a.Address, *a.Port)
	}
	if a.Name != "" {
		return fmt.Sprintf("%q (%s %s)", a.Name, a.Connection(), addr)
	}
	return fmt.Sprintf("(%s %s)", a.Connection(), addr)
}

// scrub drops error texts that could quote part of a reply (a JSON error
// from a malformed agent response); other errors (connection, timeout, the
// agent's own error message, base64 offsets) carry no secret and pass as is.
func scrub(err error) error {
	msg := err.Error()
	if strings.Contains(msg, "unmarshal") {
		return errors.New("secret agent sent a malformed reply")
	}
	return err
}
