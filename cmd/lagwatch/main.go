// Command lagwatch is the lagwatch server and command line: it receives
// telemetry from lagwatch-agent, measures how far each device is from our
// servers, and explains verdicts about workers' claimed locations.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	// Claimed time zones (lagwatch idp) load without the system's zone
	// files, on any host.
	_ "time/tzdata"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "lagwatch:", err)
		os.Exit(1)
	}
}

const usage = `usage: lagwatch <command> [flags]

commands:
  serve      run the server: agent ingest API and dashboard
  demo       run a live demo: server, agents over delayed network paths, verdicts
  worker     add, list or link workers (claimed locations, hired-from applications, IdP logins)
  user       add, list or re-password dashboard users (add, list, passwd)
  token      create a one-time enrolment token for a worker's device
  lab fit    refit the RTT band on real city-to-city pings
  lab rtt    evaluate device-distance verdicts on real city-to-city pings
  lab keystrokes  evaluate the relay detector and identity drift on real typing
  lab articles    score the article checker on CoNLL-2014 (M2)
  lab rings       evaluate applicant linking on a generated corpus with planted rings
  risk       fuse each worker's evidence into one explained risk, raise and export alerts
  presence link   print a signed link to the presence challenge for one worker
  idp        check sign-in logs (Okta, Entra, Google Workspace) against workers' claims
  idp import      the same, and store the findings for risk and the dashboard
  screen     check and link applicants from ATS exports, JSON Resume and résumés
  screen import   the same, and store them for the review queue

Run "lagwatch <command> -h" for the flags of a command.
`

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	switch args[0] {
	case "serve":
		return runServe(ctx, args[1:], stdout, stderr)
	case "demo":
		return runDemo(ctx, args[1:], stdout, stderr)
	case "worker":
		return runWorker(ctx, args[1:], stdout, stderr)
	case "token":
		return runToken(ctx, args[1:], stdout, stderr)
	case "lab":
		return runLab(ctx, args[1:], stdout, stderr)
	case "screen":
		return runScreen(ctx, args[1:], stdout, stderr)
	case "user":
		return runUser(ctx, args[1:], os.Stdin, stdout, stderr)
	case "idp":
		return runIDP(ctx, args[1:], stdout, stderr)
	case "risk":
		return runRisk(ctx, args[1:], stdout, stderr)
	case "presence":
		return runPresence(ctx, args[1:], stdout, stderr)
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	return fmt.Errorf("unknown command %q\n%s", args[0], usage)
}
