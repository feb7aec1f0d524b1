package main

import (
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/depin-network/depin/internal/chain"
	"github.com/depin-network/depin/internal/client"
	"github.com/depin-network/depin/internal/device"
	"github.com/depin-network/depin/internal/geo"
	"github.com/depin-network/depin/internal/kind"
	"github.com/depin-network/depin/internal/kind/coverage"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/query"
	"github.com/depin-network/depin/internal/sig"
	txv1 "github.com/depin-network/depin/proto/depin/tx/v1"
)

// newTxDeviceCmds builds the commands of this file; the root command adds them.
func newTxDeviceCmds() []*cobra.Command {
	devCmd := &cobra.Command{Use: "device", Short: "Register makers and onboard, locate, transfer and decommission devices"}
	reg := &cobra.Command{
		Use:   "register-maker FROM",
		Short: "Register a device maker (the params authority only)",
		Example: "  depin tx device register-maker authority --name Acme --maker-key acme --kinds coverage,sensor --onboard-fee 5pin\n" +
			"  depin tx device register-maker authority --name Acme --pubkey 3b6a27bc... --kinds coverage",
		Args: cobra.ExactArgs(1),
		RunE: runRegisterMaker,
	}
	reg.Flags().String("name", "", "the maker's unique name")
	reg.Flags().String("pubkey", "", "the maker's ed25519 public key in hex")
	reg.Flags().String("maker-key", "", "take the maker's public key from this key in the keyring")
	reg.Flags().String("kinds", "", "device kinds the maker may certify: coverage,storage,sensor,energy,compute")
	reg.Flags().String("onboard-fee", "0upin", "fee burned for each device onboarded with this maker's certificate")
	onboard := &cobra.Command{
		Use:   "onboard FROM",
		Short: "Onboard a device to FROM (its owner), burning the maker's onboarding fee",
		Long: `Onboard a device with the file written by 'depin device bind' (--file), or with a
certificate file from 'depin device certify' plus the hex binding and device signature.`,
		Example: "  depin tx device onboard alice --file onboard.json",
		Args:    cobra.ExactArgs(1),
		RunE:    runOnboard,
	}
	onboard.Flags().String("file", "", "onboarding file written by 'depin device bind'")
	onboard.Flags().String("cert", "", "certificate file written by 'depin device certify' (with --binding and --device-sig)")
	onboard.Flags().String("binding", "", "the device's encoded binding in hex (with --cert)")
	onboard.Flags().String("device-sig", "", "the device's signature of the binding in hex (with --cert)")
	assert := &cobra.Command{
		Use:   "assert-location FROM DEVICE",
		Short: "Assert a device's location as an H3 cell (burns device.assert_fee when the cell changes)",
		Example: "  depin tx device assert-location alice pin1... --cell 8c3933676d081ff --gain 30 --elevation 10\n" +
			"  depin tx device assert-location alice pin1... --lat 38.7223 --lng -9.1393 --res 12",
		Args: cobra.ExactArgs(2),
		RunE: runAssertLocation,
	}
	assert.Flags().String("cell", "", "H3 cell in hex")
	assert.Flags().String("lat", "", "latitude in decimal degrees (with --lng and --res, instead of --cell)")
	assert.Flags().String("lng", "", "longitude in decimal degrees")
	assert.Flags().Int("res", 12, "H3 resolution of the cell computed from --lat and --lng")
	assert.Flags().Int32("gain", 0, "antenna gain in tenths of dBi (coverage devices)")
	assert.Flags().Int32("elevation", 0, "antenna elevation above ground in metres (coverage devices)")
	assert.Flags().String("region", coverage.RegionEU868.String(), "regional plan of the radio: EU868, US915 or AU915 (coverage devices)")
	assert.Flags().String("attributes", "", "the device kind's attributes in hex (instead of --gain, --elevation and --region)")
	transfer := &cobra.Command{
		Use:   "transfer FROM DEVICE NEW_OWNER",
		Short: "Transfer a device to a new owner (an address or key name)",
		Args:  cobra.ExactArgs(3),
		RunE:  runTransfer,
	}
	decom := &cobra.Command{
		Use:   "decommission FROM DEVICE",
		Short: "Decommission a device for good",
		Args:  cobra.ExactArgs(2),
		RunE:  runDecommission,
	}
	deny := &cobra.Command{
		Use:   "deny FROM DEVICE",
		Short: "Put a device on the denylist, or take it off with --lift (the params authority only)",
		Long: `Oracles score no report of a denied device. The reason is recorded on chain; --lift
takes the device off the list again (an appeal upheld).`,
		Example: "  depin tx device deny authority pin1... --reason \"witness forging ring\"\n" +
			"  depin tx device deny authority pin1... --lift",
		Args: cobra.ExactArgs(2),
		RunE: runDeny,
	}
	deny.Flags().String("reason", "", "why the device is denied (required unless --lift)")
	deny.Flags().Bool("lift", false, "take the device off the denylist")
	devCmd.AddCommand(reg, onboard, assert, transfer, decom, deny)
	return []*cobra.Command{devCmd}
}

