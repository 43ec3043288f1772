package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/lagwatch/lagwatch/internal/latency"
	"github.com/lagwatch/lagwatch/internal/place"
	"github.com/lagwatch/lagwatch/internal/store"
)

func runWorker(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("worker: want a subcommand: add, list, link, unlink, links")
	}
	var sc StoreConfig
	switch args[0] {
	case "add":
		fs := flag.NewFlagSet("lagwatch worker add", flag.ContinueOnError)
		fs.SetOutput(stderr)
		sc.register(fs)
		id := fs.String("id", "", "stable worker ID, e.g. w-1042 (required)")
		name := fs.String("name", "", "display name")
		loc := fs.String("location", "", `claimed work location: "Phoenix, AZ, US", an address line, or "lat,lon" (required)`)
		access := fs.String("access", "", "declared access type: "+strings.Join(latency.AccessNames(), ", ")+` (default undeclared)`)
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		w, err := newWorker(*id, *name, *loc, *access)
		if err != nil {
			return err
		}
		if err := sc.validate(); err != nil {
			return err
		}
		st, err := openStore(ctx, sc, nil)
		if err != nil {
			return err
		}
		defer st.Close()
		if err := st.PutWorker(ctx, w); err != nil {
			return fmt.Errorf("save worker %s: %w", w.ID, err)
		}
		fmt.Fprintf(stdout, "worker %s: claimed location %s (%.4f, %.4f), access %s\n", w.ID, w.ClaimedLocation, w.Lat, w.Lon, accessWords(w.Access))
		return nil
	case "list":
		fs := flag.NewFlagSet("lagwatch worker list", flag.ContinueOnError)
		fs.SetOutput(stderr)
		sc.register(fs)
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if err := sc.validate(); err != nil {
			return err
		}
		st, err := openStore(ctx, sc, nil)
		if err != nil {
			return err
		}
		defer st.Close()
		ws, err := st.Workers(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tCLAIMED LOCATION\tACCESS")
		for _, w := range ws {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", w.ID, w.Name, w.ClaimedLocation, accessWords(w.Access))
		}
		return tw.Flush()
	case "link":
		return runWorkerLink(ctx, args[1:], stdout, stderr)
	case "unlink":
		return runWorkerUnlink(ctx, args[1:], stdout, stderr)
	case "links":
		return runWorkerLinks(ctx, args[1:], stdout, stderr)
	}
	return fmt.Errorf("worker: unknown subcommand %q: want add, list, link, unlink or links", args[0])
}

// linkStore is the store "lagwatch worker link" and "unlink" need: an
// appStore that also links workers; both stores are.
type linkStore interface {
	appStore
	LinkWorker(ctx context.Context, l store.WorkerLink) error
	UnlinkWorker(ctx context.Context, l store.WorkerLink) (bool, error)
}

// runWorkerLink stores that a worker was hired from an application, or
// signs in to the identity provider as a login, so that the application's
// screening and the login's findings count for the worker.
func runWorkerLink(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	links, st, err := parseLinks(ctx, "link", args, stderr)
	if err != nil {
		return err
	}
	defer st.Close()
	for _, l := range links {
		if err := st.LinkWorker(ctx, l); errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("worker link: worker %s is not stored (add it with lagwatch worker add)", l.WorkerID)
		} else if err != nil {
			return fmt.Errorf("worker link: %w", err)
		}
		fmt.Fprintf(stdout, "worker %s: linked %s %s\n", l.WorkerID, l.Kind, l.Ref)
		if l.Kind != store.LinkApplicant {
			continue
		}
		if _, err := st.Applicant(ctx, l.Ref); errors.Is(err, store.ErrNotFound) {
			fmt.Fprintf(stderr, "applicant %s is not stored yet; its screening counts once imported (lagwatch screen import)\n", l.Ref)
		} else if err != nil {
			return fmt.Errorf("worker link: %w", err)
		}
	}
	return nil
}

// runWorkerUnlink removes links stored by mistake: the application's
// screening, or the login's findings, stop counting for the worker. It
// removes every link it is given that is stored, and fails naming those
// that were not.
func runWorkerUnlink(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	links, st, err := parseLinks(ctx, "unlink", args, stderr)
	if err != nil {
		return err
	}
	defer st.Close()
	var missing []string
	for _, l := range links {
		ok, err := st.UnlinkWorker(ctx, l)
		if err != nil {
			return fmt.Errorf("worker unlink: %w", err)
		}
		if !ok {
			missing = append(missing, fmt.Sprintf("-%s %s", l.Kind, l.Ref))
			continue
		}
		fmt.Fprintf(stdout, "worker %s: unlinked %s %s\n", l.WorkerID, l.Kind, l.Ref)
	}
	if len(missing) > 0 {
		return fmt.Errorf("worker unlink: worker %s has no link %s (see lagwatch worker links)", links[0].WorkerID, strings.Join(missing, ", "))
	}
	return nil
}

