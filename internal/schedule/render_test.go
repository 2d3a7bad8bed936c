package schedule

import (
	"strings"
	"testing"
)

func TestJobsOfLeavesOutDisabled(t *testing.T) {
	incr := "0 0 * * * ?"
	routines := []Routine{
		{Name: "nightly", IntervalCron: "0 0 1 * * ?", IncrIntervalCron: &incr},
		{Name: "old", IntervalCron: "0 0 2 * * ?", Disabled: true},
	}
	jobs, leftOut := JobsOf(routines, false)
	if len(jobs) != 2 || jobs[0].Kind != Full || jobs[1].Kind != Incremental || jobs[1].Routine != "nightly" {
		t.Errorf("jobs %+v: want nightly's full and incremental", jobs)
	}
	if strings.Join(leftOut, ",") != "old" {
		t.Errorf("left out %v, want [old]", leftOut)
	}
	jobs, leftOut = JobsOf(routines[1:], true)
	if len(jobs) != 1 || jobs[0].Routine != "old" || leftOut != nil {
		t.Errorf("asked by name: jobs %+v, left out %v; want old's full", jobs, leftOut)
	}
}

func TestRenderNamesTheFiles(t *testing.T) {
	for _, tt := range []struct {
		format string
		names  []string
	}{
		{"crontab", []string{"aerobackup.crontab"}},
		{"kubernetes", []string{"aerobackup-cronjobs.yaml"}},
		{"systemd", []string{"aerobackup-nightly-full.service", "aerobackup-nightly-full.timer",
			"aerobackup-nightly-incremental.service", "aerobackup-nightly-incremental.timer"}},
	} {
		files, err := Render(tt.format, jobs[:2], opts)
		if err != nil {
			t.Fatalf("%s: %v", tt.format, err)
		}
		var names []string
		for _, f := range files {
			if f.Content == "" {
				t.Errorf("%s: %s is empty", tt.format, f.Name)
			}
			names = append(names, f.Name)
		}
		if strings.Join(names, " ") != strings.Join(tt.names, " ") {
			t.Errorf("%s: files %v, want %v", tt.format, names, tt.names)
		}
	}
	if _, err := Render("launchd", jobs, opts); err == nil {
		t.Error("an unknown format renders")
	}
	// A refusal names the routine whatever the format.
	bad := JobsFor("w", "0 0 1 ? * 2#1", nil, nil)
	if _, err := Render("crontab", bad, opts); err == nil || !strings.Contains(err.Error(), `routine "w"`) {
		t.Errorf("refusal: %v", err)
	}
}
