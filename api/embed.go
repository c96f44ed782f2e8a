// Package api holds the hand-written OpenAPI contract of the Management API, served as-is.
package api

import _ "embed"

// OpenAPI is openapi.yaml.
//
//go:embed openapi.yaml
var OpenAPI []byte
