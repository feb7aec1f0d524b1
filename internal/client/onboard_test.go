package client_test

import (
	"context"
	"strings"
	"testing"

	"github.com/depin-network/depin/internal/client"
	"github.com/depin-network/depin/internal/client/clienttest"
	"github.com/depin-network/depin/internal/device"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/sig"
	txv1 "github.com/depin-network/depin/proto/depin/tx/v1"
)

func TestCertifyBindOnboard(t *testing.T) {
	chain, c := newNode(t)
	ctx := context.Background()
	maker, dev := clienttest.Key("maker"), clienttest.Key("device-7")
	typ, val := device.RegisterMakerMsg("Acme", sig.PublicOf(maker), []string{"sensor"}, 10)
	if _, err := c.SignAndSend(ctx, clienttest.Key("authority"), client.Tx{Msgs: []*txv1.Msg{{Type: typ, Value: val}}, Fee: 1000}); err != nil {
		t.Fatalf("register maker: %v", err)
	}
	cert, err := client.Certify(maker, sig.PublicOf(dev), "sensor", "WX-1")
	if err != nil {
		t.Fatal(err)
	}
	owner := clienttest.Addr("bob")
	if _, err := client.Bind(clienttest.Key("other"), testChain, owner, cert); err == nil || !strings.Contains(err.Error(), "not this device's") {
		t.Errorf("bind with another key: got %v, want a key mismatch", err)
	}
	of, err := client.Bind(dev, testChain, owner, cert)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := of.Msg()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.SignAndSend(ctx, clienttest.Key("bob"), client.Tx{Msgs: []*txv1.Msg{msg}, Fee: 1000}); err != nil {
		t.Fatalf("onboard: %v", err)
	}
	id := ledger.AddressOf(sig.PublicOf(dev))
	d, ok := device.GetDevice(chain.App().Committed(), id)
	if !ok || d.Serial != "WX-1" || of.Device != id.String() {
		t.Errorf("device: got %v %v (file names %s), want serial WX-1 at %s", d, ok, of.Device, id)
	}
	// Tampered files are refused before anything is sent.
	tamper := []struct {
		name string
		edit func(*client.OnboardFile)
		want string
	}{
		{"serial", func(f *client.OnboardFile) { f.Cert.Serial = "WX-2" }, "kind or serial"},
		{"kind", func(f *client.OnboardFile) { f.Cert.Kind = "coverage" }, "kind or serial"},
		{"maker", func(f *client.OnboardFile) { f.Cert.Maker = clienttest.Addr("x").String() }, "maker"},
		{"maker sig", func(f *client.OnboardFile) { f.Cert.MakerSignature = strings.Repeat("00", 64) }, "maker signature"},
		{"owner", func(f *client.OnboardFile) { f.Owner = clienttest.Addr("alice").String() }, "owner"},
		{"chain", func(f *client.OnboardFile) { f.ChainID = "other" }, "chain_id"},
		{"device sig", func(f *client.OnboardFile) { f.DeviceSignature = strings.Repeat("11", 64) }, "device signature"},
		{"device", func(f *client.OnboardFile) { f.Device = owner.String() }, "device"},
		{"hex", func(f *client.OnboardFile) { f.Binding = "zz" }, "hex"},
		{"cert bytes", func(f *client.OnboardFile) { f.Cert.Certificate = "ff" }, "decode certificate"},
	}
	for _, tt := range tamper {
		f := of
		tt.edit(&f)
		if _, err := f.Msg(); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want an error about %s", tt.name, err, tt.want)
		}
	}
	if _, err := client.Certify(maker, []byte{1, 2}, "sensor", "S"); err == nil {
		t.Errorf("certify short key: got nil error")
	}
	if _, err := client.Certify(maker, sig.PublicOf(dev), "", "S"); err == nil {
		t.Errorf("certify empty kind: got nil error")
	}
}
