module example.com/depin-device

go 1.26.8

require github.com/depin-network/depin v0.0.0

require (
	connectrpc.com/connect v1.21.1 // indirect
	github.com/oasisprotocol/curve25519-voi v0.0.0-20230904125328-1f23a7beb09a // indirect
	golang.org/x/crypto v0.58.0 // indirect
	golang.org/x/sys v0.49.0 // indirect
	google.golang.org/protobuf v1.36.12 // indirect
)

replace github.com/depin-network/depin => ../..
