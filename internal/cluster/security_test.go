package cluster

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aerobackup/aerobackup/internal/aerospiketest"
	"github.com/aerobackup/aerobackup/internal/logging"
)

func TestCheckAuth(t *testing.T) {
	cert := &TLS{CertFile: "c.pem", KeyFile: "k.pem"}
	for _, tc := range []struct {
		name string
		s    Settings
		err  string
	}{
		{"internal", Settings{User: "u", Password: "p"}, ""},
		{"external over tls", Settings{User: "u", Password: "p", AuthMode: "EXTERNAL", TLS: &TLS{}}, ""},
		{"external in clear", Settings{User: "u", Password: "p", AuthMode: "external"}, "auth-mode EXTERNAL sends the password in clear: it needs tls"},
		{"pki with a certificate", Settings{AuthMode: "PKI", TLS: cert}, ""},
		{"pki without a certificate", Settings{AuthMode: "pki", TLS: &TLS{}}, "it needs tls with cert-file and key-file"},
		{"pki without tls", Settings{AuthMode: "PKI"}, "it needs tls with cert-file and key-file"},
		{"pki with a password", Settings{AuthMode: "PKI", User: "u", Password: "p", TLS: cert}, "give no user or password"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.s.checkAuth()
			if tc.err == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var se *SettingsError
			if err == nil || !strings.Contains(err.Error(), tc.err) || !errors.As(err, &se) {
				t.Fatalf("err %v, want a SettingsError saying %q", err, tc.err)
			}
		})
	}
}

func TestPrivilegeErrorNamesTheUser(t *testing.T) {
	for _, tc := range []struct {
		e    PrivilegeError
		want string
	}{
		{PrivilegeError{Cluster: `cluster "prod"`, User: "reader", Action: `write to namespace "bar"`, Needs: "read-write or write"},
			`cluster "prod": role violation: user "reader" may not write to namespace "bar" (needs read-write or write)`},
		{PrivilegeError{Cluster: `cluster "prod"`, Action: "register UDFs", Needs: "udf-admin, data-admin or sys-admin"},
			`cluster "prod": role violation: the client certificate's user may not register UDFs (needs udf-admin, data-admin or sys-admin)`},
	} {
		if got := tc.e.Error(); got != tc.want {
			t.Errorf("got  %s\nwant %s", got, tc.want)
		}
	}
}

func securedServer(t *testing.T) *aerospiketest.Server {
	return aerospiketest.NewServer(t, aerospiketest.Options{Security: &aerospiketest.Security{Users: []aerospiketest.User{
		{Name: "admin", Password: "admin-pw", Roles: []string{"read-write", "sys-admin"}},
		{Name: "writer", Password: "writer-pw", Roles: []string{"read-write"}},
		{Name: "reader", Password: "reader-pw", Roles: []string{"read"}},
		{Name: "useradmin", Password: "useradmin-pw", Roles: []string{"user-admin"}},
		{Name: "alpha", Password: "alpha-pw", Roles: []string{"read-write.bar.alpha", "read-write.bar.beta"}},
	}}})
}

func secured(srv *aerospiketest.Server, user, password string) Settings {
	return Settings{Name: "prod", Seeds: []Seed{{Host: srv.Host(), Port: srv.Port()}}, User: user, Password: password,
		ConnTimeout: 2 * time.Second}
}

