package cli

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/keyward/keyward/internal/sqlstore"
	"github.com/keyward/keyward/internal/token"
)

// run runs a command in-process and returns its exit status, stdout and stderr.
func run(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr strings.Builder
	code := Run(context.Background(), args, Env{Stdout: &stdout, Stderr: &stderr, Getenv: func(k string) string { return env[k] }})
	return code, stdout.String(), stderr.String()
}

func TestAdminCommands(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "k.db")
	env := map[string]string{"KEYWARD_DB": db} // --db defaults to KEYWARD_DB
	mustJSON := func(args ...string) map[string]any {
		t.Helper()
		code, out, errOut := run(t, env, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errOut)
		}
		var v map[string]any
		if err := json.Unmarshal([]byte(out), &v); err != nil || strings.Count(out, "\n") != 1 {
			t.Fatalf("%v printed %q, want one JSON object", args, out)
		}
		return v
	}
	user := mustJSON("admin", "user", "create", "--email", "Ada@example.com", "--password", "correct horse", "--verified", "--json")
	if user["email"] != "Ada@example.com" || user["verified"] != true || len(user["id"].(string)) != 36 {
		t.Fatalf("user = %v", user)
	}
	owner := mustJSON("admin", "owner", "create", "--name", "Office", "--owner-email", "ada@example.com", "--json")
	client := mustJSON("admin", "client", "create", "--name", "sync", "--scopes", "read:core:entities", "--admin-of", owner["id"].(string), "--json")
	if len(client["clientSecret"].(string)) < 40 || client["serviceUserEmail"] != client["clientId"].(string)+"@clients.invalid" {
		t.Fatalf("client = %v", client)
	}
	lock := mustJSON("admin", "lock", "register", "--time-zone", "America/New_York", "--no-time-restrictions", "--json")
	if len(lock["bindingCode"].(string)) != 10 || !strings.HasSuffix(lock["physicalLockId"].(string), "=") {
		t.Fatalf("lock = %v", lock)
	}
	card := mustJSON("admin", "card", "register", "--capacity", "5", "--json")
	plan := mustJSON("admin", "owner", "set-plan", "--id", owner["id"].(string), "--plan", "free", "--json")
	if plan["plan"] != "free" {
		t.Fatalf("set-plan = %v", plan)
	}
	if card["uid"] == "" || card["physicalCardId"] == "" {
		t.Fatalf("card = %v", card)
	}

	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"UnknownCommand", []string{"frobnicate"}, 2, "usage: keyward COMMAND [flags]"},
		{"MissingFlag", []string{"admin", "owner", "create", "--name", "x"}, 2, "keyward admin owner create: usage: --owner-email is required\n"},
		{"Positional", []string{"admin", "card", "register", "extra"}, 2, "keyward admin card register: usage: unexpected argument \"extra\"\n"},
		{"DuplicateEmail", []string{"admin", "user", "create", "--email", "ADA@example.com", "--password", "correct horse"}, 1,
			"keyward admin user create: The e-mail address is already in use by another user: the address \"ADA@example.com\" belongs to another user\n"},
		{"ShortPassword", []string{"admin", "user", "create", "--email", "b@example.com", "--password", "short"}, 2,
			"keyward admin user create: usage: --password: the password must have at least 8 characters\n"},
		{"UnknownOwnerEmail", []string{"admin", "owner", "create", "--name", "x", "--owner-email", "nobody@example.com"}, 1,
			"keyward admin owner create: The resource was not found: user \"nobody@example.com\" does not exist\n"},
		{"UnknownScope", []string{"admin", "client", "create", "--name", "x", "--scopes", "read:everything"}, 1,
			"keyward admin client create: The request is invalid: unknown scope \"read:everything\"\n"},
		{"PublicClientCredentials", []string{"admin", "client", "create", "--name", "x", "--scopes", "read:grants", "--public"}, 2,
			"keyward admin client create: usage: a client_credentials client must be confidential\n"},
		{"BadZone", []string{"admin", "lock", "register", "--time-zone", "Mars/Olympus"}, 1,
			"keyward admin lock register: The request is invalid: \"Mars/Olympus\" is not an IANA time zone\n"},
		{"BadCapacity", []string{"admin", "card", "register", "--capacity", "0"}, 1,
			"keyward admin card register: The request is invalid: card capacity must be 1 or more, got 0\n"},
		{"UnknownPlan", []string{"admin", "owner", "set-plan", "--id", "x", "--plan", "gold"}, 1,
			"keyward admin owner set-plan: The request is invalid: unknown plan \"gold\"; the catalog has [free standard unlimited]\n"},
		{"SetPlanUnknownOwner", []string{"admin", "owner", "set-plan", "--id", "nope", "--plan", "free"}, 1,
			"keyward admin owner set-plan: The resource was not found: owner account \"nope\" does not exist\n"},
		{"DeviceSyncWithoutKey", []string{"device", "sync", "--base", "http://127.0.0.1:1", "--physical-lock-id", "BgABAgMEBQY=",
			"--binding-code", "X"}, 2, "keyward device sync: usage: --device-key is required\n"},
		{"DeviceSyncBadKey", []string{"device", "sync", "--base", "http://127.0.0.1:1", "--physical-lock-id", "BgABAgMEBQY=",
			"--device-key", "AAAA", "--binding-code", "X"}, 2,
			"keyward device sync: usage: --device-key: must be the Base64 of a 32-byte Ed25519 seed\n"},
		{"RegisterBadDeviceKey", []string{"admin", "lock", "register", "--device-public-key", "AAAA"}, 1,
			"keyward admin lock register: The request is invalid: the device public key must be an Ed25519 public key of 32 bytes, got 3 bytes\n"},
		{"PlansFileMissing", []string{"admin", "owner", "set-plan", "--plans", "/nonexistent/plans.json", "--id", "x", "--plan", "free"}, 1,
			"keyward admin owner set-plan: config: plans: open /nonexistent/plans.json: no such file or directory\n"},
		{"BenchConcurrency", []string{"bench", "--concurrency", "0"}, 2, "keyward bench: usage: --concurrency must be at least 1\n"},
		{"BenchBadOnly", []string{"bench", "--only", "("}, 2, "keyward bench: usage: --only: error parsing regexp: missing closing ): `(`\n"},
		{"BenchExistingDB", []string{"bench", "--db", db}, 1,
			"keyward bench: bench: " + strings.TrimPrefix(db, "sqlite:") + " exists (or cannot be checked); the benchmark runs on a fresh database\n"},
		{"BenchBadDB", []string{"bench", "--db", "mysql://x"}, 1,
			"keyward bench: sqlstore: \"mysql://x\": the database address must start with sqlite: or postgres://\n"},
		{"BadDB", []string{"migrate", "--db", "mysql://x"}, 1,
			"keyward migrate: sqlstore: \"mysql://x\": the database address must start with sqlite: or postgres://\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := run(t, env, tt.args...)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d (%s)", code, tt.wantCode, errOut)
			}
			if tt.wantCode == 2 && strings.HasPrefix(tt.wantErr, "usage:") {
				if !strings.HasPrefix(errOut, tt.wantErr) {
					t.Fatalf("stderr %q, want usage", errOut)
				}
				return
			}
			if errOut != tt.wantErr {
				t.Fatalf("stderr\n got %q\nwant %q", errOut, tt.wantErr)
			}
		})
	}
}

