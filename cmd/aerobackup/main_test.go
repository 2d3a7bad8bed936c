package main

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/binary"
	"encoding/json"
	"encoding/pem"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	as "github.com/aerospike/aerospike-client-go/v8"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/aerobackup/aerobackup/internal/aerospiketest"
	"github.com/aerobackup/aerobackup/internal/cli"
)

// The end-to-end scripts under testdata/script run the real aerobackup
// binary (this test binary re-executed) against an Aerospike test server
// started for each script, or against AEROBACKUP_TEST_AEROSPIKE.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"aerobackup": func() { os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) },
	})
}

type scriptServer struct {
	srv *aerospiketest.Server // nil against a real server
	// cluster is the multi-node cluster `asd cluster` started (srv is
	// then its first node).
	cluster *aerospiketest.Cluster
	// realNodes are the real cluster's node names, by name, once
	// `asd cluster` adopted it.
	realNodes []string
	host      string
	port      int
	client    *as.Client
	// snaps are the namespace copies `asd snapshot` took, with when.
	snaps map[string]takenSnapshot
	// marks are write counts `asd stats mark` remembered.
	marks map[string]int64
	// t skips the script from a command (asd tmpfs where mounting fails).
	t testscript.T
	// user and password log the asd commands' client in once `asd
	// security on` secured the server.
	user, password string
}

// catchRaces makes the script's aerobackup processes write race reports
// to files, and fails the script when one did: a process that races exits
// 66, which a `! exec` step would take for the failure it expects.
func catchRaces(env *testscript.Env) {
	dir := env.T().(testing.TB).TempDir()
	env.Setenv("GORACE", strings.TrimSpace(env.Getenv("GORACE")+" log_path="+filepath.Join(dir, "race")))
	env.Defer(func() {
		reports, _ := filepath.Glob(filepath.Join(dir, "race*"))
		for _, r := range reports {
			b, _ := os.ReadFile(r)
			env.T().Fatal("a data race in an aerobackup process of this script (" + filepath.Base(r) + "):\n" + string(b))
		}
	})
}

type takenSnapshot struct {
	snap aerospiketest.Snapshot
	at   time.Time
}

const serverKey = "aerospike"

// -update rewrites the golden files of `cmp` steps inside the scripts.
var updateScripts = flag.Bool("update", false, "rewrite golden files in testdata/script")

// storageKind describes where a run of the scripts keeps its backups. A
// script's config says
//
//	storage:
//	  main:
//	$STORAGE_ENTRY
//
// and `expand` fills in the entry; [local] guards local-only assertions.
type storageKind struct {
	name string
	// entry returns the YAML lines of the storage entry (indented four
	// spaces) for a script's work directory.
	entry func(env *testscript.Env) string
	// url is the ad-hoc --storage URL for the same place.
	url func(env *testscript.Env) string
	// setup, when set, runs first: it creates the script's bucket and may
	// set more variables (credentials, a missing bucket's entry).
	setup func(env *testscript.Env) error
}

var localStorage = storageKind{
	name: "local",
	entry: func(env *testscript.Env) string {
		return "    local-storage:\n      path: " + filepath.Join(env.WorkDir, "backups")
	},
	url: func(env *testscript.Env) string { return filepath.Join(env.WorkDir, "backups") },
}

func TestScripts(t *testing.T) {
	runScripts(t, localStorage)
}

func runScripts(t *testing.T, kind storageKind) { testscript.Run(t, scriptParams(kind)) }

