package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/lagwatch/lagwatch/internal/alerts"
	"github.com/lagwatch/lagwatch/internal/analyze"
	"github.com/lagwatch/lagwatch/internal/dossier"
	"github.com/lagwatch/lagwatch/internal/ingest"
	"github.com/lagwatch/lagwatch/internal/intake"
	"github.com/lagwatch/lagwatch/internal/presence"
	"github.com/lagwatch/lagwatch/internal/riskfeed"
	"github.com/lagwatch/lagwatch/internal/store"
	"github.com/lagwatch/lagwatch/internal/store/postgres"
	"github.com/lagwatch/lagwatch/internal/web"
)

// StoreConfig selects the store every command uses.
type StoreConfig struct {
	DataDir  string // SQLite file lives here (default ./lagwatch-data)
	Postgres string // PostgreSQL URL; overrides DataDir when set
}

func (c *StoreConfig) register(fs *flag.FlagSet) {
	fs.StringVar(&c.DataDir, "data-dir", envOr("LAGWATCH_DATA_DIR", "lagwatch-data"), "directory of the embedded SQLite store (env LAGWATCH_DATA_DIR)")
	fs.StringVar(&c.Postgres, "postgres", os.Getenv("LAGWATCH_POSTGRES"), "PostgreSQL URL, e.g. postgres://user@host/db; replaces the SQLite store (env LAGWATCH_POSTGRES)")
}

func (c StoreConfig) validate() error {
	if c.Postgres == "" && strings.TrimSpace(c.DataDir) == "" {
		return errors.New("-data-dir: want a directory (or set -postgres)")
	}
	if c.Postgres != "" && !strings.HasPrefix(c.Postgres, "postgres://") && !strings.HasPrefix(c.Postgres, "postgresql://") {
		return errors.New("-postgres: want a URL starting with postgres:// or postgresql://")
	}
	return nil
}

// appStore is everything the lagwatch binary asks of a store.
type appStore interface {
	analyze.Store
	ingest.Store
	PutWorker(ctx context.Context, w store.Worker) error
	CreateEnrolmentToken(ctx context.Context, tokenHash []byte, workerID string, expires time.Time) error
	PruneSamples(ctx context.Context, before time.Time) (int64, error)
	PrunePresence(ctx context.Context, before time.Time) (int64, error)
	intake.Store
	web.Applicants
	riskfeed.Store
	dossier.Store
	alerts.Store
	presence.Store
	Close() error
}

func openStore(ctx context.Context, c StoreConfig, log *slog.Logger) (appStore, error) {
	if c.Postgres != "" {
		st, err := postgres.Open(ctx, c.Postgres, log)
		if err != nil {
			return nil, err
		}
		return st, nil
	}
	st, err := store.Open(ctx, filepath.Join(c.DataDir, "lagwatch.db"), log)
	if err != nil {
		return nil, err
	}
	return st, nil
}

func envOr(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}

func durationEnvOr(name string, def time.Duration) time.Duration {
	if v, ok := os.LookupEnv(name); ok {
		if d, err := time.ParseDuration(v); err == nil {
			return d
		}
	}
	return def
}

func newLogger(stderr interface{ Write([]byte) (int, error) }, level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("-log-level %q: want debug, info, warn or error", level)
	}
	return slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: l})), nil
}
