package schedule

import "testing"

func TestDefaultImage(t *testing.T) {
	cases := []struct{ version, want string }{
		{"1.2.3", "ghcr.io/aerobackup/aerobackup:1.2.3"},  // goreleaser's {{ .Version }}
		{"v1.2.3", "ghcr.io/aerobackup/aerobackup:1.2.3"}, // make build at a tag
		{"v0.10.0-rc.2", "ghcr.io/aerobackup/aerobackup:0.10.0-rc.2"},
		{"1.0.0-beta1", "ghcr.io/aerobackup/aerobackup:1.0.0-beta1"},
		{"dev", "ghcr.io/aerobackup/aerobackup:latest"}, // go build, go install
		{"", "ghcr.io/aerobackup/aerobackup:latest"},
		{"v1.2.3-4-g38b947f", "ghcr.io/aerobackup/aerobackup:latest"}, // between tags
		{"v1.2.3-dirty", "ghcr.io/aerobackup/aerobackup:latest"},
		{"1.2.4-snapshot+38b947f", "ghcr.io/aerobackup/aerobackup:latest"}, // goreleaser --snapshot
		{"38b947f", "ghcr.io/aerobackup/aerobackup:latest"},                // no tag yet
		{"1.2", "ghcr.io/aerobackup/aerobackup:latest"},
	}
	for _, c := range cases {
		if got := DefaultImage(c.version); got != c.want {
			t.Errorf("DefaultImage(%q) = %q, want %q", c.version, got, c.want)
		}
	}
}
