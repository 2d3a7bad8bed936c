package progress

import (
	"io"
	"os"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/term"
)

// Screen is a terminal shared by a progress bar and everything else written
// to it (log lines above all). Text written while a bar is drawn goes above
// the bar: the bar's line is blanked, the text written from column 0, and
// the bar drawn again under it, in one write, so the two never mix on a line.
type Screen struct {
	mu    sync.Mutex
	w     io.Writer
	frame string // the bar as last drawn; "" while no bar is shown
}

// NewScreen shares w, a terminal, between a bar and the text written to the
// returned Screen.
func NewScreen(w io.Writer) *Screen { return &Screen{w: w} }

// ScreenOf is what to write to w through: on a terminal a Screen (w itself
// when it is one already), so that log lines and messages written while a
// bar is drawn go above it instead of into it; else w.
func ScreenOf(w io.Writer, terminal bool) io.Writer {
	if _, ok := w.(*Screen); ok || !terminal {
		return w
	}
	return NewScreen(w)
}

// Write writes p above the bar, if one is shown, ending it with a newline
// when it has none so that the bar keeps a line of its own.
func (s *Screen) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.frame == "" {
		return s.w.Write(p)
	}
	var b strings.Builder
	b.WriteString(blank(s.frame))
	b.Write(p)
	if len(p) > 0 && p[len(p)-1] != '\n' {
		b.WriteByte('\n')
	}
	b.WriteString("\r" + s.frame)
	if _, err := io.WriteString(s.w, b.String()); err != nil {
		return 0, err
	}
	return len(p), nil
}

// draw replaces the bar's line with frame.
func (s *Screen) draw(frame string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	pad := width(s.frame) - width(frame)
	_, _ = io.WriteString(s.w, "\r"+frame+strings.Repeat(" ", max(pad, 0)))
	s.frame = frame
}

// finish draws frame a last time and leaves it on its own line: what is
// written next goes under it.
func (s *Screen) finish(frame string) {
	s.draw(frame)
	s.mu.Lock()
	defer s.mu.Unlock()
	_, _ = io.WriteString(s.w, "\n")
	s.frame = ""
}

// columns is the terminal's width, 80 when it cannot be asked; read at
// every frame so a resized window is followed.
func (s *Screen) columns() int {
	if f, ok := s.w.(*os.File); ok {
		if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 0 {
			return w
		}
	}
	return 80
}

// blank returns to column 0 of a line showing frame and overwrites it with
// spaces: portable where the ANSI erase-line code is not.
func blank(frame string) string {
	return "\r" + strings.Repeat(" ", width(frame)) + "\r"
}

func width(s string) int { return utf8.RuneCountInString(s) }
