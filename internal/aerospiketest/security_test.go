package aerospiketest

import (
	"bufio"
	"encoding/binary"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	as "github.com/aerospike/aerospike-client-go/v8"
	"github.com/aerospike/aerospike-client-go/v8/types"
)

var testUsers = []User{
	{Name: "admin", Password: "admin-pw", Roles: []string{"read-write", "sys-admin"}},
	{Name: "writer", Password: "writer-pw", Roles: []string{"read-write"}},
	{Name: "reader", Password: "reader-pw", Roles: []string{"read"}},
}

func securedServer(t *testing.T, sec Security) *Server {
	t.Helper()
	if sec.Users == nil {
		sec.Users = testUsers
	}
	return NewServer(t, Options{Security: &sec})
}

// loginClient connects the v8 client as user.
func loginClient(srv *Server, user, password string) (*as.Client, error) {
	cp := as.NewClientPolicy()
	cp.Timeout = 10 * time.Second
	cp.User, cp.Password = user, password
	return as.NewClientWithPolicy(cp, srv.Host(), srv.Port())
}

func mustLogin(t *testing.T, srv *Server, user, password string) *as.Client {
	t.Helper()
	c, err := loginClient(srv, user, password)
	if err != nil {
		t.Fatalf("login as %s: %v", user, err)
	}
	t.Cleanup(c.Close)
	return c
}

func wantCode(t *testing.T, what string, err error, code types.ResultCode) {
	t.Helper()
	var ae as.Error
	if !errors.As(err, &ae) || !ae.Matches(code) {
		t.Fatalf("%s: %v, want %v", what, err, code)
	}
}

func TestSecurityLogin(t *testing.T) {
	srv := securedServer(t, Security{})
	for _, tc := range []struct {
		name, user, password string
		want                 types.ResultCode
	}{
		{"right password", "writer", "writer-pw", types.OK},
		{"wrong password", "writer", "nope", types.INVALID_CREDENTIAL},
		{"unknown user", "bob", "writer-pw", types.INVALID_USER},
		{"another user's password", "reader", "writer-pw", types.INVALID_CREDENTIAL},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := loginClient(srv, tc.user, tc.password)
			if tc.want == types.OK {
				if err != nil {
					t.Fatalf("login: %v", err)
				}
				c.Close()
				return
			}
			if err == nil {
				c.Close()
				t.Fatal("login succeeded")
			}
			wantCode(t, "login", err, tc.want)
		})
	}
}

func TestSecurityNoLoginRefused(t *testing.T) {
	srv := securedServer(t, Security{})
	cp := as.NewClientPolicy()
	cp.Timeout = 2 * time.Second
	c, err := as.NewClientWithPolicy(cp, srv.Host(), srv.Port())
	if err == nil {
		c.Close()
		t.Fatal("a client without credentials connected to a secured server")
	}
	wantCode(t, "connect without login", err, types.NOT_AUTHENTICATED)

	// On the wire: info and data both refused before a login.
	conn := dialRaw(t, srv)
	if got := conn.info(t, "namespaces"); got != infoNotAuthenticated {
		t.Fatalf("info before login = %q", got)
	}
	if rc := conn.get(t, "test"); rc != rcNotAuthenticated {
		t.Fatalf("get before login: result %d, want %d", rc, rcNotAuthenticated)
	}
}

func TestSecuritySessionTokenOnNewConnections(t *testing.T) {
	srv := securedServer(t, Security{})
	c := mustLogin(t, srv, "writer", "writer-pw")
	key, _ := as.NewKey("test", "s", "k")
	if err := c.Put(nil, key, as.BinMap{"a": 1}); err != nil {
		t.Fatal(err)
	}
	before := srv.SecurityStats()
	// Parallel commands open new connections: each authenticates with the
	// login's session token instead of logging in again.
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.Get(nil, key); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	after := srv.SecurityStats()
	if after.Logins != before.Logins {
		t.Errorf("logins went from %d to %d: new connections logged in again", before.Logins, after.Logins)
	}
	if after.Authentications <= before.Authentications {
		t.Errorf("no connection authenticated with the session token (%d)", after.Authentications)
	}
	if n := len(srv.SessionTokens()); n == 0 {
		t.Error("no session token issued")
	}
}

