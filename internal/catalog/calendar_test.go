package catalog

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aerobackup/aerobackup/internal/timeflag"
)

// twoYears is a synthetic catalog: a full every day at 00:00 UTC from
// 2025-01-01 to 2026-12-31 and an incremental every hour after it, each
// building on the previous backup.
func twoYears(until time.Time) []Backup {
	var out []Backup
	prev := time.Time{}
	for t := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC); !t.After(until); t = t.Add(time.Hour) {
		typ, from := Incremental, prev
		if t.Hour() == 0 {
			typ, from = Full, time.Time{}
		}
		b := Backup{Routine: "r", Type: typ, Time: t, Key: RunDir("r", typ, t)}
		b.Namespaces = []NamespaceBackup{{Namespace: "test", Dir: NamespaceDir(b.Key, "test"),
			Metadata: Metadata{Created: t, Finished: t.Add(time.Minute), From: from, Namespace: "test"}}}
		out = append(out, b)
		prev = t
	}
	return out
}

var end = time.Date(2026, 12, 31, 23, 0, 0, 0, time.UTC)

func at(s string) time.Time {
	t, err := time.Parse("2006-01-02T15", s)
	if err != nil {
		panic(err)
	}
	return t
}

// key is the run key of the synthetic backup at s ("2026-12-31T05").
func key(s string) string {
	t := at(s)
	if t.Hour() == 0 {
		return RunDir("r", Full, t)
	}
	return RunDir("r", Incremental, t)
}

func span(t *testing.T, s string) timeflag.Span {
	sp, err := timeflag.ParseSpan(s)
	if err != nil {
		t.Fatal(err)
	}
	return sp
}

// days is the keys of every backup of the days given ("2026-12-31").
func days(ds ...string) []string {
	var out []string
	for _, d := range ds {
		for h := 0; h < 24; h++ {
			out = append(out, key(d+"T"+time.Date(0, 1, 1, h, 0, 0, 0, time.UTC).Format("15")))
		}
	}
	return out
}

