package metrics

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode"
)

// A small PromQL reader for the tests that check the dashboard and the
// alert rules: it finds every metric selector, label matcher and grouping
// clause of an expression, and refuses what it does not understand. It is
// no parser (promtool checks the syntax of the rules); it must only never
// let a metric or label name pass unseen.

type promTok struct {
	kind byte // 'i' identifier, 's' string, 'n' number or duration, 'p' punctuation or operator
	text string
}

// lexPromQL splits expr into tokens. Grafana's interval variables become a
// duration first; any other $ outside a string is an error.
func lexPromQL(expr string) ([]promTok, error) {
	for _, v := range []string{"${__rate_interval}", "$__rate_interval", "${__interval}", "$__interval", "${__range}", "$__range"} {
		expr = strings.ReplaceAll(expr, v, "5m")
	}
	var toks []promTok
	rs := []rune(expr)
	isIdent := func(r rune, first bool) bool {
		return r == '_' || r == ':' || unicode.IsLetter(r) || (!first && unicode.IsDigit(r))
	}
	for i := 0; i < len(rs); {
		r := rs[i]
		switch {
		case unicode.IsSpace(r):
			i++
		case r == '#': // a comment runs to the end of the line
			for i < len(rs) && rs[i] != '\n' {
				i++
			}
		case r == '"' || r == '\'' || r == '`':
			j := i + 1
			for j < len(rs) && rs[j] != r {
				if rs[j] == '\\' && r != '`' {
					j++
				}
				j++
			}
			if j >= len(rs) {
				return nil, fmt.Errorf("unterminated string at %d", i)
			}
			toks = append(toks, promTok{'s', string(rs[i+1 : j])})
			i = j + 1
		case unicode.IsDigit(r) || (r == '.' && i+1 < len(rs) && unicode.IsDigit(rs[i+1])):
			// Numbers (1.5e+3, 0x1f, Inf aside) and durations (1h30m).
			j := i
			for j < len(rs) && (unicode.IsDigit(rs[j]) || unicode.IsLetter(rs[j]) || rs[j] == '.' ||
				(strings.ContainsRune("+-", rs[j]) && strings.ContainsRune("eE", rs[j-1]) && isMantissa(rs[i:j-1]))) {
				j++
			}
			toks = append(toks, promTok{'n', string(rs[i:j])})
			i = j
		case isIdent(r, true):
			j := i
			for j < len(rs) && isIdent(rs[j], false) {
				j++
			}
			toks = append(toks, promTok{'i', string(rs[i:j])})
			i = j
		default:
			two := ""
			if i+1 < len(rs) {
				two = string(rs[i : i+2])
			}
			if slices.Contains([]string{"==", "!=", "=~", "!~", "<=", ">="}, two) {
				toks = append(toks, promTok{'p', two})
				i += 2
				continue
			}
			if !strings.ContainsRune("(){}[],=+-*/%^<>:@", r) {
				return nil, fmt.Errorf("unexpected %q at %d", r, i)
			}
			toks = append(toks, promTok{'p', string(r)})
			i++
		}
	}
	return toks, nil
}

var (
	promAggregations = []string{"sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values",
		"bottomk", "topk", "quantile", "limitk", "limit_ratio"}
	promFunctions = []string{"abs", "absent", "absent_over_time", "acos", "acosh", "asin", "asinh", "atan", "atanh",
		"avg_over_time", "ceil", "changes", "clamp", "clamp_max", "clamp_min", "cos", "cosh", "count_over_time",
		"day_of_month", "day_of_week", "day_of_year", "days_in_month", "deg", "delta", "deriv", "end",
		"exp", "floor", "histogram_avg", "histogram_count", "histogram_fraction", "histogram_quantile",
		"histogram_stddev", "histogram_stdvar", "histogram_sum", "hour", "idelta", "increase", "irate",
		"label_join", "label_replace", "last_over_time", "ln", "log10", "log2", "mad_over_time", "max_over_time",
		"min_over_time", "minute", "month", "pi", "predict_linear", "present_over_time", "quantile_over_time",
		"rad", "rate", "resets", "round", "scalar", "sgn", "sin", "sinh", "sort", "sort_by_label",
		"sort_by_label_desc", "sort_desc", "sqrt", "start", "stddev_over_time", "stdvar_over_time",
		"sum_over_time", "tan", "tanh", "time", "timestamp", "vector", "year"}
	promKeywords = []string{"and", "or", "unless", "bool", "offset", "atan2", "inf", "nan"}
)

