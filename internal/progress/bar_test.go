package progress

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// etaRE is progressbar's [elapsed:left]; a line without an ETA has [elapsed].
var etaRE = regexp.MustCompile(`\[\d+s:\d+s\]$`)

// spinRE is progressbar's spinner after the label.
var spinRE = regexp.MustCompile(`^test [|/\\-] \d`)

func TestBarFrames(t *testing.T) {
	for _, tc := range []struct {
		name  string
		total int64 // given to Track
		// counts fed one frame each; the last is checked
		feed []Counts
		// pause before the last frame: progressbar shows a rate and an
		// ETA only from the first second on
		settle  bool
		done    bool
		cols    int
		want    []string
		wantNot []string
		eta     bool // the line ends with an ETA
		spins   bool // a spinner follows the label
		full    bool // the bar takes the terminal's width but one column
	}{
		{name: "exact total", total: 1000, feed: []Counts{{Records: 450}},
			want: []string{"test 450/1000 rec  45% |", "| [0s]"}, wantNot: []string{"~", "rec/s"}, full: true},
		{name: "estimated total says so", feed: []Counts{{Records: 4500, Bytes: 3 << 20, Total: 10000, Estimated: true}},
			want: []string{"test 4500/~10000 rec  45% |"}, full: true},
		{name: "a total known after the start counts the records before it", feed: []Counts{{}, {Records: 500}, {Records: 500, Total: 1000, Estimated: true}},
			want: []string{"test 500/~1000 rec  50% |"}, full: true},
		{name: "records past an estimate", feed: []Counts{{Records: 150000, Total: 172032, Estimated: true}, {Records: 189235}},
			want: []string{" 189235 rec (past the estimate of 172032) [0s]"}, spins: true, wantNot: []string{"%", "/172032"}},
		{name: "records past an exact total", total: 172032, feed: []Counts{{Records: 170000}, {Records: 189235}},
			want: []string{"test 189235/172032 rec 100% |"}, full: true},
		{name: "at the total the bar still counts", total: 1000, feed: []Counts{{Records: 1000}, {Records: 1000}, {Records: 1234}},
			want: []string{"test 1234/1000 rec 100% |"}, full: true},
		{name: "unknown total spins", feed: []Counts{{Records: 42}},
			want: []string{" 42 rec [0s]"}, spins: true},
		{name: "rate and eta after a second", total: 1000, feed: []Counts{{Records: 100}, {Records: 450, Bytes: 3 << 20}}, settle: true,
			want: []string{"test 450/1000 rec, ", " MiB/s  45% |", " rec/s) [1s:"}, eta: true, full: true},
		{name: "no eta past an estimate", feed: []Counts{{Records: 100, Total: 150, Estimated: true}, {Records: 450}}, settle: true,
			want: []string{" 450 rec (past the estimate of 150) (", " rec/s) [1s]"}, spins: true, wantNot: []string{"%"}},
		{name: "done drops the eta", total: 1000, feed: []Counts{{Records: 100}, {Records: 600}}, settle: true, done: true,
			want: []string{"test 600/1000 rec  60% |", " rec/s) [1s]"}, full: true},
		{name: "done at the total", total: 1000, feed: []Counts{{Records: 1000}}, done: true,
			want: []string{"test 1000/1000 rec 100% |", "| [0s]"}, full: true},
		{name: "done drops the spinner", feed: []Counts{{Records: 100, Total: 150, Estimated: true}, {Records: 450}}, done: true,
			want: []string{"test 450 rec (past the estimate of 150) [0s]"}, wantNot: []string{"%", "|"}},
		{name: "narrow terminal cuts the line", total: 1000, feed: []Counts{{Records: 500}}, cols: 30,
			want: []string{"test 500/1000 rec  50% |"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cols := 100
			if tc.cols > 0 {
				cols = tc.cols
			}
			b := newBar("test", Records, tc.total, time.Now())
			var got string
			for i, c := range tc.feed {
				last := i == len(tc.feed)-1
				if last && tc.settle {
					time.Sleep(1100 * time.Millisecond)
				}
				got = b.frame(c, last && tc.done, cols)
				if n := width(got); n > cols-1 {
					t.Errorf("frame %q is %d runes on a %d-column terminal: it would wrap", got, n, cols)
				}
				assertAtMost100(t, got)
			}
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
			if etaRE.MatchString(got) != tc.eta {
				t.Errorf("frame %q: ETA shown %v, want %v", got, !tc.eta, tc.eta)
			}
			if spinRE.MatchString(got) != tc.spins {
				t.Errorf("frame %q: spinner shown %v, want %v", got, !tc.spins, tc.spins)
			}
			if n := width(got); tc.full && n != cols-1 {
				t.Errorf("frame %q is %d runes, want the bar to fill %d", got, n, cols-1)
			}
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
