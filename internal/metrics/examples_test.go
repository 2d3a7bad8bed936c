package metrics

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// The Grafana dashboard and the Prometheus alert rules under examples/
// must read only what this package writes: every metric, matcher label and
// grouping label of their queries is checked against Families. Neither may
// depend on job or instance, which differ between the textfile path
// (node_exporter's) and the Pushgateway path (job="aerobackup").

const (
	dashboardFile = "../../examples/grafana/aerobackup.json"
	rulesFile     = "../../examples/prometheus/aerobackup-rules.yaml"
)

// sampleLabels maps each sample name written (a histogram's _bucket,
// _sum and _count too) to the labels its series carry in a textfile.
func sampleLabels() map[string][]string {
	out := map[string][]string{}
	for _, f := range Families() {
		for _, s := range f.Samples() {
			out[s] = f.Labels
			if strings.HasSuffix(s, "_bucket") {
				out[s] = append(slices.Clone(f.Labels), "le")
			}
		}
	}
	return out
}

// checkQuery reports what in expr this package does not write.
func checkQuery(expr string) []string {
	refs, err := scanPromQL(expr)
	if err != nil {
		return []string{err.Error()}
	}
	written := sampleLabels()
	var bad []string
	if len(refs.Metrics) == 0 {
		bad = append(bad, "reads no metric")
	}
	for _, m := range refs.Metrics {
		if _, ok := written[m]; !ok {
			bad = append(bad, fmt.Sprintf("metric %s is not written by aerobackup", m))
		}
	}
	for _, m := range refs.Matchers {
		if m.Metric == "" {
			bad = append(bad, fmt.Sprintf("a selector without a metric name matches on %s", m.Label))
		} else if !slices.Contains(written[m.Metric], m.Label) {
			bad = append(bad, fmt.Sprintf("%s has no label %s (it has %v)", m.Metric, m.Label, written[m.Metric]))
		}
	}
	for _, g := range refs.Groupings {
		for _, l := range g.Labels {
			for _, m := range g.Scope {
				if !slices.Contains(written[m], l) {
					bad = append(bad, fmt.Sprintf("%s (%s): %s has no label %s", g.Clause, l, m, l))
				}
			}
		}
	}
	return bad
}

// TestCheckQuery: the check refuses what aerobackup does not write.
func TestCheckQuery(t *testing.T) {
	for _, c := range []struct {
		expr string
		bad  string
	}{
		{`max by (routine, type) (aerospike_backup_service_last_successful_backup_timestamp{routine=~"$routine"})`, ""},
		{`sum by (le) (rate(aerospike_backup_service_backup_duration_seconds_bucket[5m]))`, ""},
		{`aerospike_backup_service_last_succesful_backup_timestamp`, "metric aerospike_backup_service_last_succesful_backup_timestamp is not written by aerobackup"},
		{`aerospike_backup_service_backup_events_total{job="aerobackup"}`, "aerospike_backup_service_backup_events_total has no label job (it has [routine type outcome])"},
		{`sum by (routine) (aerospike_backup_service_restore_events_total)`, "by (routine): aerospike_backup_service_restore_events_total has no label routine"},
		{`sum(aerospike_backup_service_backup_duration_seconds_sum) by (le)`, "by (le): aerospike_backup_service_backup_duration_seconds_sum has no label le"},
		{`a_gauge > on (instance) aerospike_backup_service_backup_in_progress`, "metric a_gauge is not written by aerobackup; on (instance): a_gauge has no label instance; on (instance): aerospike_backup_service_backup_in_progress has no label instance"},
		{`time()`, "reads no metric"},
	} {
		if got := strings.Join(checkQuery(c.expr), "; "); got != c.bad {
			t.Errorf("checkQuery(%q)\n got %q\nwant %q", c.expr, got, c.bad)
		}
	}
}

type grafanaDatasource struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