func TestSecurityTokens(t *testing.T) {
	srv := securedServer(t, Security{SessionTTL: time.Hour})
	srv.SetTime(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	conn := dialRaw(t, srv)
	rc, fields := conn.admin(t, adminLogin, adminField{adminUser, []byte("reader")}, adminField{adminCredential, credential(t, "reader-pw")})
	if rc != rcOK {
		t.Fatalf("login: result %d", rc)
	}
	tok, ok := adminValue(fields, adminSessionToken)
	if !ok || len(tok) == 0 {
		t.Fatalf("login reply has no session token: %v", fields)
	}
	ttl, ok := adminValue(fields, adminSessionTTL)
	if !ok || binary.BigEndian.Uint32(ttl) != 3600 {
		t.Fatalf("session TTL field = %v, want 3600 s", ttl)
	}
	if got := conn.info(t, "namespaces"); got != "namespaces\ttest;bar\n" {
		t.Fatalf("info after login = %q", got)
	}

	authOn := func(user string, token []byte) byte {
		c := dialRaw(t, srv)
		rc, _ := c.admin(t, adminAuthenticate, adminField{adminUser, []byte(user)}, adminField{adminSessionToken, token})
		if rc == rcOK {
			if got := c.get(t, "test"); got != rcKeyNotFound {
				t.Fatalf("get after AUTHENTICATE: result %d, want %d", got, rcKeyNotFound)
			}
		}
		return rc
	}
	if rc := authOn("reader", tok); rc != rcOK {
		t.Fatalf("token on a new connection: result %d", rc)
	}
	if rc := authOn("reader", []byte("not-a-token")); rc != rcInvalidCredential {
		t.Fatalf("bad token: result %d, want %d", rc, rcInvalidCredential)
	}
	if rc := authOn("writer", tok); rc != rcInvalidCredential {
		t.Fatalf("another user's token: result %d, want %d", rc, rcInvalidCredential)
	}
	srv.Advance(time.Hour)
	if rc := authOn("reader", tok); rc != rcExpiredSession {
		t.Fatalf("expired token: result %d, want %d", rc, rcExpiredSession)
	}
	if rc := authOn("reader", tok); rc != rcInvalidCredential {
		t.Fatalf("expired token again: result %d, want %d (forgotten)", rc, rcInvalidCredential)
	}
}

func TestSecurityExternalLogin(t *testing.T) {
	for _, external := range []bool{true, false} {
		srv := securedServer(t, Security{External: external})
		conn := dialRaw(t, srv)
		// The client sends the hash and the clear password in EXTERNAL mode;
		// the hash here is of another password so only the clear one counts.
		rc, _ := conn.admin(t, adminLogin, adminField{adminUser, []byte("reader")},
			adminField{adminCredential, credential(t, "other")}, adminField{adminClearPassword, []byte("reader-pw")})
		want := byte(rcOK)
		if !external {
			want = rcInvalidCredential
		}
		if rc != want {
			t.Fatalf("external=%v: EXTERNAL login: result %d, want %d", external, rc, want)
		}
		if !external {
			continue
		}
		rc, _ = dialRaw(t, srv).admin(t, adminLogin, adminField{adminUser, []byte("reader")},
			adminField{adminCredential, credential(t, "reader-pw")}, adminField{adminClearPassword, []byte("wrong")})
		if rc != rcInvalidCredential {
			t.Fatalf("EXTERNAL login with a wrong clear password: result %d", rc)
		}
	}
}

func TestSecurityPeerIdentity(t *testing.T) {
	var mu sync.Mutex
	vouched := map[string]string{} // local address of the client side -> CN
	srv := securedServer(t, Security{PeerIdentity: func(c net.Conn) (string, bool) {
		mu.Lock()
		defer mu.Unlock()
		cn, ok := vouched[c.RemoteAddr().String()]
		return cn, ok
	}})
	conn := dialRaw(t, srv)
	if rc, _ := conn.admin(t, adminLogin); rc != rcNotAuthenticated {
		t.Fatalf("PKI login without an identity: result %d, want %d", rc, rcNotAuthenticated)
	}
	for cn, want := range map[string]byte{"reader": rcOK, "mallory": rcInvalidUser} {
		c := dialRaw(t, srv)
		mu.Lock()
		vouched[c.LocalAddr().String()] = cn
		mu.Unlock()
		if rc, _ := c.admin(t, adminLogin); rc != want {
			t.Fatalf("PKI login as %s: result %d, want %d", cn, rc, want)
		}
	}
}

func TestSecurityPrivileges(t *testing.T) {
	srv := securedServer(t, Security{})
	admin := mustLogin(t, srv, "admin", "admin-pw")
	writer := mustLogin(t, srv, "writer", "writer-pw")
	reader := mustLogin(t, srv, "reader", "reader-pw")
	key, _ := as.NewKey("test", "s", "k")
	if err := writer.Put(nil, key, as.BinMap{"a": 1}); err != nil {
		t.Fatalf("read-write put: %v", err)
	}

	// read: get, batch get and scan work; writes of every kind do not.
	if _, err := reader.Get(nil, key); err != nil {
		t.Fatalf("read get: %v", err)
	}
	if _, err := reader.BatchGet(nil, []*as.Key{key}); err != nil {
		t.Fatalf("read batch get: %v", err)
	}
	rs, err := reader.ScanAll(nil, "test", "s")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for r := range rs.Results() {
		if r.Err != nil {
			t.Fatalf("read scan: %v", r.Err)
		}
		n++
	}
	if n != 1 {
		t.Fatalf("read scan: %d records, want 1", n)
	}
	wantCode(t, "read put", reader.Put(nil, key, as.BinMap{"a": 2}), types.ROLE_VIOLATION)
	_, err = reader.Delete(nil, key)
	wantCode(t, "read delete", err, types.ROLE_VIOLATION)
	err = reader.BatchOperate(nil, []as.BatchRecordIfc{as.NewBatchWrite(nil, key, as.PutOp(as.NewBin("a", 3)))})
	wantCode(t, "read batch write", err, types.ROLE_VIOLATION)
	wantCode(t, "read truncate", reader.Truncate(nil, "test", "", nil), types.ROLE_VIOLATION)

	// read-write: writes, but no index or UDF administration, no truncate.
	_, err = writer.CreateIndex(nil, "test", "s", "idx_a", "a", as.NUMERIC)
	wantCode(t, "read-write sindex-create", err, types.ROLE_VIOLATION)
	_, err = writer.RegisterUDF(nil, []byte("function f(r) return 1 end"), "f.lua", as.LUA)
	wantCode(t, "read-write udf-put", err, types.ROLE_VIOLATION)
	wantCode(t, "read-write truncate", writer.Truncate(nil, "test", "", nil), types.ROLE_VIOLATION)

	// sys-admin: all of it.
	task, err := admin.CreateIndex(nil, "test", "s", "idx_a", "a", as.NUMERIC)
	if err != nil {
		t.Fatalf("sys-admin sindex-create: %v", err)
	}
	if err := <-task.OnComplete(); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.RegisterUDF(nil, []byte("function f(r) return 1 end"), "f.lua", as.LUA); err != nil {
		t.Fatalf("sys-admin udf-put: %v", err)
	}
	if err := admin.Truncate(nil, "test", "", nil); err != nil {
		t.Fatalf("sys-admin truncate: %v", err)
	}
	if got := srv.SecurityStats().Refused; got != 7 {
		t.Errorf("refused count %d, want the 7 refusals above", got)
	}
}

func TestSecurityRoles(t *testing.T) {
	for role, want := range map[string]string{
		"superuser":          `unknown role "superuser"`,
		"sys-admin.test":     `role "sys-admin" is global only: it cannot be scoped to "test"`,
		"read.":              `role "read.": want role, role.namespace or role.namespace.set`,
		"read.test.alpha.x":  `role "read.test.alpha.x": want role`,
		"superuser.test.set": `unknown role "superuser"`,
	} {
		_, err := Start(Options{Security: &Security{Users: []User{{Name: "x", Password: "p", Roles: []string{role}}}}})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("role %q: %v, want %q", role, err, want)
		}
	}
}

