package apply

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/aerobackup/aerobackup/internal/backupjob"
	"github.com/aerobackup/aerobackup/internal/cluster"
	"github.com/aerobackup/aerobackup/internal/config"
	"github.com/aerobackup/aerobackup/internal/plan"
	"github.com/aerobackup/aerobackup/internal/policy"
	"github.com/aerobackup/aerobackup/internal/report"
	"github.com/aerobackup/aerobackup/internal/session"
)

// Request completes req, what the flags ask of a backup, with r's name
// and policy, the settings of pol a continuation must share, and, when
// prune, the retention r's policy sets (plan.RetentionKeep, calendar
// rules included). A continuation needs the same settings: checked now
// for a run asked to be resumable or to resume, once a run to continue is
// found otherwise (only a resumable run pages its scans, in BackupJob).
func Request(req plan.BackupRequest, r *config.Routine, pol *policy.Backup, prune bool) (plan.BackupRequest, error) {
	notResumable := pol.ResumableError()
	if (req.Resumable || req.Resume) && notResumable != nil {
		return req, notResumable
	}
	req.Routine, req.Policy = r.Name, r.Policy()
	req.Settings = plan.Settings{Compression: pol.Compression, Encryption: pol.Encryption, Selection: pol.Selection(),
		NotResumable: notResumable}
	if prune {
		keep, err := plan.RetentionKeep(r.Name, r.Policy(), plan.KeepOverride{}, time.Local)
		if err != nil {
			return req, fmt.Errorf("--prune: %w", err)
		}
		req.Prune = &keep
	}
	return req, nil
}

// PlanBackup decides the backup req asks over sess's catalog, in the
// order that reports a storage failure before a cluster's: the interrupted
// run to continue or to remove (removed at once); then, with the
// connection connect waits for, the namespaces (named, else the
// cluster's) checked against pol's rack selection, the catalog read as far
// back as they need, and the plan, whose promotion to a full swaps the
// session's lock. The connection is the caller's when err is nil; on an
// error it is closed, and the plan is what was planned before the error
// (a failed promotion's included). log names the routine.
func PlanBackup(sess *session.Session, req plan.BackupRequest, pol *policy.Backup, named []string,
	connect func() (*cluster.Conn, error), now time.Time, log *slog.Logger) (plan.BackupPlan, *cluster.Conn, error) {
	resume, err := plan.Resume(req, sess.Listing)
	if err == nil {
		err = Resume(sess, req.Routine, resume, log)
	}
	if err != nil {
		return plan.BackupPlan{}, nil, err
	}
	conn, err := connect()
	if err != nil {
		return plan.BackupPlan{}, nil, err
	}
	p, err := planOn(sess, conn, req, pol, named, resume, now, log)
	if err != nil {
		conn.Close()
		return p, nil, err
	}
	return p, conn, nil
}

// planOn is PlanBackup once the cluster is connected.
func planOn(sess *session.Session, conn *cluster.Conn, req plan.BackupRequest, pol *policy.Backup, named []string,
	resume plan.ResumeDecision, now time.Time, log *slog.Logger) (plan.BackupPlan, error) {
	namespaces, err := Namespaces(conn, pol, named, log)
	if err == nil {
		err = sess.ReadBack(plan.CatalogNeeds(req, namespaces))
	}
	if err != nil {
		return plan.BackupPlan{}, err
	}
	p, err := plan.Backup(req, sess.Listing, resume, namespaces, now)
	if err != nil {
		return plan.BackupPlan{}, err
	}
	return p, Promotion(sess, p, log)
}

// Estimate is the estimated size of a full backup of each namespace of
// routine (named, else the cluster's, checked against pol's rack
// selection), from samples sampled records. It only reads the cluster,
// which connect connects to: no storage, no lock, no folder.
func Estimate(ctx context.Context, connect func(context.Context) (*cluster.Conn, error), pol *policy.Backup,
	routine string, named []string, samples int64, log *slog.Logger) (*report.Estimate, error) {
	conn, err := connect(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	namespaces, err := Namespaces(conn, pol, named, log)
	if err != nil {
		return nil, err
	}
	estimates, err := backupjob.Estimate(ctx, conn, pol, routine, namespaces, samples)
	if err != nil {
		return nil, err
	}
	return report.NewEstimate(routine, samples, estimates), nil
}
