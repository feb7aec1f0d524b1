package main

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"
	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/chain"
	"github.com/depin-network/depin/internal/client"
	kindpkg "github.com/depin-network/depin/internal/kind"
	"github.com/depin-network/depin/internal/sig"
	devicev1 "github.com/depin-network/depin/proto/depin/device/v1"
	"strings"
)

// maxJSONFile bounds the certificate and onboarding files read.
const maxJSONFile = 64 << 10

// newDeviceToolsCmds builds the commands of this file; the root command adds them.
func newDeviceToolsCmds() []*cobra.Command {
	deviceToolsCmd := &cobra.Command{
		Use:   "device",
		Short: "Sign device onboarding documents offline (maker certificate, device binding)",
		Long: `Onboarding a device takes two signatures besides the owner's transaction:
  1. the maker certifies the device key:  depin device certify --maker-key acme --device-pubkey HEX --kind coverage --serial SN1 --out cert.json
  2. the device binds itself to its owner: depin device bind --device-key dev1 --owner pin1... --chain-id ID --cert cert.json --out onboard.json
  3. the owner sends it:                   depin tx device onboard alice --file onboard.json
Keys come from <home>/keyring; nothing here talks to a node (except bind without --chain-id).`,
	}
	certify := &cobra.Command{
		Use:   "certify",
		Short: "Sign a maker's certificate for a device key",
		Args:  cobra.NoArgs,
		RunE:  runCertify,
	}
	certify.Flags().String("maker-key", "", "the maker's key in the keyring")
	certify.Flags().String("device-pubkey", "", "the device's ed25519 public key in hex")
	certify.Flags().String("device-key", "", "take the device public key from this key in the keyring")
	certify.Flags().String("kind", "", "device kind: coverage, storage, sensor, energy or compute")
	certify.Flags().String("serial", "", "the device's serial number (unique per maker)")
	certify.Flags().String("out", "", "write the certificate to this new file instead of standard output")
	bind := &cobra.Command{
		Use:   "bind",
		Short: "Sign a device's binding to its owner and write the onboarding file",
		Args:  cobra.NoArgs,
		RunE:  runBind,
	}
	bind.Flags().String("device-key", "", "the device's key in the keyring")
	bind.Flags().String("owner", "", "the owner's address or key name")
	bind.Flags().String("chain-id", "", "the chain id (default: asked from --node)")
	bind.Flags().String("node", client.DefaultNode, "CometBFT RPC address, to read the chain id when --chain-id is not given")
	bind.Flags().String("cert", "", "certificate file written by 'depin device certify'")
	bind.Flags().String("out", "", "write the onboarding file to this new file instead of standard output")
	deviceToolsCmd.PersistentFlags().String("passphrase-file", "", "read the keyring passphrase from the first line of this file")
	deviceToolsCmd.AddCommand(certify, bind)
	return []*cobra.Command{deviceToolsCmd}
}

func runCertify(cmd *cobra.Command, _ []string) error {
	f := cmd.Flags()
	makerKey, _ := f.GetString("maker-key")
	pubHex, _ := f.GetString("device-pubkey")
	devKey, _ := f.GetString("device-key")
	kindName, _ := f.GetString("kind")
	serial, _ := f.GetString("serial")
	if makerKey == "" || kindName == "" || serial == "" {
		return fmt.Errorf("certify: --maker-key, --kind and --serial are required")
	}
	kind := kindName
	if !kindpkg.ValidName(kind) {
		return fmt.Errorf("certify: kind %q is not a kind name (this chain's kinds are %s)", kindName, strings.Join(chain.Kinds().Names(), ", "))
	}
	kr, _, err := keyringFromFlags(cmd)
	if err != nil {
		return err
	}
	var pub []byte
	switch {
	case pubHex != "" && devKey != "":
		return fmt.Errorf("certify: give --device-pubkey or --device-key, not both")
	case pubHex != "":
		if pub, err = hex.DecodeString(pubHex); err != nil || len(pub) != sig.PubKeyLen {
			return fmt.Errorf("certify: --device-pubkey must be %d bytes of hex", sig.PubKeyLen)
		}
	case devKey != "":
		info, err := kr.Show(devKey)
		if err != nil {
			return err
		}
		pub = info.PubKey
	default:
		return fmt.Errorf("certify: give the device key with --device-pubkey or --device-key")
	}
	priv, err := kr.PrivateKey(makerKey)
	if err != nil {
		return err
	}
	cf, err := client.Certify(priv, pub, kind, serial)
	if err != nil {
		return err
	}
	return writeJSONOut(cmd, cf)
}

func runBind(cmd *cobra.Command, _ []string) error {
	f := cmd.Flags()
	devKey, _ := f.GetString("device-key")
	ownerArg, _ := f.GetString("owner")
	certPath, _ := f.GetString("cert")
	chainID, _ := f.GetString("chain-id")
	if devKey == "" || ownerArg == "" || certPath == "" {
		return fmt.Errorf("bind: --device-key, --owner and --cert are required")
	}
	var cf client.CertFile
	if err := readJSONFile(certPath, &cf); err != nil {
		return err
	}
	owner, err := resolveAddress(cmd, ownerArg)
	if err != nil {
		return fmt.Errorf("bind: owner: %w", err)
	}
	if chainID == "" {
		c, err := nodeClient(cmd)
		if err != nil {
			return err
		}
		st, err := c.Status(cmd.Context())
		if err != nil {
			return fmt.Errorf("bind: no --chain-id given, and: %w", err)
		}
		chainID = st.ChainID
	}
	kr, _, err := keyringFromFlags(cmd)
	if err != nil {
		return err
	}
	priv, err := kr.PrivateKey(devKey)
	if err != nil {
		return err
	}
	of, err := client.Bind(priv, chainID, owner, cf)
	if err != nil {
		return err
	}
	return writeJSONOut(cmd, of)
}

// writeJSONOut writes v as indented JSON to --out (a new file) or stdout.
func writeJSONOut(cmd *cobra.Command, v any) error {
	bz, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	bz = append(bz, '\n')
	out, _ := cmd.Flags().GetString("out")
	if out == "" {
		_, err := cmd.OutOrStdout().Write(bz)
		return err
	}
	fh, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	if _, err := fh.Write(bz); err != nil {
		fh.Close()
		return fmt.Errorf("write %s: %w", out, err)
	}
	if err := fh.Close(); err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "wrote %s\n", out)
	return nil
}

// readJSONFile decodes a small JSON file, rejecting unknown fields.
func readJSONFile(path string, v any) error {
	fh, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	defer fh.Close()
	bz, err := io.ReadAll(io.LimitReader(fh, maxJSONFile+1))
	if err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	if len(bz) > maxJSONFile {
		return fmt.Errorf("read %s: larger than %d bytes", path, maxJSONFile)
	}
	dec := json.NewDecoder(bytes.NewReader(bz))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	return nil
}

// decodeBinding decodes a hex binding.
func decodeBinding(s string) (*devicev1.Binding, error) {
	raw, err := hex.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("--binding must be hex")
	}
	var b devicev1.Binding
	if err := proto.Unmarshal(raw, &b); err != nil {
		return nil, fmt.Errorf("--binding does not decode: %w", err)
	}
	return &b, nil
}
