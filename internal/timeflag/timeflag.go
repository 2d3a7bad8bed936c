// Package timeflag parses the times users give on the command line (--time,
// --from, --to): RFC 3339 or Unix milliseconds. It owns nothing else.
package timeflag

import (
	"errors"
	"strconv"
	"strings"
	"time"
)

// Parse reads an RFC 3339 time (with or without fractional seconds) or a
// whole number of Unix milliseconds.
func Parse(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, errors.New("empty time")
	}
	if isDigits(s) {
		if len(s) > 15 {
			return time.Time{}, errors.New("too many digits for Unix milliseconds")
		}
		ms, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return time.Time{}, err
		}
		return time.UnixMilli(ms).UTC(), nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, errors.New("want RFC 3339 (2026-11-21T10:00:00Z) or Unix milliseconds")
	}
	return t, nil
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
