package aerospiketest

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	as "github.com/aerospike/aerospike-client-go/v8"
)

// SuiteNamespaces are the namespaces the suites write to; a real server
// must have them, with TTL writes allowed.
var SuiteNamespaces = []string{"test", "bar"}

// Problems lists what a server lacks for the suites, from its answers to
// "namespaces" and to "get-config:context=namespace;id=NS" of each suite
// namespace it has (key=value;... as the server sends them). A server
// with nsup-period 0 refuses records with a TTL unless
// allow-ttl-without-nsup is true, and the suites write such records.
func Problems(namespaces string, configs map[string]string) []string {
	have := map[string]bool{}
	for _, ns := range strings.Split(namespaces, ";") {
		have[strings.TrimSpace(ns)] = true
	}
	var out []string
	for _, ns := range SuiteNamespaces {
		if !have[ns] {
			out = append(out, fmt.Sprintf("no namespace %q", ns))
			continue
		}
		kv := infoPairs(configs[ns])
		nsup, ok := kv["nsup-period"]
		if !ok {
			out = append(out, fmt.Sprintf("namespace %q: get-config reports no nsup-period", ns))
			continue
		}
		if nsup == "0" && kv["allow-ttl-without-nsup"] != "true" {
			out = append(out, fmt.Sprintf("namespace %q refuses TTL writes (nsup-period 0; set it, e.g. asinfo -v 'set-config:context=namespace;id=%s;nsup-period=120')", ns, ns))
		}
	}
	return out
}

func infoPairs(s string) map[string]string {
	m := map[string]string{}
	for _, p := range strings.Split(s, ";") {
		if k, v, ok := strings.Cut(p, "="); ok {
			m[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	return m
}

// CheckServer asks the server at host:port what Problems needs and
// returns the problems found; an error means it could not be asked.
func CheckServer(host string, port int) ([]string, error) {
	c, err := as.NewClient(host, port)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	node, err := c.Cluster().GetRandomNode()
	if err != nil {
		return nil, err
	}
	pol := as.NewInfoPolicy()
	res, err := node.RequestInfo(pol, "namespaces")
	if err != nil {
		return nil, fmt.Errorf("info namespaces: %w", err)
	}
	configs := map[string]string{}
	for _, ns := range SuiteNamespaces {
		if !strings.Contains(";"+res["namespaces"]+";", ";"+ns+";") {
			continue
		}
		cmd := "get-config:context=namespace;id=" + ns
		r, err := node.RequestInfo(pol, cmd)
		if err != nil {
			return nil, fmt.Errorf("info %s: %w", cmd, err)
		}
		configs[ns] = r[cmd]
	}
	return Problems(res["namespaces"], configs), nil
}

// realChecks holds one CheckServer result per address: every test of a
// package asks for the same server, which is asked once.
var realChecks sync.Map // addr -> func() ([]string, error)

func checkRealServer(addr, host string, port int) ([]string, error) {
	f, _ := realChecks.LoadOrStore(addr, sync.OnceValues(func() ([]string, error) { return CheckServer(host, port) }))
	return f.(func() ([]string, error))()
}

// requireSuiteReady skips t when the real server lacks what the suites
// need, naming it, and fails it when the server cannot be asked.
func requireSuiteReady(t testing.TB, addr, host string, port int) {
	t.Helper()
	problems, err := checkRealServer(addr, host, port)
	if err != nil {
		t.Fatalf("%s=%s: %v", EnvRealServer, addr, err)
	}
	if len(problems) > 0 {
		t.Skipf("%s=%s lacks what the tests need: %s (they need namespaces %s, TTL writes allowed; see the README)",
			EnvRealServer, addr, strings.Join(problems, "; "), strings.Join(SuiteNamespaces, " and "))
	}
}
