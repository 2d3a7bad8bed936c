package plan

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aerobackup/aerobackup/internal/backupslice"
	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/config"
)

// settings match the markers interrupted() writes.
var settings = Settings{Compression: "ZSTD", Encryption: "NONE", Selection: "sel-1"}

func TestResume(t *testing.T) {
	concurrent := &config.BackupPolicy{ConcurrentIncremental: ptr(true)}
	fullRun := interrupted(catalog.Full, 5000, catalog.ResumeInterrupted, "a", "b")
	incrRunning := interrupted(catalog.Incremental, 5000, catalog.ResumeRunning, "a")
	// A run cut short while publishing lists as a backup of "a".
	published := full(5000, "a")
	tests := []struct {
		name   string
		req    BackupRequest
		l      catalog.Listing
		want   ResumeAction
		key    string // the run considered
		reason string
		notice Notice
		err    string // "skip" or "usage", then the text it holds
	}{
		{name: "slice is never resumable", req: BackupRequest{Slice: &backupslice.Spec{Index: 0, Count: 2}, RunFolder: "3000"},
			l: listing(nil, fullRun), want: Fresh, reason: "a slice is never resumable: a slice run again starts its share over"},
		{name: "nothing to continue", l: listing([]catalog.Backup{full(1000, "a")}),
			want: Fresh, reason: "no interrupted resumable full backup: a new run"},
		{name: "--resume with nothing to continue", req: BackupRequest{Resume: true}, l: listing([]catalog.Backup{full(1000, "a")}),
			err: `skip: routine "r": no interrupted resumable full backup to continue`},
		{name: "an incremental is not continued by a full", l: listing(nil, interrupted(catalog.Incremental, 5000, catalog.ResumeInterrupted, "a")),
			want: Fresh, reason: "no interrupted resumable full backup: a new run"},
		{name: "an interrupted run older than a backup is a leftover", l: listing([]catalog.Backup{full(6000, "a")}, fullRun),
			want: Fresh, reason: "no interrupted resumable full backup: a new run"},
		{name: "continue by default", l: listing([]catalog.Backup{full(1000, "a")}, fullRun), want: Continue, key: fullRun.Run,
			reason: "continuing the routine's interrupted resumable backup (--no-resume starts over)", notice: Inform},
		{name: "continue with --resume", req: BackupRequest{Resume: true}, l: listing(nil, fullRun), want: Continue, key: fullRun.Run,
			reason: "continuing the routine's interrupted resumable backup (--resume)"},
		{name: "continue with the same --namespace in another order", req: BackupRequest{Namespaces: []string{"b", "a"}},
			l: listing(nil, fullRun), want: Continue, key: fullRun.Run, notice: Inform,
			reason: "continuing the routine's interrupted resumable backup (--no-resume starts over)"},
		{name: "concurrent incremental may still be running", req: BackupRequest{Incremental: true, Policy: concurrent},
			l: listing(nil, incrRunning), want: Fresh, key: incrRunning.Run, notice: Inform,
			reason: "a resumable incremental backup may still be running (concurrent-incremental: true): not continuing it"},
		{name: "--resume of a concurrent incremental that may still run", req: BackupRequest{Incremental: true, Policy: concurrent, Resume: true},
			l: listing(nil, incrRunning), err: `skip: routine "r": the resumable incremental backup r/incremental/5000 may still be running (concurrent-incremental: true)`},
		{name: "without concurrent-incremental a running marker is a dead run", req: BackupRequest{Incremental: true},
			l: listing(nil, incrRunning), want: Continue, key: incrRunning.Run, notice: Inform,
			reason: "continuing the routine's interrupted resumable backup (--no-resume starts over)"},
		{name: "concurrent incremental that said it stopped", req: BackupRequest{Incremental: true, Policy: concurrent},
			l: listing(nil, interrupted(catalog.Incremental, 5000, catalog.ResumeInterrupted, "a")), want: Continue, key: "r/incremental/5000",
			notice: Inform, reason: "continuing the routine's interrupted resumable backup (--no-resume starts over)"},
		{name: "--no-resume removes it", req: BackupRequest{NoResume: true}, l: listing(nil, fullRun), want: Remove, key: fullRun.Run,
			notice: Warn, reason: "--no-resume: removing the interrupted resumable backup and starting over"},
		{name: "--no-resume --dry-run only says so", req: BackupRequest{NoResume: true, DryRun: true}, l: listing(nil, fullRun),
			want: Fresh, key: fullRun.Run, notice: Inform, reason: "--no-resume: would remove the interrupted resumable backup and start over"},
		{name: "--no-resume leaves a run that is partly a backup", req: BackupRequest{NoResume: true},
			l: listing([]catalog.Backup{published}, fullRun), want: Fresh, key: fullRun.Run, notice: Warn,
			reason: "--no-resume: the interrupted backup lists as a backup of some namespaces; leaving it in place"},
		{name: "settings that cannot resume", req: BackupRequest{Settings: Settings{NotResumable: errors.New("a resumable backup needs a file limit")}},
			l: listing(nil, fullRun), err: `usage: routine "r": continuing the interrupted backup r/backup/5000: a resumable backup needs a file limit (or start over with --no-resume)`},
		{name: "other namespaces", req: BackupRequest{Namespaces: []string{"a"}}, l: listing(nil, fullRun),
			err: `usage: routine "r": the interrupted backup r/backup/5000 is of namespace(s) a, b; a continuation backs up the same (or start over with --no-resume)`},
		{name: "other compression", req: BackupRequest{Settings: Settings{Compression: "NONE", Encryption: "NONE", Selection: "sel-1"}}, l: listing(nil, fullRun),
			err: `usage: routine "r": the interrupted backup r/backup/5000 was written with compression ZSTD and encryption NONE, this run would use NONE and NONE (or start over with --no-resume)`},
		{name: "other selection", req: BackupRequest{Settings: Settings{Compression: "ZSTD", Encryption: "NONE", Selection: "sel-2"}}, l: listing(nil, fullRun),
			err: `usage: routine "r": the scan selection (sets, bins, filter expression, partitions) differs from the interrupted backup r/backup/5000's (or start over with --no-resume)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.req.Routine = "r"
			if tt.req.Settings == (Settings{}) {
				tt.req.Settings = settings
			}
			d, err := Resume(tt.req, tt.l)
			if tt.err != "" {
				kind, text, _ := strings.Cut(tt.err, ": ")
				if kind == "skip" {
					text = "skipped: " + text
				}
				if exitOf(err) != kind || err.Error() != text {
					t.Fatalf("err = %v (%s), want %s", err, exitOf(err), tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d.Action != tt.want || d.Run.Key != tt.key || d.Reason != tt.reason || d.Notice != tt.notice {
				t.Errorf("= action %d run %q notice %d reason %q\nwant action %d run %q notice %d reason %q",
					d.Action, d.Run.Key, d.Notice, d.Reason, tt.want, tt.key, tt.notice, tt.reason)
			}
		})
	}
}

func TestBackup(t *testing.T) {
	now := ms(9000)
	cumulative := &config.BackupPolicy{IncrMode: ptr("Cumulative")}
	sealed := &config.BackupPolicy{Sealed: ptr(true)}
	chain := []catalog.Backup{full(1000, "a", "b"), incr(2000, 1000, "a")} // b missed the incremental
	keep := &Keep{Full: 3, Incremental: 1, Reason: "keep the 3 newest fulls (the policy) and ..."}
	cont := interrupted(catalog.Incremental, 5000, catalog.ResumeInterrupted, "a")
	cont.Resume.Until = ms(5000)
	cont.Resume.Namespaces[0].From = ms(2000)
	continuing := ResumeDecision{Action: Continue, Run: catalog.Resumable{Key: cont.Run, Marker: cont.Resume}}

	type ns struct {
		name   string
		from   int64 // millis; 0: all records
		reason string
	}
	tests := []struct {
		name       string
		req        BackupRequest
		backups    []catalog.Backup
		resume     ResumeDecision
		namespaces []string

		typ              catalog.Type
		reason           string
		promoted         bool
		start, until     int64
		resumable, prune bool
		pruneReason      string
		baseReason       string
		ns               []ns
		err              string // a skip's text
	}{
		{name: "full", backups: chain, namespaces: []string{"a", "b"}, typ: catalog.Full, reason: "full backup", start: 9000,
			ns: []ns{{"a", 0, "all records (full)"}, {"b", 0, "all records (full)"}}},
		{name: "differential from the last backup or the last full, per namespace", req: BackupRequest{Incremental: true},
			backups: chain, namespaces: []string{"a", "b"}, typ: catalog.Incremental, reason: "incremental backup (differential mode)", start: 9000,
			ns: []ns{{"a", 2000, "incremental from r/incremental/2000 (last backup, differential mode)"},
				{"b", 1000, "incremental from r/backup/1000 (last full, differential mode)"}}},
		{name: "cumulative from the last full", req: BackupRequest{Incremental: true, Policy: cumulative},
			backups: chain, namespaces: []string{"a"}, typ: catalog.Incremental, reason: "incremental backup (cumulative mode)", start: 9000,
			ns: []ns{{"a", 1000, "incremental from r/backup/1000 (last full, cumulative mode)"}}},
		{name: "sealed: the window ends at the start", req: BackupRequest{Incremental: true, Policy: sealed},
			backups: chain, namespaces: []string{"b"}, typ: catalog.Incremental, reason: "incremental backup (differential mode), sealed at its start",
			start: 9000, until: 9000, ns: []ns{{"b", 1000, "incremental from r/backup/1000 (last full, differential mode)"}}},
		{name: "no full to build on", req: BackupRequest{Incremental: true}, backups: chain, namespaces: []string{"a", "c"},
			err: `skipped: routine "r": no full backup of namespace(s) c to build an incremental on (use --auto-full to take one)`},
		{name: "no backup at all", req: BackupRequest{Incremental: true}, namespaces: []string{"a", "b"},
			err: `skipped: routine "r": no full backup of namespace(s) a, b to build an incremental on (use --auto-full to take one)`},
		{name: "--auto-full takes a full of every namespace, under the full lock", req: BackupRequest{Incremental: true, AutoFull: true, Policy: sealed},
			backups: chain, namespaces: []string{"a", "c"}, typ: catalog.Full, promoted: true, start: 9000,
			reason: "no full backup to build on: taking a full backup instead (--auto-full)",
			ns:     []ns{{"a", 0, "all records (full)"}, {"c", 0, "all records (full)"}}},
		{name: "--auto-full with a base is an incremental", req: BackupRequest{Incremental: true, AutoFull: true}, backups: chain,
			namespaces: []string{"b"}, typ: catalog.Incremental, reason: "incremental backup (differential mode)", start: 9000,
			ns: []ns{{"b", 1000, "incremental from r/backup/1000 (last full, differential mode)"}}},
		{name: "continuation: the interrupted run's folder, window and namespaces", req: BackupRequest{Incremental: true},
			resume: continuing, namespaces: []string{"a", "b", "c"}, typ: catalog.Incremental, start: 5000, until: 5000, resumable: true,
			reason: "continuing the interrupted incremental backup r/incremental/5000 (attempt 2)",
			ns:     []ns{{"a", 2000, "records changed since 1970-01-01T00:00:02Z, as the interrupted run"}}},
		{name: "--no-resume removal starts fresh", req: BackupRequest{NoResume: true},
			resume: ResumeDecision{Action: Remove, Run: catalog.Resumable{Key: "r/backup/5000"}}, namespaces: []string{"a"},
			typ: catalog.Full, reason: "full backup", start: 9000, ns: []ns{{"a", 0, "all records (full)"}}},
		{name: "--resumable", req: BackupRequest{Resumable: true}, namespaces: []string{"a"}, typ: catalog.Full, reason: "full backup",
			start: 9000, resumable: true, ns: []ns{{"a", 0, "all records (full)"}}},
		{name: "slice builds on the runs before its run folder", req: BackupRequest{Incremental: true, Slice: &backupslice.Spec{Index: 1, Count: 4}, RunFolder: "3000"},
			backups: []catalog.Backup{full(1000, "a"), incr(2000, 1000, "a"), full(4000, "a")}, namespaces: []string{"a"},
			typ: catalog.Incremental, reason: "incremental backup (differential mode)", start: 9000,
			baseReason: "slice 1/4 of run 3000: only the backups started before the run, as every slice picks",
			ns:         []ns{{"a", 2000, "incremental from r/incremental/2000 (last backup, differential mode)"}}},
		{name: "slice with no full before its run skips", req: BackupRequest{Incremental: true, Slice: &backupslice.Spec{Index: 0, Count: 2}, RunFolder: "3000"},
			backups: []catalog.Backup{full(4000, "a")}, namespaces: []string{"a"},
			err: `skipped: routine "r": no full backup of namespace(s) a to build an incremental on (use --auto-full to take one)`},
		{name: "--prune after a full", req: BackupRequest{Prune: keep}, namespaces: []string{"a"}, typ: catalog.Full, reason: "full backup",
			start: 9000, prune: true, pruneReason: "--prune after a successful full: " + keep.Reason, ns: []ns{{"a", 0, "all records (full)"}}},
		{name: "--prune after an incremental does not", req: BackupRequest{Incremental: true, Prune: keep}, backups: chain, namespaces: []string{"b"},
			typ: catalog.Incremental, reason: "incremental backup (differential mode)", start: 9000,
			pruneReason: "retention not applied: --prune runs only after a successful full backup",
			ns:          []ns{{"b", 1000, "incremental from r/backup/1000 (last full, differential mode)"}}},
		{name: "--prune after an incremental promoted to a full", req: BackupRequest{Incremental: true, AutoFull: true, Prune: keep},
			namespaces: []string{"a"}, typ: catalog.Full, promoted: true, start: 9000, prune: true,
			reason:      "no full backup to build on: taking a full backup instead (--auto-full)",
			pruneReason: "--prune after a successful full: " + keep.Reason, ns: []ns{{"a", 0, "all records (full)"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.req.Routine = "r"
			p, err := Backup(tt.req, listing(tt.backups), tt.resume, tt.namespaces, now)
			if tt.err != "" {
				if exitOf(err) != "skip" || err.Error() != tt.err {
					t.Fatalf("err = %v, want the skip %s", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.baseReason == "" {
				tt.baseReason = "every backup of the routine"
			}
			var until time.Time
			if tt.until != 0 {
				until = ms(tt.until)
			}
			if p.Type != tt.typ || p.Reason != tt.reason || p.Promoted != tt.promoted || !p.Start.Equal(ms(tt.start)) ||
				!p.Until.Equal(until) || p.Resumable != tt.resumable || p.BaseReason != tt.baseReason {
				t.Errorf("= type %s promoted %v start %v until %v resumable %v\n  reason %q\n  base %q\nwant type %s promoted %v start %v until %v resumable %v\n  reason %q\n  base %q",
					p.Type, p.Promoted, p.Start, p.Until, p.Resumable, p.Reason, p.BaseReason,
					tt.typ, tt.promoted, ms(tt.start), until, tt.resumable, tt.reason, tt.baseReason)
			}
			if p.Prune != tt.prune || p.PruneReason != tt.pruneReason || (tt.prune && p.Keep != *tt.req.Prune) {
				t.Errorf("prune %v %+v %q, want %v %q", p.Prune, p.Keep, p.PruneReason, tt.prune, tt.pruneReason)
			}
			if p.Resume.Action != tt.resume.Action || p.Resume.Run.Key != tt.resume.Run.Key {
				t.Errorf("resume = %+v, want %+v", p.Resume, tt.resume)
			}
			if tt.promoted && len(p.Missing) == 0 {
				t.Error("promoted without naming the namespaces missing a full")
			}
			var got []ns
			for _, n := range p.Namespaces {
				var from int64
				if !n.From.IsZero() {
					from = n.From.UnixMilli()
				}
				got = append(got, ns{n.Name, from, n.Reason})
			}
			if len(got) != len(tt.ns) {
				t.Fatalf("namespaces = %+v\nwant %+v", got, tt.ns)
			}
			for i := range got {
				if got[i] != tt.ns[i] {
					t.Errorf("namespace %d = %+v\nwant %+v", i, got[i], tt.ns[i])
				}
			}
		})
	}
}