func runRegisterMaker(cmd *cobra.Command, args []string) error {
	f := cmd.Flags()
	name, _ := f.GetString("name")
	pubHex, _ := f.GetString("pubkey")
	keyName, _ := f.GetString("maker-key")
	kindList, _ := f.GetString("kinds")
	if name == "" || kindList == "" {
		return fmt.Errorf("register-maker: --name and --kinds are required")
	}
	var pub []byte
	switch {
	case pubHex != "" && keyName != "":
		return fmt.Errorf("register-maker: give --pubkey or --maker-key, not both")
	case pubHex != "":
		b, err := hex.DecodeString(pubHex)
		if err != nil || len(b) != sig.PubKeyLen {
			return fmt.Errorf("register-maker: --pubkey must be %d bytes of hex", sig.PubKeyLen)
		}
		pub = b
	case keyName != "":
		kr, _, err := keyringFromFlags(cmd)
		if err != nil {
			return err
		}
		info, err := kr.Show(keyName)
		if err != nil {
			return err
		}
		pub = info.PubKey
	default:
		return fmt.Errorf("register-maker: give the maker's key with --pubkey or --maker-key")
	}
	kinds, err := parseKinds(kindList)
	if err != nil {
		return err
	}
	c, denom, err := txSetup(cmd)
	if err != nil {
		return err
	}
	feeStr, _ := f.GetString("onboard-fee")
	fee, err := denom.ParseAmount(feeStr)
	if err != nil {
		return fmt.Errorf("--onboard-fee: %w", err)
	}
	return txSend(cmd, c, denom, args[0], msg(device.RegisterMakerMsg(name, pub, kinds, fee)))
}

func parseKinds(s string) ([]string, error) {
	var out []string
	for _, name := range strings.Split(s, ",") {
		k := strings.TrimSpace(name)
		if !kind.ValidName(k) {
			return nil, fmt.Errorf("kind %q is not a kind name (this chain's kinds are %s)", name, strings.Join(chain.Kinds().Names(), ", "))
		}
		out = append(out, k)
	}
	return out, nil
}

func msg(typ string, value []byte) *txv1.Msg { return &txv1.Msg{Type: typ, Value: value} }

func runOnboard(cmd *cobra.Command, args []string) error {
	f := cmd.Flags()
	file, _ := f.GetString("file")
	certPath, _ := f.GetString("cert")
	var of client.OnboardFile
	switch {
	case file != "" && certPath != "":
		return fmt.Errorf("onboard: give --file, or --cert with --binding and --device-sig, not both")
	case file != "":
		if err := readJSONFile(file, &of); err != nil {
			return err
		}
	case certPath != "":
		var err error
		if of, err = onboardFromParts(cmd, certPath); err != nil {
			return err
		}
	default:
		return fmt.Errorf("onboard: give --file onboard.json (from 'depin device bind'), or --cert with --binding and --device-sig")
	}
	m, err := of.Msg()
	if err != nil {
		return err
	}
	c, denom, err := txSetup(cmd)
	if err != nil {
		return err
	}
	return txSend(cmd, c, denom, args[0], m)
}

// onboardFromParts assembles an onboarding file from a certificate file and
// a hex binding and signature.
func onboardFromParts(cmd *cobra.Command, certPath string) (client.OnboardFile, error) {
	var of client.OnboardFile
	if err := readJSONFile(certPath, &of.Cert); err != nil {
		return of, err
	}
	of.Binding, _ = cmd.Flags().GetString("binding")
	of.DeviceSignature, _ = cmd.Flags().GetString("device-sig")
	if of.Binding == "" || of.DeviceSignature == "" {
		return of, fmt.Errorf("onboard: --cert needs --binding and --device-sig")
	}
	b, err := decodeBinding(of.Binding)
	if err != nil {
		return of, err
	}
	owner, _ := ledger.AddressFromBytes(b.Owner)
	of.ChainID, of.Owner, of.Device = b.ChainId, owner.String(), ledger.AddressOf(b.DevicePubKey).String()
	return of, nil
}

