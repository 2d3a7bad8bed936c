package cluster

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	as "github.com/aerospike/aerospike-client-go/v8"
	"github.com/aerospike/aerospike-client-go/v8/types"
)

// SettingsError is a cluster entry whose settings cannot work together,
// found before connecting.
type SettingsError struct{ Err error }

func (e *SettingsError) Error() string { return e.Err.Error() }
func (e *SettingsError) Unwrap() error { return e.Err }

// checkAuth refuses an auth mode the client would refuse, saying what it
// needs.
func (s Settings) checkAuth() error {
	hasCert := s.TLS != nil && s.TLS.CertFile != "" && s.TLS.KeyFile != ""
	switch strings.ToUpper(s.AuthMode) {
	case "EXTERNAL":
		if s.TLS == nil {
			return &SettingsError{errors.New("auth-mode EXTERNAL sends the password in clear: it needs tls (give the cluster a tls section)")}
		}
	case "PKI":
		if s.User != "" || s.Password != "" {
			return &SettingsError{errors.New("auth-mode PKI logs in with the client certificate: give no user or password")}
		}
		if !hasCert {
			return &SettingsError{errors.New("auth-mode PKI logs in with the client certificate: it needs tls with cert-file and key-file")}
		}
	}
	return nil
}

// loginRefusal says why a secured cluster refused the login, naming the
// user; ok is false when err is no login refusal.
func (s Settings) loginRefusal(err error) (msg string, ok bool) {
	var ae as.Error
	if !errors.As(err, &ae) {
		return "", false
	}
	who := fmt.Sprintf("login as %q refused", s.User)
	if strings.EqualFold(s.AuthMode, "PKI") {
		who = "login with the client certificate refused"
	}
	switch {
	case ae.Matches(types.INVALID_USER):
		return who + ": invalid user (no such user on the cluster)", true
	case ae.Matches(types.INVALID_PASSWORD, types.INVALID_CREDENTIAL):
		return who + ": invalid credential (wrong password)", true
	case ae.Matches(types.EXPIRED_PASSWORD):
		return who + ": the password has expired (set a new one)", true
	case ae.Matches(types.NOT_AUTHENTICATED) && s.User == "" && !strings.EqualFold(s.AuthMode, "PKI"):
		return "the cluster has security enabled and needs a login: give credentials (user and password, password-path or a secret agent)", true
	case ae.Matches(types.NOT_AUTHENTICATED):
		return who + ": not authenticated", true
	case ae.Matches(types.NOT_WHITELISTED):
		return who + ": this host's address is not on the user's allowlist", true
	}
	return "", false
}

// Privilege is something a run needs its user to be allowed.
type Privilege int

// The privileges a backup (ReadRecords) and a restore (the others) need.
const (
	WriteRecords Privilege = iota
	CreateIndexes
	RegisterUDFs
	ReadRecords
)

// action and needs say, for messages, what a privilege allows and which
// predefined roles grant it.
// A set names the set the records are in ("": the whole namespace).
func (p Privilege) action(ns, set string) (action, needs string) {
	where := fmt.Sprintf("namespace %q", ns)
	if set != "" {
		where = fmt.Sprintf("set %q of namespace %q", set, ns)
	}
	switch p {
	case CreateIndexes:
		return "create secondary indexes", "sindex-admin, data-admin or sys-admin"
	case RegisterUDFs:
		return "register UDFs", "udf-admin, data-admin or sys-admin"
	case ReadRecords:
		return "read " + where, "read, read-write or read-write-udf"
	}
	return "write to " + where, "read-write or write"
}

// PrivilegeError is a run its user may not do on a secured cluster.
type PrivilegeError struct {
	Cluster string // the cluster's label
	User    string // empty: a PKI login's, named by the certificate
	Action  string // "write to namespace \"bar\""
	Needs   string // the roles that would allow it
}

func (e *PrivilegeError) Error() string {
	who := fmt.Sprintf("user %q", e.User)
	if e.User == "" {
		who = "the client certificate's user"
	}
	return fmt.Sprintf("%s: role violation: %s may not %s (needs %s)", e.Cluster, who, e.Action, e.Needs)
}

// Check asks the cluster whether the connection's user may do p in
// namespace ns, without changing anything: a read is probed with the read
// of a record no one has, a write with its delete, an index or UDF with
// the removal of one that does not exist; a secured server refuses either
// with ROLE_VIOLATION before it looks. Records are probed in each of sets,
// the sets the run reads or writes (none: the whole namespace), so that a
// role limited to some sets passes for a run limited to them. A
// connection without credentials asks nothing (without security everyone
// may do everything).
func (c *Conn) Check(ns string, sets []string, p Privilege) error {
	if c == nil || c.Aerospike == nil || (c.settings.User == "" && !strings.EqualFold(c.settings.AuthMode, "PKI")) {
		return nil
	}
	if len(sets) == 0 || (p != ReadRecords && p != WriteRecords) {
		sets = []string{""}
	}
	for _, set := range sets {
		refused, err := c.probe(ns, set, p)
		if err != nil || !refused {
			// A probe that could not ask proves nothing: the run itself will.
			continue
		}
		action, needs := p.action(ns, set)
		return &PrivilegeError{Cluster: c.settings.label(), User: c.settings.User, Action: action, Needs: needs}
	}
	return nil
}

// probeName is a name no record, index or UDF has.
func probeName() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return "aerobackup-probe-" + hex.EncodeToString(b[:])
}

func (c *Conn) probe(ns, set string, p Privilege) (refused bool, err error) {
	switch p {
	case ReadRecords, WriteRecords:
		key, err := as.NewKey(ns, set, probeName())
		if err != nil {
			return false, err
		}
		var aerr as.Error
		if p == ReadRecords {
			_, aerr = c.Aerospike.Get(nil, key)
		} else {
			_, aerr = c.Aerospike.Delete(nil, key)
		}
		return aerr != nil && aerr.Matches(types.ROLE_VIOLATION), nil
	case CreateIndexes:
		return c.infoRefused(fmt.Sprintf("sindex-delete:namespace=%s;indexname=%s", ns, probeName()))
	case RegisterUDFs:
		return c.infoRefused("udf-remove:filename=" + probeName() + ".lua")
	}
	return false, fmt.Errorf("unknown privilege %d", p)
}

// infoRefused sends cmd to one node: refused is its ROLE_VIOLATION answer.
func (c *Conn) infoRefused(cmd string) (bool, error) {
	node, err := c.Aerospike.Cluster().GetRandomNode()
	if err != nil {
		return false, err
	}
	res, err := node.RequestInfo(c.infoPolicy(), cmd)
	if err != nil {
		var ae as.Error
		return errors.As(err, &ae) && ae.Matches(types.ROLE_VIOLATION), nil
	}
	return strings.HasPrefix(res[cmd], fmt.Sprintf("ERROR:%d", types.ROLE_VIOLATION)), nil
}
