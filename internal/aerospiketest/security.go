package aerospiketest

import (
	"crypto/rand"
	"crypto/subtle"
	"crypto/tls"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"net"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aerospike/aerospike-client-go/v8/pkg/bcrypt"
)

// Security turns on the server's access control, as an Enterprise server
// with security enabled: a connection must log in (or authenticate with a
// session token) before any data or info command, and each command needs
// a privilege one of the user's roles grants.
type Security struct {
	// Users who may log in.
	Users []User
	// SessionTTL is how long a login's session token is good for; default
	// 24h, the real server's session-ttl default.
	SessionTTL time.Duration
	// External accepts EXTERNAL logins (the clear password an LDAP server
	// would check) against the same users, standing in for LDAP.
	External bool
	// PeerIdentity names the user a connection proved at the transport
	// (PKI: the verified client certificate's common name), asked at a
	// LOGIN without a user. Nil: the common name of the verified chain of
	// a connection that tells its TLS state (*tls.Conn), if any.
	PeerIdentity func(c net.Conn) (user string, ok bool)
}

// User is one user of a secured server.
type User struct {
	Name     string
	Password string
	// Roles are predefined role names: read, write, read-write,
	// read-write-udf, truncate, sindex-admin, udf-admin, data-admin,
	// sys-admin, user-admin. The data roles (read, write, read-write,
	// read-write-udf, truncate) may be scoped to a namespace or a set of
	// one, written as aql writes a privilege: "read-write.test" or
	// "read.test.alpha"; the others are global only, as on a real server.
	Roles []string
}

// Result codes of the security protocol (the client's types package).
const (
	rcSecurityNotEnabled = 52
	rcInvalidCommand     = 54
	rcInvalidUser        = 60
	rcInvalidCredential  = 65
	rcExpiredSession     = 66
	rcNotAuthenticated   = 80
	rcRoleViolation      = 81
)

// Admin commands and fields (the client's admin_command.go).
const (
	adminAuthenticate  = 0
	adminLogin         = 20
	adminUser          = 0
	adminCredential    = 3
	adminClearPassword = 4
	adminSessionToken  = 5
	adminSessionTTL    = 6
	adminHeaderSize    = 16
)

// passwordSalt is the fixed bcrypt salt the client hashes passwords
// with: the credential on the wire is the same for every login.
const passwordSalt = "$2a$10$7EqJtq98hPqEX7fNZaFWoO"

// perm is a set of privileges.
type perm uint16

const (
	permRead perm = 1 << iota
	permWrite
	permUDFApply
	permTruncate
	permSindexAdmin
	permUDFAdmin
	permSetConfig
	permUserAdmin
)

// rolePerms are the predefined roles.
var rolePerms = map[string]perm{
	"read":           permRead,
	"write":          permWrite,
	"read-write":     permRead | permWrite,
	"read-write-udf": permRead | permWrite | permUDFApply,
	"truncate":       permTruncate,
	"sindex-admin":   permSindexAdmin,
	"udf-admin":      permUDFAdmin,
	"data-admin":     permTruncate | permSindexAdmin | permUDFAdmin,
	"sys-admin":      permTruncate | permSindexAdmin | permUDFAdmin | permSetConfig,
	"user-admin":     permUserAdmin,
}

// Roles lists the predefined role names, sorted.
func Roles() []string {
	names := make([]string, 0, len(rolePerms))
	for r := range rolePerms {
		names = append(names, r)
	}
	sort.Strings(names)
	return names
}

type secUser struct {
	name       string
	credential []byte // bcrypt of the password with the client's salt
	roles      []string
	grants     []grant
}

// grant is a role's privileges in its scope: ns "" is global, set "" the
// whole namespace.
type grant struct {
	perms   perm
	ns, set string
}

// scopable are the privileges a role may grant in a namespace or set.
const scopable = permRead | permWrite | permUDFApply | permTruncate

// covers reports whether g allows need in namespace ns, set set.
func (g grant) covers(need perm, ns, set string) bool {
	return g.perms&need == need && (g.ns == "" || g.ns == ns) && (g.set == "" || g.set == set)
}