// scriptParams runs the scripts of testdata/script with their backups in
// kind's storage.
func scriptParams(kind storageKind) testscript.Params {
	return testscript.Params{
		Dir:                 filepath.Join("..", "..", "testdata", "script"),
		RequireExplicitExec: true,
		UpdateScripts:       *updateScripts && kind.name == "local",
		Setup: func(env *testscript.Env) error {
			host, port, srv := aerospiketest.TestCluster(env.T().(testing.TB))
			if srv == nil {
				// A real server keeps indexes and UDFs across scripts
				// (TestCluster already makes scripts take turns on it).
				c, err := as.NewClient(host, port)
				if err != nil {
					return err
				}
				defer c.Close()
				if err := aerospiketest.ClearMetadata(c, "test", "bar"); err != nil {
					return err
				}
			}
			s := &scriptServer{srv: srv, host: host, port: port, snaps: map[string]takenSnapshot{}, marks: map[string]int64{}, t: env.T()}
			env.Values[serverKey] = s
			env.Setenv("ASHOST", fmt.Sprintf("%s:%d", host, port))
			env.Setenv("ASHOSTNAME", host)
			env.Setenv("ASPORT", strconv.Itoa(port))
			env.Setenv("HOME", env.WorkDir)
			env.Setenv("STORAGE_KIND", kind.name)
			if kind.setup != nil {
				if err := kind.setup(env); err != nil {
					return err
				}
			}
			env.Setenv("STORAGE_ENTRY", kind.entry(env))
			env.Setenv("STORAGE_URL", kind.url(env))
			if raceEnabled {
				catchRaces(env)
			}
			env.Defer(func() {
				if s.client != nil {
					s.client.Close()
				}
			})
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"asd":    cmdAsd,
			"expand": cmdExpand,
			"sleep":  cmdSleep,
			"genkey": cmdGenkey,
			"modes":  cmdModes,
		},
		Condition: func(cond string) (bool, error) {
			switch cond {
			case "local", "s3", "gcs", "azure":
				return kind.name == cond, nil
			case "realserver":
				return os.Getenv("AEROBACKUP_TEST_AEROSPIKE") != "", nil
			case "race":
				return raceEnabled, nil
			case "tls":
				return tlsCondition()
			case "security":
				return securityCondition()
			case "racks":
				return racksCondition()
			case "nodes":
				return nodesCondition()
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
	}
}

func (s *scriptServer) conn(ts *testscript.TestScript) *as.Client {
	if s.client == nil {
		cp := as.NewClientPolicy()
		cp.User, cp.Password = s.user, s.password
		c, err := as.NewClientWithPolicy(cp, s.host, s.port)
		if err != nil {
			ts.Fatalf("connecting to %s:%d: %v", s.host, s.port, err)
		}
		s.client = c
	}
	return s.client
}

// cmdAsd drives the test server from a script:
//
//	asd seed NS N [SEED]      store N deterministic records of every type
//	asd seedmeta NS           add a secondary index and a UDF
//	asd sindex-create NS NAME create an index of the seeded one's definition named NAME
//	asd sindexes NS [NAME...] NS holds exactly the secondary indexes NAME...
//	asd clearmeta NS...       drop every index of the namespaces and every UDF
//	asd count NS N            the namespace holds exactly N records
//	asd compare NS1 NS2 [TOL] record-by-record equality (bins, keys, TTL;
//	                          TTLs within the duration TOL, default 1s, 5s under -race)
//	asd truncate NS           remove every record
//	asd advance DURATION      move the server clock forward
//	asd put NS SET KEY [ttl=SECONDS] BIN=V...  write one record (V: integer or string)
//	asd putmany NS SET PREFIX FROM TO [ttl=SECONDS] BIN=V...
//	                          write records PREFIX<FROM>..PREFIX<TO> (V may hold %d: the number)
//	asd delete NS SET KEY     delete one record
//	asd snapshot NAME NS      remember the namespace's records (and the time)
//	asd compare-snapshot NAME NS [-except KEY...]
//	                          NS equals snapshot NAME aged to now: records whose TTL ran
//	                          out since are expected gone, others' TTLs shortened;
//	                          string keys listed after -except are left out of both
//	asd stats writes N        the server counted exactly N record writes
//	asd stats scans N         the server counted exactly N scan commands
//	asd stats key-exists N    the server refused exactly N writes as already present (CREATE_ONLY)
//	asd stats mark NAME       remember the write count under NAME
//	asd stats delta-less A B  fewer writes happened after mark A than after mark B
//	                          (each measured up to the mark taken after it: A->A.end, B->B.end)
//	asd fault scan-fail N [C] fail scans after N records with result code C (1)
//	asd fault scan-drop N [T] drop the connection after N scanned records (T times; 0: always)
//	asd fault write-fail N C [T] refuse record writes with result code C after N succeeded
//	                          (T times; 0: always)
//	asd fault refuse F C      refuse the writes of about the fraction F (0..1) of records,
//	                          single and batched, with result code C; the digest picks
//	                          the records, so retries are refused too
//	asd fault clear           remove faults
//	asd tmpfs DIR SIZE        mount a SIZE-limited tmpfs on DIR (unmounted at the end;
//	                          the script is skipped where mounting is not allowed)
//	asd readonly DIR          remount the tmpfs on DIR read-only
//	asd cluster, node, reads, maxscans, masters: a multi-node cluster (see cmdAsdCluster)
//	asd secret-agent RES:KEY=FILE...
//	                          serve the files' contents as secrets on a TCP secret agent
//	                          (Aerospike Secret Agent protocol); sets $AGENT_PORT
//	asd tls ...               certificates and the TLS listener (see cmdAsdTLS)
//	asd security on [external] | off, asd user add NAME PASSWORD ROLE[,ROLE...],
//	asd user drop NAME, asd tokens FILE
//	                          access control (see security_test.go)
func cmdAsd(ts *testscript.TestScript, neg bool, args []string) {
	s := ts.Value(serverKey).(*scriptServer)
	if len(args) == 0 {
		ts.Fatalf("usage: asd CMD ...")
	}
	needServer := func(what string) *aerospiketest.Server {
		if s.srv == nil {
			ts.Fatalf("asd %s needs the in-process test server (guard the script with [!realserver])", what)
		}
		return s.srv
	}
	switch args[0] {
	case "cluster", "node", "reads", "holdscans", "maxscans", "masters":
		cmdAsdCluster(ts, s, neg, args)
	case "seed":
		n, seed := atoi(ts, args, 2), int64(1)
		if len(args) > 3 {
			seed = int64(atoi(ts, args, 3))
		}
		if s.srv != nil {
			ts.Check(s.srv.Seed(args[1], n, seed))
		} else {
			ts.Check(aerospiketest.SeedClient(s.conn(ts), args[1], n, seed))
		}
	case "seedmeta":
		if s.srv != nil {
			ts.Check(s.srv.SeedMetadata(args[1]))
		} else {
			ts.Check(aerospiketest.SeedMetadataClient(s.conn(ts), args[1]))
		}
	case "sindex-create":
		if len(args) != 3 {
			ts.Fatalf("usage: asd sindex-create NS NAME")
		}
		// The definition of seedmeta's index: set alpha, numeric bin int.
		task, err := s.conn(ts).CreateIndex(nil, args[1], "alpha", args[2], "int", as.NUMERIC)
		ts.Check(err)
		ts.Check(<-task.OnComplete())
	case "sindexes":
		got := sindexNames(ts, s.conn(ts), args[1])
		want := slices.Sorted(slices.Values(args[2:]))
		if slices.Equal(got, want) == neg {
			ts.Fatalf("namespace %s has secondary indexes %q, want %q", args[1], got, want)
		}
	case "clearmeta":
		ts.Check(aerospiketest.ClearMetadata(s.conn(ts), args[1:]...))
	case "count":
		want := atoi(ts, args, 2)
		snap := snapshot(ts, s, args[1])
		got := len(snap.Records)
		if (got == want) == neg {
			ts.Fatalf("namespace %s holds %d records, want %d", args[1], got, want)
		}
	case "compare":
		a, b := snapshot(ts, s, args[1]), snapshot(ts, s, args[2])
		var opts aerospiketest.CompareOptions
		if raceEnabled {
			// backup-go stamps a record's void time (now + TTL) when its
			// pipeline gets the record, not when the server read it; under
			// the race detector that lag reaches seconds, and restored TTLs
			// come out as much longer.
			opts.TTLTolerance = 5 * time.Second
		}
		if len(args) > 3 {
			d, err := time.ParseDuration(args[3])
			ts.Check(err)
			opts.TTLTolerance = max(opts.TTLTolerance, d)
		}
		diff := aerospiketest.Diff(a, b, opts)
		if neg {
			if len(diff) == 0 {
				ts.Fatalf("namespaces %s and %s are equal", args[1], args[2])
			}
			return
		}
		if len(diff) > 0 {
			if len(diff) > 20 {
				diff = append(diff[:20], fmt.Sprintf("... and %d more", len(diff)-20))
			}
			ts.Fatalf("namespaces %s and %s differ:\n%s", args[1], args[2], strings.Join(diff, "\n"))
		}
		ts.Logf("namespaces %s and %s are equal (%d records)", args[1], args[2], len(a.Records))
	case "truncate":
		if s.srv != nil {
			ts.Check(s.srv.Truncate(args[1], ""))
		} else {
			ts.Check(s.conn(ts).Truncate(nil, args[1], "", nil))
		}
	case "advance":
		d, err := time.ParseDuration(args[1])
		ts.Check(err)
		needServer("advance").Advance(d)
	case "put":
		if len(args) < 5 {
			ts.Fatalf("usage: asd put NS SET KEY BIN=VALUE...")
		}
		putRecord(ts, s.conn(ts), args[1], args[2], args[3], args[4:], -1)
	case "putmany":
		if len(args) < 7 {
			ts.Fatalf("usage: asd putmany NS SET PREFIX FROM TO BIN=VALUE...")
		}
		from, to := atoi(ts, args, 4), atoi(ts, args, 5)
		for i := from; i <= to; i++ {
			putRecord(ts, s.conn(ts), args[1], args[2], args[3]+strconv.Itoa(i), args[6:], i)
		}
	case "snapshot":
		if len(args) != 3 {
			ts.Fatalf("usage: asd snapshot NAME NS")
		}
		s.snaps[args[1]] = takenSnapshot{snap: snapshot(ts, s, args[2]), at: time.Now()}
	case "compare-snapshot":
		if len(args) < 3 {
			ts.Fatalf("usage: asd compare-snapshot NAME NS [-except KEY...]")
		}
		taken, ok := s.snaps[args[1]]
		if !ok {
			ts.Fatalf("no snapshot %q", args[1])
		}
		// -except KEY...: all records but these; -only KEY...: just these.
		var keys []string
		only := false
		if len(args) > 3 {
			if args[3] != "-except" && args[3] != "-only" {
				ts.Fatalf("usage: asd compare-snapshot NAME NS [-except KEY... | -only KEY...]")
			}
			keys, only = args[4:], args[3] == "-only"
		}
		want := agedSnapshot(taken, time.Now(), keys, only)
		got := snapshot(ts, s, args[2])
		got = agedSnapshot(takenSnapshot{snap: got, at: time.Now()}, time.Now(), keys, only)
		diff := aerospiketest.Diff(want, got, aerospiketest.CompareOptions{TTLTolerance: 3 * time.Second})
		if neg {
			if len(diff) == 0 {
				ts.Fatalf("namespace %s equals snapshot %s", args[2], args[1])
			}
			return
		}
		if len(diff) > 0 {
			if len(diff) > 20 {
				diff = append(diff[:20], fmt.Sprintf("... and %d more", len(diff)-20))
			}
			ts.Fatalf("namespace %s differs from snapshot %s:\n%s", args[2], args[1], strings.Join(diff, "\n"))
		}
		ts.Logf("namespace %s equals snapshot %s (%d records)", args[2], args[1], len(want.Records))
	case "compare-dump":
		cmdCompareDump(ts, s, args)
	case "delete":
		key, err := as.NewKey(args[1], args[2], args[3])
		ts.Check(err)
		_, err = s.conn(ts).Delete(nil, key)
		ts.Check(err)
	case "stats":
		st := needServer("stats").Stats()
		writes := st.Writes + st.BatchWrites
		switch args[1] {
		case "mark":
			s.marks[args[2]] = writes
			ts.Logf("mark %s: %d writes", args[2], writes)
			return
		case "delta-less":
			// Marks A, A.end, B, B.end must exist.
			get := func(name string) int64 {
				v, ok := s.marks[name]
				if !ok {
					ts.Fatalf("no stats mark %q", name)
				}
				return v
			}
			da := get(args[2]+".end") - get(args[2])
			db := get(args[3]+".end") - get(args[3])
			if (da < db) == neg {
				ts.Fatalf("writes: %s %d, %s %d", args[2], da, args[3], db)
			}
			ts.Logf("writes: %s %d, %s %d", args[2], da, args[3], db)
			return
		}
		want := atoi(ts, args, 2)
		var got int64
		switch args[1] {
		case "writes":
			got = st.Writes + st.BatchWrites
		case "scans":
			got = st.Scans
		case "key-exists":
			got = st.KeyExists
		default:
			ts.Fatalf("asd stats: unknown counter %q", args[1])
		}
		if (got == int64(want)) == neg {
			ts.Fatalf("server counted %d %s, want %d", got, args[1], want)
		}
	case "resetstats":
		needServer("resetstats").ResetStats()
	case "fault":
		srv := needServer("fault")
		switch args[1] {
		case "clear":
			srv.ClearFaults()
		case "scan-fail":
			// A server error (code 1) unless another result code is given.
			code := 1
			if len(args) > 3 {
				code = atoi(ts, args, 3)
			}
			srv.SetFaults(aerospiketest.Faults{ScanFailAfter: atoi(ts, args, 2), ScanFailCode: code})
		case "delay":
			d, err := time.ParseDuration(args[2])
			ts.Check(err)
			srv.SetFaults(aerospiketest.Faults{Delay: d})
		case "write-fail":
			times := 0
			if len(args) > 4 {
				times = atoi(ts, args, 4)
			}
			srv.SetFaults(aerospiketest.Faults{WriteFailAfter: atoi(ts, args, 2), WriteFailCode: atoi(ts, args, 3), Times: times})
		case "refuse":
			if len(args) != 4 {
				ts.Fatalf("usage: asd fault refuse FRACTION CODE")
			}
			f, err := strconv.ParseFloat(args[2], 64)
			if err != nil || f < 0 || f > 1 {
				ts.Fatalf("asd fault refuse: fraction %q: want a number in 0..1", args[2])
			}
			srv.SetFaults(aerospiketest.Faults{RefuseFraction: f, RefuseCode: atoi(ts, args, 3)})
		case "scan-drop":
			times := 0
			if len(args) > 3 {
				times = atoi(ts, args, 3)
			}
			srv.SetFaults(aerospiketest.Faults{ScanDropAfter: atoi(ts, args, 2), Times: times})
		default:
			ts.Fatalf("asd fault: unknown fault %q", args[1])
		}
	case "tmpfs":
		if len(args) != 3 {
			ts.Fatalf("usage: asd tmpfs DIR SIZE")
		}
		dir := ts.MkAbs(args[1])
		ts.Check(os.MkdirAll(dir, 0o755))
		out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+args[2], "tmpfs", dir).CombinedOutput()
		if err != nil {
			if os.Getenv("AEROBACKUP_REQUIRE_TMPFS") != "" {
				ts.Fatalf("mount tmpfs on %s: %v: %s", dir, err, out)
			}
			s.t.Skip(fmt.Sprintf("cannot mount a tmpfs (needs root with CAP_SYS_ADMIN): %v: %s", err, strings.TrimSpace(string(out))))
		}
		ts.Defer(func() { _ = exec.Command("umount", "-l", dir).Run() })
	case "secret-agent":
		secrets := map[string]string{}
		for _, a := range args[1:] {
			k, f, ok := strings.Cut(a, "=")
			if !ok {
				ts.Fatalf("usage: asd secret-agent RES:KEY=FILE...")
			}
			secrets[k] = strings.TrimRight(ts.ReadFile(f), "\n")
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		ts.Check(err)
		ts.Defer(func() { ln.Close() })
		go serveSecretAgent(ln, secrets)
		ts.Setenv("AGENT_PORT", strconv.Itoa(ln.Addr().(*net.TCPAddr).Port))
	case "tls":
		cmdAsdTLS(ts, s, neg, args[1:])
	case "security", "user", "tokens":
		asdSecurity(ts, s, needServer(args[0]), args)
	case "readonly":
		dir := ts.MkAbs(args[1])
		if out, err := exec.Command("mount", "-o", "remount,ro", dir).CombinedOutput(); err != nil {
			ts.Fatalf("remount %s read-only: %v: %s", dir, err, out)
		}
	default:
		ts.Fatalf("asd: unknown command %q", args[0])
	}
}

// sindexNames are the names in the namespace's sindex-list, sorted.
func sindexNames(ts *testscript.TestScript, c *as.Client, ns string) []string {
	node, err := c.Cluster().GetRandomNode()
	ts.Check(err)
	cmd := "sindex-list:namespace=" + ns
	info, err := node.RequestInfo(as.NewInfoPolicy(), cmd)
	ts.Check(err)
	names := []string{}
	for _, entry := range strings.Split(info[cmd], ";") {
		for _, kv := range strings.Split(entry, ":") {
			if name, ok := strings.CutPrefix(kv, "indexname="); ok {
				names = append(names, name)
			}
		}
	}
	slices.Sort(names)
	return names
}

func snapshot(ts *testscript.TestScript, s *scriptServer, ns string) aerospiketest.Snapshot {
	if s.srv != nil {
		return s.srv.Snapshot(ns)
	}
	snap, err := aerospiketest.ScanSnapshot(s.conn(ts), ns)
	ts.Check(err)
	return snap
}

func atoi(ts *testscript.TestScript, args []string, i int) int {
	if len(args) <= i {
		ts.Fatalf("asd %s: missing argument %d", args[0], i)
	}
	n, err := strconv.Atoi(args[i])
	if err != nil {
		ts.Fatalf("asd %s: %q is not a number", args[0], args[i])
	}
	return n
}

// cmdExpand replaces $VAR and ${VAR} in files with the script's environment
// (config files need the test server's address).
func cmdExpand(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) == 0 {
		ts.Fatalf("usage: expand FILE...")
	}
	for _, f := range args {
		data := ts.ReadFile(f)
		out := os.Expand(data, ts.Getenv)
		ts.Check(os.WriteFile(ts.MkAbs(f), []byte(out), 0o600))
	}
}

// cmdModes checks permissions:
//
//	modes FILE MODE                  FILE has MODE (octal, e.g. 0600)
//	modes DIR FILEMODE DIRMODE [NAME...]
//	                                 every file under DIR has FILEMODE, every
//	                                 folder (DIR too) DIRMODE, and each base-name
//	                                 glob NAME matches at least one file
func cmdModes(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: modes FILE MODE | modes DIR FILEMODE DIRMODE [NAME...]")
	}
	parse := func(s string) os.FileMode {
		m, err := strconv.ParseUint(s, 8, 32)
		if err != nil {
			ts.Fatalf("modes: %q is not an octal mode", s)
		}
		return os.FileMode(m)
	}
	root := ts.MkAbs(args[0])
	fi, err := os.Stat(root)
	ts.Check(err)
	if !fi.IsDir() {
		if len(args) != 2 {
			ts.Fatalf("usage: modes FILE MODE")
		}
		if got, want := fi.Mode().Perm(), parse(args[1]); got != want {
			ts.Fatalf("%s: mode %04o, want %04o", args[0], got, want)
		}
		return
	}
	if len(args) < 3 {
		ts.Fatalf("usage: modes DIR FILEMODE DIRMODE [NAME...]")
	}
	fileMode, dirMode := parse(args[1]), parse(args[2])
	seen := make([]int, len(args)-3)
	var bad []string
	files, dirs := 0, 0
	ts.Check(filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		want := fileMode
		if d.IsDir() {
			want = dirMode
			dirs++
		} else {
			files++
			for i, pat := range args[3:] {
				if ok, _ := filepath.Match(pat, d.Name()); ok {
					seen[i]++
				}
			}
		}
		if got := info.Mode().Perm(); got != want {
			rel, _ := filepath.Rel(ts.MkAbs("."), p)
			bad = append(bad, fmt.Sprintf("%s: mode %04o, want %04o", rel, got, want))
		}
		return nil
	}))
	if len(bad) > 0 {
		ts.Fatalf("%d of %d files and folders under %s have the wrong mode:\n%s", len(bad), files+dirs, args[0], strings.Join(bad, "\n"))
	}
	for i, n := range seen {
		if n == 0 {
			ts.Fatalf("no file under %s matches %q", args[0], args[3+i])
		}
	}
	ts.Logf("%s: %d files %04o, %d folders %04o", args[0], files, fileMode, dirs, dirMode)
}

