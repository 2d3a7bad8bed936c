package stdinstore

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/klauspost/compress/zstd"
)

var (
	// ErrNotASB: the stream does not start with an ASB version line (it
	// is compressed or encrypted, or not a backup at all).
	ErrNotASB = errors.New("does not start with an ASB header")
	// ErrNoNamespace: the ASB header names no namespace.
	ErrNoNamespace = errors.New("has no namespace line in its ASB header")
)

// maxHeaderPeek bounds how much of the stream is held to find the header:
// a ZSTD frame's first block is at most 128 KiB, a plain header a few
// dozen bytes.
const maxHeaderPeek = bufferSize

// PeekNamespace reads the namespace an ASB stream names in its header
// ("Version x.y", then "# namespace <name>" with \ escapes) and returns it
// with a reader that replays the whole stream, nothing consumed. A
// compressed (ZSTD) stream is decoded from its start for the header only.
// An encrypted stream cannot be read without its key: do not call this.
func PeekNamespace(in io.Reader, compressed bool) (string, io.Reader, error) {
	br := bufio.NewReaderSize(in, bufferSize)
	for n := 4 << 10; ; n = min(2*n, maxHeaderPeek) {
		p, perr := br.Peek(n)
		if len(p) == 0 && perr != nil {
			if errors.Is(perr, io.EOF) {
				return "", br, errors.New("standard input is empty, no ASB stream to restore (did the command writing it fail?)")
			}
			return "", br, fmt.Errorf("standard input: %w", perr)
		}
		head := p
		if compressed {
			if len(p) >= len(zstdMagic) && !bytes.HasPrefix(p, zstdMagic) {
				return "", br, fmt.Errorf("standard input is not ZSTD-compressed (it starts %q)", p[:min(len(p), 24)])
			}
			head = zstdPrefix(p)
		}
		ns, err := parseHeader(head)
		switch {
		case err == nil:
			return ns, br, nil
		case !errors.Is(err, errShort):
			return "", br, fmt.Errorf("standard input %w (it starts %q)", err, head[:min(len(head), 24)])
		case perr != nil || n == maxHeaderPeek:
			// No more to read (or to hold): the header never ended.
			return "", br, fmt.Errorf("standard input %w (it ends, or its first %d bytes end, inside the header)", ErrNoNamespace, len(p))
		}
	}
}

// zstdMagic starts every ZSTD frame.
var zstdMagic = []byte{0x28, 0xb5, 0x2f, 0xfd}

// zstdPrefix decodes as much of the start of a ZSTD stream as p holds;
// the error of a cut frame is expected and dropped.
func zstdPrefix(p []byte) []byte {
	d, err := zstd.NewReader(bytes.NewReader(p), zstd.WithDecoderConcurrency(1))
	if err != nil {
		return nil
	}
	defer d.Close()
	var out bytes.Buffer
	_, _ = io.CopyN(&out, d, 64<<10)
	return out.Bytes()
}

// errShort: head ends before the header does.
var errShort = errors.New("header cut short")

// parseHeader reads the version line and the "# " metadata lines after
// it up to the namespace.
func parseHeader(head []byte) (string, error) {
	const version = "Version "
	if n := min(len(head), len(version)); string(head[:n]) != version[:n] {
		return "", ErrNotASB
	}
	_, rest, ok := bytes.Cut(head, []byte("\n"))
	for ok {
		switch {
		case len(rest) < 2:
			return "", errShort
		case rest[0] != '#' || rest[1] != ' ':
			return "", ErrNoNamespace // the records start
		}
		if v, found := bytes.CutPrefix(rest, []byte("# namespace ")); found {
			name, whole := unescapeLine(v)
			switch {
			case !whole:
				return "", errShort
			case name == "":
				return "", ErrNoNamespace
			}
			return name, nil
		}
		_, rest, ok = bytes.Cut(rest, []byte("\n"))
	}
	return "", errShort
}

// unescapeLine reads up to the first unescaped newline, dropping the
// backslash before escaped characters; ok is false when there is none.
func unescapeLine(b []byte) (string, bool) {
	var sb strings.Builder
	for i := 0; i < len(b); i++ {
		switch c := b[i]; c {
		case '\\':
			if i+1 >= len(b) {
				return "", false
			}
			i++
			sb.WriteByte(b[i])
		case '\n':
			return sb.String(), true
		default:
			sb.WriteByte(c)
		}
	}
	return "", false
}
