package cli

import (
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/aerobackup/aerobackup/internal/policy"
)

func tuningCmd(t *testing.T, backup bool, args ...string) (*cobra.Command, *tuningFlags) {
	t.Helper()
	cmd := &cobra.Command{Use: "x"}
	if backup {
		// The flags the backup-only ones are grouped with.
		for _, n := range []string{"partition-list", "after-digest", "prefer-racks", "slice", "slices"} {
			cmd.Flags().String(n, "", "")
		}
	}
	tf := &tuningFlags{}
	var ov *policy.BackupOverrides
	if backup {
		ov = &policy.BackupOverrides{}
	}
	tf.register(cmd, ov)
	if err := cmd.ParseFlags(args); err != nil {
		t.Fatal(err)
	}
	return cmd, tf
}

func TestTuningFlagsReachTheSettings(t *testing.T) {
	cmd, tf := tuningCmd(t, false, "--info-timeout", "5s", "--info-retry-interval", "10ms", "--info-retry-multiplier", "1.5",
		"--info-max-retries", "1", "--s3-retry-read-max-attempts", "7", "--gcp-retry-read-backoff", "3s",
		"--azure-retry-read-multiplier", "4", "--s3-request-timeout", "1m", "--gcp-retry-max-attempts", "2",
		"--azure-retry-delay", "100ms", "--gcp-max-conns-per-host", "9")
	app := &App{}
	if err := tf.apply(cmd, app); err != nil {
		t.Fatal(err)
	}
	ci := app.clusterInfo
	if ci.Timeout != 5*time.Second || ci.Retry.BaseTimeout != 10*time.Millisecond || ci.Retry.Multiplier != 1.5 || ci.Retry.MaxRetries != 1 {
		t.Errorf("info: %+v %+v", ci, ci.Retry)
	}
	st := app.storeTuning
	if st.S3.ReadRetry.MaxRetries != 7 || st.GCS.ReadRetry.BaseTimeout != 3*time.Second || st.Azure.ReadRetry.Multiplier != 4 {
		t.Errorf("read retries: %+v %+v %+v", st.S3.ReadRetry, st.GCS.ReadRetry, st.Azure.ReadRetry)
	}
	if st.S3.RequestTimeout != time.Minute || st.GCS.MaxAttempts != 2 || st.Azure.InitialBackoff != 100*time.Millisecond || st.GCS.MaxConnsPerHost != 9 {
		t.Errorf("SDK tuning: %+v", st)
	}
	if st.S3.MaxAttempts != 0 || st.Azure.MaxAttempts != 0 {
		t.Errorf("unset flags must keep the stores' defaults: %+v", st)
	}
}

func TestTuningFlagsBackupOverrides(t *testing.T) {
	cmd, tf := tuningCmd(t, true)
	if err := tf.apply(cmd, &App{}); err != nil {
		t.Fatal(err)
	}
	ov := tf.ov
	if ov.SocketTimeout != nil || ov.TotalTimeout != nil || ov.MaxRetries != nil || ov.SleepBetweenRetries != nil || ov.NodeList != nil || ov.RackList != nil {
		t.Errorf("unset flags must keep the policy's values: %+v", ov)
	}
	cmd, tf = tuningCmd(t, true, "--socket-timeout", "30s", "--total-timeout", "0", "--max-retries", "0",
		"--sleep-between-retries", "2s", "--rack-list", "1,2")
	if err := tf.apply(cmd, &App{}); err != nil {
		t.Fatal(err)
	}
	ov = tf.ov
	if *ov.SocketTimeout != 30*time.Second || *ov.TotalTimeout != 0 || *ov.MaxRetries != 0 || *ov.SleepBetweenRetries != 2*time.Second ||
		len(ov.RackList) != 2 || ov.NodeList != nil {
		t.Errorf("overrides: %+v", ov)
	}
	cmd, tf = tuningCmd(t, true, "--node-list", "")
	if err := tf.apply(cmd, &App{}); err != nil || tf.ov.NodeList == nil {
		t.Errorf("an empty --node-list is given (and refused by the policy): %v %v", err, ov.NodeList)
	}
}

func TestTuningFlagsRefused(t *testing.T) {
	for _, c := range []struct {
		backup bool
		args   []string
		want   string
	}{
		{false, []string{"--info-retry-multiplier", "0.5"}, "--info-retry-multiplier must be at least 1"},
		{false, []string{"--info-timeout", "-1s"}, "must not be negative"},
		{false, []string{"--azure-retry-max-attempts", "-1"}, "--azure-retry-max-attempts must not be negative"},
		{false, []string{"--gcp-retry-backoff-multiplier", "0.2"}, "--gcp-retry-backoff-multiplier must be at least 1"},
		{false, []string{"--s3-retry-read-multiplier", "0"}, "--s3-retry-read-multiplier must be at least 1"},
		{true, []string{"--s3-upload-concurrency", "-1"}, "--s3-upload-concurrency must not be negative"},
		{true, []string{"--local-buffer-size", "-4"}, "--local-buffer-size must not be negative"},
	} {
		cmd, tf := tuningCmd(t, c.backup, c.args...)
		err := tf.apply(cmd, &App{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want %q", c.args, err, c.want)
		}
	}
}