// cmdGenkey writes an RSA private key in PEM, the key format backup-go
// derives its AES key from.
func cmdGenkey(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: genkey FILE")
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	ts.Check(err)
	block := &pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), pem.EncodeToMemory(block), 0o600))
}

// putRecord writes one record through the client; args are BIN=VALUE
// pairs (values as typedBinValue reads them) and an optional ttl=SECONDS. A value holding %d gets n (n >= 0).
func putRecord(ts *testscript.TestScript, c *as.Client, ns, set, userKey string, args []string, n int) {
	key, err := as.NewKey(ns, set, userKey)
	ts.Check(err)
	bins := as.BinMap{}
	wp := as.NewWritePolicy(0, 0)
	wp.SendKey = true
	wp.Expiration = as.TTLDontExpire
	for _, kv := range args {
		k, v, _ := strings.Cut(kv, "=")
		if n >= 0 && strings.Contains(v, "%d") {
			v = strings.ReplaceAll(v, "%d", strconv.Itoa(n))
		}
		if k == "ttl" {
			ttl, err := strconv.Atoi(v)
			ts.Check(err)
			wp.Expiration = uint32(ttl)
			continue
		}
		val, err := typedBinValue(v)
		ts.Check(err)
		bins[k] = val
	}
	ts.Check(c.Put(wp, key, bins))
}

