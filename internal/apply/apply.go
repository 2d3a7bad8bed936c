// Package apply reads what a backup's flags ask (BackupAsk) into its
// policy, its request and its session, and carries out the decisions of
// internal/plan: on a routine
// session, removing the interrupted run a backup does not continue, the
// lock swap of an incremental promoted to a full, and retention (one
// sequence for 'retention prune' and 'backup --prune'); and the backup
// plan, or the stream's, turned into the job backupjob runs. It decides
// nothing itself and prints nothing but log lines.
package apply

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/lock"
	"github.com/aerobackup/aerobackup/internal/plan"
	"github.com/aerobackup/aerobackup/internal/report"
	"github.com/aerobackup/aerobackup/internal/session"
)

// Resume logs the resume decision d at the level it asks and removes the
// interrupted run when it says Remove. log names the routine.
func Resume(sess *session.Session, routine string, d plan.ResumeDecision, log *slog.Logger) error {
	if d.Run.Key != "" {
		log = log.With("key", d.Run.Key)
	}
	var args []any
	if d.Action == plan.Continue {
		args = append(args, "attempts", d.Run.Marker.Attempts)
	}
	switch d.Notice {
	case plan.Warn:
		log.Warn(d.Reason, args...)
	case plan.Inform:
		log.Info(d.Reason, args...)
	default:
		log.Debug(d.Reason, args...)
	}
	if d.Action != plan.Remove {
		return nil
	}
	if err := catalog.RemoveRun(sess.Context(), sess.Store, d.Run.Key); err != nil {
		return fmt.Errorf("routine %q: removing the interrupted backup: %w", routine, err)
	}
	return nil
}

// Promotion logs the plan and, when it promoted an incremental to a full,
// swaps the session's lock for the full lock: a full has its own rules.
// log names the routine.
func Promotion(sess *session.Session, p plan.BackupPlan, log *slog.Logger) error {
	log.Debug("backup planned", "type", string(p.Type), "reason", p.Reason, "base", p.BaseReason)
	for _, n := range p.Namespaces {
		log.Debug("namespace planned", "namespace", n.Name, "reason", n.Reason)
	}
	if !p.Promoted {
		return nil
	}
	log.Info(p.Reason, "namespaces", strings.Join(p.Missing, ","))
	if !sess.Locked() {
		return nil
	}
	return sess.Relock(lock.Full)
}

// Retention plans retention with keep over the session's catalog and the
// routine's pins and, unless dryRun, deletes what the plan removes (the
// pins of backups no longer there too). The summary comes back even when
// deletion stops part way, marking what was removed.
func Retention(sess *session.Session, routine string, keep plan.Keep, dryRun bool, log *slog.Logger) (*report.Prune, error) {
	log.Debug("retention rule", "routine", routine, "rule", keep.Reason)
	l := sess.Listing
	pins, err := catalog.ReadPins(sess.Context(), sess.Store, []string{routine})
	if err != nil {
		return nil, fmt.Errorf("routine %q: %w", routine, err)
	}
	l.Pins = pins
	p, err := plan.Retention(l, keep)
	if err != nil {
		return nil, err
	}
	sum := report.NewPrune(routine, p, dryRun)
	if dryRun {
		return sum, nil
	}
	res, err := catalog.ApplyRetention(sess.Context(), sess.Store, p.RetentionPlan, p.LeftoverFolders())
	sum.MarkRemoved(res)
	if err != nil {
		return sum, fmt.Errorf("routine %q: prune stopped after removing %d backups (run it again to finish): %w", routine, len(res.Removed), err)
	}
	log.Info("retention applied", "routine", routine, "removed", len(res.Removed), "leftovers-removed", len(res.Leftovers),
		"stale-pins-removed", len(res.Pins), "kept", sum.Kept)
	return sum, nil
}

// PruneAfterBackup is a backup's --prune step: p's retention applied once
// the run succeeded (runErr nil), as RetentionAfterBackup does; when asked
// but the run was no successful full, the reason it was not is logged.
func PruneAfterBackup(sess *session.Session, routine string, p plan.BackupPlan, asked bool, runErr error, log *slog.Logger) (*report.Prune, error) {
	switch {
	case p.Prune && runErr == nil:
		return RetentionAfterBackup(sess, routine, p.Keep, log)
	case asked:
		log.Info(plan.NotPruned, "routine", routine)
	}
	return nil, nil
}

// RetentionAfterBackup applies retention once a backup is done, under the
// prune lock, which excludes every backup (the session's own included),
// over the catalog read again under it. Another run holding the routine
// only warns: the backup itself is done.
func RetentionAfterBackup(sess *session.Session, routine string, keep plan.Keep, log *slog.Logger) (*report.Prune, error) {
	err := sess.Relock(lock.Prune)
	if err == nil {
		err = sess.Rescan()
	}
	var sum *report.Prune
	if err == nil {
		sum, err = Retention(sess, routine, keep, false, log)
	}
	var locked *session.LockedError
	if errors.As(err, &locked) {
		log.Warn("backup done, retention not applied: "+locked.Reason(), "routine", routine)
		err = nil
	}
	return sum, err
}
