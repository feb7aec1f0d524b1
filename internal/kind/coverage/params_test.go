package coverage

import "testing"

func TestDefaultParamsValid(t *testing.T) {
	if err := DefaultParams().Validate(); err != nil {
		t.Fatalf("default params: %v", err)
	}
}

func TestSpecsCoverEveryParam(t *testing.T) {
	specs := Specs()
	if got, want := len(specs), 15+3*(MaxDensityRes-MinDensityRes+1); got != want {
		t.Fatalf("got %d specs, want %d", got, want)
	}
	seen := map[string]bool{}
	d := DefaultParams()
	for _, s := range specs {
		if seen[s.Name] {
			t.Errorf("spec %s listed twice", s.Name)
		}
		seen[s.Name] = true
		if s.Default < s.Min || s.Default > s.Max {
			t.Errorf("%s: default %d outside [%d, %d]", s.Name, s.Default, s.Min, s.Max)
		}
		got, err := d.Get(s.Name)
		if err != nil || got != s.Default {
			t.Errorf("Get(%s): got %d, %v, want %d", s.Name, got, err, s.Default)
		}
	}
	// Each spec must address its own field: setting one changes only it.
	for _, s := range specs {
		p := DefaultParams()
		if err := p.Set(s.Name, s.Max); err != nil {
			t.Fatalf("Set(%s, max): %v", s.Name, err)
		}
		for _, o := range specs {
			got, _ := p.Get(o.Name)
			want := o.Default
			if o.Name == s.Name {
				want = s.Max
			}
			if got != want {
				t.Errorf("after Set(%s, %d): %s is %d, want %d", s.Name, s.Max, o.Name, got, want)
			}
		}
	}
}

func TestParamsSetAndValidateBounds(t *testing.T) {
	tests := []struct {
		name    string
		param   string
		value   uint64
		wantErr bool
	}{
		{"in bounds", "max_witnesses_per_beacon", 20, false},
		{"below min", "max_witnesses_per_beacon", 0, true},
		{"above max", "decay_rate_bps", 10_000, true},
		{"unknown", "no_such_param", 1, true},
		{"density in bounds", "density_res7_max", 20, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := DefaultParams()
			err := p.Set(tt.param, tt.value)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Set(%s, %d): got err %v, wantErr %v", tt.param, tt.value, err, tt.wantErr)
			}
		})
	}
	p := DefaultParams()
	p.Density[3].Target = 11
	if err := p.Validate(); err == nil {
		t.Error("target above max: got nil error")
	}
	p = DefaultParams()
	p.EntropyLifespanNs = 0
	if err := p.Validate(); err == nil {
		t.Error("zero entropy lifespan: got nil error")
	}
}

func TestReasonNames(t *testing.T) {
	seen := map[string]bool{}
	for r := Reason(0); int(r) < NumReasons; r++ {
		name := r.String()
		if name == "" || seen[name] {
			t.Fatalf("reason %d: name %q empty or repeated", r, name)
		}
		seen[name] = true
		back, err := ParseReason(name)
		if err != nil || back != r {
			t.Errorf("ParseReason(%q): got %d, %v, want %d", name, back, err, r)
		}
	}
	if _, err := ParseReason("bogus"); err == nil {
		t.Error("ParseReason(bogus): got nil error")
	}
}

func TestBeaconPayloadAndFrequency(t *testing.T) {
	var h [32]byte
	h[0] = 7
	a, err := BeaconPayload(h, []byte{1, 2, 3, 4}, devAddr(1))
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != BeaconPayloadSize {
		t.Fatalf("payload length: got %d, want %d", len(a), BeaconPayloadSize)
	}
	b, _ := BeaconPayload(h, []byte{1, 2, 3, 4}, devAddr(2))
	c, _ := BeaconPayload(h, []byte{1, 2, 3, 5}, devAddr(1))
	if string(a) == string(b) || string(a) == string(c) {
		t.Error("payload does not depend on device and local entropy")
	}
	again, _ := BeaconPayload(h, []byte{1, 2, 3, 4}, devAddr(1))
	if string(a) != string(again) {
		t.Error("payload is not deterministic")
	}
	if _, err := BeaconPayload(h, []byte{1, 2, 3}, devAddr(1)); err == nil {
		t.Error("3-byte local entropy: got nil error")
	}
	tests := []struct {
		region  Region
		payload []byte
		want    uint64
	}{
		{RegionEU868, []byte{0, 0}, 868_100_000},
		{RegionEU868, []byte{0, 11}, 867_100_000}, // 11 % 8 = 3
		{RegionUS915, []byte{1, 7}, 905_300_000},  // 263 % 8 = 7
		{RegionAU915, []byte{0, 1}, 917_000_000},
	}
	for _, tt := range tests {
		got, err := BeaconFrequency(tt.region, tt.payload)
		if err != nil || got != tt.want {
			t.Errorf("BeaconFrequency(%s, %v): got %d, %v, want %d", tt.region, tt.payload, got, err, tt.want)
		}
	}
	if _, err := BeaconFrequency(RegionUnknown, a); err == nil {
		t.Error("unknown region: got nil error")
	}
}