// parseRole reads "role", "role.ns" or "role.ns.set".
func parseRole(user, r string) (grant, error) {
	name, scope, scoped := strings.Cut(r, ".")
	p, ok := rolePerms[name]
	if !ok {
		return grant{}, fmt.Errorf("aerospiketest: user %q: unknown role %q (want one of %s)", user, name, strings.Join(Roles(), ", "))
	}
	g := grant{perms: p}
	if !scoped {
		return g, nil
	}
	if p&^scopable != 0 {
		return grant{}, fmt.Errorf("aerospiketest: user %q: role %q is global only: it cannot be scoped to %q", user, name, scope)
	}
	g.ns, g.set, _ = strings.Cut(scope, ".")
	if g.ns == "" || strings.Contains(g.set, ".") {
		return grant{}, fmt.Errorf("aerospiketest: user %q: role %q: want role, role.namespace or role.namespace.set", user, r)
	}
	return g, nil
}

type session struct {
	user    string
	expires time.Time
}

// securityState is the server's user table and sessions.
type securityState struct {
	on       atomic.Bool
	mu       sync.Mutex
	users    map[string]*secUser
	sessions map[string]session
	ttl      time.Duration
	external bool
	identity func(net.Conn) (string, bool)
	logins   atomic.Int64
	tokens   atomic.Int64
	refused  atomic.Int64
}

// connAuth is what one connection proved: nil user until it logs in.
type connAuth struct {
	conn net.Conn
	user *secUser
}

func (s *Server) newConnAuth(c net.Conn) *connAuth { return &connAuth{conn: c} }

// EnableSecurity turns access control on with sec's users (replacing any
// earlier ones); connections already open must log in from now on.
func (s *Server) EnableSecurity(sec Security) error {
	users := map[string]*secUser{}
	for _, u := range sec.Users {
		su, err := newSecUser(u)
		if err != nil {
			return err
		}
		users[u.Name] = su
	}
	st := &s.sec
	st.mu.Lock()
	st.users = users
	st.sessions = map[string]session{}
	st.ttl = sec.SessionTTL
	if st.ttl <= 0 {
		st.ttl = 24 * time.Hour
	}
	st.external = sec.External
	st.identity = sec.PeerIdentity
	st.mu.Unlock()
	st.on.Store(true)
	return nil
}

// DisableSecurity turns access control off again.
func (s *Server) DisableSecurity() { s.sec.on.Store(false) }

// SecurityEnabled reports whether connections must log in.
func (s *Server) SecurityEnabled() bool { return s.sec.on.Load() }

// AddUser adds (or replaces) a user of the secured server.
func (s *Server) AddUser(u User) error {
	su, err := newSecUser(u)
	if err != nil {
		return err
	}
	s.sec.mu.Lock()
	defer s.sec.mu.Unlock()
	if s.sec.users == nil {
		s.sec.users = map[string]*secUser{}
	}
	s.sec.users[u.Name] = su
	return nil
}

// DropUser removes a user and ends its sessions.
func (s *Server) DropUser(name string) {
	s.sec.mu.Lock()
	defer s.sec.mu.Unlock()
	delete(s.sec.users, name)
	for tok, ss := range s.sec.sessions {
		if ss.user == name {
			delete(s.sec.sessions, tok)
		}
	}
}

// SessionTokens are the session tokens the server issued and still
// honours (for tests that prove no token leaks into output).
func (s *Server) SessionTokens() []string {
	s.sec.mu.Lock()
	defer s.sec.mu.Unlock()
	out := make([]string, 0, len(s.sec.sessions))
	for tok := range s.sec.sessions {
		out = append(out, tok)
	}
	sort.Strings(out)
	return out
}

// SecurityStats counts what a secured server saw.
type SecurityStats struct {
	Logins          int64 // successful LOGIN commands
	Authentications int64 // connections admitted by a session token
	Refused         int64 // commands refused for want of a login or privilege
}

// SecurityStats returns the security counters.
func (s *Server) SecurityStats() SecurityStats {
	return SecurityStats{Logins: s.sec.logins.Load(), Authentications: s.sec.tokens.Load(), Refused: s.sec.refused.Load()}
}