func TestPlanCalendar(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip("no time zone data:", err)
	}
	all := twoYears(end)
	type want struct {
		kept    []string          // exactly these keys are kept (nil: not checked)
		nKept   int               // how many are kept
		reasons map[string]string // key -> the reason it is kept for
		removed []string          // these keys are removed
	}
	tests := []struct {
		name    string
		backups []Backup
		policy  CalendarPolicy
		pins    map[string]Pin
		want    want
	}{
		{name: "last keeps the newest and their chain", backups: all, policy: CalendarPolicy{Last: 3},
			want: want{kept: days("2026-12-31"), nKept: 24, reasons: map[string]string{
				key("2026-12-31T23"): "last #1",
				key("2026-12-31T21"): "last #3",
				key("2026-12-31T20"): "needed to restore " + key("2026-12-31T21") + " (kept by last #3)",
				key("2026-12-31T00"): "needed to restore " + key("2026-12-31T21") + " (kept by last #3)",
			}, removed: []string{key("2026-12-30T23")}}},
		{name: "hourly keeps one per hour", backups: all, policy: CalendarPolicy{Hourly: 48},
			want: want{kept: days("2026-12-30", "2026-12-31"), nKept: 48, reasons: map[string]string{
				key("2026-12-30T00"): "hourly #48 (2026-12-30T00)",
				key("2026-12-31T23"): "hourly #1 (2026-12-31T23)",
			}}},
		{name: "daily keeps each day's newest and its chain", backups: all, policy: CalendarPolicy{Daily: 7},
			want: want{nKept: 7 * 24, reasons: map[string]string{
				key("2026-12-31T23"): "daily #1 (2026-12-31)",
				key("2026-12-25T23"): "daily #7 (2026-12-25)",
				key("2026-12-25T00"): "needed to restore " + key("2026-12-25T23") + " (kept by daily #7)",
			}, removed: []string{key("2026-12-24T23")}}},
		// 2026 has 53 ISO weeks; W53 runs from Monday 2026-12-28.
		{name: "weekly by ISO week", backups: all, policy: CalendarPolicy{Weekly: 3},
			want: want{kept: days("2026-12-20", "2026-12-27", "2026-12-31"), nKept: 72, reasons: map[string]string{
				key("2026-12-31T23"): "weekly #1 (2026-W53)",
				key("2026-12-27T23"): "weekly #2 (2026-W52)",
				key("2026-12-20T23"): "weekly #3 (2026-W51)",
			}}},
		// 2025-12-29..31 belong to 2026-W01: the week before is 2025-W52.
		{name: "weekly across the ISO year boundary", backups: twoYears(at("2026-01-02T23")), policy: CalendarPolicy{Weekly: 2},
			want: want{kept: days("2025-12-28", "2026-01-02"), nKept: 48, reasons: map[string]string{
				key("2026-01-02T23"): "weekly #1 (2026-W01)",
				key("2025-12-28T23"): "weekly #2 (2025-W52)",
			}, removed: []string{key("2025-12-31T23"), key("2025-12-29T00")}}},
		{name: "monthly", backups: all, policy: CalendarPolicy{Monthly: 12},
			want: want{nKept: 12 * 24, reasons: map[string]string{
				key("2026-12-31T23"): "monthly #1 (2026-12)",
				key("2026-02-28T23"): "monthly #11 (2026-02)",
				key("2026-01-31T23"): "monthly #12 (2026-01)",
			}, removed: []string{key("2025-12-31T23")}}},
		{name: "yearly", backups: all, policy: CalendarPolicy{Yearly: 5},
			want: want{kept: days("2025-12-31", "2026-12-31"), nKept: 48, reasons: map[string]string{
				key("2025-12-31T23"): "yearly #2 (2025)",
			}}},
		{name: "unlimited monthly", backups: all, policy: CalendarPolicy{Monthly: -1},
			want: want{nKept: 24 * 24, reasons: map[string]string{
				key("2025-01-31T23"): "monthly #24 (2025-01)",
			}}},
		{name: "unlimited daily keeps every backup", backups: all, policy: CalendarPolicy{Daily: -1},
			want: want{nKept: len(all)}},
		// within counts back from the newest point, not from now
		{name: "within", backups: all, policy: CalendarPolicy{Within: span(t, "2d")},
			want: want{kept: days("2026-12-29", "2026-12-30", "2026-12-31"), nKept: 72, reasons: map[string]string{
				key("2026-12-29T23"): "within 2d of the newest",
				key("2026-12-29T22"): "needed to restore " + key("2026-12-29T23") + " (kept by within 2d of the newest)",
			}}},
		// a month before 2026-12-31T23 is "2026-11-31T23", which
		// AddDate normalises to 2026-12-01T23
		{name: "within a month", backups: all, policy: CalendarPolicy{Within: span(t, "1m")},
			want: want{nKept: 31 * 24, reasons: map[string]string{
				key("2026-12-01T23"): "within 1m of the newest",
				key("2026-12-01T22"): "needed to restore " + key("2026-12-01T23") + " (kept by within 1m of the newest)",
			}, removed: []string{key("2026-11-30T23")}}},
		{name: "rules combine and are all recorded", backups: all,
			policy: CalendarPolicy{Last: 1, Daily: 2, Weekly: 2, Yearly: 1},
			want: want{kept: days("2026-12-27", "2026-12-30", "2026-12-31"), nKept: 72, reasons: map[string]string{
				key("2026-12-31T23"): "last #1, daily #1 (2026-12-31), weekly #1 (2026-W53), yearly #1 (2026)",
				key("2026-12-30T23"): "daily #2 (2026-12-30)",
				key("2026-12-27T23"): "weekly #2 (2026-W52)",
			}}},
		{name: "a pin keeps its backup and its chain", backups: all, policy: CalendarPolicy{Daily: 1},
			pins: map[string]Pin{key("2025-06-15T05"): {Key: key("2025-06-15T05"), Reason: "audit"}},
			want: want{nKept: 24 + 6, reasons: map[string]string{
				key("2025-06-15T05"): "pinned: audit",
				key("2025-06-15T03"): "needed to restore pinned " + key("2025-06-15T05"),
				key("2025-06-15T00"): "needed to restore pinned " + key("2025-06-15T05"),
			}, removed: []string{key("2025-06-15T06"), key("2025-06-14T23")}}},
		{name: "a pin kept by a rule too", backups: all, policy: CalendarPolicy{Last: 1},
			pins: map[string]Pin{key("2026-12-31T23"): {Reason: ""}},
			want: want{nKept: 24, reasons: map[string]string{key("2026-12-31T23"): "last #1, pinned"}}},
		// Berlin leaves summer time at 01:00 UTC on 2026-10-25: 00:00 and
		// 01:00 UTC are both 02:00 local, one hourly bucket.
		{name: "hourly over the end of summer time", backups: twoYears(at("2026-10-25T03")),
			policy: CalendarPolicy{Hourly: 4, Location: berlin},
			want: want{nKept: 24 + 4, reasons: map[string]string{
				key("2026-10-25T03"): "hourly #1 (2026-10-25T04)",
				key("2026-10-25T01"): "hourly #3 (2026-10-25T02)",
				key("2026-10-25T00"): "needed to restore " + key("2026-10-25T01") + " (kept by hourly #3)",
				key("2026-10-24T23"): "hourly #4 (2026-10-25T01)",
			}, removed: []string{key("2026-10-23T23")}}},
		// Berlin's 2026-10-25 begins at 22:00 UTC the day before: the
		// points of 22:00 and 23:00 UTC share the newest's day, and no
		// kept point builds on them.
		{name: "daily in the local zone", backups: twoYears(at("2026-10-25T03")),
			policy: CalendarPolicy{Daily: 2, Location: berlin},
			want: want{nKept: 4 + 22, reasons: map[string]string{
				key("2026-10-25T03"): "daily #1 (2026-10-25)",
				key("2026-10-24T21"): "daily #2 (2026-10-24)",
				key("2026-10-25T00"): "needed to restore " + key("2026-10-25T03") + " (kept by daily #1)",
			}, removed: []string{key("2026-10-24T22"), key("2026-10-24T23")}}},
		{name: "empty catalog", policy: CalendarPolicy{Last: 1}, want: want{nKept: 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan, err := PlanCalendar(tt.backups, tt.policy, tt.pins)
			if err != nil {
				t.Fatal(err)
			}
			if len(plan.Decisions) != len(tt.backups) {
				t.Fatalf("%d decisions for %d backups", len(plan.Decisions), len(tt.backups))
			}
			by := map[string]RetentionDecision{}
			for _, d := range plan.Decisions {
				by[d.Backup.Key] = d
				if !d.Keep && d.Reason == "" || d.Keep && len(d.Rules) == 0 {
					t.Errorf("%s: keep %v with reason %q, rules %q", d.Backup.Key, d.Keep, d.Reason, d.Rules)
				}
			}
			if got := len(plan.Kept()); got != tt.want.nKept {
				t.Errorf("kept %d backups, want %d", got, tt.want.nKept)
			}
			if tt.want.kept != nil {
				var got []string
				for _, b := range plan.Kept() {
					got = append(got, b.Key)
				}
				want := map[string]bool{}
				for _, k := range tt.want.kept {
					want[k] = true
				}
				for _, k := range got {
					if !want[k] {
						t.Errorf("kept %s, which it should remove (%s)", k, by[k].Reason)
					}
				}
			}
			for k, reason := range tt.want.reasons {
				if d := by[k]; !d.Keep || d.Reason != reason {
					t.Errorf("%s: keep %v, reason %q; want kept for %q", k, d.Keep, d.Reason, reason)
				}
			}
			for _, k := range tt.want.removed {
				if d := by[k]; d.Keep || !strings.HasPrefix(d.Reason, "no rule keeps it") {
					t.Errorf("%s: keep %v (%q); want removed", k, d.Keep, d.Reason)
				}
			}
			// Every kept incremental can be restored from what is kept
			// (checked where PointInTime's sort per point stays quick).
			var kept []Backup
			for _, d := range plan.Decisions {
				if d.Keep {
					kept = append(kept, d.Backup)
				}
			}
			for _, b := range kept {
				if len(kept) > 800 {
					break
				}
				chain, err := PointInTime(kept, "test", b.Time)
				if err != nil || len(chain.Warnings) > 0 || chain.Links[len(chain.Links)-1].Key != b.Key {
					t.Errorf("kept %s cannot be restored from the kept backups: %v %v", b.Key, err, chain.Warnings)
				}
			}
		})
	}
}

