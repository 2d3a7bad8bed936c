package metrics

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/push"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
)

// Job is the Pushgateway job label of every push.
const Job = "aerobackup"

// pushTimeout bounds a push whose context has no deadline: metrics must not
// keep a finished backup from exiting.
const pushTimeout = 30 * time.Second

// Push sends the run to the Pushgateway at gatewayURL (its base URL, e.g.
// http://pushgateway:9091; user:password@ in it becomes basic auth) under
// the grouping key job="aerobackup", routine=<routine>.
//
// A Pushgateway keeps the last push of a group, and a PUT replaces it, so
// Push first reads the group's current series from the gateway's /metrics,
// adds this run to its counters and histograms, and PUTs the whole group.
// Each routine is its own group, so pushes for different routines never
// touch each other's counters; ABS's unlabeled families (runs_total,
// restore_events_total...) therefore appear per routine on the gateway and
// are summed by PromQL as usual.
func Push(ctx context.Context, gatewayURL string, run Run) error {
	if err := run.validate(); err != nil {
		return err
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, pushTimeout)
		defer cancel()
	}
	base, user, pass, err := splitUserinfo(gatewayURL)
	if err != nil {
		return err
	}
	client := http.DefaultClient
	routine := run.routineLabel()

	s, err := fetchGroup(ctx, client, base, user, pass, routine)
	if err != nil {
		return fmt.Errorf("pushgateway %s: read current metrics: %w", base, err)
	}
	if err := s.apply(run); err != nil {
		return err
	}
	families := s.sorted()
	// The routine is the grouping key; the gateway adds it back.
	for _, mf := range families {
		for _, m := range mf.Metric {
			m.Label = dropLabels(m.Label, "routine")
		}
	}
	p := push.New(base, Job).
		Grouping("routine", routine).
		Client(client).
		Format(expfmt.NewFormat(expfmt.TypeTextPlain)).
		Gatherer(prometheus.GathererFunc(func() ([]*dto.MetricFamily, error) { return families, nil }))
	if user != "" {
		p = p.BasicAuth(user, pass)
	}
	if err := p.PushContext(ctx); err != nil {
		return fmt.Errorf("pushgateway %s: %w", base, err)
	}
	return nil
}

// splitUserinfo takes credentials out of the URL, so they go in a header and
// never into an error message.
func splitUserinfo(raw string) (base, user, pass string, err error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return "", "", "", fmt.Errorf("pushgateway URL %q: want http(s)://host:port", redact(raw))
	}
	if u.User != nil {
		user = u.User.Username()
		pass, _ = u.User.Password()
		u.User = nil
	}
	return strings.TrimSuffix(u.String(), "/"), user, pass, nil
}

func redact(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return u.Redacted()
	}
	return "(unparseable)"
}

// fetchGroup reads the gateway's exposition and keeps this package's
// families for the group job=Job, routine=routine, without the job and
// instance labels the gateway adds (and the routine label on families that
// have none of their own). An empty gateway gives an empty state.
func fetchGroup(ctx context.Context, client *http.Client, base, user, pass, routine string) (state, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", string(expfmt.NewFormat(expfmt.TypeTextPlain)))
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return nil, fmt.Errorf("GET /metrics: status %d: %s", resp.StatusCode, strings.TrimSpace(string(body)))
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	all, err := parse(body)
	if err != nil {
		return nil, err
	}
	s := state{}
	for name, mf := range all {
		sp, ours := specs[name]
		if !ours {
			continue // push_time_seconds, go_*, other jobs' families
		}
		var keep []*dto.Metric
		for _, m := range mf.Metric {
			if labelValue(m, "job") != Job || labelValue(m, "routine") != routine {
				continue
			}
			m.Label = dropLabels(m.Label, "job", "instance")
			if !sp.perRoutine() {
				// The gateway added the grouping label; locally the
				// family has none.
				m.Label = dropLabels(m.Label, "routine")
			}
			keep = append(keep, m)
		}
		if len(keep) > 0 {
			mf.Metric = keep
			s[name] = mf
		}
	}
	return s, nil
}

func labelValue(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}

func dropLabels(ls []*dto.LabelPair, names ...string) []*dto.LabelPair {
	out := ls[:0]
	for _, l := range ls {
		drop := false
		for _, n := range names {
			if l.GetName() == n {
				drop = true
			}
		}
		if !drop {
			out = append(out, l)
		}
	}
	return out
}
