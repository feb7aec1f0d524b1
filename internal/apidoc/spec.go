package apidoc

import (
	"encoding/json"
	"net/http"
	"strings"
)

// Route is one HTTP route of a service.
type Route struct {
	Method  string // GET or POST
	Path    string // with {name} path parameters
	Summary string
	// Query lists the query parameters.
	Query []string
	// Produces is the success content type (application/json if empty).
	Produces string
}

// Info names the service.
type Info struct {
	Title, Version, Description string
}

// Spec returns the OpenAPI 3.0 description of routes.
func Spec(info Info, routes []Route) map[string]any {
	paths := map[string]any{}
	for _, r := range routes {
		var params []any
		for _, seg := range strings.Split(r.Path, "/") {
			if len(seg) > 2 && seg[0] == '{' && seg[len(seg)-1] == '}' {
				params = append(params, map[string]any{"name": seg[1 : len(seg)-1], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
			}
		}
		for _, q := range r.Query {
			params = append(params, map[string]any{"name": q, "in": "query", "required": false, "schema": map[string]any{"type": "string"}})
		}
		ct := r.Produces
		if ct == "" {
			ct = "application/json"
		}
		schema := map[string]any{"type": "object"}
		if ct != "application/json" {
			schema = map[string]any{"type": "string", "format": "binary"}
		}
		op := map[string]any{
			"summary":     r.Summary,
			"operationId": operationID(r),
			"responses": map[string]any{
				"200":     map[string]any{"description": "success", "content": map[string]any{ct: map[string]any{"schema": schema}}},
				"default": map[string]any{"description": "error", "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Error"}}}},
			},
		}
		if len(params) > 0 {
			op["parameters"] = params
		}
		if r.Method == http.MethodPost {
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"type": "object"}}}}
		}
		item, _ := paths[r.Path].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[r.Path] = item
		}
		item[strings.ToLower(r.Method)] = op
	}
	return map[string]any{
		"openapi": "3.0.3",
		"info":    map[string]any{"title": info.Title, "version": info.Version, "description": info.Description},
		"paths":   paths,
		"components": map[string]any{"schemas": map[string]any{
			"Error": map[string]any{
				"type":     "object",
				"required": []string{"code", "status", "error"},
				"properties": map[string]any{
					"code":   map[string]any{"type": "integer", "format": "uint32", "description": "stable code: 1 bad_request, 2 not_found, 3 unknown_path, 4 internal, 5 forbidden"},
					"status": map[string]any{"type": "string", "description": "the code's name"},
					"error":  map[string]any{"type": "string", "description": "what went wrong, for people"},
				},
			},
			"Int64": map[string]any{"type": "string", "pattern": "^[0-9]+$", "description": "a 64-bit integer as a decimal string"},
		}},
	}
}

func operationID(r Route) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(r.Method))
	for _, seg := range strings.Split(r.Path, "/") {
		seg = strings.Trim(seg, "{}")
		for _, part := range strings.FieldsFunc(seg, func(c rune) bool { return c == '_' || c == '-' || c == '.' }) {
			b.WriteString(strings.ToUpper(part[:1]) + part[1:])
		}
	}
	return b.String()
}

// Handler serves the spec as JSON.
func Handler(info Info, routes []Route) http.Handler {
	body, err := json.MarshalIndent(Spec(info, routes), "", "  ")
	if err != nil {
		panic("apidoc: marshal spec: " + err.Error()) // maps of strings always marshal
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(append(body, '\n'))
	})
}
