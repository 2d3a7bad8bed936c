package report

import (
	"bytes"
	"testing"
)

func TestScheduleFilesHuman(t *testing.T) {
	tests := []struct {
		name  string
		files ScheduleFiles
		want  string
	}{
		{"one file, as it is", ScheduleFiles{{Name: "crontab", Content: "0 2 * * * x\n"}}, "0 2 * * * x\n"},
		{"several, each headed by its name", ScheduleFiles{{Name: "a.timer", Content: "A\n"}, {Name: "a.service", Content: "S\n"}},
			"# ==> a.timer <==\nA\n\n# ==> a.service <==\nS\n"},
		{"none", nil, ""},
	}
	for _, tt := range tests {
		var out bytes.Buffer
		if err := tt.files.Human(&out, nil); err != nil {
			t.Fatal(err)
		}
		if out.String() != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, out.String(), tt.want)
		}
	}
}