// TestSecurityScopedRoles: a role scoped to a namespace or a set allows
// its commands there only; scans of a whole namespace need it on the
// namespace; a batch needs it for every record.
func TestSecurityScopedRoles(t *testing.T) {
	srv := securedServer(t, Security{Users: []User{
		{Name: "admin", Password: "admin-pw", Roles: []string{"read-write"}},
		{Name: "alpha", Password: "alpha-pw", Roles: []string{"read-write.test.alpha", "read.bar"}},
	}})
	admin := mustLogin(t, srv, "admin", "admin-pw")
	alpha := mustLogin(t, srv, "alpha", "alpha-pw")
	inAlpha, _ := as.NewKey("test", "alpha", "k")
	inBeta, _ := as.NewKey("test", "beta", "k")
	inNull, _ := as.NewKey("test", "", "k")
	inBar, _ := as.NewKey("bar", "alpha", "k")
	for _, k := range []*as.Key{inBeta, inBar} {
		if err := admin.Put(nil, k, as.BinMap{"a": 1}); err != nil {
			t.Fatal(err)
		}
	}
	if err := alpha.Put(nil, inAlpha, as.BinMap{"a": 1}); err != nil {
		t.Fatalf("put in its set: %v", err)
	}
	if _, err := alpha.Get(nil, inAlpha); err != nil {
		t.Fatalf("get in its set: %v", err)
	}
	if _, err := alpha.Get(nil, inBar); err != nil {
		t.Fatalf("get in its read namespace: %v", err)
	}
	wantCode(t, "put in another set", alpha.Put(nil, inBeta, as.BinMap{"a": 2}), types.ROLE_VIOLATION)
	wantCode(t, "put in the null set", alpha.Put(nil, inNull, as.BinMap{"a": 2}), types.ROLE_VIOLATION)
	wantCode(t, "put in a read-only namespace", alpha.Put(nil, inBar, as.BinMap{"a": 2}), types.ROLE_VIOLATION)
	_, err := alpha.Get(nil, inBeta)
	wantCode(t, "get in another set", err, types.ROLE_VIOLATION)
	err = alpha.BatchOperate(nil, []as.BatchRecordIfc{
		as.NewBatchWrite(nil, inAlpha, as.PutOp(as.NewBin("a", 3))),
		as.NewBatchWrite(nil, inBeta, as.PutOp(as.NewBin("a", 3))),
	})
	wantCode(t, "batch writing another set", err, types.ROLE_VIOLATION)
	if _, err := alpha.BatchGet(nil, []*as.Key{inAlpha, inBar}); err != nil {
		t.Fatalf("batch reading its set and its namespace: %v", err)
	}
	scan := func(ns, set string) error {
		rs, err := alpha.ScanAll(nil, ns, set)
		if err != nil {
			return err
		}
		for r := range rs.Results() {
			if r.Err != nil {
				return r.Err
			}
		}
		return nil
	}
	if err := scan("test", "alpha"); err != nil {
		t.Fatalf("scan of its set: %v", err)
	}
	if err := scan("bar", ""); err != nil {
		t.Fatalf("scan of its read namespace: %v", err)
	}
	wantCode(t, "scan of the whole namespace", scan("test", ""), types.ROLE_VIOLATION)
	wantCode(t, "truncate", alpha.Truncate(nil, "test", "alpha", nil), types.ROLE_VIOLATION)
}

