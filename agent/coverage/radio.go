package coverage

import "context"

// Radio is the device's radio as the agent uses it. Real hardware (a LoRa
// concentrator, a modem) implements it; SimRadio simulates one.
type Radio interface {
	// Transmit sends a beacon frame over the air and returns when it has
	// been sent.
	Transmit(ctx context.Context, f Frame) error
	// Heard returns the channel on which the radio delivers the frames it
	// receives from other devices, with their signal measurements. The
	// channel stays the same for the radio's lifetime.
	Heard() <-chan Heard
}