// agedSnapshot returns the snapshot as it should look at now: records
// whose TTL ran out are gone (with a second's margin either way they are
// dropped, so borderline records do not make tests flaky), the others'
// TTLs shortened; records with the string keys given are left out, or
// (only) are the only ones kept.
func agedSnapshot(t takenSnapshot, now time.Time, keys []string, only bool) aerospiketest.Snapshot {
	out := aerospiketest.Snapshot{Namespace: t.snap.Namespace, Records: map[string]aerospiketest.SnapRecord{}}
	elapsed := now.Sub(t.at)
	for d, r := range t.snap.Records {
		named := false
		for _, k := range keys {
			if len(r.Key) > 0 && string(r.Key[1:]) == k {
				named = true
			}
		}
		if named != only {
			continue
		}
		if r.TTL >= 0 {
			r.TTL -= elapsed
			if r.TTL <= 2*time.Second {
				continue
			}
		}
		out.Records[d] = r
	}
	return out
}

// cmdSleep pauses the script: sleep DURATION (records expire on the
// server's clock, which is the wall clock in these scripts, as the
// backups' times are).
func cmdSleep(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: sleep DURATION")
	}
	d, err := time.ParseDuration(args[0])
	ts.Check(err)
	time.Sleep(d)
}

// serveSecretAgent answers the Aerospike Secret Agent protocol: an 8-byte
// header (magic 0x51dec1cc, body length, big-endian), then a JSON request
// {Resource, SecretKey}; the reply is framed the same way with {SecretValue}
// or {Error}.
func serveSecretAgent(ln net.Listener, secrets map[string]string) {
	const magic = 0x51dec1cc
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go func() {
			defer c.Close()
			header := make([]byte, 8)
			if _, err := io.ReadFull(c, header); err != nil || binary.BigEndian.Uint32(header) != magic {
				return
			}
			body := make([]byte, binary.BigEndian.Uint32(header[4:]))
			if _, err := io.ReadFull(c, body); err != nil {
				return
			}
			var req struct{ Resource, SecretKey string }
			if json.Unmarshal(body, &req) != nil {
				return
			}
			resp := map[string]string{}
			if v, ok := secrets[req.Resource+":"+req.SecretKey]; ok {
				resp["SecretValue"] = v
			} else {
				resp["Error"] = "secret not found"
			}
			reply, _ := json.Marshal(resp)
			out := make([]byte, 8, 8+len(reply))
			binary.BigEndian.PutUint32(out, magic)
			binary.BigEndian.PutUint32(out[4:], uint32(len(reply)))
			_, _ = c.Write(append(out, reply...))
		}()
	}
}
