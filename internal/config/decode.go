package config

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Error is one problem in a config file.
type Error struct {
	File string
	Line int    // 0 when unknown
	Path string // YAML path, e.g. backup-policies.daily.parallel; "" for the file
	Msg  string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		b.WriteString(":" + strconv.Itoa(e.Line))
	}
	b.WriteString(": ")
	if e.Path != "" {
		b.WriteString(e.Path + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Errors is every problem found in a file, sorted by line; Error() prints
// one per line.
type Errors []*Error

func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// decoder turns a yaml.Node tree into the typed model, strictly, and
// remembers the line of every path it visits for later validation messages.
type decoder struct {
	file  string
	errs  Errors
	lines map[string]int
	// merged counts pairs produced by merge keys, to stop self-referencing
	// or exponentially nested merges.
	merged      int
	mergeFailed bool
}

// maxMergedPairs bounds merge-key expansion over a whole file.
const maxMergedPairs = 10000

func (d *decoder) errorf(line int, path, format string, args ...any) {
	d.errs = append(d.errs, &Error{File: d.file, Line: line, Path: path, Msg: fmt.Sprintf(format, args...)})
}

func joinPath(parent, key string) string {
	if parent == "" {
		return key
	}
	return parent + "." + key
}

var nodeType = reflect.TypeOf(yaml.Node{})

// kindName describes a node for "must be X, got Y" messages.
func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return "null"
		case "!!str":
			return strconv.Quote(n.Value)
		}
		return n.Value
	}
	return "unsupported YAML"
}

func resolveAlias(n *yaml.Node) *yaml.Node {
	for i := 0; n.Kind == yaml.AliasNode && n.Alias != nil && i < 100; i++ {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// pair is one key/value of a mapping after merge keys (<<) are expanded.
type pair struct{ key, value *yaml.Node }

// mappingPairs expands merge keys; later (own) keys override merged ones.
func (d *decoder) mappingPairs(n *yaml.Node, path string, depth int) []pair {
	var merged, own []pair
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], resolveAlias(n.Content[i+1])
		if k.ShortTag() == "!!merge" {
			d.merged++
			if depth >= 10 || d.merged > maxMergedPairs {
				if !d.mergeFailed {
					d.mergeFailed = true
					d.errorf(k.Line, path, "merge keys nest too deeply or refer to themselves")
				}
				return nil
			}
			sources := []*yaml.Node{v}
			if v.Kind == yaml.SequenceNode {
				sources = v.Content
			}
			for _, s := range sources {
				s = resolveAlias(s)
				if s.Kind != yaml.MappingNode {
					d.errorf(k.Line, path, "merge key << must refer to a mapping")
					continue
				}
				merged = append(merged, d.mappingPairs(s, path, depth+1)...)
			}
			continue
		}
		own = append(own, pair{k, v})
	}
	if len(merged) == 0 {
		return own
	}
	overridden := map[string]bool{}
	for _, p := range own {
		overridden[p.key.Value] = true
	}
	out := make([]pair, 0, len(merged)+len(own))
	seen := map[string]bool{}
	for _, p := range merged {
		if !overridden[p.key.Value] && !seen[p.key.Value] {
			seen[p.key.Value] = true
			out = append(out, p)
		}
	}
	return append(out, own...)
}

// decode fills v from n. line is where the value's key sits, used for
// messages about the value.
func (d *decoder) decode(n *yaml.Node, path string, line int, v reflect.Value) {
	n = resolveAlias(n)
	if n.Kind == yaml.AliasNode {
		d.errorf(line, path, "alias nests too deeply")
		return
	}
	if v.Type() == reflect.PointerTo(nodeType) {
		v.Set(reflect.ValueOf(n))
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if isNull(n) {
			return // absent and null are the same to ABS
		}
		p := reflect.New(v.Type().Elem())
		d.decode(n, path, line, p.Elem())
		v.Set(p)
	case reflect.Struct:
		d.decodeStruct(n, path, line, v)
	case reflect.Map:
		d.decodeMap(n, path, line, v)
	case reflect.Slice:
		if isNull(n) {
			return
		}
		if n.Kind != yaml.SequenceNode {
			d.errorf(line, path, "must be a list, got %s", kindName(n))
			return
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, item := range n.Content {
			p := fmt.Sprintf("%s[%d]", path, i)
			d.lines[p] = item.Line
			d.decode(item, p, item.Line, s.Index(i))
		}
		v.Set(s)
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			d.errorf(line, path, "must be a string, got %s", kindName(n))
			return
		}
		if !isNull(n) {
			v.SetString(n.Value)
		}
	case reflect.Int, reflect.Int64:
		var i int64
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" || n.Decode(&i) != nil {
			d.errorf(line, path, "must be an integer, got %s", kindName(n))
			return
		}
		if v.Kind() == reflect.Int && (i > math.MaxInt32 || i < math.MinInt32) {
			d.errorf(line, path, "integer %d is out of range", i)
			return
		}
		v.SetInt(i)
	case reflect.Float64:
		var f float64
		tag := n.ShortTag()
		if n.Kind != yaml.ScalarNode || (tag != "!!int" && tag != "!!float") || n.Decode(&f) != nil {
			d.errorf(line, path, "must be a number, got %s", kindName(n))
			return
		}
		v.SetFloat(f)
	case reflect.Bool:
		var b bool
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" || n.Decode(&b) != nil {
			d.errorf(line, path, "must be true or false, got %s", kindName(n))
			return
		}
		v.SetBool(b)
	default:
		d.errorf(line, path, "internal: unsupported field type %s", v.Type())
	}
}

