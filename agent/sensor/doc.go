// Package sensor is the public SDK of the sensor network kind: it builds
// and signs the readings and heartbeats of weather stations and vehicles
// (internal/kind/sensor checks them), and encodes the attributes a device
// asserts with its location (model, class, channels, vehicle identity).
//
// A reading carries named channels in fixed integer units (Channels lists
// them: temperature in 0.01 degC, humidity in 0.01 %RH, pressure in Pa,
// wind speed in cm/s, wind direction in degrees, rain in 0.01 mm, PM2.5 in
// 0.1 ug/m3, odometer in m, speed in 0.1 km/h, charge in 0.01 %) and an
// optional GNSS fix. The sample time is the report's timestamp.
package sensor