// resolveDevice reads a device id: an address, a hex public key, or the
// name of the device's key in the keyring.
func resolveDevice(cmd *cobra.Command, s string) (ledger.Address, error) {
	if len(s) == 2*sig.PubKeyLen {
		if pk, err := hex.DecodeString(s); err == nil {
			return ledger.AddressOf(pk), nil
		}
	}
	a, err := resolveAddress(cmd, s)
	if err != nil {
		return a, fmt.Errorf("device: %w", err)
	}
	return a, nil
}

func runAssertLocation(cmd *cobra.Command, args []string) error {
	id, err := resolveDevice(cmd, args[1])
	if err != nil {
		return err
	}
	cell, err := locationCell(cmd)
	if err != nil {
		return err
	}
	attrs, err := locationAttributes(cmd)
	if err != nil {
		return err
	}
	c, denom, err := txSetup(cmd)
	if err != nil {
		return err
	}
	return txSend(cmd, c, denom, args[0], msg(device.AssertLocationMsg(id, cell, attrs)))
}

// locationAttributes are --attributes in hex if given, else a coverage
// device's --gain, --elevation and --region.
func locationAttributes(cmd *cobra.Command) ([]byte, error) {
	f := cmd.Flags()
	if f.Changed("attributes") {
		h, _ := f.GetString("attributes")
		b, err := hex.DecodeString(h)
		if err != nil {
			return nil, fmt.Errorf("--attributes: not hex: %w", err)
		}
		return b, nil
	}
	gain, _ := f.GetInt32("gain")
	elev, _ := f.GetInt32("elevation")
	name, _ := f.GetString("region")
	region, err := coverage.ParseRegion(name)
	if err != nil {
		return nil, fmt.Errorf("--region: %w", err)
	}
	return coverage.EncodeAttributes(gain, elev, region), nil
}

// locationCell is --cell, or the cell of --lat/--lng at --res.
func locationCell(cmd *cobra.Command) (uint64, error) {
	f := cmd.Flags()
	cellHex, _ := f.GetString("cell")
	lat, _ := f.GetString("lat")
	lng, _ := f.GetString("lng")
	switch {
	case cellHex != "" && (lat != "" || lng != ""):
		return 0, fmt.Errorf("assert-location: give --cell or --lat/--lng, not both")
	case cellHex != "":
		return query.ParseCell(cellHex)
	case lat == "" || lng == "":
		return 0, fmt.Errorf("assert-location: give --cell, or both --lat and --lng")
	}
	latE7, err := client.ParseDegreesE7(lat)
	if err != nil {
		return 0, fmt.Errorf("--lat: %w", err)
	}
	lngE7, err := client.ParseDegreesE7(lng)
	if err != nil {
		return 0, fmt.Errorf("--lng: %w", err)
	}
	res, _ := f.GetInt("res")
	return geo.CellFromLatLng(latE7, lngE7, res)
}

func runTransfer(cmd *cobra.Command, args []string) error {
	id, err := resolveDevice(cmd, args[1])
	if err != nil {
		return err
	}
	to, err := resolveAddress(cmd, args[2])
	if err != nil {
		return fmt.Errorf("new owner: %w", err)
	}
	c, denom, err := txSetup(cmd)
	if err != nil {
		return err
	}
	return txSend(cmd, c, denom, args[0], msg(device.TransferMsg(id, to)))
}

func runDecommission(cmd *cobra.Command, args []string) error {
	id, err := resolveDevice(cmd, args[1])
	if err != nil {
		return err
	}
	c, denom, err := txSetup(cmd)
	if err != nil {
		return err
	}
	return txSend(cmd, c, denom, args[0], msg(device.DecommissionMsg(id)))
}

func runDeny(cmd *cobra.Command, args []string) error {
	id, err := resolveDevice(cmd, args[1])
	if err != nil {
		return err
	}
	reason, _ := cmd.Flags().GetString("reason")
	lift, _ := cmd.Flags().GetBool("lift")
	if !lift && reason == "" {
		return fmt.Errorf("deny: give --reason, or --lift to take the device off the denylist")
	}
	if lift && reason != "" {
		return fmt.Errorf("deny: --reason is recorded only when denying, not with --lift")
	}
	c, denom, err := txSetup(cmd)
	if err != nil {
		return err
	}
	return txSend(cmd, c, denom, args[0], msg(device.SetDeniedMsg(id, !lift, reason)))
}