func (d *decoder) decodeStruct(n *yaml.Node, path string, line int, v reflect.Value) {
	if n.Kind != yaml.MappingNode {
		d.errorf(line, path, "must be a mapping, got %s", kindName(n))
		return
	}
	t := v.Type()
	fields := map[string]int{}
	var known []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("yaml")
		if !f.IsExported() || tag == "" || tag == "-" {
			continue
		}
		fields[tag] = i
		known = append(known, tag)
	}
	seen := map[string]int{}
	for _, p := range d.mappingPairs(n, path, 0) {
		key := p.key.Value
		kp := joinPath(path, key)
		if p.key.Kind != yaml.ScalarNode {
			d.errorf(p.key.Line, path, "keys must be strings")
			continue
		}
		if first, dup := seen[key]; dup {
			d.errorf(p.key.Line, kp, "duplicate key (first defined on line %d)", first)
			continue
		}
		seen[key] = p.key.Line
		idx, ok := fields[key]
		if !ok {
			d.errorf(p.key.Line, kp, "unknown key%s", suggest(key, known))
			continue
		}
		d.lines[kp] = p.key.Line
		d.decode(p.value, kp, p.key.Line, v.Field(idx))
	}
}

func (d *decoder) decodeMap(n *yaml.Node, path string, line int, v reflect.Value) {
	if isNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		d.errorf(line, path, "must be a mapping of names to entries, got %s", kindName(n))
		return
	}
	m := reflect.MakeMap(v.Type())
	seen := map[string]int{}
	for _, p := range d.mappingPairs(n, path, 0) {
		key := p.key.Value
		kp := joinPath(path, key)
		if p.key.Kind != yaml.ScalarNode || key == "" {
			d.errorf(p.key.Line, path, "entry names must be non-empty strings")
			continue
		}
		if first, dup := seen[key]; dup {
			d.errorf(p.key.Line, kp, "duplicate name (first defined on line %d)", first)
			continue
		}
		seen[key] = p.key.Line
		d.lines[kp] = p.key.Line
		if isNull(p.value) {
			d.errorf(p.key.Line, kp, "entry is empty")
			continue
		}
		elem := reflect.New(v.Type().Elem().Elem())
		d.decode(p.value, kp, p.key.Line, elem.Elem())
		if nf := elem.Elem().FieldByName("Name"); nf.IsValid() && nf.Kind() == reflect.String {
			nf.SetString(key)
		}
		m.SetMapIndex(reflect.ValueOf(key), elem)
	}
	v.Set(m)
}

// suggest names the closest known key when the unknown one is a likely typo.
func suggest(key string, known []string) string {
	best, bestDist := "", 3
	for _, k := range known {
		if dist := levenshtein(key, k); dist < bestDist {
			best, bestDist = k, dist
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

func levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// syntaxError turns a yaml.v3 parse error into our one-line format.
func syntaxError(file string, err error) *Error {
	msg := err.Error()
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &Error{File: file, Line: line, Msg: "invalid YAML: " + m[2]}
	}
	return &Error{File: file, Msg: "invalid YAML: " + strings.TrimPrefix(msg, "yaml: ")}
}

func sortErrors(es Errors) {
	sort.SliceStable(es, func(i, j int) bool {
		if es[i].Line != es[j].Line {
			return es[i].Line < es[j].Line
		}
		return es[i].Path < es[j].Path
	})
}

// AsErrors returns the individual problems inside an error returned by Parse
// or Load, or nil when err is not a config-file error.
func AsErrors(err error) Errors {
	var es Errors
	if errors.As(err, &es) {
		return es
	}
	return nil
}
