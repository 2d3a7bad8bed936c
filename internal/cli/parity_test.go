package cli

import (
	"bufio"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"

	"github.com/aerobackup/aerobackup/internal/config"
)

// The "Parity with absctl and ABS" tables of docs/parity.md map every absctl backup
// and restore flag and every ABS field to aerobackup. These tests keep them
// from drifting: every absctl flag (testdata/parity/absctl-flags.txt) and
// every ABS field (the config model's yaml tags, plus the restore request
// fields in testdata/parity/abs-restore-fields.txt) needs exactly one row,
// every aerobackup flag a row names must exist, and a row without an
// equivalent must give a reason.
//
// Table format: an HTML comment "<!-- parity: absctl CMD... -->" or
// "<!-- parity: abs SECTION -->" followed by a three-column table (name |
// aerobackup | note). The first column holds backticked absctl flags or ABS
// field paths. In the other two, a backticked "CMD --flag" (bare "--flag" in
// the aerobackup column of an absctl table: on the same commands) must be a
// flag of aerobackup's command tree, and a backticked "SECTION.path" must be
// a field of the config model.

const (
	parityDoc     = "../../docs/parity.md"
	parityAbsctl  = "../../testdata/parity/absctl-flags.txt"
	parityRestore = "../../testdata/parity/abs-restore-fields.txt"
	parityPending = "../../testdata/parity/pending.txt"
)

// Sections of the ABS field tables besides the config file's own.
const (
	sectionTopLevel       = "top-level"
	sectionRestoreRequest = "restore-request"
	sectionRestorePolicy  = "restore-policy"
)

type parityTable struct {
	kind  string   // "absctl" or "abs"
	scope []string // absctl commands, or the one ABS section
	line  int
	rows  []parityRow
}

type parityRow struct {
	line        int
	names       []string // backticked tokens of the first column
	equiv, note string
}

func (r parityRow) String() string {
	return fmt.Sprintf("docs/parity.md:%d (row %s)", r.line, strings.Join(r.names, ", "))
}

var (
	parityMarker = regexp.MustCompile(`^<!--\s*parity:\s*(absctl|abs)\s+([a-z -]+?)\s*-->$`)
	backticked   = regexp.MustCompile("`([^`]+)`")
	flagName     = regexp.MustCompile(`^--[a-z0-9][a-z0-9-]*$`)
)

// parseParityTables reads the marked tables of docs/parity.md.
func parseParityTables(text string) ([]*parityTable, []string) {
	var tables []*parityTable
	var errs []string
	var cur *parityTable
	inTable := false
	sc := bufio.NewScanner(strings.NewReader(text))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if m := parityMarker.FindStringSubmatch(line); m != nil {
			cur = &parityTable{kind: m[1], scope: strings.Fields(m[2]), line: n}
			tables = append(tables, cur)
			inTable = false
			continue
		}
		if cur == nil {
			continue
		}
		if !strings.HasPrefix(line, "|") {
			if inTable { // the table ended
				cur, inTable = nil, false
			}
			continue
		}
		cells := splitRow(line)
		if !inTable { // header
			inTable = true
			if len(cells) != 3 {
				errs = append(errs, fmt.Sprintf("docs/parity.md:%d: a parity table has 3 columns (name | aerobackup | note), this one %d", n, len(cells)))
			}
			continue
		}
		if strings.Trim(strings.Join(cells, ""), "-: ") == "" { // separator
			continue
		}
		if len(cells) != 3 {
			errs = append(errs, fmt.Sprintf("docs/parity.md:%d: want 3 cells (name | aerobackup | note), got %d", n, len(cells)))
			continue
		}
		row := parityRow{line: n, equiv: cells[1], note: cells[2]}
		for _, m := range backticked.FindAllStringSubmatch(cells[0], -1) {
			row.names = append(row.names, m[1])
		}
		if len(row.names) == 0 {
			errs = append(errs, fmt.Sprintf("docs/parity.md:%d: the first column names no `flag` or `field`", n))
			continue
		}
		cur.rows = append(cur.rows, row)
	}
	for _, t := range tables {
		if len(t.rows) == 0 {
			errs = append(errs, fmt.Sprintf("docs/parity.md:%d: parity marker without a table under it", t.line))
		}
	}
	return tables, errs
}

func splitRow(line string) []string {
	line = strings.TrimSuffix(strings.TrimPrefix(line, "|"), "|")
	parts := strings.Split(line, "|")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}

