package api_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// spectralResult is one finding of `spectral lint -f json`.
type spectralResult struct {
	Code     string                             `json:"code"`
	Message  string                             `json:"message"`
	Path     []any                              `json:"path"`
	Severity int                                `json:"severity"`
	Range    struct{ Start struct{ Line int } } `json:"range"`
}

// TestSpectral lints the document with Spectral's OpenAPI ruleset (.spectral.yaml) and fails on
// any finding, warnings and hints included, so that the contract stays clean for the tools that
// read it. Spectral comes from e2e/node_modules (npm ci --prefix e2e); without it the test
// skips, unless KEYWARD_REQUIRE_POSTGRES=1 says this is CI, where every tool must be present.
func TestSpectral(t *testing.T) {
	bin := filepath.Join("..", "e2e", "node_modules", ".bin", "spectral")
	if _, err := os.Stat(bin); err != nil {
		if os.Getenv("KEYWARD_REQUIRE_POSTGRES") == "1" {
			t.Fatalf("spectral is not installed (%v); run npm ci --prefix e2e", err)
		}
		t.Skipf("spectral is not installed (%v); run npm ci --prefix e2e", err)
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(bin, "lint", "--ruleset", filepath.Join("..", ".spectral.yaml"), "--format", "json", "--fail-severity", "hint", "--quiet", "openapi.yaml")
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	var results []spectralResult
	if err := json.Unmarshal(stdout.Bytes(), &results); err != nil {
		t.Fatalf("spectral: %v; output %q, stderr %q", runErr, stdout.String(), stderr.String())
	}
	for _, r := range results {
		t.Errorf("api/openapi.yaml line %d: %s (severity %d): %s at %v", r.Range.Start.Line+1, r.Code, r.Severity, r.Message, r.Path)
	}
	if runErr != nil && len(results) == 0 {
		t.Fatalf("spectral: %v; stderr %q", runErr, stderr.String())
	}
}
