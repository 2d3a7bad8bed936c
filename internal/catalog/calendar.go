package catalog

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aerobackup/aerobackup/internal/timeflag"
)

// CalendarPolicy is restic's forget policy applied to restore points
// (every complete backup, full or incremental, at its run time). Each
// count is 0 (rule off), N, or -1 (unlimited).
type CalendarPolicy struct {
	Last, Hourly, Daily, Weekly, Monthly, Yearly int
	// Within keeps every point within the span of the newest point.
	Within timeflag.Span
	// Location is where hours, days, weeks, months and years begin
	// (nil: UTC).
	Location *time.Location
}

// IsZero reports whether no rule is set: such a policy keeps nothing.
func (p CalendarPolicy) IsZero() bool {
	return p.Last == 0 && p.Hourly == 0 && p.Daily == 0 && p.Weekly == 0 && p.Monthly == 0 && p.Yearly == 0 &&
		p.Within.IsZero()
}

// Rules names the rules set, e.g. "keep-daily 7, keep-within 2d".
func (p CalendarPolicy) Rules() string {
	var out []string
	for _, r := range p.counts() {
		if r.n != 0 {
			out = append(out, "keep-"+r.name+" "+strconv.Itoa(r.n))
		}
	}
	if !p.Within.IsZero() {
		out = append(out, "keep-within "+p.Within.String())
	}
	return strings.Join(out, ", ")
}

type bucketRule struct {
	name   string
	n      int
	bucket func(time.Time) string // "" for keep-last: every point its own bucket
}

func (p CalendarPolicy) counts() []bucketRule {
	return []bucketRule{
		{"last", p.Last, nil},
		{"hourly", p.Hourly, func(t time.Time) string { return t.Format("2006-01-02T15") }},
		{"daily", p.Daily, func(t time.Time) string { return t.Format("2006-01-02") }},
		{"weekly", p.Weekly, func(t time.Time) string {
			y, w := t.ISOWeek()
			return fmt.Sprintf("%d-W%02d", y, w)
		}},
		{"monthly", p.Monthly, func(t time.Time) string { return t.Format("2006-01") }},
		{"yearly", p.Yearly, func(t time.Time) string { return t.Format("2006") }},
	}
}

// Validate refuses a policy that keeps nothing or has a count below -1.
func (p CalendarPolicy) Validate() error {
	for _, r := range p.counts() {
		if r.n < -1 {
			return fmt.Errorf("retention: keep-%s must be -1 (unlimited), 0 (off) or more, got %d", r.name, r.n)
		}
	}
	if p.IsZero() {
		return errors.New("retention: every keep rule is zero; refusing a policy that would delete every backup")
	}
	return nil
}

// PlanCalendar applies p to each routine's restore points, as restic's
// forget does to snapshots: newest first, keep-last keeps the N newest;
// each calendar rule keeps a point whose bucket (hour, day, ISO week,
// month, year in p.Location) differs from the last point that rule kept,
// until it kept N; keep-within keeps the points within the span of the
// newest. A kept point keeps what restoring it needs (each namespace's
// full and the incrementals between), and so does a pinned one. Every
// rule that keeps a point is recorded.
func PlanCalendar(backups []Backup, p CalendarPolicy, pins map[string]Pin) (RetentionPlan, error) {
	if err := p.Validate(); err != nil {
		return RetentionPlan{}, err
	}
	loc := p.Location
	if loc == nil {
		loc = time.UTC
	}
	plan := RetentionPlan{Calendar: &p}
	for _, bs := range routinesNewestFirst(backups) {
		rules := make([][]string, len(bs))
		for _, r := range p.counts() {
			left, kept, last := r.n, 0, ""
			for i, b := range bs {
				if left == 0 {
					break
				}
				label := ""
				if r.bucket != nil {
					if label = r.bucket(b.Time.In(loc)); label == last {
						continue
					}
					last = label
					label = " (" + label + ")"
				}
				kept++
				rules[i] = append(rules[i], fmt.Sprintf("%s #%d%s", r.name, kept, label))
				if left > 0 {
					left--
				}
			}
		}
		if !p.Within.IsZero() && len(bs) > 0 {
			bound := p.Within.Before(bs[0].Time)
			for i, b := range bs {
				if !b.Time.Before(bound) {
					rules[i] = append(rules[i], "within "+p.Within.String()+" of the newest")
				}
			}
		}
		start := len(plan.Decisions)
		for i, b := range bs {
			d := RetentionDecision{Backup: b, Rules: rules[i]}
			if pin, ok := pins[b.Key]; ok {
				d.Rules = append(d.Rules, pin.Rule())
			}
			d.Keep = len(d.Rules) > 0
			d.Reason = strings.Join(d.Rules, ", ")
			if !d.Keep {
				d.Reason = "no rule keeps it (" + p.Rules() + ")"
			}
			plan.Decisions = append(plan.Decisions, d)
		}
		keepChains(plan.Decisions[start:])
	}
	plan.StalePins = stalePins(plan.Decisions, pins)
	return plan, nil
}