func isMantissa(rs []rune) bool {
	for _, r := range rs {
		if !unicode.IsDigit(r) && r != '.' {
			return false
		}
	}
	return len(rs) > 0
}

// promRefs is what an expression names.
type promRefs struct {
	Metrics   []string
	Matchers  []promMatcher
	Groupings []promGrouping
}

// promMatcher is a label matcher, on the selector of Metric ("" for a
// selector without a name).
type promMatcher struct{ Metric, Label string }

// promGrouping is a by, without, on, ignoring, group_left or group_right
// clause; Scope are the metrics it applies to: an aggregation's argument,
// or the whole expression for vector matching.
type promGrouping struct {
	Clause string
	Labels []string
	Scope  []string

	from, to int // the tokens of the scope
}

func (g promGrouping) String() string {
	return fmt.Sprintf("{%s %v %v}", g.Clause, g.Labels, g.Scope)
}

var promClauses = []string{"by", "without", "on", "ignoring", "group_left", "group_right"}

// scanPromQL finds what expr names.
func scanPromQL(expr string) (promRefs, error) {
	toks, err := lexPromQL(expr)
	if err != nil {
		return promRefs{}, err
	}
	closing, err := matchBrackets(toks)
	if err != nil {
		return promRefs{}, err
	}
	var refs promRefs
	selectors := map[int]bool{} // token index of each metric name
	labelList := func(open int, clause string, from, to int) (int, error) {
		if open >= len(toks) || toks[open].text != "(" {
			return 0, fmt.Errorf("%s: want a label list in ( )", clause)
		}
		g := promGrouping{Clause: clause, from: from, to: to}
		for i := open + 1; i < closing[open]; i++ {
			switch {
			case toks[i].kind == 'i':
				g.Labels = append(g.Labels, toks[i].text)
			case toks[i].text != ",":
				return 0, fmt.Errorf("%s: %q in a label list", clause, toks[i].text)
			}
		}
		refs.Groupings = append(refs.Groupings, g)
		return closing[open], nil
	}
	for i := 0; i < len(toks); i++ {
		tk := toks[i]
		switch {
		case tk.kind == 's' || tk.kind == 'n':
		case tk.text == "[": // a range or subquery: durations only
			i = closing[i]
		case tk.text == "{":
			if i, err = scanMatchers(toks, i, closing[i], &refs); err != nil {
				return refs, err
			}
		case tk.kind != 'i':
		case slices.Contains(promAggregations, tk.text):
			if i, err = scanAggregation(toks, i, closing, labelList); err != nil {
				return refs, err
			}
		case tk.text == "by" || tk.text == "without":
			// Read with its aggregation, after the argument.
			i = closing[i+1]
		case slices.Contains(promClauses, tk.text):
			if i+1 >= len(toks) || toks[i+1].text != "(" {
				if strings.HasPrefix(tk.text, "group_") {
					continue // group_left without labels
				}
				return refs, fmt.Errorf("%s: want a label list in ( )", tk.text)
			}
			if i, err = labelList(i+1, tk.text, 0, len(toks)); err != nil {
				return refs, err
			}
		case i+1 < len(toks) && toks[i+1].text == "(":
			if !slices.Contains(promFunctions, tk.text) {
				return refs, fmt.Errorf("%s( is no PromQL function", tk.text)
			}
		case slices.Contains(promKeywords, strings.ToLower(tk.text)):
		default:
			refs.Metrics = append(refs.Metrics, tk.text)
			selectors[i] = true
		}
	}
	for gi := range refs.Groupings {
		g := &refs.Groupings[gi]
		for i := g.from; i < g.to; i++ {
			if selectors[i] {
				g.Scope = append(g.Scope, toks[i].text)
			}
		}
	}
	return refs, nil
}

// scanMatchers reads the matchers between toks[open], a "{", and
// toks[end], its "}", and returns end.
func scanMatchers(toks []promTok, open, end int, refs *promRefs) (int, error) {
	metric := ""
	if prev := open - 1; prev >= 0 && toks[prev].kind == 'i' && !slices.Contains(promKeywords, strings.ToLower(toks[prev].text)) {
		metric = toks[prev].text
	}
	for j := open + 1; j < end; j += 4 {
		if j+2 >= end || toks[j].kind != 'i' || !slices.Contains([]string{"=", "!=", "=~", "!~"}, toks[j+1].text) || toks[j+2].kind != 's' {
			return 0, fmt.Errorf("matcher at %q: want label op \"value\"", toks[j].text)
		}
		refs.Matchers = append(refs.Matchers, promMatcher{metric, toks[j].text})
		if j+3 != end && toks[j+3].text != "," {
			return 0, fmt.Errorf("matchers: %q after a matcher", toks[j+3].text)
		}
	}
	return end, nil
}

