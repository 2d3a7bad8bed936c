package cli

import (
	"github.com/spf13/cobra"

	"github.com/aerobackup/aerobackup/internal/config"
	"github.com/aerobackup/aerobackup/internal/routine"
)

// AdhocRoutine names the folder of backups taken without a config file.
const AdhocRoutine = routine.AdhocName

// targetFlags choose the routine, cluster and storage a command works on;
// the ad-hoc ones replace a config file.
type targetFlags struct {
	routine    string
	host       string
	user       string
	password   string
	authMode   string
	storageURL string
	namespaces []string
	// noStorage: the command reads and writes no storage (backup
	// --output -), so ad-hoc mode needs no --storage.
	noStorage bool
}

func (f *targetFlags) register(cmd *cobra.Command, withCluster bool) {
	fl := cmd.Flags()
	fl.StringVarP(&f.routine, "routine", "r", "", "routine name (may be omitted when the config has exactly one; ad-hoc default \"adhoc\")")
	fl.StringSliceVarP(&f.namespaces, "namespace", "n", nil, "namespace(s) to work on (default: the routine's, or all)")
	fl.StringVar(&f.storageURL, "storage", "", "storage: a name of the config's storage section, or /abs/path, file:///abs/path, s3://bucket/prefix, gs://bucket/prefix, azblob://container/prefix")
	if withCluster {
		fl.StringVar(&f.host, "host", "", "ad-hoc cluster seeds: HOST[:PORT][,HOST[:PORT]...]")
		fl.StringVar(&f.user, "user", "", "ad-hoc cluster user")
		fl.StringVar(&f.password, "password", "", "ad-hoc cluster password (prefer "+EnvVar("password")+")")
		fl.StringVar(&f.authMode, "auth-mode", "", "authentication mode: INTERNAL, EXTERNAL or PKI")
	}
}

// request is what the flags name.
func (f *targetFlags) request(needCluster bool) routine.Request {
	return routine.Request{Routine: f.routine, Storage: f.storageURL, Namespaces: f.namespaces,
		Cluster: f.adhocCluster(), NeedCluster: needCluster, NoStorage: f.noStorage}
}

func (f *targetFlags) adhocCluster() routine.Adhoc {
	return routine.Adhoc{Host: f.host, User: f.user, Password: f.password, AuthMode: f.authMode}
}

// loadConfig finds and loads the config file; nil, nil when there is none
// and no --config was given (ad-hoc mode).
func (a *App) loadConfig() (*config.Config, error) {
	return routine.LoadConfig(a.Globals.ConfigFile, a.Log)
}

// resolveTarget picks the routine from the config, or builds an ad-hoc one
// from flags. Nothing is contacted.
func (a *App) resolveTarget(f *targetFlags, needCluster bool) (*routine.Target, error) {
	cfg, err := a.loadConfig()
	if err != nil {
		return nil, err
	}
	return routine.Resolve(cfg, f.request(needCluster))
}

// runtime is how the run reaches clusters and stores, with the tuning
// flags' settings: one for the run, made when first asked for.
func (a *App) runtime() *routine.Runtime {
	a.rtOnce.Do(func() {
		a.rt = &routine.Runtime{Info: a.clusterInfo, Log: a.Log, Store: routine.StoreOptions{Tuning: a.storeTuning,
			GroupReadable: a.Globals.GroupReadable, SetUmask: a.setUmask}}
	})
	return a.rt
}
