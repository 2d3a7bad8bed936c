package config

import (
	"errors"
	"io"
	"reflect"

	"gopkg.in/yaml.v3"

	"github.com/aerobackup/aerobackup/internal/timeflag"
)

// ExtensionKey is the top-level key of the file's second YAML document,
// which holds aerobackup's own settings. ABS decodes only the first
// document of its config file, so it never reads them.
const ExtensionKey = "aerobackup"

// extensionDoc is the second document.
type extensionDoc struct {
	Aerobackup *Extension `yaml:"aerobackup"`
}

// Extension is aerobackup's own settings, keyed like ABS's sections.
type Extension struct {
	// BackupPolicies add calendar retention to the first document's
	// policies of the same names.
	BackupPolicies map[string]*CalendarRetention `yaml:"backup-policies"`
}

// CalendarRetention is restic-style retention of restore points for a
// policy: counts are N, or -1 for unlimited; KeepWithin is a span such as
// 2d or 1y6m. When set, it replaces the policy's ABS count retention for
// aerobackup.
type CalendarRetention struct {
	Name        string  `yaml:"-"`
	KeepLast    *int    `yaml:"keep-last"`
	KeepHourly  *int    `yaml:"keep-hourly"`
	KeepDaily   *int    `yaml:"keep-daily"`
	KeepWeekly  *int    `yaml:"keep-weekly"`
	KeepMonthly *int    `yaml:"keep-monthly"`
	KeepWithin  *string `yaml:"keep-within"`
	KeepYearly  *int    `yaml:"keep-yearly"`
	// Within is KeepWithin parsed.
	Within timeflag.Span `yaml:"-"`
}

// Counts are the counts in flag order (last, hourly, daily, weekly,
// monthly, yearly), 0 for those absent.
func (c *CalendarRetention) Counts() [6]int {
	var out [6]int
	for i, p := range []*int{c.KeepLast, c.KeepHourly, c.KeepDaily, c.KeepWeekly, c.KeepMonthly, c.KeepYearly} {
		if p != nil {
			out[i] = *p
		}
	}
	return out
}

// extension decodes the document after the first, if any, strictly, and
// attaches its settings to cfg's policies; a document after it is an
// error.
func (v *validator) extension(dec *yaml.Decoder) {
	var doc yaml.Node
	if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
		return
	} else if err != nil {
		v.errs = append(v.errs, syntaxError(v.file, err))
		return
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		v.errorf(extra.Line, "", "more than two YAML documents; the second holds aerobackup's settings, ABS reads only the first")
		return
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
		root = root.Content[0]
	}
	if root.Kind == yaml.DocumentNode || isNull(root) {
		return
	}
	if root.Kind == yaml.MappingNode {
		bad := false
		for i := 0; i+1 < len(root.Content); i += 2 {
			if k := root.Content[i]; k.Value != ExtensionKey {
				bad = true
				v.errorf(k.Line, k.Value, "unknown key in the second YAML document, which holds only aerobackup's own settings under %q (ABS reads only the first)", ExtensionKey+":")
			}
		}
		if bad {
			return
		}
	}
	var ext extensionDoc
	before := len(v.errs)
	v.decode(root, "", root.Line, reflect.ValueOf(&ext).Elem())
	if ext.Aerobackup == nil || len(v.errs) > before {
		return
	}
	for _, name := range sortedKeys(ext.Aerobackup.BackupPolicies) {
		path := joinPath(ExtensionKey+".backup-policies", name)
		c := ext.Aerobackup.BackupPolicies[name]
		pol, ok := v.cfg.BackupPolicies[name]
		if !ok {
			v.fail(path, "no backup policy %q in the first document (backup-policies) to add calendar retention to", name)
			continue
		}
		v.calendar(path, c)
		pol.Calendar = c
	}
}

func (v *validator) calendar(path string, c *CalendarRetention) {
	for key, p := range map[string]*int{"keep-last": c.KeepLast, "keep-hourly": c.KeepHourly, "keep-daily": c.KeepDaily,
		"keep-weekly": c.KeepWeekly, "keep-monthly": c.KeepMonthly, "keep-yearly": c.KeepYearly} {
		v.atLeast(joinPath(path, key), p, -1)
	}
	if c.KeepWithin != nil {
		sp, err := timeflag.ParseSpan(*c.KeepWithin)
		if err != nil {
			v.fail(joinPath(path, "keep-within"), "%v", err)
		}
		c.Within = sp
	}
	if c.Counts() == [6]int{} && c.Within.IsZero() && c.KeepWithin == nil {
		v.fail(path, "sets no keep rule (keep-last, keep-hourly, keep-daily, keep-weekly, keep-monthly, keep-yearly, keep-within)")
	}
}
