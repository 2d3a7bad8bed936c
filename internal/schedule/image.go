package schedule

import (
	"regexp"
	"strings"
)

// ImageRepository is where the release publishes aerobackup's container
// image (.goreleaser.yaml's kos entry; make image builds the same name).
const ImageRepository = "ghcr.io/aerobackup/aerobackup"

// releaseVersion matches the versions a release publishes an image tag for:
// X.Y.Z, optionally -alpha, -beta or -rc with a number. Builds between tags
// (git describe's v1.2.3-4-gabcdef, -dirty, snapshots) have no such tag.
var releaseVersion = regexp.MustCompile(`^v?([0-9]+\.[0-9]+\.[0-9]+(-(alpha|beta|rc)(\.?[0-9]+)?)?)$`)

// ImageTag is the image tag published for a build's version: the version
// without its leading "v" for a release, "latest" for any other build.
// The Makefile's IMAGE_TAG applies the same rule.
func ImageTag(version string) string {
	if m := releaseVersion.FindStringSubmatch(strings.TrimSpace(version)); m != nil {
		return m[1]
	}
	return "latest"
}

// DefaultImage is the image a build's Kubernetes CronJobs run: the
// published image of the same version, so the jobs run the binary that
// wrote them.
func DefaultImage(version string) string {
	return ImageRepository + ":" + ImageTag(version)
}