type grafanaPanel struct {
	ID          int                `json:"id"`
	Type        string             `json:"type"`
	Title       string             `json:"title"`
	Datasource  *grafanaDatasource `json:"datasource"`
	GridPos     *struct{ X, Y, W, H int }
	Targets     []grafanaTarget  `json:"targets"`
	Panels      []grafanaPanel   `json:"panels"` // a collapsed row's
	FieldConfig *json.RawMessage `json:"fieldConfig"`
}

type grafanaTarget struct {
	RefID        string             `json:"refId"`
	Expr         string             `json:"expr"`
	LegendFormat string             `json:"legendFormat"`
	Datasource   *grafanaDatasource `json:"datasource"`
}

type grafanaVariable struct {
	Name       string             `json:"name"`
	Type       string             `json:"type"`
	Query      json.RawMessage    `json:"query"`
	Definition string             `json:"definition"`
	Datasource *grafanaDatasource `json:"datasource"`
}

type grafanaDashboard struct {
	Title         string         `json:"title"`
	UID           string         `json:"uid"`
	SchemaVersion int            `json:"schemaVersion"`
	Panels        []grafanaPanel `json:"panels"`
	Templating    *struct {
		List []grafanaVariable `json:"list"`
	} `json:"templating"`
}

var (
	grafanaPanelTypes = []string{"timeseries", "stat", "table", "bargauge", "gauge", "text", "row", "heatmap", "barchart", "piechart", "state-timeline"}
	grafanaVarRef     = regexp.MustCompile(`\$\{?(\w+)\}?`)
	legendLabel       = regexp.MustCompile(`\{\{\s*(\w+)\s*\}\}`)
	labelValuesQuery  = regexp.MustCompile(`^label_values\((.+),\s*(\w+)\s*\)$`)
)