// parseLinks parses the flags of "lagwatch worker link" or "unlink" (op)
// and opens the store.
func parseLinks(ctx context.Context, op string, args []string, stderr io.Writer) ([]store.WorkerLink, linkStore, error) {
	fs := flag.NewFlagSet("lagwatch worker "+op, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var sc StoreConfig
	sc.register(fs)
	worker := fs.String("worker", "", "worker ID (required)")
	var links []store.WorkerLink
	fs.Func("applicant", "applicant ID of the application the worker was hired from (repeatable)", func(s string) error {
		links = append(links, store.WorkerLink{Kind: store.LinkApplicant, Ref: strings.TrimSpace(s)})
		return nil
	})
	fs.Func("account", "identity-provider login of the worker, e.g. ana@corp.example; matched ignoring case (repeatable)", func(s string) error {
		links = append(links, store.WorkerLink{Kind: store.LinkAccount, Ref: strings.ToLower(strings.TrimSpace(s))})
		return nil
	})
	if err := fs.Parse(args); err != nil {
		return nil, nil, err
	}
	if strings.TrimSpace(*worker) == "" {
		return nil, nil, fmt.Errorf("worker %s: -worker: required", op)
	}
	if len(links) == 0 {
		return nil, nil, fmt.Errorf("worker %s: give at least one -applicant or -account", op)
	}
	for i := range links {
		links[i].WorkerID = *worker
		if err := links[i].Validate(); err != nil {
			return nil, nil, fmt.Errorf("worker %s: -%s %q: %w", op, links[i].Kind, links[i].Ref, err)
		}
	}
	if err := sc.validate(); err != nil {
		return nil, nil, fmt.Errorf("worker %s: %w", op, err)
	}
	st, err := openStore(ctx, sc, nil)
	if err != nil {
		return nil, nil, err
	}
	ls, ok := st.(linkStore)
	if !ok {
		st.Close()
		return nil, nil, fmt.Errorf("worker %s: store %T cannot link workers", op, st)
	}
	return links, ls, nil
}

// runWorkerLinks lists the stored links of one worker or of all.
func runWorkerLinks(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("lagwatch worker links", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var sc StoreConfig
	sc.register(fs)
	worker := fs.String("worker", "", "only this worker's links (default: all)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := sc.validate(); err != nil {
		return fmt.Errorf("worker links: %w", err)
	}
	st, err := openStore(ctx, sc, nil)
	if err != nil {
		return err
	}
	defer st.Close()
	ls, err := st.AllWorkerLinks(ctx)
	if err != nil {
		return fmt.Errorf("worker links: %w", err)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "WORKER\tKIND\tREF\tADDED")
	for _, l := range ls {
		if *worker != "" && l.WorkerID != *worker {
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", l.WorkerID, l.Kind, l.Ref, l.AddedAt.Format(time.RFC3339))
	}
	return tw.Flush()
}

// newWorker validates and resolves a worker's fields.
func newWorker(id, name, location, access string) (store.Worker, error) {
	if strings.TrimSpace(id) == "" {
		return store.Worker{}, errors.New("-id: required")
	}
	if strings.TrimSpace(location) == "" {
		return store.Worker{}, errors.New("-location: required")
	}
	p, err := place.Resolve(location)
	if err != nil {
		return store.Worker{}, fmt.Errorf("-location: %w", err)
	}
	a, err := latency.ParseAccess(access)
	if err != nil {
		return store.Worker{}, fmt.Errorf("-access: %w", err)
	}
	if a.Name == latency.UnknownAccess {
		access = ""
	} else {
		access = a.Name
	}
	if name == "" {
		name = id
	}
	return store.Worker{ID: id, Name: name, ClaimedLocation: p.String(), Lat: p.Point.Lat, Lon: p.Point.Lon, Access: access}, nil
}

func accessWords(a string) string {
	if a == "" {
		return "undeclared"
	}
	return a
}

func runToken(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return errors.New("token: want the subcommand create")
	}
	var sc StoreConfig
	fs := flag.NewFlagSet("lagwatch token create", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sc.register(fs)
	worker := fs.String("worker", "", "worker ID the device will belong to (required)")
	ttl := fs.Duration("ttl", 72*time.Hour, "how long the one-time enrolment token is valid")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *worker == "" {
		return errors.New("-worker: required")
	}
	if *ttl <= 0 || *ttl > 30*24*time.Hour {
		return errors.New("-ttl: want a duration between 1s and 720h")
	}
	if err := sc.validate(); err != nil {
		return err
	}
	st, err := openStore(ctx, sc, nil)
	if err != nil {
		return err
	}
	defer st.Close()
	tok, hash := newEnrolmentToken()
	if err := st.CreateEnrolmentToken(ctx, hash, *worker, time.Now().Add(*ttl)); err != nil {
		return fmt.Errorf("create enrolment token for worker %s: %w", *worker, err)
	}
	fmt.Fprintln(stdout, tok)
	return nil
}

// newEnrolmentToken returns a fresh one-time token and the SHA-256 hash the
// store keeps (the token itself is never stored).
func newEnrolmentToken() (string, []byte) {
	b := make([]byte, 24)
	rand.Read(b)
	tok := base64.RawURLEncoding.EncodeToString(b)
	h := sha256.Sum256([]byte(tok))
	return tok, h[:]
}