// readList reads a testdata list: one entry per line, # comments.
func readList(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		l = strings.TrimSpace(l)
		if l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, strings.Join(strings.Fields(l), " "))
		}
	}
	return out
}

// configFields lists the ABS config fields the model decodes, by section:
// the top-level maps are sections (aerospike-clusters, storage, ...), their
// entries' yaml tags the fields, nested blocks joined with dots. An inline
// secret-agent block is one field: its own fields are the secret-agents
// section's.
func configFields() map[string][]string {
	out := map[string][]string{}
	top := reflect.TypeFor[config.Config]()
	for i := range top.NumField() {
		f := top.Field(i)
		name := yamlName(f)
		if name == "" {
			continue
		}
		if f.Type.Kind() == reflect.Map {
			out[name] = walkFields(f.Type.Elem(), "")
			continue
		}
		out[sectionTopLevel] = append(out[sectionTopLevel], name)
	}
	return out
}

func walkFields(t reflect.Type, prefix string) []string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var out []string
	for i := range t.NumField() {
		f := t.Field(i)
		name := yamlName(f)
		if name == "" {
			continue
		}
		ft := f.Type
		for ft.Kind() == reflect.Pointer || ft.Kind() == reflect.Slice {
			ft = ft.Elem()
		}
		if ft.Kind() == reflect.Struct && ft != reflect.TypeFor[yaml.Node]() && ft != reflect.TypeFor[config.SecretAgent]() {
			out = append(out, walkFields(ft, prefix+name+".")...)
			continue
		}
		out = append(out, prefix+name)
	}
	return out
}

func yamlName(f reflect.StructField) string {
	if !f.IsExported() {
		return ""
	}
	name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	if name == "-" {
		return ""
	}
	return name
}

// parityCommand finds an aerobackup command by its path below the root.
func parityCommand(root *cobra.Command, path []string) *cobra.Command {
	c := root
	for _, name := range path {
		var next *cobra.Command
		for _, sub := range c.Commands() {
			if sub.Name() == name || slices.Contains(sub.Aliases, name) {
				next = sub
				break
			}
		}
		if next == nil {
			return nil
		}
		c = next
	}
	return c
}

func hasFlag(c *cobra.Command, name string) bool {
	c.InitDefaultHelpFlag()
	return c.Flags().Lookup(name) != nil || c.InheritedFlags().Lookup(name) != nil
}

// parityChecker holds what the tables are checked against.
type parityChecker struct {
	root     *cobra.Command
	absctl   map[string]map[string]bool // command -> flag
	fields   map[string][]string        // ABS section -> field paths
	pending  map[string]bool            // "cmd --flag" not merged yet
	usedPend map[string]bool
	errs     []string
}

func (c *parityChecker) errorf(format string, args ...any) {
	c.errs = append(c.errs, fmt.Sprintf(format, args...))
}

