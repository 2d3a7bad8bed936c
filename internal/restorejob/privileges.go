package restorejob

import (
	"strings"

	"github.com/aerobackup/aerobackup/internal/cluster"
)

// need is one privilege a restore needs in one destination namespace, in
// the sets it restores (comma-joined; "": every set).
type need struct {
	ns, sets string
	p        cluster.Privilege
}

// needs are what the chains need of the user, each once, in order: write
// records to each destination namespace (in the sets of a set-list, when
// one limits the restore), create the indexes and register the UDFs the
// backups hold (as their metadata counts them).
func (j *Job) needs() []need {
	var out []need
	seen := map[need]bool{}
	add := func(n need) {
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	for _, c := range j.Chains {
		for _, s := range c.Steps {
			cfg, dest := s.Config, s.destination()
			if cfg == nil || cfg.ValidateOnly {
				continue
			}
			if !cfg.NoRecords {
				add(need{dest, strings.Join(cfg.SetList, ","), cluster.WriteRecords})
			}
			if !cfg.NoIndexes && s.Indexes > 0 {
				add(need{dest, "", cluster.CreateIndexes})
			}
			if !cfg.NoUDFs && s.UDFs > 0 {
				add(need{dest, "", cluster.RegisterUDFs})
			}
		}
	}
	return out
}

// checkPrivileges asks the destination, before anything is written,
// whether the user may do what the restore needs: a user without a
// privilege fails the restore naming it, instead of after retries with
// part of the restore written.
func (j *Job) checkPrivileges() error {
	if j.Conn == nil {
		return nil
	}
	for _, n := range j.needs() {
		var sets []string
		if n.sets != "" {
			sets = strings.Split(n.sets, ",")
		}
		if err := j.Conn.Check(n.ns, sets, n.p); err != nil {
			return err
		}
	}
	return nil
}
