// Command lagwatch-agent runs on a worker's device. It enrols once with a
// token, then every interval probes each configured landmark server so
// that the servers can measure their round-trip time to the device, and
// reports its own measurements and a heartbeat.
//
// Usage:
//
//	lagwatch-agent run          [flags]   run until interrupted
//	lagwatch-agent check-config [flags]   validate the configuration and state, then exit
//	lagwatch-agent status       [flags]   show what the agent sees and sends
//	lagwatch-agent version
//
// Every flag has an environment variable mirror (for MDM installs), for
// example --servers and LAGWATCH_AGENT_SERVERS; a flag given on the command
// line wins. Prefer LAGWATCH_AGENT_TOKEN to --token: command lines are
// visible to other users of the machine.
//
// Server URLs must be https. Plain http is accepted only with --insecure,
// and only for loopback hosts (localhost, 127.0.0.0/8, ::1) and the
// 198.18.0.0/15 benchmarking range that lagwatch's demo networks use.
// The agent never uses an HTTP proxy (HTTPS_PROXY is ignored): the
// landmark servers must see the device's own connections to measure them.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/lagwatch/lagwatch/internal/agent"
)

// version is set at build time with -ldflags "-X main.version=1.2.3".
var version = ""

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "lagwatch-agent:", err)
		os.Exit(1)
	}
}

const usage = `usage: lagwatch-agent <command> [flags]

commands:
  run           run the agent until interrupted
  check-config  validate the configuration and the enrolment state, then exit
  status        show what the agent sees on this device and what it sends
  version       print the agent's version

Run "lagwatch-agent <command> -h" for the flags.
`

// run runs the command in args; flags fall back on LAGWATCH_AGENT_*
// environment variables.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	switch args[0] {
	case "run":
		cfg, err := parseConfig("run", args[1:], os.Getenv, stderr)
		if err != nil {
			return err
		}
		return runAgent(ctx, cfg, stderr)
	case "check-config":
		cfg, err := parseConfig("check-config", args[1:], os.Getenv, stderr)
		if err != nil {
			return err
		}
		return checkConfig(cfg, stdout)
	case "status":
		cfg, err := parseConfig("status", args[1:], os.Getenv, stderr)
		if err != nil {
			return err
		}
		return status(ctx, cfg, stdout)
	case "version":
		fmt.Fprintln(stdout, agentVersion())
		return nil
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	return fmt.Errorf("unknown command %q\n%s", args[0], usage)
}

// runAgent runs the agent with cfg until ctx is done.
func runAgent(ctx context.Context, cfg Config, stderr io.Writer) error {
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	slog.SetDefault(log)
	hc, err := cfg.httpClient()
	if err != nil {
		return err
	}
	inputs, err := inputSources(cfg, log)
	if err != nil {
		return err
	}
	acfg := agent.Config{
		Servers:          cfg.Servers,
		Token:            cfg.Token,
		StateDir:         cfg.StateDir,
		Interval:         cfg.Interval,
		Probes:           cfg.Probes,
		HTTPClient:       hc,
		AgentVersion:     agentVersion(),
		Logger:           log,
		Inputs:           inputs,
		Window:           cfg.Window,
		RawTiming:        cfg.RawTiming,
		EndpointInterval: cfg.EndpointInterval,
		SpoolMaxBytes:    cfg.SpoolMaxBytes,
	}
	if cfg.Endpoint {
		acfg.Endpoint = agent.EndpointSnapshot(agent.EndpointConfig{Root: cfg.Root, ExtraIdentifiers: cfg.KVMIdentifiers, Logger: log})
	}
	if cfg.RawTiming {
		log.Warn("raw timing is on: every key stroke's timing is sent (never its key); this mode is for the evaluation lab")
	}
	a, err := agent.New(acfg)
	if err != nil {
		return err
	}
	log.Info("lagwatch-agent starting", "version", agentVersion(), "servers", cfg.Servers, "state_dir", cfg.StateDir)
	if err := a.Run(ctx); err != nil {
		return err
	}
	log.Info("lagwatch-agent stopped")
	return nil
}

// checkConfig prints the effective configuration, secrets redacted, and
// whether the agent can start: it needs a saved credential or a token.
func checkConfig(cfg Config, stdout io.Writer) error {
	fmt.Fprint(stdout, cfg.String())
	st, err := agent.LoadState(cfg.StateDir)
	if err != nil {
		return err
	}
	switch {
	case st.Credential != "":
		fmt.Fprintf(stdout, "enrolled:   yes, device %s at %s (landmark %s)\n", st.DeviceID, st.Server, st.Landmark)
	case cfg.Token != "":
		fmt.Fprintf(stdout, "enrolled:   no; will enrol at %s with the token\n", cfg.Servers[0])
	default:
		return fmt.Errorf("not enrolled (no credential in %s) and no enrolment token: set --token or LAGWATCH_AGENT_TOKEN", cfg.StateDir)
	}
	fmt.Fprintln(stdout, "config ok")
	return nil
}

// agentVersion returns the version set at build time, else the module
// version from the build info, else "dev".
func agentVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}
