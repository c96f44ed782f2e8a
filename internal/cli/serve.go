package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"

	"github.com/keyward/keyward/internal/app"
	"github.com/keyward/keyward/internal/config"
	"github.com/keyward/keyward/internal/sqlstore"
)

// loadConfig parses the server flags and the KEYWARD_* environment.
func loadConfig(env Env, name string, args []string, extra func(fs *flag.FlagSet)) (config.Config, error) {
	cfg := config.Default()
	fs := newFlags(env, name)
	cfg.Bind(fs)
	if extra != nil {
		extra(fs)
	}
	if err := parse(fs, args); err != nil {
		return cfg, err
	}
	if err := cfg.ApplyEnv(fs, env.Getenv); err != nil {
		return cfg, err
	}
	if err := cfg.Validate(); err != nil {
		return cfg, fmt.Errorf("%w: %v", errUsage, err)
	}
	return cfg, nil
}

func runServe(ctx context.Context, env Env, args []string) error {
	printConfig := false
	cfg, err := loadConfig(env, "serve", args, func(fs *flag.FlagSet) {
		fs.BoolVar(&printConfig, "print-config", false, "print the effective configuration (secrets redacted) and exit")
	})
	if err != nil {
		return err
	}
	if printConfig {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(cfg.Redacted())
	}
	return serve(ctx, env, cfg)
}

// serve opens the server, runs it until ctx ends and closes it.
func serve(ctx context.Context, env Env, cfg config.Config) error {
	m := &app.Main{Config: cfg, Logger: newLogger(env, cfg), Console: env.Stderr}
	defer m.Close()
	if err := m.Open(ctx); err != nil {
		return err
	}
	return m.Run(ctx)
}

func runMigrate(ctx context.Context, env Env, args []string) error {
	db := dbFlag(env)
	fs := newFlags(env, "migrate")
	fs.StringVar(db, "db", *db, "database: sqlite:FILE or postgres://... (env KEYWARD_DB)")
	if err := parse(fs, args); err != nil {
		return err
	}
	store, err := sqlstore.Open(ctx, *db)
	if err != nil {
		return err
	}
	defer store.Close()
	v, err := store.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "schema version %d\n", v)
	return nil
}

// dbFlag returns the default of --db: KEYWARD_DB, else the default SQLite file.
func dbFlag(env Env) *string {
	v := env.Getenv("KEYWARD_DB")
	if v == "" {
		v = config.Default().DB
	}
	return &v
}

// newLogger writes structured JSON log lines to stderr.
func newLogger(env Env, cfg config.Config) *slog.Logger {
	return slog.New(slog.NewJSONHandler(env.Stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
}