// scanAggregation reads the by or without clause of the aggregation at
// toks[at], before or after its argument, and returns the index of the
// argument's "(" so that the scan reads the argument on.
func scanAggregation(toks []promTok, at int, closing map[int]int,
	labelList func(open int, clause string, from, to int) (int, error)) (int, error) {
	j := at + 1
	before := j < len(toks) && (toks[j].text == "by" || toks[j].text == "without")
	if before {
		if j+1 >= len(toks) || toks[j+1].text != "(" {
			return 0, fmt.Errorf("%s: want a label list in ( )", toks[j].text)
		}
		arg := closing[j+1] + 1
		if arg >= len(toks) || toks[arg].text != "(" {
			return 0, fmt.Errorf("%s: want its argument in ( )", toks[at].text)
		}
		if _, err := labelList(j+1, toks[j].text, arg, closing[arg]); err != nil {
			return 0, err
		}
		return arg, nil
	}
	if j >= len(toks) || toks[j].text != "(" {
		return 0, fmt.Errorf("%s: want its argument in ( )", toks[at].text)
	}
	if after := closing[j] + 1; after < len(toks) && (toks[after].text == "by" || toks[after].text == "without") {
		if _, err := labelList(after+1, toks[after].text, j, closing[j]); err != nil {
			return 0, err
		}
	}
	return j, nil
}

// matchBrackets maps each opening bracket's index to its closing one's.
func matchBrackets(toks []promTok) (map[int]int, error) {
	pairs := map[string]string{")": "(", "]": "[", "}": "{"}
	closing := map[int]int{}
	var stack []int
	for i, t := range toks {
		if t.kind != 'p' {
			continue
		}
		switch t.text {
		case "(", "[", "{":
			stack = append(stack, i)
		case ")", "]", "}":
			if len(stack) == 0 || toks[stack[len(stack)-1]].text != pairs[t.text] {
				return nil, fmt.Errorf("unbalanced %q", t.text)
			}
			closing[stack[len(stack)-1]] = i
			stack = stack[:len(stack)-1]
		}
	}
	if len(stack) > 0 {
		return nil, fmt.Errorf("unclosed %q", toks[stack[len(stack)-1]].text)
	}
	return closing, nil
}

func TestScanPromQL(t *testing.T) {
	for _, c := range []struct {
		expr string
		want string // Metrics | Matchers | Groupings, or "error: ..."
	}{
		{`up`, `[up] | [] | []`},
		{`rate(x_total{a="1", b=~"y|z"}[5m])`, `[x_total] | [{x_total a} {x_total b}] | []`},
		{`sum by (routine, type) (increase(m{outcome!="success"}[$__rate_interval]))`,
			`[m] | [{m outcome}] | [{by [routine type] [m]}]`},
		{`sum(rate(a[1h:5m])) without (le) / ignoring (x) group_left (y) b offset 1d`,
			`[a b] | [] | [{without [le] [a]} {ignoring [x] [a b]} {group_left [y] [a b]}]`},
		{`time() - max by (routine) (ts) > on (routine) 2 * iv and {__name__="q"}`,
			`[ts iv] | [{ __name__}] | [{by [routine] [ts]} {on [routine] [ts iv]}]`},
		{`histogram_quantile(0.95, sum by (le) (rate(d_bucket[5m]))) > 1.5e+3 unless bool nan`,
			`[d_bucket] | [] | [{by [le] [d_bucket]}]`},
		{"count(\n  # a comment\n  a{b=\"{\"} # about (parens)\n)", `[a] | [{a b}] | []`},
		{`sum by (routine) (x`, `error: unclosed "("`},
		{`x{routine=$routine}`, `error: unexpected '$' at 10`},
		{`frobnicate(x)`, `error: frobnicate( is no PromQL function`},
		{`x{routine}`, `error: matcher at "routine": want label op "value"`},
		{`sum by routine (x)`, `error: by: want a label list in ( )`},
	} {
		refs, err := scanPromQL(c.expr)
		got := fmt.Sprintf("%v | %v | %v", refs.Metrics, refs.Matchers, refs.Groupings)
		if err != nil {
			got = "error: " + err.Error()
		}
		got = strings.ReplaceAll(got, "<nil>", "")
		if got != c.want {
			t.Errorf("scanPromQL(%q)\n got %s\nwant %s", c.expr, got, c.want)
		}
	}
}
