package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/keyward/keyward/internal/keyward"
)

// The portal in a real browser: e2e/portal/run.mjs signs Polly in on the sign-in page in
// Debian's Chromium, plays one flow of e2e/portal/, runs axe-core on every page the flow checks
// and saves the page's screenshot. Set KEYWARD_E2E_SCREENSHOTS to a directory to keep them (CI
// does); each test writes into a subdirectory named after it.

// portalFlow is what run.mjs prints: the flow's own results and, per checked page, axe's
// serious and critical violations.
type portalFlow struct {
	Result map[string]any `json:"result"`
	Pages  []struct {
		Name       string `json:"name"`
		URL        string `json:"url"`
		Violations []struct {
			ID, Impact, Help string
			Targets          []string
		} `json:"violations"`
	} `json:"pages"`
}

// runPortalFlow plays the flow with input as Polly and fails the test on any serious or
// critical accessibility violation of a checked page; it returns the flow's results.
func runPortalFlow(t *testing.T, e *portalEnv, flow string, input map[string]any) map[string]any {
	t.Helper()
	node, dir := browserTools(t)
	shots := t.TempDir()
	if keep := os.Getenv("KEYWARD_E2E_SCREENSHOTS"); keep != "" {
		shots = filepath.Join(keep, filepath.FromSlash(t.Name()))
		if err := os.MkdirAll(shots, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	in := map[string]any{"flow": flow, "base": e.base, "email": pollyEmail, "password": patPassword,
		"screenshotDir": shots, "userDataDir": t.TempDir()}
	for k, v := range input {
		in[k] = v
	}
	arg, err := json.Marshal(in)
	e.must(err)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, filepath.Join(dir, "portal", "run.mjs"), string(arg))
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("node portal/run.mjs %s: %v\nstdout: %s\nstderr: %s", flow, err, stdout.String(), stderr.String())
	}
	var res portalFlow
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
		t.Fatalf("node portal/run.mjs printed %q: %v\nstderr: %s", stdout.String(), err, stderr.String())
	}
	if len(res.Pages) == 0 {
		t.Error("the flow checked no page")
	}
	for _, p := range res.Pages {
		for _, v := range p.Violations {
			t.Errorf("page %s (%s): %s accessibility violation %s: %s, at %v", p.Name, p.URL, v.Impact, v.ID, v.Help, v.Targets)
		}
	}
	return res.Result
}

// TestPortalBrowser_Accounts plays e2e/portal/accounts.mjs: the home page, an account created
// and renamed (by the keyboard), an administrator refused, invited and removed after the
// confirmation page, and the language switch.
func TestPortalBrowser_Accounts(t *testing.T) {
	forEachPortalEnv(t, func(t *testing.T, e *portalEnv) {
		_, err := e.m.Service.CreateUser(asOperator(context.Background()), keyward.UserCreate{Email: unaEmail, PasswordHash: patHash()})
		e.must(err)
		got := runPortalFlow(t, e, "accounts", map[string]any{"ownerId": e.ids["o1"], "inviteEmail": "guest@example.com", "unverifiedEmail": unaEmail})
		want := map[string]any{
			"homeTitle":     "Your owner accounts",
			"createdNotice": "The owner account was created.",
			"createdTitle":  "Browser Flat",
			"renamedTitle":  "Browser Flat 2",
			"inviteError":   "This email address has not been verified yet. Please confirm it using the link in the verification email.",
			"invitedNotice": "The administrator was added.",
			"question":      "Remove guest@example.com, Administrator of this account?",
			"removedNotice": "The administrator was removed.",
			"rowsAfter":     float64(0),
			"germanTitle":   "Administratoren",
			"lang":          "de",
		}
		if diff := gocmp.Diff(want, got); diff != "" {
			t.Errorf("flow results (-want +got):\n%s", diff)
		}
	})
}

// TestPortalBrowser_Inventory plays e2e/portal/inventory.mjs: a lock bound after a wrong code, a
// group with that lock, a contact found by the search, and a card's revocation page.
func TestPortalBrowser_Inventory(t *testing.T) {
	forEachPortalEnv(t, func(t *testing.T, e *portalEnv) {
		_, err := e.m.Service.CreateGrant(asUser(context.Background(), e.polly), e.ids["o1"], e.cardGrant("lock1", "card"))
		e.must(err)
		got := runPortalFlow(t, e, "inventory", map[string]any{"ownerId": e.ids["o1"], "lockId": e.freeLockID, "code": e.freeCode, "cardId": e.ids["card"]})
		want := map[string]any{
			"wrongCode":       "No lock with this id and binding code is registered. Check both on the lock's label.",
			"boundNotice":     "The lock was bound.",
			"lockTitle":       "Browser Door",
			"groupNotice":     "The lock group was created.",
			"memberNotice":    "The lock was added to the group.",
			"removeQuestion":  "Remove the lock Browser Door from the group Browser Group?",
			"found":           float64(1),
			"contactIdentity": "guest@example.com",
			"revokeQuestion":  "Revoke all grants of the card Blue card?",
		}
		if diff := gocmp.Diff(want, got); diff != "" {
			t.Errorf("flow results (-want +got):\n%s", diff)
		}
	})
}
