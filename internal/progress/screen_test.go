package progress

import (
	"bytes"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aerobackup/aerobackup/internal/logging"
)

// lockedBuffer is a terminal stand-in that the bar's goroutine and the test
// can both write.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

var ansiRE = regexp.MustCompile("\x1b\\[[0-9;]*[A-Za-z]")

// screenLines plays out as a terminal would: "\r" returns to column 0 and
// what follows overwrites, "\n" starts a line; colour codes are dropped.
func screenLines(out string) []string {
	var lines [][]rune
	row, col := 0, 0
	for _, r := range ansiRE.ReplaceAllString(out, "") {
		for len(lines) <= row {
			lines = append(lines, nil)
		}
		switch r {
		case '\r':
			col = 0
		case '\n':
			row, col = row+1, 0
		default:
			for len(lines[row]) <= col {
				lines[row] = append(lines[row], ' ')
			}
			lines[row][col] = r
			col++
		}
	}
	var s []string
	for _, l := range lines {
		s = append(s, strings.TrimRight(string(l), " "))
	}
	return s
}

// The logger is the process's own (tint on a terminal), the line the one
// backup-go logs every percent or so while a backup runs.
func TestLogLinesGoAboveTheBar(t *testing.T) {
	term := &lockedBuffer{}
	scr := NewScreen(term)
	log, _, err := logging.New(scr, logging.Options{Terminal: true})
	if err != nil {
		t.Fatal(err)
	}
	r := New(Options{Writer: scr, Terminal: true, Logger: log})
	var n atomic.Uint64
	tr := r.Track("backup nightly test", 0, func() Counts {
		return Counts{Records: n.Load(), Bytes: 1 << 20, Total: 1000, Estimated: true}
	})
	for i := range 6 {
		n.Store(uint64(i+1) * 300) // passes the estimate at the fourth line
		time.Sleep(120 * time.Millisecond)
		log.Info("progress", "pct", float64(i+1)*30, "rec/s", 1000)
	}
	r.Status()
	tr.Stop()
	log.Info("after the bar")

	out := term.String()
	lines := screenLines(out)
	logLine := regexp.MustCompile(`^\d\d:\d\d:\d\d INF (progress|status: backup nightly test|after the bar)\b`)
	var logs, bars int
	for i, l := range lines {
		isLog := strings.Contains(l, "INF ")
		isBar := strings.HasPrefix(l, "backup nightly test ") && strings.Contains(l, " rec")
		switch {
		case isLog && !logLine.MatchString(l):
			t.Errorf("line %d: a log line glued to a bar: %q", i, l)
		case isLog:
			logs++
		case isBar:
			bars++
		case l != "":
			t.Errorf("line %d is neither a log line nor a bar: %q", i, l)
		}
	}
	if logs != 8 {
		t.Errorf("%d log lines on the screen, want 8:\n%s", logs, strings.Join(lines, "\n"))
	}
	// Only the finished bar stays: the running one is redrawn in place.
	if bars != 1 || !strings.Contains(lines[len(lines)-2], "past the estimate") {
		t.Errorf("want the final bar once, just above the last log line:\n%s", strings.Join(lines, "\n"))
	}
	// After every log line written under a live bar, the bar is drawn again.
	for _, chunk := range strings.Split(out, "\n")[1:7] {
		if !strings.HasPrefix(chunk, "\rbackup nightly test") {
			t.Errorf("bar not redrawn after a log line: %q", chunk)
		}
	}
	assertAtMost100(t, out)
}

// A terminal is written to through one Screen; anything else directly.
func TestScreenOf(t *testing.T) {
	var buf bytes.Buffer
	if w := ScreenOf(&buf, false); w != &buf {
		t.Errorf("not a terminal: %T, want the writer itself", w)
	}
	s, ok := ScreenOf(&buf, true).(*Screen)
	if !ok {
		t.Fatalf("a terminal: %T, want a *Screen", s)
	}
	if again := ScreenOf(s, true); again != s {
		t.Errorf("a Screen already: %T %p, want the same Screen %p", again, again, s)
	}
}
