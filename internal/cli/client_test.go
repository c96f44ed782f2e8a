package cli

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestClientAndIdentityProviderCommands(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"KEYWARD_DB": "sqlite:" + filepath.Join(dir, "k.db")}
	jsonOut := func(args ...string) map[string]any {
		t.Helper()
		code, out, errOut := run(t, env, append(args, "--json")...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errOut)
		}
		var v map[string]any
		if err := json.Unmarshal([]byte(out), &v); err != nil {
			t.Fatalf("%v printed %q", args, out)
		}
		return v
	}
	jsonOut("admin", "user", "create", "--email", "dev@example.com", "--password", "correct horse", "--verified")
	jsonOut("admin", "user", "create", "--email", "other@example.com", "--password", "correct horse", "--verified")
	owner := jsonOut("admin", "owner", "create", "--name", "O", "--owner-email", "dev@example.com")
	c := jsonOut("admin", "client", "create", "--name", "web", "--grant-type", "authorization_code", "--scopes", "read:owneraccounts offline_access",
		"--redirect-uri", "https://app.example/cb", "--owner-email", "dev@example.com", "--logo-url", "https://app.example/logo.png",
		"--allowed-origin", "https://spa.example", "--allowed-origin", "http://localhost:3000")
	id := c["clientId"].(string)
	if got := jsonOut("admin", "client", "list")["clients"].([]any)[0].(map[string]any)["allowedOrigins"]; mustMarshal(t, got) != `["https://spa.example","http://localhost:3000"]` {
		t.Fatalf("allowedOrigins after create = %v", got)
	}

	updated := jsonOut("admin", "client", "update", "--id", id, "--owner-email", "dev@example.com", "--scopes", "read:owneraccounts",
		"--redirect-uri", "https://app.example/cb", "--redirect-uri", "https://app.example/cb2", "--allowed-origin", "https://other.example")
	want := map[string]any{"clientId": id, "name": "web", "grantTypes": []any{"authorization_code"}, "scopes": []any{"read:owneraccounts"},
		"redirectUris": []any{"https://app.example/cb", "https://app.example/cb2"}, "public": false, "logoUrl": "https://app.example/logo.png",
		"allowedOrigins": []any{"https://other.example"}}
	if b1, b2 := mustMarshal(t, updated), mustMarshal(t, want); b1 != b2 {
		t.Fatalf("update = %s, want %s", b1, b2)
	}
	cleared := jsonOut("admin", "client", "update", "--id", id, "--allowed-origin=")
	if got := mustMarshal(t, cleared["allowedOrigins"]); got != `[]` {
		t.Fatalf("allowedOrigins after --allowed-origin= is %s", got)
	}
	list := jsonOut("admin", "client", "list", "--owner-email", "dev@example.com")
	if n := len(list["clients"].([]any)); n != 1 {
		t.Fatalf("dev manages %d clients, want 1", n)
	}
	rotated := jsonOut("admin", "client", "rotate-secret", "--id", id)
	if s, _ := rotated["clientSecret"].(string); len(s) < 40 || s == c["clientSecret"] {
		t.Fatalf("rotate-secret = %v", rotated)
	}

	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	keyFile := filepath.Join(dir, "idp.pem")
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	idp := jsonOut("admin", "idp", "create", "--owner", owner["id"].(string), "--ip-id", "acme", "--issuer", "https://id.acme", "--audience", "kw", "--public-key-file", keyFile)
	if idp["ipId"] != "acme" || idp["ownerAccountId"] != owner["id"] || !strings.HasPrefix(idp["publicKey"].(string), "-----BEGIN PUBLIC KEY-----") {
		t.Fatalf("idp create = %v", idp)
	}

	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"OtherUsersClient", []string{"admin", "client", "update", "--id", id, "--owner-email", "other@example.com", "--name", "x"},
			"keyward admin client update: The resource was not found: user \"other@example.com\" manages no client \"" + id + "\"\n"},
		{"UnknownScope", []string{"admin", "client", "update", "--id", id, "--scopes", "fly:away"},
			"keyward admin client update: The request is invalid: unknown scope \"fly:away\"\n"},
		{"FragmentInRedirect", []string{"admin", "client", "update", "--id", id, "--redirect-uri", "https://app.example/cb#x"},
			"keyward admin client update: The request is invalid: redirect URI \"https://app.example/cb#x\" must be an absolute URI without a fragment\n"},
		{"OriginWithPath", []string{"admin", "client", "update", "--id", id, "--allowed-origin", "https://spa.example/app"},
			"keyward admin client update: The request is invalid: allowed origin \"https://spa.example/app\" must be a web origin like https://app.example or http://localhost:3000, in lower case, without a path\n"},
		{"WildcardOrigin", []string{"admin", "client", "create", "--name", "x", "--grant-type", "authorization_code", "--scopes", "read:grants", "--redirect-uri", "https://x.example/cb", "--allowed-origin", "*"},
			"keyward admin client create: The request is invalid: allowed origin \"*\" must be a web origin like https://app.example or http://localhost:3000, in lower case, without a path\n"},
		{"UpperCaseOrigin", []string{"admin", "client", "update", "--id", id, "--allowed-origin", "https://SPA.example"},
			"keyward admin client update: The request is invalid: allowed origin \"https://SPA.example\" must be a web origin like https://app.example or http://localhost:3000, in lower case, without a path\n"},
		{"CodeClientWithoutRedirect", []string{"admin", "client", "create", "--name", "x", "--grant-type", "authorization_code", "--scopes", "read:grants"},
			"keyward admin client create: The request is invalid: an authorization_code client needs at least one redirect URI\n"},
		{"IPIDTaken", []string{"admin", "idp", "create", "--owner", owner["id"].(string), "--ip-id", "acme", "--issuer", "i", "--audience", "a", "--public-key-file", keyFile},
			"keyward admin idp create: The request is invalid: the ipId \"acme\" is taken\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := run(t, env, tt.args...)
			if code != 1 || errOut != tt.wantErr {
				t.Fatalf("exit %d, stderr\n got %q\nwant %q", code, errOut, tt.wantErr)
			}
		})
	}
	deleted := jsonOut("admin", "client", "delete", "--id", id, "--owner-email", "dev@example.com")
	if deleted["deleted"] != true {
		t.Fatalf("delete = %v", deleted)
	}
}

func mustMarshal(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