// rawConn speaks the wire protocol directly, for what the client hides.
type rawConn struct {
	net.Conn
	r *bufio.Reader
}

func dialRaw(t *testing.T, srv *Server) *rawConn {
	t.Helper()
	c, err := net.Dial("tcp", srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(10 * time.Second))
	return &rawConn{Conn: c, r: bufio.NewReader(c)}
}

func (c *rawConn) roundTrip(t *testing.T, typ byte, body []byte) []byte {
	t.Helper()
	if _, err := c.Write(frame(typ, body)); err != nil {
		t.Fatal(err)
	}
	var hdr [8]byte
	gotTyp, reply, err := readProto(c.r, hdr[:])
	if err != nil {
		t.Fatal(err)
	}
	if gotTyp != typ {
		t.Fatalf("reply of type %d to a request of type %d", gotTyp, typ)
	}
	return reply
}

func (c *rawConn) admin(t *testing.T, cmd byte, fields ...adminField) (byte, []adminField) {
	t.Helper()
	req := adminReply(0, fields...)
	req[2] = cmd
	reply := c.roundTrip(t, protoAdmin, req)
	_, got, err := parseAdmin(reply)
	if err != nil {
		t.Fatal(err)
	}
	return reply[1], got
}

func (c *rawConn) info(t *testing.T, cmd string) string {
	t.Helper()
	return string(c.roundTrip(t, protoInfo, []byte(cmd+"\n")))
}

// get reads a record that does not exist and returns the result code.
func (c *rawConn) get(t *testing.T, ns string) byte {
	t.Helper()
	req := appendMessage(nil, msgHeader{}, []field{{fieldNamespace, []byte(ns)}, {fieldDigest, make([]byte, 20)}}, nil)
	req[1] = info1Read | info1GetAll
	reply := c.roundTrip(t, protoMsg, req)
	m, err := parseMessage(reply)
	if err != nil {
		t.Fatal(err)
	}
	return m.resultCode
}

func credential(t *testing.T, password string) []byte {
	t.Helper()
	u, err := newSecUser(User{Name: "x", Password: password})
	if err != nil {
		t.Fatal(err)
	}
	return u.credential
}