func TestPlanCalendarRefuses(t *testing.T) {
	for _, p := range []CalendarPolicy{{}, {Daily: -2}, {Location: time.UTC}} {
		if _, err := PlanCalendar(twoYears(at("2025-01-02T00")), p, nil); err == nil {
			t.Errorf("%+v: want refusal", p)
		}
	}
}

func TestKeepPinnedCountRule(t *testing.T) {
	// F100 I110 I120 | F200 I210 | F300 I310; keep-full 1, incremental 1
	bs := []Backup{bk("F", 100, 0), bk("I", 110, 100), bk("I", 120, 110), bk("F", 200, 0), bk("I", 210, 200),
		bk("F", 300, 0), bk("I", 310, 300)}
	plan, err := PlanRetention(bs, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	gone := RunDir("r", Full, ms(50))
	plan.KeepPinned(map[string]Pin{bs[1].Key: {Reason: "before the migration"}, gone: {Key: gone, Path: "r/.pins/backup/50.yaml"}})
	var removed []string
	for _, b := range plan.Remove() {
		removed = append(removed, label(b))
	}
	if got := strings.Join(removed, " "); got != "r:I120 r:F200 r:I210" {
		t.Errorf("removed %s, want r:I120 r:F200 r:I210", got)
	}
	reasons := map[string]string{}
	for _, d := range plan.Decisions {
		reasons[label(d.Backup)] = d.Reason
	}
	for l, want := range map[string]string{
		"r:I110": "pinned: before the migration",
		"r:F100": "needed to restore pinned " + bs[1].Key,
		"r:F300": "newest full backup (always kept)",
	} {
		if reasons[l] != want {
			t.Errorf("%s: reason %q, want %q", l, reasons[l], want)
		}
	}
	if len(plan.StalePins) != 1 || plan.StalePins[0].Key != gone {
		t.Errorf("stale pins %+v, want the pin of %s", plan.StalePins, gone)
	}
}

func TestPins(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	putRun(t, s, "r", Full, ms(1000), time.Time{}, "test")
	k, err := ParseKey("r/backup/1000/data/test")
	if err != nil {
		t.Fatal(err)
	}
	if err := WritePin(ctx, s, k, Pin{Reason: "first", PinnedBy: "u@h", PinnedAt: ms(5)}); err != nil {
		t.Fatal(err)
	}
	if err := WritePin(ctx, s, k, Pin{Reason: "second", PinnedBy: "u@h", PinnedAt: ms(6)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ReadFile(ctx, "r/.pins/backup/1000.yaml"); err != nil {
		t.Fatalf("the pin is not beside the backup trees: %v", err)
	}
	// Not a pin: ignored.
	if err := s.WriteFile(ctx, "r/.pins/backup/notes.txt", []byte("x")); err != nil {
		t.Fatal(err)
	}
	l, err := Scan(ctx, s, Filter{Pins: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Backups) != 1 || len(l.Incomplete) != 0 {
		t.Fatalf("the pins folder changed the listing: %+v", l)
	}
	p, ok := l.Pins["r/backup/1000"]
	if !ok || len(l.Pins) != 1 || p.Reason != "second" || p.PinnedBy != "u@h" || p.Path != "r/.pins/backup/1000.yaml" {
		t.Fatalf("pins = %+v", l.Pins)
	}
	if l, _ := Scan(ctx, s, Filter{}); l.Pins != nil {
		t.Errorf("pins read without Filter.Pins: %+v", l.Pins)
	}
	if err := RemovePin(ctx, s, k); err != nil {
		t.Fatal(err)
	}
	if err := RemovePin(ctx, s, k); err != nil {
		t.Errorf("unpinning twice: %v", err)
	}
	if pins, err := ReadPins(ctx, s, []string{"r"}); err != nil || len(pins) != 0 {
		t.Errorf("after unpin: %+v, %v", pins, err)
	}
	// A damaged pin still pins.
	if err := s.WriteFile(ctx, "r/.pins/incremental/2000.yaml", []byte("{[")); err != nil {
		t.Fatal(err)
	}
	pins, err := ReadPins(ctx, s, []string{"r"})
	if p := pins["r/incremental/2000"]; err != nil || !strings.HasPrefix(p.Reason, "unreadable pin file") {
		t.Errorf("damaged pin: %+v, %v", pins, err)
	}
}

// ABS's count rule over the two-year catalog keeps a pinned incremental
// and its chain besides the 7 newest fulls and the last day's
// incrementals.
func TestKeepPinnedTwoYears(t *testing.T) {
	plan, err := PlanRetention(twoYears(end), 7, 1)
	if err != nil {
		t.Fatal(err)
	}
	pinned := key("2025-06-15T05")
	plan.KeepPinned(map[string]Pin{pinned: {Key: pinned, Reason: "audit"}})
	if got := len(plan.Kept()); got != 7+23+6 {
		t.Errorf("kept %d, want 36", got)
	}
	by := map[string]RetentionDecision{}
	for _, d := range plan.Decisions {
		by[d.Backup.Key] = d
	}
	for k, want := range map[string]string{
		pinned:               "pinned: audit",
		key("2025-06-15T00"): "needed to restore pinned " + pinned,
		key("2026-12-25T00"): "full #7 of the 7 newest to keep",
	} {
		if d := by[k]; !d.Keep || d.Reason != want {
			t.Errorf("%s: keep %v %q, want kept for %q", k, d.Keep, d.Reason, want)
		}
	}
	if d := by[key("2025-06-15T06")]; d.Keep {
		t.Errorf("the incremental after the pinned one is kept: %q", d.Reason)
	}
}
