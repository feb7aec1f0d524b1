package sensor

// Channel is one measured quantity with its unit and physical limits.
type Channel struct {
	Name string
	Unit string
	// Class is the device class that may declare it.
	Class Class
	// Min and Max are the physical range (WeatherXM's Out-of-Bounds check
	// against the sensor specification).
	Min, Max int64
	// RatePerHour is the largest plausible change per hour, RateFloor the
	// largest change allowed between any two readings however close; a
	// RatePerHour of 0 skips the rate check.
	RatePerHour, RateFloor int64
	// Monotonic channels never decrease (an odometer).
	Monotonic bool
	// Stuck channels vary in nature: a value held for the stuck window is
	// a stuck sensor (WeatherXM: constant values over an hour).
	Stuck bool
	// Neighbour channels are compared with the stations of the ring, with
	// NeighbourFloor the smallest deviation ever counted.
	Neighbour      bool
	NeighbourFloor int64
}

// Class is a device class.
type Class uint8

// Device classes.
const (
	ClassStation Class = iota + 1
	ClassVehicle
)

// String names the class as attributes spell it.
func (c Class) String() string {
	switch c {
	case ClassStation:
		return "station"
	case ClassVehicle:
		return "vehicle"
	}
	return "unknown"
}

// ParseClass parses a class name.
func ParseClass(s string) (Class, bool) {
	switch s {
	case "station":
		return ClassStation, true
	case "vehicle":
		return ClassVehicle, true
	}
	return 0, false
}

// Channel indices into Channels.
const (
	ChTemperature = iota
	ChHumidity
	ChPressure
	ChWindSpeed
	ChWindDirection
	ChRain
	ChPM25
	ChOdometer
	ChSpeed
	ChCharge
	NumChannels
)

// Channels is the channel table, by index. The ranges follow common
// station specifications (WeatherXM WS1000/WS2000 sheets: -40 to 60 degC,
// 0-100 %RH, 300-1100 hPa) widened a little.
var Channels = [NumChannels]Channel{
	ChTemperature:   {Name: "temperature", Unit: "0.01 degC", Class: ClassStation, Min: -6000, Max: 6500, RatePerHour: 1500, RateFloor: 300, Stuck: true, Neighbour: true, NeighbourFloor: 300},
	ChHumidity:      {Name: "humidity", Unit: "0.01 %RH", Class: ClassStation, Min: 0, Max: 10000, RatePerHour: 4000, RateFloor: 1000, Stuck: true, Neighbour: true, NeighbourFloor: 1500},
	ChPressure:      {Name: "pressure", Unit: "Pa", Class: ClassStation, Min: 30000, Max: 110000, RatePerHour: 1000, RateFloor: 200, Stuck: true},
	ChWindSpeed:     {Name: "wind_speed", Unit: "cm/s", Class: ClassStation, Min: 0, Max: 8000},
	ChWindDirection: {Name: "wind_direction", Unit: "deg", Class: ClassStation, Min: 0, Max: 359},
	ChRain:          {Name: "rain", Unit: "0.01 mm", Class: ClassStation, Min: 0, Max: 20000},
	ChPM25:          {Name: "pm25", Unit: "0.1 ug/m3", Class: ClassStation, Min: 0, Max: 10000},
	ChOdometer:      {Name: "odometer", Unit: "m", Class: ClassVehicle, Min: 0, Max: 5_000_000_000, RatePerHour: 300_000, RateFloor: 1000, Monotonic: true},
	ChSpeed:         {Name: "speed", Unit: "0.1 km/h", Class: ClassVehicle, Min: 0, Max: 4000},
	ChCharge:        {Name: "charge", Unit: "0.01 %", Class: ClassVehicle, Min: 0, Max: 10000},
}

// ChannelIndex returns the index of a channel name, and false if unknown.
func ChannelIndex(name string) (int, bool) {
	for i := range Channels {
		if Channels[i].Name == name {
			return i, true
		}
	}
	return 0, false
}
