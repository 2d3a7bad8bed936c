package schedule

import (
	"os/exec"
	"strings"
	"testing"
)

func TestTranslate(t *testing.T) {
	tests := []struct {
		cron, zone string
		systemd    string // "" with systemdErr set
		systemdErr string
		crontab    string
		crontabErr string
	}{
		{cron: "@daily", systemd: "*-*-* 00:00:00", crontab: "0 0 * * *"},
		{cron: "@hourly", systemd: "*-*-* *:00:00", crontab: "0 * * * *"},
		{cron: "@weekly", systemd: "Sun *-*-* 00:00:00", crontab: "0 0 * * 0"},
		{cron: "@monthly", systemd: "*-*-01 00:00:00", crontab: "0 0 1 * *"},
		{cron: "@yearly", systemd: "*-01-01 00:00:00", crontab: "0 0 1 1 *"},
		// ABS's package default: incremental every two hours.
		{cron: "0 0 0/2 * * ? *", systemd: "*-*-* 00/2:00:00", crontab: "0 */2 * * *"},
		{cron: "0 0 */2 * * ?", systemd: "*-*-* 00/2:00:00", crontab: "0 */2 * * *"},
		{cron: "0 30 1/6 * * ?", systemd: "*-*-* 01/6:30:00", crontab: "30 1-23/6 * * *"},
		{cron: "0 15 10 ? * MON-FRI", systemd: "Mon..Fri *-*-* 10:15:00", crontab: "15 10 * * 1-5"},
		{cron: "0 15 10 ? * 2-6", systemd: "Mon..Fri *-*-* 10:15:00", crontab: "15 10 * * 1-5"},
		{cron: "0 10,44 14 ? 3 WED", systemd: "Wed *-03-* 14:10,44:00", crontab: "10,44 14 * 3 3"},
		{cron: "0 0 3 1,15 * ?", systemd: "*-*-01,15 03:00:00", crontab: "0 3 1,15 * *"},
		{cron: "0 0-5 14 * * ?", systemd: "*-*-* 14:00..05:00", crontab: "0-5 14 * * *"},
		{cron: "0  0   2 * *  ?", systemd: "*-*-* 02:00:00", crontab: "0 2 * * *"},
		{cron: "0 0 2 * * ?", zone: "Europe/Berlin", systemd: "*-*-* 02:00:00 Europe/Berlin", crontab: "0 2 * * *"},
		{cron: "0 0 2 * * ?", zone: "Local", systemd: "*-*-* 02:00:00", crontab: "0 2 * * *"},
		{cron: "30 0 2 * * ?", systemd: "*-*-* 02:00:30",
			crontabErr: "cron has no seconds field"},
		{cron: "*/10 * * * * ?", systemd: "*-*-* *:*:00/10", crontabErr: "cron has no seconds field"},
		{cron: "0 0 2 * * ? 2027", systemd: "2027-*-* 02:00:00", crontabErr: "cron has no year field"},
		{cron: "0 15 10 L * ?", systemd: "*-*~01 10:15:00", crontabErr: "last day of the month"},
		{cron: "0 15 10 L-2 * ?", systemd: "*-*~03 10:15:00", crontabErr: "last day of the month"},
		{cron: "0 15 10 ? * 6L", systemd: "Fri *-*~07/1 10:15:00", crontabErr: "last given weekday"},
		{cron: "0 15 10 ? * 6#3", systemd: "Fri *-*-15..21 10:15:00", crontabErr: "Nth weekday"},
		{cron: "0 0 0 15W * ?", systemdErr: "nearest weekday", crontabErr: "nearest weekday"},
		{cron: "0 0 0 LW * ?", systemdErr: "nearest weekday", crontabErr: "nearest weekday"},
	}
	for _, tt := range tests {
		t.Run(tt.cron+"/"+tt.zone, func(t *testing.T) {
			e, err := Parse(tt.cron)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			got, err := e.OnCalendar(tt.zone)
			check(t, "OnCalendar", got, err, tt.systemd, tt.systemdErr)
			got, err = e.Cron()
			check(t, "Cron", got, err, tt.crontab, tt.crontabErr)
		})
	}
}

func check(t *testing.T, what, got string, err error, want, wantErr string) {
	t.Helper()
	if wantErr != "" {
		if err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Errorf("%s = %q, %v; want an error containing %q", what, got, err, wantErr)
		}
		return
	}
	if err != nil || got != want {
		t.Errorf("%s = %q, %v; want %q", what, got, err, want)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ cron, want string }{
		{"", "empty"},
		{"@every 1h", "unknown macro"},
		{"@midnight", "unknown macro"},
		{"0 2 * * *", "has 5 fields"},
		{"0 0 2 1 * MON", "sets both day-of-month and day-of-week"},
		{"60 0 2 * * ?", "second"},
		{"0 0 24 * * ?", "hour"},
		{"0 0 2 32 * ?", "day-of-month"},
		{"0 0 2 * 13 ?", "month"},
		{"0 0 2 ? * 0", "day-of-week"},
		{"0 0 2 ? * FOO", "day-of-week"},
		{"0 0 5-2 * * ?", "low to high"},
		{"0 0 */0 * * ?", "bad step"},
		{"0 0 2 ? * 2#6", "n 1..5"},
	}
	for _, tt := range tests {
		_, err := Parse(tt.cron)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Parse(%q) = %v, want an error containing %q", tt.cron, err, tt.want)
		}
	}
}

// TestOnCalendarAcceptedBySystemd feeds every translation to
// systemd-analyze, which must accept it and normalise it to itself.
func TestOnCalendarAcceptedBySystemd(t *testing.T) {
	sa, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze not installed")
	}
	for _, c := range []string{"@daily", "@weekly", "0 0 0/2 * * ? *", "0 30 1/6 * * ?", "0 15 10 ? * MON-FRI",
		"0 10,44 14 ? 3 WED", "0 0-5 14 * * ?", "*/10 * * * * ?", "0 15 10 L * ?", "0 15 10 L-2 * ?",
		"0 15 10 ? * 6L", "0 15 10 ? * 6#3", "0 0 2 * * ? 2027"} {
		e, err := Parse(c)
		if err != nil {
			t.Fatal(err)
		}
		cal, err := e.OnCalendar("UTC")
		if err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(sa, "calendar", "--iterations=1", cal).CombinedOutput()
		if err != nil {
			t.Errorf("%q -> %q: systemd-analyze: %v\n%s", c, cal, err, out)
		}
	}
}