func newSecUser(u User) (*secUser, error) {
	if u.Name == "" {
		return nil, fmt.Errorf("aerospiketest: a user needs a name")
	}
	var grants []grant
	for _, r := range u.Roles {
		g, err := parseRole(u.Name, r)
		if err != nil {
			return nil, err
		}
		grants = append(grants, g)
	}
	su := &secUser{name: u.Name, roles: slices.Clone(u.Roles), grants: grants}
	if u.Password != "" {
		h, err := credentialOf(u.Password)
		if err != nil {
			return nil, fmt.Errorf("aerospiketest: user %q: hash password: %w", u.Name, err)
		}
		su.credential = h
	}
	return su, nil
}

// credentials caches credentialOf: with the salt fixed the hash is too,
// and bcrypt's cost (deliberately) dominates a test's logins.
var credentials sync.Map // password -> []byte

// credentialOf is the credential the client sends for password.
func credentialOf(password string) ([]byte, error) {
	if h, ok := credentials.Load(password); ok {
		return h.([]byte), nil
	}
	h, err := bcrypt.Hash(password, passwordSalt)
	if err != nil {
		return nil, err
	}
	credentials.Store(password, []byte(h))
	return []byte(h), nil
}

// adminField is one field of a security message.
type adminField struct {
	id   byte
	data []byte
}

// parseAdmin splits a security message body (after the proto header):
// 16 header bytes (command at 2, field count at 3), then fields of a
// 4-byte length (counting the id), an id byte and the data.
func parseAdmin(b []byte) (cmd byte, fields []adminField, err error) {
	if len(b) < adminHeaderSize {
		return 0, nil, errShort
	}
	cmd, n := b[2], int(b[3])
	p := adminHeaderSize
	for range n {
		if p+5 > len(b) {
			return 0, nil, errShort
		}
		sz := int(binary.BigEndian.Uint32(b[p:]))
		if sz < 1 || p+4+sz > len(b) {
			return 0, nil, errShort
		}
		fields = append(fields, adminField{id: b[p+4], data: b[p+5 : p+4+sz]})
		p += 4 + sz
	}
	return cmd, fields, nil
}

func adminValue(fields []adminField, id byte) ([]byte, bool) {
	for _, f := range fields {
		if f.id == id {
			return f.data, true
		}
	}
	return nil, false
}

// adminReply is a security message answer with a result code and fields.
func adminReply(rc byte, fields ...adminField) []byte {
	out := make([]byte, adminHeaderSize)
	out[1] = rc
	out[3] = byte(len(fields))
	for _, f := range fields {
		out = binary.BigEndian.AppendUint32(out, uint32(len(f.data)+1))
		out = append(out, f.id)
		out = append(out, f.data...)
	}
	return out
}

// securityCommand answers LOGIN and AUTHENTICATE; other admin commands
// (user and role management) are not spoken here.
func (s *Server) securityCommand(a *connAuth, body []byte) []byte {
	cmd, fields, err := parseAdmin(body)
	if err != nil {
		return adminReply(rcParameter)
	}
	switch cmd {
	case adminLogin:
		u, rc := s.sec.login(a.conn, fields)
		if rc != rcOK {
			return adminReply(rc)
		}
		a.user = u
		tok, ttl := s.sec.newSession(u.name, s.clock.now())
		var ttlField [4]byte
		binary.BigEndian.PutUint32(ttlField[:], uint32(ttl.Seconds()))
		return adminReply(rcOK, adminField{adminSessionToken, []byte(tok)}, adminField{adminSessionTTL, ttlField[:]})
	case adminAuthenticate:
		u, rc := s.sec.authenticate(a.conn, fields, s.clock.now())
		if rc == rcOK {
			a.user = u
		}
		return adminReply(rc)
	}
	if a.user == nil {
		return adminReply(rcNotAuthenticated)
	}
	return adminReply(rcInvalidCommand)
}

// userOf is the user a LOGIN or AUTHENTICATE names: its user field, or,
// without one (PKI), the connection's verified certificate; ok is false
// when there is neither.
func (st *securityState) userOf(c net.Conn, fields []adminField) (name []byte, hasUser, ok bool) {
	if name, hasUser = adminValue(fields, adminUser); hasUser {
		return name, true, true
	}
	id, ok := st.peerIdentity(c)
	return []byte(id), false, ok
}

