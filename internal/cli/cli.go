// Package cli is the keyward command line: serve, migrate, demo, the operator's admin
// commands, and device commands that act as a lock over the wire. Each command parses its own flags with the standard flag package.
package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/keyward/keyward/internal/keyward"
)

// Env is what a command may touch of the outside world, so that tests can run commands in-process.
type Env struct {
	Stdout, Stderr io.Writer
	Getenv         func(string) string
}

// command is one leaf of the command tree.
type command struct {
	path  string // "admin user create"
	short string
	run   func(ctx context.Context, env Env, args []string) error
}

func commands() []command {
	return []command{
		{"serve", "run the server", runServe},
		{"demo", "run a server on a fresh SQLite file with demo data", runDemo},
		{"migrate", "migrate the database schema and exit", runMigrate},
		{"bench", "measure Keyward against reference programs on a fresh database and print the table", runBench},
		{"sim", "run a scenario of simulated locks and phones against a server (or --offline)", runSim},
		{"admin user create", "create a user", runUserCreate},
		{"admin user verification-link", "print a new e-mail verification link for an unverified user", runUserVerificationLink},
		{"admin owner create", "create an owner account for a user", runOwnerCreate},
		{"admin owner set-plan", "change the plan of an owner account", runOwnerSetPlan},
		{"admin client create", "register an OAuth client (the secret is shown once)", runClientCreate},
		{"admin client list", "list OAuth clients", runClientList},
		{"admin client update", "change an OAuth client's name, scopes, redirect URIs or logo", runClientUpdate},
		{"admin client rotate-secret", "replace a confidential client's secret (shown once)", runClientRotateSecret},
		{"admin client delete", "delete an OAuth client", runClientDelete},
		{"admin idp create", "register an external identity provider for token exchange", runIdentityProviderCreate},
		{"admin lock register", "register a physical lock in the device registry", runLockRegister},
		{"admin ksk rotate", "add a key-signing key for locks; it signs from now on", runKSKRotate},
		{"admin signing-key rotate", "add a token-signing key; every node signs with it within a minute, the previous keys retire 25 h later", runSigningKeyRotate},
		{"device sync", "sync a lock over the device API with its device key, as the lock would", runDeviceSync},
		{"admin card register", "register an NFC card in the device registry", runCardRegister},
		{"admin backup", "write a consistent copy of a SQLite database while servers run on it", runBackup},
	}
}

// errUsage marks errors that are the caller's mistake on the command line (exit status 2).
var errUsage = errors.New("usage")

// Run runs the command named by args and returns the process exit status.
func Run(ctx context.Context, args []string, env Env) int {
	if env.Getenv == nil {
		env.Getenv = os.Getenv
	}
	cmd, rest := find(args)
	if cmd == nil {
		usage(env.Stderr)
		return 2
	}
	err := cmd.run(ctx, env, rest)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintf(env.Stderr, "keyward %s: %v\n", cmd.path, err)
		return 2
	}
	fmt.Fprintf(env.Stderr, "keyward %s: %s\n", cmd.path, describe(err))
	return 1
}

// describe turns a domain error into one readable line.
func describe(err error) string {
	if e := keyward.ErrorOf(err); e != nil {
		return e.Error()
	}
	return err.Error()
}

// find returns the longest command whose path prefixes args.
func find(args []string) (*command, []string) {
	var best *command
	var rest []string
	for _, c := range commands() {
		words := strings.Fields(c.path)
		if len(args) >= len(words) && strings.Join(args[:len(words)], " ") == c.path {
			if best == nil || len(words) > len(strings.Fields(best.path)) {
				c := c
				best, rest = &c, args[len(words):]
			}
		}
	}
	return best, rest
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: keyward COMMAND [flags]\n\ncommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-22s %s\n", c.path, c.short)
	}
	fmt.Fprintln(w, "\nRun `keyward COMMAND -h` for the flags of a command.")
}

// newFlags returns a flag set whose errors and help go to stderr.
func newFlags(env Env, name string) *flag.FlagSet {
	fs := flag.NewFlagSet("keyward "+name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	return fs
}

// parse parses flags and refuses positional arguments.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	return nil
}

// output prints v as one JSON object with --json, else the human lines.
func output(env Env, asJSON bool, v any, lines ...string) error {
	if asJSON {
		enc := json.NewEncoder(env.Stdout)
		return enc.Encode(v)
	}
	for _, l := range lines {
		fmt.Fprintln(env.Stdout, l)
	}
	return nil
}