// checkDashboard checks d as a Grafana dashboard model and returns its
// queries with the place each comes from.
func checkDashboard(d grafanaDashboard) (problems []string, queries map[string]string) {
	bad := func(f string, a ...any) { problems = append(problems, fmt.Sprintf(f, a...)) }
	uidOK := regexp.MustCompile(`^[a-zA-Z0-9_-]{1,40}$`)
	if d.Title == "" || !uidOK.MatchString(d.UID) {
		bad("title %q and uid %q: want a title and a uid of 1-40 letters, digits, - or _", d.Title, d.UID)
	}
	if d.SchemaVersion < 36 || d.SchemaVersion > 41 {
		bad("schemaVersion %d: want 36..41 (Grafana 9 to 11)", d.SchemaVersion)
	}
	if d.Templating == nil {
		bad("no templating")
		return problems, nil
	}
	queries = map[string]string{}
	vars := map[string]grafanaVariable{}
	for _, v := range d.Templating.List {
		vars[v.Name] = v
	}
	if ds, ok := vars["datasource"]; !ok || ds.Type != "datasource" || string(ds.Query) != `"prometheus"` {
		bad("want a datasource variable named datasource for Prometheus data sources")
	}
	dsOK := func(where string, ds *grafanaDatasource) {
		if ds == nil || ds.Type != "prometheus" || (ds.UID != "${datasource}" && ds.UID != "$datasource") {
			bad("%s: datasource %+v, want prometheus and ${datasource}", where, ds)
		}
	}
	for _, v := range d.Templating.List {
		if v.Type != "query" {
			continue
		}
		dsOK("variable "+v.Name, v.Datasource)
		var q struct {
			Query string `json:"query"`
		}
		if err := json.Unmarshal(v.Query, &q); err != nil {
			if err := json.Unmarshal(v.Query, &q.Query); err != nil {
				bad("variable %s: query %s is neither a string nor an object", v.Name, v.Query)
			}
		}
		for _, text := range []string{q.Query, v.Definition} {
			m := labelValuesQuery.FindStringSubmatch(text)
			if m == nil {
				bad("variable %s: %q: want label_values(<selector>, <label>)", v.Name, text)
				continue
			}
			queries["variable "+v.Name] = fmt.Sprintf("count by (%s) (%s)", m[2], m[1])
		}
	}
	if _, ok := queries["variable routine"]; !ok {
		bad("no routine variable")
	}
	var all []grafanaPanel
	for _, p := range d.Panels {
		all = append(all, p)
		all = append(all, p.Panels...)
	}
	if len(all) == 0 {
		bad("no panels")
	}
	ids := map[int]bool{}
	var cells [][4]int
	for _, p := range all {
		where := fmt.Sprintf("panel %d %q", p.ID, p.Title)
		if p.ID <= 0 || ids[p.ID] {
			bad("%s: id missing or used twice", where)
		}
		ids[p.ID] = true
		if !slices.Contains(grafanaPanelTypes, p.Type) || p.Title == "" {
			bad("%s: type %q, want a title and one of %v", where, p.Type, grafanaPanelTypes)
		}
		g := p.GridPos
		if g == nil || g.W < 1 || g.H < 1 || g.X < 0 || g.Y < 0 || g.X+g.W > 24 {
			bad("%s: gridPos %+v, want w and h > 0 within 24 columns", where, g)
			continue
		}
		for _, c := range cells {
			if g.X < c[0]+c[2] && c[0] < g.X+g.W && g.Y < c[1]+c[3] && c[1] < g.Y+g.H {
				bad("%s: gridPos %+v overlaps another panel", where, *g)
			}
		}
		cells = append(cells, [4]int{g.X, g.Y, g.W, g.H})
		if p.Type == "row" || p.Type == "text" {
			continue
		}
		dsOK(where, p.Datasource)
		if len(p.Targets) == 0 || p.FieldConfig == nil {
			bad("%s: no targets or no fieldConfig", where)
		}
		refs := map[string]bool{}
		for _, tg := range p.Targets {
			if tg.RefID == "" || refs[tg.RefID] || tg.Expr == "" {
				bad("%s: target %q: want a unique refId and an expr", where, tg.RefID)
			}
			refs[tg.RefID] = true
			dsOK(where+" target "+tg.RefID, tg.Datasource)
			queries[where+" target "+tg.RefID] = tg.Expr
			for _, m := range grafanaVarRef.FindAllStringSubmatch(tg.Expr, -1) {
				if _, ok := vars[m[1]]; !ok && !strings.HasPrefix(m[1], "__") {
					bad("%s target %s: variable $%s is not defined", where, tg.RefID, m[1])
				}
			}
			for _, m := range legendLabel.FindAllStringSubmatch(tg.LegendFormat, -1) {
				if !strings.Contains(tg.Expr, m[1]) {
					bad("%s target %s: legend {{%s}} names a label the query does not keep", where, tg.RefID, m[1])
				}
			}
		}
	}
	return problems, queries
}

func TestDashboard(t *testing.T) {
	raw, err := os.ReadFile(dashboardFile)
	if err != nil {
		t.Fatal(err)
	}
	var d grafanaDashboard
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatalf("%s: %v", dashboardFile, err)
	}
	problems, queries := checkDashboard(d)
	for _, p := range problems {
		t.Errorf("%s: %s", dashboardFile, p)
	}
	for where, q := range queries {
		for _, b := range checkQuery(q) {
			t.Errorf("%s: %s: %s\n  %s", filepath.Base(dashboardFile), where, b, q)
		}
	}
	// Every family an operator watches has a panel.
	for _, want := range []string{lastSuccessfulTS, backupInterval, backupDuration + "_sum", backupEvents, lastBackupRecords,
		lastBackupBytes, backupProgressPct, backupInProgress, backupSkips, lastFailedTS, restoreEvents, lastRestoreRefused} {
		found := false
		for _, q := range queries {
			found = found || strings.Contains(q, want+"{") || strings.Contains(q, want+")") || strings.Contains(q, want+"[")
		}
		if !found {
			t.Errorf("no panel reads %s", want)
		}
	}
}