func (c *parityChecker) check(tables []*parityTable) {
	absctlSeen := map[string]parityRow{} // "cmd --flag" -> row
	fieldSeen := map[string]parityRow{}  // "section path" -> row
	for _, t := range tables {
		switch t.kind {
		case "absctl":
			for _, cmd := range t.scope {
				if c.absctl[cmd] == nil {
					c.errorf("docs/parity.md:%d: parity table for absctl %q: absctl has no such command (backup, restore)", t.line, cmd)
				}
			}
		case "abs":
			if len(t.scope) != 1 || c.fields[t.scope[0]] == nil {
				c.errorf("docs/parity.md:%d: parity table for ABS section %q: want one of %s", t.line, strings.Join(t.scope, " "), strings.Join(sortedKeys(c.fields), ", "))
				continue
			}
		}
		for _, r := range t.rows {
			for _, name := range r.names {
				if t.kind == "absctl" {
					if !flagName.MatchString(name) {
						c.errorf("%s: %q is not an absctl flag (write `--name`)", r, name)
						continue
					}
					for _, cmd := range t.scope {
						key := cmd + " " + name
						if !c.absctl[cmd][name] {
							c.errorf("%s: absctl %s has no flag %s (see %s; move the row or fix the name)", r, cmd, name, parityAbsctl)
						} else if prev, dup := absctlSeen[key]; dup {
							c.errorf("%s: absctl %s %s already has a row at docs/parity.md:%d", r, cmd, name, prev.line)
						}
						absctlSeen[key] = r
					}
					continue
				}
				sec := t.scope[0]
				key := sec + " " + name
				if !slices.Contains(c.fields[sec], name) {
					c.errorf("%s: ABS %s has no field %q (known: %s)", r, sec, name, strings.Join(c.fields[sec], ", "))
				} else if prev, dup := fieldSeen[key]; dup {
					c.errorf("%s: ABS %s field %s already has a row at docs/parity.md:%d", r, sec, name, prev.line)
				}
				fieldSeen[key] = r
			}
			c.checkRow(t, r)
		}
	}
	for cmd, flags := range c.absctl {
		for _, f := range sortedKeys(flags) {
			if _, ok := absctlSeen[cmd+" "+f]; !ok {
				c.errorf("absctl %s %s has no row: add it to a docs/parity.md table marked \"absctl %s\" (or \"absctl backup restore\")", cmd, f, cmd)
			}
		}
	}
	for _, sec := range sortedKeys(c.fields) {
		for _, f := range c.fields[sec] {
			if _, ok := fieldSeen[sec+" "+f]; !ok {
				c.errorf("ABS %s field %s has no row: add it to the docs/parity.md table marked \"abs %s\"", sec, f, sec)
			}
		}
	}
	for _, p := range sortedKeys(c.pending) {
		fields := strings.Fields(p)
		if cmd := parityCommand(c.root, fields[:len(fields)-1]); cmd != nil && hasFlag(cmd, strings.TrimPrefix(fields[len(fields)-1], "--")) {
			c.errorf("%s: %q now exists in the command tree: remove it from the pending list", parityPending, p)
		} else if !c.usedPend[p] {
			c.errorf("%s: %q is named by no parity row of docs/parity.md: remove it from the pending list", parityPending, p)
		}
	}
}

// checkRow checks a row's equivalent, its reason and the references in both.
func (c *parityChecker) checkRow(t *parityTable, r parityRow) {
	equiv := strings.TrimSpace(r.equiv)
	none := equiv == "" || equiv == "—" || equiv == "-"
	switch {
	case none && r.note == "":
		c.errorf("%s: no aerobackup equivalent and no reason: fill the aerobackup column or say in the note why it does not apply", r)
	case none && equiv != "—":
		c.errorf("%s: write \"—\" for no equivalent (and the reason in the note)", r)
	}
	var bareScope []string
	if t.kind == "absctl" {
		bareScope = t.scope
	}
	c.checkRefs(r, "aerobackup", r.equiv, bareScope)
	c.checkRefs(r, "note", r.note, nil)
}