// routinesNewestFirst groups backups by routine (in name order), each
// group newest first.
func routinesNewestFirst(backups []Backup) [][]Backup {
	byRoutine := map[string][]Backup{}
	var routines []string
	for _, b := range backups {
		if _, seen := byRoutine[b.Routine]; !seen {
			routines = append(routines, b.Routine)
		}
		byRoutine[b.Routine] = append(byRoutine[b.Routine], b)
	}
	slices.Sort(routines)
	out := make([][]Backup, 0, len(routines))
	for _, r := range routines {
		bs := slices.Clone(byRoutine[r])
		SortBackups(bs)
		slices.Reverse(bs)
		out = append(out, bs)
	}
	return out
}

// keepChains keeps, for every backup of one routine its rules keep, what
// restoring it needs: in each of its namespaces, the full it builds on and
// the incrementals in between (catalog.PointInTime's chain). Those get the
// reason naming the nearest kept backup that needs them.
func keepChains(ds []RetentionDecision) {
	at := map[string]int{}
	own := make([]bool, len(ds))
	var backups []Backup
	var namespaces []string
	for i, d := range ds {
		at[d.Backup.Key], own[i] = i, d.Keep
		backups = append(backups, d.Backup)
		for _, n := range d.Backup.Namespaces {
			if !slices.Contains(namespaces, n.Namespace) {
				namespaces = append(namespaces, n.Namespace)
			}
		}
	}
	slices.Sort(namespaces)
	for _, ns := range namespaces {
		links := namespaceLinks(backups, ns)
		needer := -1 // the oldest backup kept so far in the chain walked back
		for j := len(links) - 1; j >= 0; j-- {
			i := at[links[j].Key]
			switch {
			case own[i]:
				needer = i
			case !ds[i].Keep && needer >= 0:
				ds[i].Keep = true
				ds[i].Rules = []string{neededBy(ds[needer])}
				ds[i].Reason = ds[i].Rules[0]
			}
			if links[j].Type == Full {
				needer = -1
			}
		}
	}
}

// neededBy is the reason of a backup kept for restoring d: d's key and
// its first rule without the bucket ("daily #3").
func neededBy(d RetentionDecision) string {
	rule, _, _ := strings.Cut(d.Rules[0], " (")
	if strings.HasPrefix(rule, "pinned") {
		return "needed to restore pinned " + d.Backup.Key
	}
	return "needed to restore " + d.Backup.Key + " (kept by " + rule + ")"
}

// KeepPinned keeps the pinned backups of p (ABS's count rule) and what
// restoring them needs, and names the pins of backups no longer there.
func (p *RetentionPlan) KeepPinned(pins map[string]Pin) {
	for start := 0; start < len(p.Decisions); {
		end := start
		for end < len(p.Decisions) && p.Decisions[end].Backup.Routine == p.Decisions[start].Backup.Routine {
			end++
		}
		ds := p.Decisions[start:end]
		for i := range ds {
			if ds[i].Keep {
				ds[i].Rules = []string{ds[i].Reason}
			}
			if pin, ok := pins[ds[i].Backup.Key]; ok {
				if !ds[i].Keep {
					ds[i].Keep, ds[i].Rules = true, nil
				}
				ds[i].Rules = append(ds[i].Rules, pin.Rule())
				ds[i].Reason = strings.Join(ds[i].Rules, ", ")
			}
		}
		keepChains(ds)
		start = end
	}
	p.StalePins = stalePins(p.Decisions, pins)
}

// stalePins are the pins of backups not among ds, by key.
func stalePins(ds []RetentionDecision, pins map[string]Pin) []Pin {
	there := map[string]bool{}
	for _, d := range ds {
		there[d.Backup.Key] = true
	}
	var out []Pin
	for k, p := range pins {
		if !there[k] {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b Pin) int { return strings.Compare(a.Key, b.Key) })
	return out
}
