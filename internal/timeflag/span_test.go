package timeflag

import (
	"testing"
	"time"
)

func TestParseSpan(t *testing.T) {
	at := time.Date(2026, 3, 31, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in     string
		before time.Time // the span before at
		bad    bool
	}{
		{in: "2d", before: time.Date(2026, 3, 29, 12, 0, 0, 0, time.UTC)},
		{in: "1y", before: time.Date(2025, 3, 31, 12, 0, 0, 0, time.UTC)},
		// m is months, with AddDate's normalisation: Feb 31 is Mar 3
		{in: "1m", before: time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC)},
		{in: "90m", before: time.Date(2018, 9, 30, 12, 0, 0, 0, time.UTC).AddDate(0, 0, 1)},
		{in: "2w", before: time.Date(2026, 3, 17, 12, 0, 0, 0, time.UTC)},
		{in: "1y2m3w4d5h", before: time.Date(2025, 1, 31, 12, 0, 0, 0, time.UTC).AddDate(0, 0, -25).Add(-5 * time.Hour)},
		{in: " 36h ", before: time.Date(2026, 3, 30, 0, 0, 0, 0, time.UTC)},
		{in: "36h30m", before: time.Date(2026, 3, 29, 23, 30, 0, 0, time.UTC)},
		{in: "1h30m", before: time.Date(2026, 3, 31, 10, 30, 0, 0, time.UTC)},
		{in: "45s", before: at.Add(-45 * time.Second)},
		{in: "", bad: true},
		{in: "0d", bad: true},
		{in: "0s", bad: true},
		{in: "-1h", bad: true},
		{in: "2x", bad: true},
		{in: "1d1y", bad: true}, // restic's order, and not a Go duration
		{in: "d", bad: true},
		{in: "99999999999y", bad: true},
	}
	for _, tt := range tests {
		got, err := ParseSpan(tt.in)
		if tt.bad {
			if err == nil {
				t.Errorf("%q: want error, got %+v", tt.in, got)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tt.in, err)
			continue
		}
		if b := got.Before(at); !b.Equal(tt.before) {
			t.Errorf("%q before %v = %v, want %v", tt.in, at, b, tt.before)
		}
		if got.String() == "" {
			t.Errorf("%q: String() is empty", tt.in)
		}
	}
}
