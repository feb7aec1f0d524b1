package client_test

import (
	"encoding/json"
	"testing"

	"github.com/depin-network/depin/internal/client"
	"github.com/depin-network/depin/internal/client/clienttest"
	"github.com/depin-network/depin/internal/device"
	"github.com/depin-network/depin/internal/sig"
)

// FuzzOnboardFile: no file content panics the reader, and whatever it
// accepts is an onboarding message whose signatures check out.
func FuzzOnboardFile(f *testing.F) {
	cert, err := client.Certify(clienttest.Key("maker"), sig.PublicOf(clienttest.Key("dev")), "coverage", "SN")
	if err != nil {
		f.Fatal(err)
	}
	of, err := client.Bind(clienttest.Key("dev"), "chain", clienttest.Addr("owner"), cert)
	if err != nil {
		f.Fatal(err)
	}
	good, _ := json.Marshal(of)
	f.Add(good)
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"cert":{"certificate":"0a"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var of client.OnboardFile
		if json.Unmarshal(data, &of) != nil {
			return
		}
		m, err := of.Msg()
		if err != nil {
			return
		}
		if m.Type != device.TypeOnboard || len(m.Value) == 0 {
			t.Fatalf("accepted %q: got message %s", data, m.Type)
		}
	})
}