// TestCheckDashboard: the model check refuses a broken dashboard.
func TestCheckDashboard(t *testing.T) {
	raw, err := os.ReadFile(dashboardFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		break_ func(d *grafanaDashboard)
		want   string
	}{
		{"no uid", func(d *grafanaDashboard) { d.UID = "" }, "uid"},
		{"an old schema", func(d *grafanaDashboard) { d.SchemaVersion = 16 }, "schemaVersion 16"},
		{"a duplicate id", func(d *grafanaDashboard) { d.Panels[1].ID = d.Panels[0].ID }, "id missing or used twice"},
		{"overlapping panels", func(d *grafanaDashboard) { *d.Panels[1].GridPos = *d.Panels[0].GridPos }, "overlaps"},
		{"too wide", func(d *grafanaDashboard) { d.Panels[0].GridPos.W = 25 }, "within 24 columns"},
		{"no targets", func(d *grafanaDashboard) { d.Panels[0].Targets = nil }, "no targets"},
		{"an unknown variable", func(d *grafanaDashboard) { d.Panels[0].Targets[0].Expr += ` > $threshold` }, "$threshold is not defined"},
		{"a fixed data source", func(d *grafanaDashboard) { d.Panels[0].Datasource.UID = "P1809F7CD0C75ACF3" }, "want prometheus and ${datasource}"},
		{"no templating", func(d *grafanaDashboard) { d.Templating = nil }, "no templating"},
		{"a legend label the query drops", func(d *grafanaDashboard) { d.Panels[0].Targets[0].LegendFormat = "{{instance}}" }, "legend {{instance}}"},
	} {
		var d grafanaDashboard
		if err := json.Unmarshal(raw, &d); err != nil {
			t.Fatal(err)
		}
		c.break_(&d)
		problems, _ := checkDashboard(d)
		if !strings.Contains(strings.Join(problems, "\n"), c.want) {
			t.Errorf("%s: problems %q, want one saying %q", c.name, problems, c.want)
		}
	}
}

func TestAlertRules(t *testing.T) {
	raw, err := os.ReadFile(rulesFile)
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Groups []struct {
			Rules []struct {
				Alert       string            `yaml:"alert"`
				Expr        string            `yaml:"expr"`
				Labels      map[string]string `yaml:"labels"`
				Annotations map[string]string `yaml:"annotations"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	if err := yaml.Unmarshal(raw, &f); err != nil {
		t.Fatal(err)
	}
	labelRef := regexp.MustCompile(`\$labels\.(\w+)`)
	var alerts []string
	for _, g := range f.Groups {
		for _, r := range g.Rules {
			alerts = append(alerts, r.Alert)
			for _, b := range checkQuery(r.Expr) {
				t.Errorf("%s: %s\n  %s", r.Alert, b, r.Expr)
			}
			if r.Labels["severity"] == "" || r.Annotations["summary"] == "" || r.Annotations["description"] == "" {
				t.Errorf("%s: want a severity label and summary and description annotations", r.Alert)
			}
			refs, _ := scanPromQL(r.Expr)
			for _, m := range labelRef.FindAllStringSubmatch(r.Annotations["summary"]+r.Annotations["description"], -1) {
				kept := false
				for _, g := range refs.Groupings {
					kept = kept || (g.Clause == "by" && slices.Contains(g.Labels, m[1]))
				}
				if !kept {
					t.Errorf("%s: its annotations use $labels.%s, which the expression does not keep", r.Alert, m[1])
				}
			}
			if !strings.Contains(r.Annotations["summary"], "$labels.routine") {
				t.Errorf("%s: the summary does not name the routine", r.Alert)
			}
		}
	}
	want := []string{"AerobackupBackupTooOld", "AerobackupBackupFailed", "AerobackupBackupSkippedRepeatedly", "AerobackupRestoreFailed"}
	if !slices.Equal(alerts, want) {
		t.Errorf("alerts %v, want %v", alerts, want)
	}
}
