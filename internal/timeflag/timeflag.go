// Package timeflag parses the times users give on the command line (--time,
// --from, --to): RFC 3339 or a local time with its offset, Unix
// milliseconds, "now", or a time before now ("-2h", "2h ago", "1d12h ago").
// Every time comes back in UTC. It also parses the spans of retention's
// --keep-within (Span). It owns nothing else.
package timeflag

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Forms is the accepted forms, for error messages and help.
const Forms = `RFC 3339 (2026-11-21T10:00:00Z, 2026-11-21T12:00:00+02:00), Unix milliseconds, "now", or a time before now ("-2h", "90m ago", "1d ago")`

// layouts are the absolute forms besides Unix milliseconds: RFC 3339,
// and the same with a space for the T or without seconds. Each needs a
// zone (Z or an offset): a time without one is ambiguous between hosts.
var layouts = []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02T15:04Z07:00", "2006-01-02 15:04Z07:00"}

// Parse reads s against the process clock; see ParseAt.
func Parse(s string) (time.Time, error) { return ParseAt(s, time.Now()) }

// ParseAt reads s, taking now for "now" and the relative forms, and
// returns the time in UTC.
func ParseAt(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return time.Time{}, errors.New("empty time")
	case strings.EqualFold(s, "now"):
		return now.UTC(), nil
	case isDigits(s):
		if len(s) > 15 {
			return time.Time{}, errors.New("too many digits for Unix milliseconds")
		}
		ms, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return time.Time{}, err
		}
		return time.UnixMilli(ms).UTC(), nil
	}
	if ago, ok := relative(s); ok {
		d, err := duration(ago)
		if err != nil {
			return time.Time{}, fmt.Errorf("%v; want %s", err, Forms)
		}
		return now.Add(-d).UTC(), nil
	}
	for _, l := range layouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, errors.New("want " + Forms)
}

// ParseFixed reads an absolute time only (RFC 3339 or Unix
// milliseconds), for a time several processes must read alike, such as
// the scheduled time the slices of a run share.
func ParseFixed(s string) (time.Time, error) {
	if _, rel := relative(strings.TrimSpace(s)); rel || strings.EqualFold(strings.TrimSpace(s), "now") {
		return time.Time{}, errors.New("want an absolute time: RFC 3339 or Unix milliseconds")
	}
	return ParseAt(s, time.Time{})
}

// relative strips "-" or " ago" from a time before now.
func relative(s string) (string, bool) {
	if rest, ok := strings.CutPrefix(s, "-"); ok {
		return strings.TrimSpace(rest), true
	}
	if rest, ok := strings.CutSuffix(strings.ToLower(s), " ago"); ok {
		return strings.TrimSpace(rest), true
	}
	return "", false
}

var durationPart = regexp.MustCompile(`(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d)`)

// duration is time.ParseDuration's form, plus d for 24 hours; it must be
// positive.
func duration(s string) (time.Duration, error) {
	parts := durationPart.FindAllStringSubmatchIndex(s, -1)
	var total time.Duration
	end := 0
	for _, p := range parts {
		if p[0] != end {
			break
		}
		num, unit := s[p[2]:p[3]], s[p[4]:p[5]]
		if unit == "d" {
			num, unit = strconv.FormatFloat(mustFloat(num)*24, 'f', -1, 64), "h"
		}
		d, err := time.ParseDuration(num + unit)
		if err != nil {
			return 0, err
		}
		total += d
		end = p[1]
	}
	if len(parts) == 0 || end != len(s) || total <= 0 {
		return 0, fmt.Errorf("bad duration %q", s)
	}
	return total, nil
}

func mustFloat(s string) float64 {
	f, _ := strconv.ParseFloat(s, 64) // the pattern matched digits
	return f
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
