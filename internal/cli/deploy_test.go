package cli

import (
	"encoding/json"
	"go/build"
	"os"
	"regexp"
	"strings"
	"testing"
)

// The files of deploy/ cannot be run here (no systemd, no container engine), so these tests
// check what they claim about Keyward: the arguments and settings they give are ones `keyward
// serve` takes, and they build and run the package that is the command.

// TestDeploy_SystemdUnit: the unit's ExecStart is `keyward serve` with flags the command's own
// parser accepts, giving the settings the unit's comments promise.
func TestDeploy_SystemdUnit(t *testing.T) {
	unit := readDeployFile(t, "keyward.service")
	m := regexp.MustCompile(`(?m)^ExecStart=((?:.*\\\n)*.*)$`).FindStringSubmatch(unit)
	if m == nil {
		t.Fatal("the unit has no ExecStart")
	}
	argv := strings.Fields(strings.ReplaceAll(m[1], "\\\n", " "))
	if len(argv) < 2 || argv[0] != "/usr/local/bin/keyward" || argv[1] != "serve" {
		t.Fatalf("ExecStart = %q, want /usr/local/bin/keyward serve …", argv)
	}
	cfg := printConfig(t, nil, argv[1:]...)
	want := map[string]any{"Addr": "127.0.0.1:8080", "Issuer": "https://keys.example.com", "DB": "sqlite:/var/lib/keyward/keyward.db",
		"MetricsAddr": "127.0.0.1:9090", "TrustedProxies": "127.0.0.1,::1", "LogLevel": "INFO"}
	for k, v := range want {
		if cfg[k] != v {
			t.Errorf("the unit's %s = %v, want %v", k, cfg[k], v)
		}
	}
	for _, line := range []string{"StateDirectory=keyward", "DynamicUser=yes", "EnvironmentFile=-/etc/keyward/keyward.env"} {
		if !strings.Contains(unit, "\n"+line+"\n") {
			t.Errorf("the unit lacks %s, which docs/operations.md relies on", line)
		}
	}
}

// TestDeploy_Containerfile: the image builds the command's package with the Go of go.mod, runs
// that binary as `serve` as a user other than root, and its environment is one the server
// accepts once the operator adds the issuer (and refuses, saying why, without it). The SQLite
// file lies on the volume.
func TestDeploy_Containerfile(t *testing.T) {
	cf := readDeployFile(t, "Containerfile")
	gomod := readFile(t, "../../go.mod")
	goVersion := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindStringSubmatch(gomod)
	if goVersion == nil || !strings.Contains(cf, "FROM docker.io/library/golang:"+goVersion[1]+" AS build") {
		t.Errorf("the build stage is not golang:%v, the Go of go.mod", goVersion)
	}
	build1 := regexp.MustCompile(`go build .*-o (\S+) (\./\S+)`).FindStringSubmatch(cf)
	if build1 == nil {
		t.Fatal("the Containerfile has no go build -o OUT ./PKG")
	}
	pkg, err := build.ImportDir("../../"+build1[2], 0)
	if err != nil || pkg.Name != "main" {
		t.Fatalf("the Containerfile builds %s, which is not a main package: %v", build1[2], err)
	}
	for _, line := range []string{"COPY --from=build " + build1[1] + " /usr/local/bin/keyward", `ENTRYPOINT ["/usr/local/bin/keyward"]`,
		`CMD ["serve"]`, "VOLUME /var/lib/keyward", "USER 65532:65532"} {
		if !strings.Contains(cf, "\n"+line+"\n") {
			t.Errorf("the Containerfile lacks %q", line)
		}
	}
	env := map[string]string{}
	for _, kv := range regexp.MustCompile(`(KEYWARD_[A-Z_]+)=(\S+)`).FindAllStringSubmatch(cf[strings.Index(cf, "\nENV "):], -1) {
		env[kv[1]] = kv[2]
	}
	if code, _, errOut := run(t, env, "serve", "--print-config"); code != 2 || !strings.Contains(errOut, "set --issuer to the public base URL") {
		t.Errorf("the image's environment without an issuer: exit %d, %q; want the usage error naming --issuer", code, errOut)
	}
	env["KEYWARD_ISSUER"] = "https://keys.example.com"
	cfg := printConfig(t, env, "serve")
	if cfg["Addr"] != "0.0.0.0:8080" || cfg["DB"] != "sqlite:/var/lib/keyward/keyward.db" || !strings.Contains(cf, "\nEXPOSE 8080\n") {
		t.Errorf("the image serves %v on %v", cfg["DB"], cfg["Addr"])
	}
}

// printConfig runs `keyward ARGS --print-config` and returns the settings it printed.
func printConfig(t *testing.T, env map[string]string, args ...string) map[string]any {
	t.Helper()
	code, out, errOut := run(t, env, append(args, "--print-config")...)
	if code != 0 {
		t.Fatalf("keyward %s --print-config: exit %d: %s", strings.Join(args, " "), code, errOut)
	}
	var cfg map[string]any
	if err := json.Unmarshal([]byte(out), &cfg); err != nil {
		t.Fatal(err)
	}
	return cfg
}

func readDeployFile(t *testing.T, name string) string { return readFile(t, "../../deploy/"+name) }

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
