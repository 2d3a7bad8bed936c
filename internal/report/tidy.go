package report

import (
	"regexp"
	"strings"
)

// aerospikeError is the Aerospike client's text for a server or network
// error: result code, iteration, in-doubt flag, node, then the message.
var aerospikeError = regexp.MustCompile(`ResultCode: ([A-Z_0-9]+), Iteration: \d+, InDoubt: (?:true|false), Node: (<nil>|\S+ \S+?|\S*): ([^\n]*)`)

// Tidy makes an error's text read as one line of ours: the Aerospike
// client's errors as "message (CODE, node N)", a chain the client carries
// on indented lines joined with "; ", a cause given twice by a library
// (a write's error, then the close's of the same failure) once, and a
// segment repeated right after itself once. What names the failure (the
// routine, namespace, storage, file or secret reference ours put first)
// and the library's own words are kept.
func Tidy(msg string) string {
	body := strings.TrimRight(msg, "\n")
	trailing := msg[len(body):]
	msg = aerospikeError.ReplaceAllStringFunc(body, func(m string) string {
		g := aerospikeError.FindStringSubmatch(m)
		code, node, text := g[1], g[2], strings.TrimSpace(g[3])
		if node == "" || node == "<nil>" {
			return text + " (" + code + ")"
		}
		return text + " (" + code + ", node " + node + ")"
	})
	var lines []string
	for _, l := range strings.Split(strings.TrimRight(msg, "\n"), "\n") {
		switch {
		case strings.TrimSpace(l) == "":
		case len(lines) > 0 && (strings.HasPrefix(l, " ") || strings.HasPrefix(l, "\t")):
			lines[len(lines)-1] += "; " + strings.TrimSpace(l)
		default:
			lines = append(lines, l)
		}
	}
	for i, l := range lines {
		lines[i] = dropRepeats(l)
	}
	return strings.Join(lines, "\n") + trailing
}

// dropRepeats removes, from one line, a ", close error: ..." that ends in
// the cause the line already gave, and any ": "-segment equal to the one
// before it.
func dropRepeats(l string) string {
	if head, tail, ok := strings.Cut(l, ", close error: "); ok {
		if cause := lastSegment(head); cause != "" && lastSegment(tail) == cause {
			l = head
		}
	}
	segs := strings.Split(l, ": ")
	out := segs[:1]
	for _, s := range segs[1:] {
		if s != out[len(out)-1] {
			out = append(out, s)
		}
	}
	return strings.Join(out, ": ")
}

func lastSegment(s string) string {
	if i := strings.LastIndex(s, ": "); i >= 0 {
		return s[i+2:]
	}
	return ""
}
