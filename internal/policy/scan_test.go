package policy

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	as "github.com/aerospike/aerospike-client-go/v8"

	"github.com/aerobackup/aerobackup/internal/backupslice"
)

func ptrDur(d time.Duration) *time.Duration { return &d }

// The scan policy backup-go gets: the policy's timeouts, ABS's
// max-concurrent-nodes and use-scan-compression, and the flags' values.
func TestScanTuning(t *testing.T) {
	routineWith := func(policy string) string {
		return base + "backup-policies:\n  p:\n" + policy + `backup-routines:
  r: {interval-cron: "@daily", source-cluster: c, storage: s, backup-policy: p, namespaces: [test]}
`
	}
	def := as.NewScanPolicy()
	tests := []struct {
		name   string
		policy string
		o      BackupOverrides
		check  func(*as.ScanPolicy) bool
		err    string
	}{
		{name: "defaults", policy: "    parallel: 1\n", check: func(sp *as.ScanPolicy) bool {
			return sp.SocketTimeout == time.Minute && sp.TotalTimeout == 0 && sp.MaxRetries == def.MaxRetries &&
				sp.SleepBetweenRetries == def.SleepBetweenRetries && sp.MaxConcurrentNodes == 0 && !sp.UseCompression
		}},
		{name: "ABS fields", policy: "    max-concurrent-nodes: 2\n    use-scan-compression: true\n", check: func(sp *as.ScanPolicy) bool {
			return sp.MaxConcurrentNodes == 2 && sp.UseCompression
		}},
		{name: "use-scan-compression false", policy: "    use-scan-compression: false\n", check: func(sp *as.ScanPolicy) bool {
			return !sp.UseCompression
		}},
		{name: "policy timeouts", policy: "    socket-timeout: 3000\n    total-timeout: 7000\n", check: func(sp *as.ScanPolicy) bool {
			return sp.SocketTimeout == 3*time.Second && sp.TotalTimeout == 7*time.Second
		}},
		{name: "flags replace the policy's timeouts", policy: "    socket-timeout: 3000\n    total-timeout: 7000\n",
			o: BackupOverrides{SocketTimeout: ptrDur(90 * time.Second), TotalTimeout: ptrDur(0)},
			check: func(sp *as.ScanPolicy) bool {
				return sp.SocketTimeout == 90*time.Second && sp.TotalTimeout == 0
			}},
		{name: "scan retries", policy: "    parallel: 1\n",
			o: BackupOverrides{MaxRetries: ptrInt(9), SleepBetweenRetries: ptrDur(250 * time.Millisecond)},
			check: func(sp *as.ScanPolicy) bool {
				return sp.MaxRetries == 9 && sp.SleepBetweenRetries == 250*time.Millisecond
			}},
		{name: "no scan retries", policy: "    parallel: 1\n", o: BackupOverrides{MaxRetries: ptrInt(0)},
			check: func(sp *as.ScanPolicy) bool { return sp.MaxRetries == 0 }},
		{name: "negative socket timeout", policy: "    parallel: 1\n", o: BackupOverrides{SocketTimeout: ptrDur(-time.Second)},
			err: "--socket-timeout must not be negative"},
		{name: "negative total timeout", policy: "    parallel: 1\n", o: BackupOverrides{TotalTimeout: ptrDur(-time.Second)},
			err: "--total-timeout must not be negative"},
		{name: "negative retries", policy: "    parallel: 1\n", o: BackupOverrides{MaxRetries: ptrInt(-1)},
			err: "--max-retries must not be negative"},
		{name: "negative sleep", policy: "    parallel: 1\n", o: BackupOverrides{SleepBetweenRetries: ptrDur(-time.Millisecond)},
			err: "--sleep-between-retries must not be negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := NewBackup(routine(t, routineWith(tt.policy)), tt.o, nil)
			if tt.err != "" {
				var ue *InvalidError
				if !errors.As(err, &ue) || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err %v, want usage error %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			c, err := b.For("test")
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(c.ScanPolicy) {
				sp := c.ScanPolicy
				t.Errorf("scan policy: socket %v total %v retries %d sleep %v nodes %d compress %v", sp.SocketTimeout,
					sp.TotalTimeout, sp.MaxRetries, sp.SleepBetweenRetries, sp.MaxConcurrentNodes, sp.UseCompression)
			}
			if b.Retry == nil || b.Retry.MaxRetries != 5 {
				t.Errorf("the policy's retry-policy must stay apart from the scan's retries: %+v", b.Retry)
			}
		})
	}
}

