package ingest

import (
	"net/http"

	"connectrpc.com/grpchealth"
	"connectrpc.com/grpcreflect"

	"github.com/depin-network/depin/proto/depin/ingest/v1/ingestv1connect"
)

// handleGRPCTools serves what gRPC tooling expects of a server: server
// reflection (v1 and v1alpha, so `grpcurl list` and `grpcurl describe`
// work without .proto files) and the standard health service
// (grpc.health.v1.Health, for Kubernetes gRPC probes and grpc_health_probe).
// Health reports SERVING for the whole server and for the ingest service
// while the HTTP server runs.
func handleGRPCTools(mux *http.ServeMux) {
	reflector := grpcreflect.NewStaticReflector(ingestv1connect.IngestServiceName, grpchealth.HealthV1ServiceName)
	mux.Handle(grpcreflect.NewHandlerV1(reflector))
	mux.Handle(grpcreflect.NewHandlerV1Alpha(reflector))
	mux.Handle(grpchealth.NewHandler(grpchealth.NewStaticChecker(ingestv1connect.IngestServiceName)))
}
