package main

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/aerobackup/aerobackup/internal/aerospiketest"
)

// securityCondition is [security]: the server can have access control
// turned on and users added (`asd security on`, `asd user add`). The
// in-process server can; a real one named by AEROBACKUP_TEST_AEROSPIKE is
// taken as Community Edition: the suite connects to it without
// credentials, which a secured server refuses.
func securityCondition() (bool, error) {
	if os.Getenv(aerospiketest.EnvRealServer) != "" {
		return enterpriseCondition("security", false,
			aerospiketest.EnvRealServer+" names a real server, taken as Community Edition, which has no security")
	}
	return enterpriseCondition("security", true, "")
}

// asdSecurity runs the access-control commands of asd:
//
//	asd security on [external]  require a login from now on (external: also
//	                            take EXTERNAL logins, an LDAP stand-in); the
//	                            asd commands' own client logs in as a
//	                            sys-admin user of its own
//	asd security off            turn access control off again
//	asd user add NAME PASSWORD ROLE[,ROLE...]
//	                            add or replace a user (predefined roles:
//	                            read, read-write, sys-admin, ...); PASSWORD
//	                            "-": none, a user who logs in by PKI only
//	asd user drop NAME          remove a user and end its sessions
//	asd tokens FILE             append every session token the server
//	                            issued and still honours to FILE, one a line
func asdSecurity(ts *testscript.TestScript, s *scriptServer, srv *aerospiketest.Server, args []string) {
	switch {
	case args[0] == "security" && len(args) >= 2 && args[1] == "on":
		var raw [12]byte
		_, err := rand.Read(raw[:])
		ts.Check(err)
		user := aerospiketest.User{Name: "asd-admin", Password: hex.EncodeToString(raw[:]),
			Roles: []string{"read-write", "sys-admin", "user-admin"}}
		sec := aerospiketest.Security{Users: []aerospiketest.User{user}, External: len(args) > 2 && args[2] == "external"}
		ts.Check(srv.EnableSecurity(sec))
		s.resetClient(user.Name, user.Password)
	case args[0] == "security" && len(args) == 2 && args[1] == "off":
		srv.DisableSecurity()
		s.resetClient("", "")
	case args[0] == "user" && len(args) == 5 && args[1] == "add":
		password := args[3]
		if password == "-" { // a certificate-only (PKI) user
			password = ""
		}
		ts.Check(srv.AddUser(aerospiketest.User{Name: args[2], Password: password, Roles: strings.Split(args[4], ",")}))
	case args[0] == "user" && len(args) == 3 && args[1] == "drop":
		srv.DropUser(args[2])
	case args[0] == "tokens" && len(args) == 2:
		tokens := srv.SessionTokens()
		if len(tokens) == 0 {
			ts.Fatalf("asd tokens: the server issued no session token")
		}
		f, err := os.OpenFile(ts.MkAbs(args[1]), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
		ts.Check(err)
		_, err = f.WriteString(strings.Join(tokens, "\n") + "\n")
		ts.Check(err)
		ts.Check(f.Close())
	default:
		ts.Fatalf("usage: asd security on [external] | asd security off | asd user add NAME PASSWORD ROLES | asd user drop NAME | asd tokens FILE")
	}
}

// resetClient makes the asd commands' client reconnect as user.
func (s *scriptServer) resetClient(user, password string) {
	if s.client != nil {
		s.client.Close()
		s.client = nil
	}
	s.user, s.password = user, password
}

func TestSecurityCondition(t *testing.T) {
	for _, tc := range []struct {
		name    string
		real    string
		require string
		want    bool
		err     string
	}{
		{name: "in-process server", want: true},
		{name: "in-process server, required", require: "1", want: true},
		{name: "real server", real: "10.0.0.1:3000", want: false},
		{name: "real server, required", real: "10.0.0.1:3000", require: "1",
			err: "[security] is false (AEROBACKUP_TEST_AEROSPIKE names a real server, taken as Community Edition, which has no security) and AEROBACKUP_REQUIRE_ENTERPRISE=1 requires it"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(aerospiketest.EnvRealServer, tc.real)
			t.Setenv(envRequireEnterprise, tc.require)
			got, err := securityCondition()
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("err %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}