// checkRefs checks the backticked flag and config references of a cell.
// A bare `--flag` means that flag on each of bareScope's commands; in a
// cell without a scope it is taken as text (a note may quote absctl).
func (c *parityChecker) checkRefs(r parityRow, col, cell string, bareScope []string) {
	for _, m := range backticked.FindAllStringSubmatch(cell, -1) {
		words := strings.Fields(m[1])
		if len(words) == 0 {
			continue
		}
		if sec, path, ok := strings.Cut(words[0], "."); ok && c.fields[sec] != nil && len(words) == 1 {
			if !slices.Contains(c.fields[sec], path) {
				c.errorf("%s: %s column names config field %s, which the config model does not decode", r, col, words[0])
			}
			continue
		}
		i := slices.IndexFunc(words, func(w string) bool { return strings.HasPrefix(w, "--") })
		if i < 0 {
			// A command alone ("version", "retention prune"), if it is one.
			if parityCommand(c.root, words[:1]) != nil && parityCommand(c.root, words) == nil {
				c.errorf("%s: %s column names command %q, which aerobackup does not have", r, col, m[1])
			}
			continue
		}
		flag := strings.TrimPrefix(strings.SplitN(words[i], "=", 2)[0], "--")
		var cmds [][]string
		if i == 0 {
			for _, s := range bareScope {
				cmds = append(cmds, []string{s})
			}
		} else {
			cmds = [][]string{words[:i]}
		}
		for _, path := range cmds {
			cmd := parityCommand(c.root, path)
			key := strings.Join(path, " ") + " --" + flag
			switch {
			case cmd == nil:
				c.errorf("%s: %s column names `%s`, but aerobackup has no command %q", r, col, m[1], strings.Join(path, " "))
			case hasFlag(cmd, flag):
			case c.pending[key]:
				c.usedPend[key] = true
			default:
				c.errorf("%s: %s column names `%s`, but aerobackup %s has no flag --%s (fix the row, or list %q in %s while it is being added)",
					r, col, m[1], strings.Join(path, " "), flag, key, parityPending)
			}
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func newParityChecker(t *testing.T) *parityChecker {
	t.Helper()
	c := &parityChecker{
		root:     NewRootCmd(&App{Globals: &Globals{}}),
		absctl:   map[string]map[string]bool{},
		fields:   configFields(),
		pending:  map[string]bool{},
		usedPend: map[string]bool{},
	}
	for _, l := range readList(t, parityAbsctl) {
		cmd, flag, ok := strings.Cut(l, " ")
		if !ok || !flagName.MatchString(flag) {
			t.Fatalf("%s: %q: want \"<command> --<flag>\"", parityAbsctl, l)
		}
		if c.absctl[cmd] == nil {
			c.absctl[cmd] = map[string]bool{}
		}
		c.absctl[cmd][flag] = true
	}
	for _, l := range readList(t, parityRestore) {
		sec, field, ok := strings.Cut(l, " ")
		if !ok || (sec != sectionRestoreRequest && sec != sectionRestorePolicy) {
			t.Fatalf("%s: %q: want \"%s|%s <field>\"", parityRestore, l, sectionRestoreRequest, sectionRestorePolicy)
		}
		c.fields[sec] = append(c.fields[sec], field)
	}
	for _, l := range readList(t, parityPending) {
		if !strings.Contains(l, " --") {
			t.Fatalf("%s: %q: want \"<command> --<flag>\"", parityPending, l)
		}
		c.pending[l] = true
	}
	return c
}

func TestReadmeParityTables(t *testing.T) {
	c := newParityChecker(t)
	b, err := os.ReadFile(parityDoc)
	if err != nil {
		t.Fatal(err)
	}
	tables, errs := parseParityTables(string(b))
	c.errs = append(c.errs, errs...)
	c.check(tables)
	for _, e := range c.errs {
		t.Error(e)
	}
}

// The checks themselves: each mistake is reported, naming the row to fix.
func TestParityCheckerFindsMistakes(t *testing.T) {
	c := newParityChecker(t)
	c.absctl = map[string]map[string]bool{"backup": {"--parallel": true, "--nice": true, "--gone": true}}
	c.fields = map[string][]string{"backup-policies": {"parallel", "sealed"}}
	c.pending = map[string]bool{"backup --later": true, "backup --unused": true, "backup --parallel": true}
	readme := "intro\n<!-- parity: absctl backup -->\n\n" +
		"| absctl | aerobackup | note |\n|---|---|---|\n" +
		"| `--parallel` | `--parallel` | |\n" +
		"| `--nice` | — | |\n" +
		"| `--typo` | `backup --no-such-flag` | |\n" +
		"| `--parallel` | `backup --later` | |\n" +
		"\n<!-- parity: abs backup-policies -->\n" +
		"| ABS | aerobackup | note |\n|---|---|---|\n" +
		"| `parallel` | `backup-policies.parallel-typo` | see `bakup --x` |\n"
	tables, errs := parseParityTables(readme)
	c.errs = errs
	c.check(tables)
	got := strings.Join(c.errs, "\n")
	for _, want := range []string{
		"docs/parity.md:7 (row --nice): no aerobackup equivalent and no reason",
		"docs/parity.md:8 (row --typo): absctl backup has no flag --typo",
		"docs/parity.md:8 (row --typo): aerobackup column names `backup --no-such-flag`, but aerobackup backup has no flag --no-such-flag",
		"docs/parity.md:9 (row --parallel): absctl backup --parallel already has a row at docs/parity.md:6",
		"absctl backup --gone has no row",
		"docs/parity.md:14 (row parallel): aerobackup column names config field backup-policies.parallel-typo",
		"docs/parity.md:14 (row parallel): note column names `bakup --x`, but aerobackup has no command \"bakup\"",
		"ABS backup-policies field sealed has no row",
		`"backup --parallel" now exists in the command tree`,
		`"backup --unused" is named by no parity row of docs/parity.md`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing error %q; got:\n%s", want, got)
		}
	}
	if strings.Contains(got, "no flag --later") {
		t.Errorf("a pending flag was reported as missing:\n%s", got)
	}
}
