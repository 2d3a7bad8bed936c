package config

import (
	"fmt"
	"sort"
	"strings"
)

// Choice is a name the config offers for a flag (a shell completion),
// with a line saying what it names.
type Choice struct {
	Value       string
	Description string
}

// Offered is the config flagValue names (see Locate), loaded to offer its
// choices: nil when there is none or it does not load, as a shell
// completion offers nothing rather than print an error.
func Offered(flagValue string) *Config {
	path, err := Locate(flagValue)
	if err != nil {
		return nil
	}
	cfg, err := Load(path)
	if err != nil {
		return nil
	}
	return cfg
}

// RoutineChoices are the routines whose name starts with prefix, by name,
// each described by its cluster, storage and schedule.
func (c *Config) RoutineChoices(prefix string) []Choice {
	var out []Choice
	for _, n := range c.RoutineNames() {
		r := c.BackupRoutines[n]
		if strings.HasPrefix(n, prefix) {
			out = append(out, Choice{n, fmt.Sprintf("%s to %s, %s", r.SourceCluster, r.StorageName, r.IntervalCron)})
		}
	}
	return out
}

// ClusterChoices are the clusters whose name starts with prefix, by name,
// each described by its seed nodes.
func (c *Config) ClusterChoices(prefix string) []Choice {
	var out []Choice
	for _, n := range sortedKeys(c.AerospikeClusters) {
		if !strings.HasPrefix(n, prefix) {
			continue
		}
		var seeds []string
		for _, s := range c.AerospikeClusters[n].SeedNodes {
			seeds = append(seeds, fmt.Sprintf("%s:%d", s.HostName, s.Port))
		}
		out = append(out, Choice{n, strings.Join(seeds, ",")})
	}
	return out
}

// StorageChoices are the storage entries as the URLs an ad-hoc --storage
// takes, those starting with prefix, by URL, each described by its name.
func (c *Config) StorageChoices(prefix string) []Choice {
	var out []Choice
	for n, s := range c.Storage {
		if u := s.URL(); u != "" && strings.HasPrefix(u, prefix) {
			out = append(out, Choice{u, "storage " + n})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Value != out[j].Value {
			return out[i].Value < out[j].Value
		}
		return out[i].Description < out[j].Description
	})
	return out
}

// URL is the storage as an ad-hoc --storage URL names it: the local path,
// or scheme://bucket/path; "" when no kind is set.
func (s *Storage) URL() string {
	p := strings.Trim(s.RootPath(), "/")
	join := func(scheme, bucket string) string {
		if p == "" {
			return scheme + bucket
		}
		return scheme + bucket + "/" + p
	}
	switch {
	case s.Local != nil:
		return s.Local.Path
	case s.S3 != nil:
		return join("s3://", s.S3.Bucket)
	case s.GCP != nil:
		return join("gs://", s.GCP.BucketName)
	case s.Azure != nil:
		return join("azblob://", s.Azure.ContainerName)
	}
	return ""
}
