package cli

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/aerobackup/aerobackup/internal/config"
	"github.com/aerobackup/aerobackup/internal/outcome"
	"github.com/aerobackup/aerobackup/internal/report"
	"github.com/aerobackup/aerobackup/internal/schedule"
)

type scheduleExportOptions struct {
	format     string
	routine    string
	binary     string
	configPath string
	image      string
	secret     string
	namespace  string
	outputDir  string
	args       []string
	slices     int
}

func newScheduleCmd(app *App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "schedule",
		Short: "Carry the routines' ABS schedules over to systemd, cron or Kubernetes",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newScheduleExportCmd(app))
	return cmd
}

func newScheduleExportCmd(app *App) *cobra.Command {
	o := &scheduleExportOptions{}
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Print systemd units, crontab lines or Kubernetes CronJobs for the routines' schedules",
		Long: `Translate each routine's interval-cron (full backups) and incr-interval-cron
(incremental backups), in the Quartz syntax ABS reads, into systemd timer and
service units, crontab lines or Kubernetes CronJobs. schedule-timezone is kept
where set (systemd OnCalendar zone, CRON_TZ, CronJob timeZone).

Translation is exact or refused: an expression the target cannot represent
(seconds or a year in cron, L, W or # days in cron, W days in systemd) is an
error naming the routine and the reason. Routines marked disabled: true are
left out.

With --slices N (kubernetes only) each CronJob runs an Indexed Job of N pods,
each backing up one slice of the partitions (backup --slices N), all writing
into the run folder named after the Job's scheduled time.`,
		Example: `  aerobackup schedule export --format systemd --output-dir /etc/systemd/system
  aerobackup schedule export --format crontab -r nightly | crontab -
  aerobackup schedule export --format kubernetes --image registry.example/aerobackup:1.0 | kubectl apply -f -`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runScheduleExport(app, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.format, "format", "", "systemd, crontab or kubernetes (required)")
	f.StringVarP(&o.routine, "routine", "r", "", "export only this routine (default: every enabled routine)")
	f.StringVar(&o.binary, "binary", "/usr/local/bin/aerobackup", "path of aerobackup on the host (systemd, crontab)")
	f.StringVar(&o.configPath, "config-path", "", "config file as the scheduled job sees it (default: the absolute path of the config read)")
	f.StringVar(&o.image, "image", schedule.DefaultImage(version), "container image holding aerobackup (kubernetes)")
	f.StringVar(&o.secret, "secret", "aerobackup-config", "Secret holding the config file under the key aerobackup.yml (kubernetes)")
	f.StringVar(&o.namespace, "k8s-namespace", "", "metadata.namespace of the CronJobs (kubernetes; default: none)")
	f.StringVar(&o.outputDir, "output-dir", "", "write the files into this directory instead of stdout")
	f.IntVar(&o.slices, "slices", 0, "kubernetes: run each backup as an Indexed Job of N pods, one slice each (backup --slices)")
	f.StringArrayVar(&o.args, "arg", nil, "extra argument for every scheduled backup command, e.g. --arg=--metrics-file=/var/lib/node_exporter/aerobackup.prom (repeatable)")
	_ = cmd.RegisterFlagCompletionFunc("format", fixedCompletion("systemd", "crontab", "kubernetes"))
	_ = cmd.MarkFlagRequired("format")
	return cmd
}

func runScheduleExport(app *App, o *scheduleExportOptions) error {
	format, err := schedule.CheckFormat(o.format, o.slices)
	if err != nil {
		return outcome.AsUsage(err)
	}
	path, err := config.Locate(app.Globals.ConfigFile)
	if err != nil {
		return outcome.AsUsage(err)
	}
	cfg, err := app.loadConfig()
	if err != nil {
		return err
	}
	opt := schedule.Options{Binary: o.binary, ConfigPath: o.configPath, Image: o.image,
		Secret: o.secret, Namespace: o.namespace, Extra: o.args, Slices: o.slices}
	files, err := schedule.Export(cfg, path, format, o.routine, opt, app.Log)
	if err != nil {
		return err
	}
	return writeScheduleFiles(app, o.outputDir, files)
}

// writeScheduleFiles writes files into dir, or, without one, to stdout.
func writeScheduleFiles(app *App, dir string, files []schedule.File) error {
	if dir != "" {
		for _, f := range files {
			p := filepath.Join(dir, f.Name)
			if err := os.WriteFile(p, []byte(f.Content), 0o644); err != nil {
				return fmt.Errorf("writing %s: %w", p, err)
			}
			app.Log.Info("wrote", "file", p) // an info line: silent under --quiet
		}
		return nil
	}
	return report.ScheduleFiles(files).Human(app.IO.Out, app.IO.Err)
}