// --node-list and --rack-list replace the routine's selection, with the
// config's rules.
func TestNodeSelection(t *testing.T) {
	routineWith := func(extra string) string {
		return base + `backup-routines:
  r:
    interval-cron: "@daily"
    source-cluster: c
    storage: s
    namespaces: [test]
` + extra
	}
	tests := []struct {
		name  string
		extra string
		o     BackupOverrides
		nodes []string
		racks []int
		err   string
	}{
		{name: "routine's node-list", extra: "    node-list: [\"a:3000\"]\n", nodes: []string{"a:3000"}},
		{name: "routine's racks", extra: "    racks: [2]\n", racks: []int{2}},
		{name: "--node-list replaces the routine's rack-list", extra: "    rack-list: [1]\n",
			o: BackupOverrides{NodeList: []string{"10.0.0.1:3000", " BB9 "}}, nodes: []string{"10.0.0.1:3000", "BB9"}},
		{name: "--rack-list replaces the routine's node-list", extra: "    node-list: [\"a:3000\"]\n",
			o: BackupOverrides{RackList: []int{3, 0}}, racks: []int{3, 0}},
		{name: "--rack-list alone", o: BackupOverrides{RackList: []int{1000000}}, racks: []int{1000000}},
		{name: "both flags", o: BackupOverrides{NodeList: []string{"a"}, RackList: []int{1}},
			err: "--node-list and --rack-list are mutually exclusive"},
		{name: "empty node entry", o: BackupOverrides{NodeList: []string{"a", ""}}, err: "--node-list: want <host>:<port> or node names"},
		{name: "no node", o: BackupOverrides{NodeList: []string{}}, err: "--node-list: want at least one node"},
		{name: "duplicate node", o: BackupOverrides{NodeList: []string{"a", "a"}}, err: `--node-list: node "a" is listed twice`},
		{name: "no rack", o: BackupOverrides{RackList: []int{}}, err: "--rack-list: want at least one rack id"},
		{name: "rack out of range", o: BackupOverrides{RackList: []int{1000001}}, err: "--rack-list: rack id 1000001: want 0..1000000"},
		{name: "negative rack", o: BackupOverrides{RackList: []int{-1}}, err: "--rack-list: rack id -1"},
		{name: "duplicate rack", o: BackupOverrides{RackList: []int{4, 4}}, err: "--rack-list: rack 4 is listed twice"},
		{name: "with --partition-list", o: BackupOverrides{NodeList: []string{"a"}, PartitionList: ptr("0-10")},
			err: "--node-list and --partition-list are mutually exclusive"},
		{name: "with the routine's partition-list", extra: "    partition-list: \"0-10\"\n", o: BackupOverrides{RackList: []int{1}},
			err: `--rack-list cannot be combined with the partition-list of routine "r"`},
		{name: "--partition-list with the routine's node-list", extra: "    node-list: [\"a:3000\"]\n",
			o: BackupOverrides{PartitionList: ptr("0-10")}, err: `--partition-list cannot be combined with the node-list or rack-list of routine "r"`},
		{name: "with --after-digest", o: BackupOverrides{RackList: []int{1}, AfterDigest: ptr("EZZIAD3jsEPut9iEXLaCB7/h4HI=")},
			err: "--after-digest cannot be used with a node-list or rack-list"},
		{name: "with --prefer-racks", o: BackupOverrides{NodeList: []string{"a"}, PreferRacks: []int{1}},
			err: `--prefer-racks cannot be combined with the node-list or rack-list of routine "r" (or --node-list, --rack-list)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := NewBackup(routine(t, routineWith(tt.extra)), tt.o, nil)
			if tt.err != "" {
				var ue *InvalidError
				if !errors.As(err, &ue) || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err %v, want usage error %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			c, err := b.For("test")
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(c.NodeList, tt.nodes) || !slices.Equal(c.RackList, tt.racks) {
				t.Errorf("nodes %q racks %v, want %q %v", c.NodeList, c.RackList, tt.nodes, tt.racks)
			}
			if c.ScanPolicy.ReplicaPolicy != as.MASTER {
				t.Errorf("a node or rack selection reads master copies: replica policy %v", c.ScanPolicy.ReplicaPolicy)
			}
			if err := b.Slice(backupslice.Spec{Index: 0, Count: 2}); err == nil || !strings.Contains(err.Error(), "--slice cannot be combined") {
				t.Errorf("slicing a node selection: %v", err)
			}
		})
	}
}