// login checks a LOGIN's credential: the bcrypt hash (INTERNAL), the
// clear password (EXTERNAL, when the server takes external logins), or
// no field at all (PKI: the connection's certificate names the user).
func (st *securityState) login(c net.Conn, fields []adminField) (*secUser, byte) {
	name, hasUser, ok := st.userOf(c, fields)
	if !ok {
		return nil, rcNotAuthenticated
	}
	st.mu.Lock()
	u := st.users[string(name)]
	external := st.external
	st.mu.Unlock()
	if u == nil {
		return nil, rcInvalidUser
	}
	if !hasUser {
		st.logins.Add(1)
		return u, rcOK
	}
	if clear, isExternal := adminValue(fields, adminClearPassword); isExternal && external {
		h, err := credentialOf(string(clear))
		if err != nil || !credentialMatches(u, h) {
			return nil, rcInvalidCredential
		}
		st.logins.Add(1)
		return u, rcOK
	}
	cred, _ := adminValue(fields, adminCredential)
	if !credentialMatches(u, cred) {
		return nil, rcInvalidCredential
	}
	st.logins.Add(1)
	return u, rcOK
}

func credentialMatches(u *secUser, cred []byte) bool {
	return len(u.credential) > 0 && subtle.ConstantTimeCompare(u.credential, cred) == 1
}