func TestMigrateAndPrintConfig(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "k.db")
	code, out, errOut := run(t, nil, "migrate", "--db", db)
	if want := fmt.Sprintf("schema version %d\n", sqlstore.LatestVersion()); code != 0 || out != want || sqlstore.LatestVersion() < 3 {
		t.Fatalf("migrate: %d %q %q", code, out, errOut)
	}
	code, out, _ = run(t, map[string]string{"KEYWARD_DB": "postgres://kw:pw@db/kw"}, "serve", "--print-config")
	want := `{
  "Addr": "127.0.0.1:8080",
  "DB": "postgres://kw:xxxxx@db/kw",
  "DBMaxConns": 0,
  "Issuer": "http://127.0.0.1:8080",
  "Plans": "",
  "SMTPURL": "",
  "MetricsAddr": "",
  "TrustedProxies": "",
  "ReadCacheMB": 0,
  "NoStandingCache": false,
  "LogLevel": "INFO"
}
`
	if code != 0 || out != want {
		t.Fatalf("print-config: %d\n%s", code, out)
	}
}

// TestLockRegister_SaysTheCodeIsPermanent checks the human output: the binding code is the
// lock's for good, so the operator must keep it, and learns that it binds again after an unbind.
func TestLockRegister_SaysTheCodeIsPermanent(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "k.db")
	code, out, errOut := run(t, nil, "admin", "lock", "register", "--db", db)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var id, bindingCode, seed string
	if _, err := fmt.Sscanf(out, "physical lock id: %s\nbinding code: %s", &id, &bindingCode); err != nil {
		t.Fatalf("output %q: %v", out, err)
	}
	i := strings.Index(out, "device key seed:  ")
	if i < 0 || len(out) < i+18+44 {
		t.Fatalf("output %q has no device key seed", out)
	}
	seed = out[i+18 : i+18+44]
	if raw, err := base64.StdEncoding.DecodeString(seed); err != nil || len(raw) != 32 {
		t.Fatalf("device key seed %q is not 32 bytes of Base64", seed)
	}
	want := "physical lock id: " + id + "\nbinding code:     " + bindingCode + "   (permanent, like a code printed on the lock: it binds" +
		" the lock whenever the lock is unbound; shown only now, so keep it with the lock)\n" +
		"device key seed:  " + seed + "   (the lock's private key: install it in the lock; Keyward keeps only the public half)\n"
	if out != want {
		t.Fatalf("output\n got %q\nwant %q", out, want)
	}
}

