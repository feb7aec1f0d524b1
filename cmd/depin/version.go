package main

import (
	"encoding/json"
	"fmt"
	"runtime"
	"runtime/debug"

	cmtversion "github.com/cometbft/cometbft/version"
	"github.com/spf13/cobra"
)

// version is the release, set at build time with
// -ldflags "-X main.version=v1.2.3"; otherwise the module version from the
// build info, or "dev".
var version = ""

// buildVersion is what `depin version` prints.
type buildVersion struct {
	Version  string `json:"version"`
	Commit   string `json:"commit"`
	Modified bool   `json:"modified,omitempty"`
	Go       string `json:"go"`
	CometBFT string `json:"cometbft"`
	Platform string `json:"platform"`
}

func currentVersion() buildVersion {
	v := buildVersion{Version: version, Commit: "unknown", Go: runtime.Version(), CometBFT: cmtversion.TMCoreSemVer,
		Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if v.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v.Version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				v.Commit = s.Value
			case "vcs.modified":
				v.Modified = s.Value == "true"
			}
		}
	}
	if v.Version == "" {
		v.Version = "dev"
	}
	return v
}

func versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print depin's version, commit, Go and CometBFT versions",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			v := currentVersion()
			w := cmd.OutOrStdout()
			if outputJSON(cmd) {
				return json.NewEncoder(w).Encode(v)
			}
			commit := v.Commit
			if v.Modified {
				commit += " (modified)"
			}
			_, err := fmt.Fprintf(w, "depin:    %s\ncommit:   %s\ngo:       %s\ncometbft: %s\nplatform: %s\n", v.Version, commit, v.Go, v.CometBFT, v.Platform)
			return err
		},
	}
}
