package client_test

import (
	"errors"
	"strconv"
	"testing"

	"pgregory.net/rapid"

	"github.com/depin-network/depin/internal/client"
)

var pin = client.DenomOf("upin", 6)

func TestParseAmount(t *testing.T) {
	tests := []struct {
		in   string
		want uint64
		ok   bool
	}{
		{"1000upin", 1000, true},
		{"0upin", 0, true},
		{"1pin", 1_000_000, true},
		{"1.5pin", 1_500_000, true},
		{"0.000001pin", 1, true},
		{"0.1pin", 100_000, true},
		{"007pin", 7_000_000, true},
		{"18446744073709551615upin", 18446744073709551615, true},
		{"18446744073709.551615pin", 18446744073709551615, true},
		{"18446744073709551616upin", 0, false},
		{"18446744073709.551616pin", 0, false},
		{"99999999999999999999pin", 0, false},
		{"0.0000001pin", 0, false}, // 7 decimals
		{"1.5upin", 0, false},
		{"1000", 0, false},
		{"pin", 0, false},
		{"", 0, false},
		{"-1pin", 0, false},
		{"+1pin", 0, false},
		{"1e6upin", 0, false},
		{"1,5pin", 0, false},
		{".5pin", 0, false},
		{"5.pin", 0, false},
		{"1..5pin", 0, false},
		{"1.2.3pin", 0, false},
		{"1 pin", 0, false},
		{"1pin ", 0, false},
		{"1PIN", 0, false},
		{"1atom", 0, false},
		{"1.5", 0, false},
	}
	for _, tt := range tests {
		got, err := pin.ParseAmount(tt.in)
		if tt.ok && (err != nil || got != tt.want) {
			t.Errorf("ParseAmount(%q): got %d %v, want %d", tt.in, got, err, tt.want)
		}
		if !tt.ok && (err == nil || !errors.Is(err, client.ErrAmount)) {
			t.Errorf("ParseAmount(%q): got %d %v, want an ErrAmount error", tt.in, got, err)
		}
	}
	plain := client.DenomOf("stake", 0)
	if _, err := plain.ParseAmount("1.5stake"); err == nil {
		t.Errorf("no display unit: got nil error for 1.5stake")
	}
	if v, err := plain.ParseAmount("15stake"); err != nil || v != 15 {
		t.Errorf("no display unit: got %d %v, want 15", v, err)
	}
}

func TestFormatAmount(t *testing.T) {
	tests := []struct {
		v    uint64
		want string
	}{
		{0, "0pin"},
		{1, "0.000001pin"},
		{1_500_000, "1.5pin"},
		{1_000_000, "1pin"},
		{123_456_789, "123.456789pin"},
		{18446744073709551615, "18446744073709.551615pin"},
	}
	for _, tt := range tests {
		if got := pin.FormatAmount(tt.v); got != tt.want {
			t.Errorf("FormatAmount(%d): got %q, want %q", tt.v, got, tt.want)
		}
	}
	if got := client.DenomOf("stake", 0).FormatAmount(42); got != "42stake" {
		t.Errorf("no display unit: got %q, want 42stake", got)
	}
}

// TestAmountRoundTrip: every uint64 survives formatting and parsing, in
// both units.
func TestAmountRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		v := rapid.Uint64().Draw(t, "v")
		if got, err := pin.ParseAmount(pin.FormatAmount(v)); err != nil || got != v {
			t.Fatalf("display %q: got %d %v, want %d", pin.FormatAmount(v), got, err, v)
		}
		base := strconv.FormatUint(v, 10) + "upin"
		if got, err := pin.ParseAmount(base); err != nil || got != v {
			t.Fatalf("base %q: got %d %v, want %d", base, got, err, v)
		}
	})
}

func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{"1000upin", "1.5pin", "0.000001pin", "18446744073709.551615pin", "1..5pin", "-1pin", "", "9pin9"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := pin.ParseAmount(s)
		if err != nil {
			if !errors.Is(err, client.ErrAmount) {
				t.Fatalf("%q: got error %v not wrapping ErrAmount", s, err)
			}
			return
		}
		if back, err := pin.ParseAmount(pin.FormatAmount(v)); err != nil || back != v {
			t.Fatalf("%q = %d: round trip got %d %v", s, v, back, err)
		}
	})
}

func TestParseDegreesE7(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"38.7223", 387_223_000, true},
		{"-9.1393", -91_393_000, true},
		{"+9.1393", 91_393_000, true},
		{"0", 0, true},
		{"180", 1_800_000_000, true},
		{"-180.0000000", -1_800_000_000, true},
		{"0.0000001", 1, true},
		{"180.0000001", 0, false},
		{"0.00000001", 0, false},
		{"1e3", 0, false},
		{"--1", 0, false},
		{"", 0, false},
		{"12.", 0, false},
	}
	for _, tt := range tests {
		got, err := client.ParseDegreesE7(tt.in)
		if tt.ok && (err != nil || got != tt.want) {
			t.Errorf("ParseDegreesE7(%q): got %d %v, want %d", tt.in, got, err, tt.want)
		}
		if !tt.ok && !errors.Is(err, client.ErrCoordinate) {
			t.Errorf("ParseDegreesE7(%q): got %d %v, want an ErrCoordinate error", tt.in, got, err)
		}
	}
}
