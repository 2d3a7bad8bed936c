package timeflag

import (
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
		bad  bool
	}{
		{in: "2026-11-21T10:00:00Z", want: time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)},
		{in: "2026-11-21T12:00:00+02:00", want: time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)},
		{in: "2026-11-21T10:00:00.123Z", want: time.Date(2026, 11, 21, 10, 0, 0, 123e6, time.UTC)},
		{in: "1763719200000", want: time.Date(2025, 11, 21, 10, 0, 0, 0, time.UTC)},
		{in: " 0 ", want: time.Unix(0, 0)},
		{in: "", bad: true},
		{in: "yesterday", bad: true},
		{in: "2026-11-21", bad: true},
		{in: "-5", bad: true},
		{in: "-0h", bad: true},
		{in: "-2x", bad: true},
		{in: "2h ago ago", bad: true},
		{in: "2026-11-21T10:00:00", bad: true}, // no zone: ambiguous
		{in: "9999999999999999999", bad: true},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if tt.bad {
			if err == nil {
				t.Errorf("%q: want error, got %v", tt.in, got)
			}
			continue
		}
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("%q: got %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

// The forms read against a clock: now, before now, local times with an
// offset; every result is in UTC.
func TestParseAt(t *testing.T) {
	berlin := time.FixedZone("CET", 3600)
	now := time.Date(2026, 11, 21, 11, 30, 0, 0, berlin) // 10:30 UTC
	utc := func(h, m int) time.Time { return time.Date(2026, 11, 21, h, m, 0, 0, time.UTC) }
	for in, want := range map[string]time.Time{
		"now":                       utc(10, 30),
		" NOW ":                     utc(10, 30),
		"-2h":                       utc(8, 30),
		"2h ago":                    utc(8, 30),
		"90m ago":                   utc(9, 0),
		"-1h30m":                    utc(9, 0),
		"1d ago":                    time.Date(2026, 11, 20, 10, 30, 0, 0, time.UTC),
		"-1.5d":                     time.Date(2026, 11, 19, 22, 30, 0, 0, time.UTC),
		"1d2h ago":                  time.Date(2026, 11, 20, 8, 30, 0, 0, time.UTC),
		"2026-11-21T12:00:00+02:00": utc(10, 0),
		"2026-11-21 12:00:00+02:00": utc(10, 0),
		"2026-11-21T05:15-05:00":    utc(10, 15),
		"2026-11-21 10:15Z":         utc(10, 15),
	} {
		got, err := ParseAt(in, now)
		if err != nil || !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("%q: got %v, %v; want %v in UTC", in, got, err, want)
		}
	}
}

func TestParseFixedRefusesClockForms(t *testing.T) {
	for _, in := range []string{"now", "-2h", "2h ago"} {
		if got, err := ParseFixed(in); err == nil {
			t.Errorf("%q: got %v, want an error", in, got)
		}
	}
	if got, err := ParseFixed("2026-11-21T12:00:00+02:00"); err != nil || got != time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC) {
		t.Errorf("absolute time: %v, %v", got, err)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"2026-11-21T10:00:00Z", "1763719200000", "", "x", "2026-13-01T00:00:00Z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := Parse(s)
		if err != nil {
			return
		}
		// Whatever parses must survive a round trip through milliseconds
		// when it came in as milliseconds.
		if isDigits(s) && got.UnixMilli() < 0 {
			t.Fatalf("%q parsed to a negative time %v", s, got)
		}
	})
}