func TestConnectLoginRefused(t *testing.T) {
	srv := securedServer(t)
	for _, tc := range []struct {
		name, user, password, want string
	}{
		{"wrong password", "reader", "nope", `cluster "prod": login as "reader" refused: invalid credential (wrong password)`},
		{"unknown user", "bob", "reader-pw", `cluster "prod": login as "bob" refused: invalid user (no such user on the cluster)`},
		{"no credentials", "", "", `cluster "prod": the cluster has security enabled and needs a login: give credentials (user and password, password-path or a secret agent)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Connect(context.Background(), secured(srv, tc.user, tc.password), logging.Discard())
			if err == nil {
				c.Close()
				t.Fatal("connected")
			}
			if err.Error() != tc.want {
				t.Fatalf("error\n%s\nwant\n%s", err, tc.want)
			}
			if tc.password != "" && strings.Contains(err.Error(), tc.password) {
				t.Fatalf("the error shows the password: %s", err)
			}
		})
	}
}

func TestCheckPrivileges(t *testing.T) {
	srv := securedServer(t)
	for _, tc := range []struct {
		user    string
		allowed []Privilege
	}{
		{"reader", []Privilege{ReadRecords}},
		{"writer", []Privilege{ReadRecords, WriteRecords}},
		{"admin", []Privilege{ReadRecords, WriteRecords, CreateIndexes, RegisterUDFs}},
		{"useradmin", nil},
	} {
		c, err := Connect(context.Background(), secured(srv, tc.user, tc.user+"-pw"), logging.Discard())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		for _, p := range []Privilege{ReadRecords, WriteRecords, CreateIndexes, RegisterUDFs} {
			err := c.Check("bar", nil, p)
			allowed := false
			for _, a := range tc.allowed {
				allowed = allowed || a == p
			}
			if allowed {
				if err != nil {
					t.Errorf("%s, privilege %d: %v", tc.user, p, err)
				}
				continue
			}
			var pe *PrivilegeError
			if !errors.As(err, &pe) || !strings.HasPrefix(err.Error(), `cluster "prod": role violation: user "`+tc.user+`" may not `) {
				t.Errorf("%s, privilege %d: %v, want a role violation", tc.user, p, err)
			}
		}
	}
	if got := srv.Count("bar"); got != 0 {
		t.Errorf("the probes wrote %d records", got)
	}
	want := `cluster "prod": role violation: user "reader" may not write to namespace "bar" (needs read-write or write)`
	c, err := Connect(context.Background(), secured(srv, "reader", "reader-pw"), logging.Discard())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Check("bar", nil, WriteRecords); err == nil || err.Error() != want {
		t.Errorf("reader's write: %v, want %s", err, want)
	}
}

// TestCheckPrivilegesInSets: a role limited to sets passes for the sets it
// allows, and is refused, naming the set, for the whole namespace or
// another set.
func TestCheckPrivilegesInSets(t *testing.T) {
	srv := securedServer(t)
	c, err := Connect(context.Background(), secured(srv, "alpha", "alpha-pw"), logging.Discard())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, p := range []Privilege{ReadRecords, WriteRecords} {
		if err := c.Check("bar", []string{"alpha", "beta"}, p); err != nil {
			t.Errorf("privilege %d in its sets: %v", p, err)
		}
	}
	for _, tc := range []struct {
		sets []string
		p    Privilege
		want string
	}{
		{nil, WriteRecords, `may not write to namespace "bar" (needs read-write or write)`},
		{[]string{"alpha", "gamma"}, WriteRecords, `may not write to set "gamma" of namespace "bar" (needs read-write or write)`},
		{[]string{"alpha"}, ReadRecords, ""},
		{[]string{"beta"}, CreateIndexes, `may not create secondary indexes (needs sindex-admin, data-admin or sys-admin)`},
	} {
		err := c.Check("bar", tc.sets, tc.p)
		if tc.want == "" {
			if err != nil {
				t.Errorf("sets %v, privilege %d: %v", tc.sets, tc.p, err)
			}
			continue
		}
		if want := `cluster "prod": role violation: user "alpha" ` + tc.want; err == nil || err.Error() != want {
			t.Errorf("sets %v, privilege %d: %v, want %s", tc.sets, tc.p, err, want)
		}
	}
	if got := srv.Count("bar"); got != 0 {
		t.Errorf("the probes wrote %d records", got)
	}
}

func TestCheckWithoutSecurityAsksNothing(t *testing.T) {
	srv := aerospiketest.NewServer(t, aerospiketest.Options{})
	c, err := Connect(context.Background(), Settings{Seeds: []Seed{{Host: srv.Host(), Port: srv.Port()}}}, logging.Discard())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	before := srv.Stats()
	for _, p := range []Privilege{ReadRecords, WriteRecords, CreateIndexes, RegisterUDFs} {
		if err := c.Check("test", nil, p); err != nil {
			t.Fatal(err)
		}
	}
	if after := srv.Stats(); after.Reads != before.Reads || after.Deletes != before.Deletes || after.WriteErrors != before.WriteErrors {
		t.Errorf("a connection without credentials probed: %+v -> %+v", before, after)
	}
}
