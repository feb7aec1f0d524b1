// Package sensorsim runs a simulated fleet of the sensor and mobile kinds
// against a node: weather stations around one city with a diurnal
// temperature and humidity curve and noise, vehicles driving loops, and
// Wi-Fi radios with heartbeats and speedtests, each kind with honest and
// adversarial devices (a station indoors next to a heater, one replaying
// old data, one copying a neighbour, a cluster in one building, a vehicle
// with a spoofed GNSS track, a speedtest faker). Devices onboard through the
// chain (maker-certified, owner-signed, attributes asserted) and send
// signed reports to ingest with the public SDK (agent, agent/sensor,
// agent/mobile).
package sensorsim