// TestBackup_Command copies a database with admin backup; the copy serves the same data, and a
// second backup to the same file is refused.
func TestBackup_Command(t *testing.T) {
	dir := t.TempDir()
	db, out := "sqlite:"+filepath.Join(dir, "k.db"), filepath.Join(dir, "copy.db")
	if code, _, errOut := run(t, nil, "admin", "user", "create", "--db", db, "--email", "ada@example.com", "--password", "correct horse"); code != 0 {
		t.Fatalf("user create: %s", errOut)
	}
	code, stdout, errOut := run(t, nil, "admin", "backup", "--db", db, "--out", out)
	if code != 0 || !strings.HasPrefix(stdout, "backed up "+db+" to "+out+" (") || !strings.HasSuffix(stdout, " bytes); serve it with --db sqlite:"+out+"\n") {
		t.Fatalf("backup: exit %d %q %q", code, stdout, errOut)
	}
	code, _, errOut = run(t, nil, "admin", "user", "create", "--db", "sqlite:"+out, "--email", "ada@example.com", "--password", "correct horse")
	if code != 1 || !strings.Contains(errOut, `the address "ada@example.com" belongs to another user`) {
		t.Fatalf("the copy lacks the user: exit %d %s", code, errOut)
	}
	code, _, errOut = run(t, nil, "admin", "backup", "--db", db, "--out", out)
	if code != 1 || errOut != "keyward admin backup: sqlstore: backup: "+out+" exists; give a new file\n" {
		t.Fatalf("a second backup to the same file: exit %d %q", code, errOut)
	}
	if code, _, errOut = run(t, nil, "admin", "backup", "--db", db); code != 2 || errOut != "keyward admin backup: usage: --out is required\n" {
		t.Fatalf("no --out: exit %d %q", code, errOut)
	}
}

// TestSigningKeyRotate_Command adds a token-signing key to a database that has one, and says
// when the keys before it retire.
func TestSigningKeyRotate_Command(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "k.db")
	ctx := context.Background()
	store, err := sqlstore.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	first, err := token.NewSigningKey(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := store.CreateSigningKey(ctx, first); err != nil {
		t.Fatal(err)
	}
	code, stdout, errOut := run(t, nil, "admin", "signing-key", "rotate", "--db", db, "--json")
	if code != 0 {
		t.Fatalf("rotate: exit %d %q", code, errOut)
	}
	var got struct{ Kid, PreviousKeysRetireAt string }
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("output %q: %v", stdout, err)
	}
	keys, err := store.FindSigningKeys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 2 || keys[0].ID != got.Kid || keys[1].ID != first.ID {
		t.Fatalf("stored keys %v, want the new %s before %s", keys, got.Kid, first.ID)
	}
	if want := keys[0].CreatedAt.Add(token.RetireAfter).UTC().Format(time.RFC3339); got.PreviousKeysRetireAt != want {
		t.Errorf("previousKeysRetireAt = %q, want %q", got.PreviousKeysRetireAt, want)
	}
}
