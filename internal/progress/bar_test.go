package progress

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestBarFrames(t *testing.T) {
	sec := time.Second
	for _, tc := range []struct {
		name      string
		total     int64 // given to Track
		c         Counts
		elapsed   time.Duration
		done      bool
		want      []string
		wantNot   []string
		maxPct    int
		mustPct   bool
		wantWidth int
	}{
		{name: "exact total", total: 1000, c: Counts{Records: 450}, elapsed: 3 * sec,
			want: []string{"test  45% |", "450/1000 rec", "150 rec/s", "[3s eta 4s]"}, wantNot: []string{"~"}},
		{name: "estimated total says so", c: Counts{Records: 4500, Bytes: 3 << 20, Total: 10000, Estimated: true}, elapsed: 3 * sec,
			want: []string{"test ~45% |", "4500/~10000 rec", "1.0 MiB/s", "eta ~4s"}},
		{name: "records past an estimate", c: Counts{Records: 189235, Total: 172032, Estimated: true}, elapsed: 10 * sec,
			want: []string{"189235 rec (past the estimate of 172032)", "18923 rec/s", "[10s]"}, wantNot: []string{"%", "eta", "/172032"}},
		{name: "records past an exact total", total: 172032, c: Counts{Records: 189235}, elapsed: 10 * sec,
			want: []string{"100% |", "189235/172032 rec"}, wantNot: []string{"eta"}},
		{name: "unknown total spins", c: Counts{Records: 42}, elapsed: sec,
			want: []string{"test | 42 rec, 42 rec/s [1s]"}},
		{name: "done drops spinner and eta", total: 1000, c: Counts{Records: 1000}, elapsed: 2 * sec, done: true,
			want: []string{"100% |", "1000/1000 rec", "[2s]"}, wantNot: []string{"eta"}},
		{name: "narrow terminal drops the bar", total: 1000, c: Counts{Records: 500}, elapsed: sec, wantWidth: 40,
			want: []string{"test  50% 500/1000"}, wantNot: []string{"|"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cols := 100
			if tc.wantWidth > 0 {
				cols = tc.wantWidth
			}
			b := &bar{label: "test", total: tc.total}
			got := b.render(tc.c, tc.elapsed, tc.done, cols)
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("frame %q lacks %q", got, w)
				}
			}
			for _, w := range tc.wantNot {
				if strings.Contains(got, w) {
					t.Errorf("frame %q has %q", got, w)
				}
			}
			if n := width(got); n > cols-1 {
				t.Errorf("frame is %d runes on a %d-column terminal: it would wrap", n, cols)
			}
			assertAtMost100(t, got)
		})
	}
}

var percentRE = regexp.MustCompile(`(\d+)%`)

func assertAtMost100(t *testing.T, out string) {
	t.Helper()
	for _, m := range percentRE.FindAllStringSubmatch(out, -1) {
		if n, _ := strconv.Atoi(m[1]); n > 100 {
			t.Errorf("shows %s%%: %q", m[1], out)
		}
	}
}