// authenticate checks an AUTHENTICATE: a session token a login issued
// (for its user), or, as older clients send, the user's credential.
func (st *securityState) authenticate(c net.Conn, fields []adminField, now time.Time) (*secUser, byte) {
	name, _, ok := st.userOf(c, fields)
	if !ok {
		return nil, rcNotAuthenticated
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	u := st.users[string(name)]
	if u == nil {
		return nil, rcInvalidUser
	}
	if tok, ok := adminValue(fields, adminSessionToken); ok {
		ss, known := st.sessions[string(tok)]
		switch {
		case !known || ss.user != u.name:
			return nil, rcInvalidCredential
		case !now.Before(ss.expires):
			delete(st.sessions, string(tok))
			return nil, rcExpiredSession
		}
		st.tokens.Add(1)
		return u, rcOK
	}
	if cred, ok := adminValue(fields, adminCredential); ok && credentialMatches(u, cred) {
		return u, rcOK
	}
	return nil, rcInvalidCredential
}

func (st *securityState) newSession(user string, now time.Time) (string, time.Duration) {
	var raw [24]byte
	if _, err := rand.Read(raw[:]); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	tok := hex.EncodeToString(raw[:])
	st.mu.Lock()
	defer st.mu.Unlock()
	st.sessions[tok] = session{user: user, expires: now.Add(st.ttl)}
	return tok, st.ttl
}

// peerIdentity is the user a connection's transport vouches for.
func (st *securityState) peerIdentity(c net.Conn) (string, bool) {
	st.mu.Lock()
	fn := st.identity
	st.mu.Unlock()
	if fn != nil {
		return fn(c)
	}
	return verifiedCommonName(c)
}

// verifiedCommonName is the common name of a TLS connection's verified
// client certificate: a *tls.Conn, or any connection that tells its TLS
// state (a wrapper embedding one).
func verifiedCommonName(c net.Conn) (string, bool) {
	tc, ok := c.(interface{ ConnectionState() tls.ConnectionState })
	if !ok {
		return "", false
	}
	chains := tc.ConnectionState().VerifiedChains
	if len(chains) == 0 || len(chains[0]) == 0 || chains[0][0].Subject.CommonName == "" {
		return "", false
	}
	return chains[0][0].Subject.CommonName, true
}

// infoNotAuthenticated is a secured server's whole answer to info
// requests on a connection that has not logged in.
const infoNotAuthenticated = "ERROR:80:not authenticated\n"

// infoPerms are the info commands that need more than a login.
var infoPerms = map[string]perm{
	"sindex-create":      permSindexAdmin,
	"sindex-delete":      permSindexAdmin,
	"udf-put":            permUDFAdmin,
	"udf-remove":         permUDFAdmin,
	"truncate":           permTruncate,
	"truncate-namespace": permTruncate,
	"truncate-undo":      permTruncate,
	"set-config":         permSetConfig,
}

// securedInfo answers an info request on a secured server: nothing before
// a login, and each command the user lacks the privilege for refused
// with ROLE_VIOLATION in its place.
func (s *Server) securedInfo(a *connAuth, body []byte) []byte {
	if !s.sec.on.Load() {
		return s.handleInfo(body)
	}
	if a.user == nil {
		s.sec.refused.Add(1)
		return []byte(infoNotAuthenticated)
	}
	cmds := strings.Split(strings.TrimRight(string(body), "\n"), "\n")
	refuse := false
	for _, c := range cmds {
		if !a.may(infoPerm(c), "", "") {
			refuse = true
		}
	}
	if !refuse {
		return s.handleInfo(body)
	}
	var out []byte
	for _, c := range cmds {
		if c == "" {
			continue
		}
		if need := infoPerm(c); !a.may(need, "", "") {
			s.sec.refused.Add(1)
			out = fmt.Appendf(out, "%s\tERROR:%d:role violation\n", c, rcRoleViolation)
			continue
		}
		out = append(out, s.handleInfo([]byte(c+"\n"))...)
	}
	return out
}

func infoPerm(cmd string) perm {
	name, _, _ := strings.Cut(cmd, ":")
	return infoPerms[name]
}

// may reports whether the user's roles allow need in namespace ns, set
// set (info commands ask with no namespace: a global grant). Each
// privilege of need may come from a different role.
func (a *connAuth) may(need perm, ns, set string) bool {
	if need == 0 {
		return true
	}
	if a.user == nil {
		return false
	}
	for bit := perm(1); bit != 0 && bit <= need; bit <<= 1 {
		if need&bit == 0 {
			continue
		}
		if !slices.ContainsFunc(a.user.grants, func(g grant) bool { return g.covers(bit, ns, set) }) {
			return false
		}
	}
	return true
}

// msgRefusal is the result code a secured server refuses an AS_MSG
// request with (0: go ahead): NOT_AUTHENTICATED before a login,
// ROLE_VIOLATION when a read, write or UDF needs a privilege the user
// lacks. A batch holding one write needs the write privilege.
func (s *Server) msgRefusal(a *connAuth, body []byte) byte {
	if !s.sec.on.Load() {
		return rcOK
	}
	if a.user == nil {
		s.sec.refused.Add(1)
		return rcNotAuthenticated
	}
	m, err := parseMessage(body)
	if err != nil {
		return rcOK // the handler answers the malformed request
	}
	if !a.mayMessage(m) {
		s.sec.refused.Add(1)
		return rcRoleViolation
	}
	return rcOK
}

// mayMessage reports whether the user may do what m asks, in the
// namespace and set it names: a read, a write or delete, a UDF, or a
// batch (each record of it in its own namespace and set).
func (a *connAuth) mayMessage(m *message) bool {
	ns, _ := m.field(fieldNamespace)
	set, _ := m.field(fieldSet)
	if _, ok := m.field(fieldUDFPackage); ok {
		return a.may(permUDFApply, string(ns), string(set))
	}
	if m.info1&info1Batch != 0 {
		data, ok := m.field(fieldBatchIndex)
		if !ok {
			return a.may(permRead, string(ns), string(set))
		}
		entries, err := parseBatch(data)
		if err != nil {
			return true // the handler answers the malformed batch
		}
		for _, e := range entries {
			need := permRead
			if e.req.isWrite() {
				need = permWrite
			}
			if !a.may(need, e.req.ns, e.req.set) {
				return false
			}
		}
		return true
	}
	if m.info2&(info2Write|info2Delete) != 0 {
		return a.may(permWrite, string(ns), string(set))
	}
	return a.may(permRead, string(ns), string(set))
}

// refusalMessage is the answer to a refused AS_MSG request: one last
// message carrying the result code, which single-record, batch and scan
// readers all take as the command's error.
func refusalMessage(rc byte) []byte {
	body := appendMessage(make([]byte, 8, 8+msgHeaderSize), msgHeader{info3: info3Last, resultCode: rc}, nil, nil)
	putProtoHeader(body, protoMsg, len(body)-8)
	return body
}
