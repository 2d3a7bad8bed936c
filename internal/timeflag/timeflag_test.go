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
