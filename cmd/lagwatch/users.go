package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/lagwatch/lagwatch/internal/auth"
	"github.com/lagwatch/lagwatch/internal/store"
)

// userStore is what the user command and the dashboard's log-in need of
// a store; both stores have it.
type userStore interface {
	auth.Store
	PutUser(ctx context.Context, u store.User) error
	Users(ctx context.Context) ([]store.User, error)
	SetPassword(ctx context.Context, name string, hash []byte) error
	PruneSessions(ctx context.Context, now time.Time) (int64, error)
}

// usersOf returns st's user methods.
func usersOf(st appStore) (userStore, error) {
	us, ok := st.(userStore)
	if !ok {
		return nil, fmt.Errorf("store %T keeps no users", st)
	}
	return us, nil
}

// readPassword reads one line from stdin, or generates a password (and
// says so) when stdin gives none.
func readPassword(stdin io.Reader, generate bool) (pw string, generated bool, err error) {
	if generate {
		return auth.GeneratePassword(), true, nil
	}
	line, err := bufio.NewReader(io.LimitReader(stdin, auth.MaxPasswordLen+2)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", false, fmt.Errorf("read password from stdin: %w", err)
	}
	pw = strings.TrimRight(line, "\r\n")
	return pw, false, auth.ValidPassword(pw)
}

func runUser(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("user: want a subcommand: add, list, passwd")
	}
	var sc StoreConfig
	fs := flag.NewFlagSet("lagwatch user "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	sc.register(fs)
	name := fs.String("name", "", "log-in name: a–z, 0–9, '.', '_', '-', '@' (required for add and passwd)")
	role := fs.String("role", "", "role for add: admin, analyst, hr or auditor")
	gen := fs.Bool("generate", false, "generate a random password and print it once, instead of reading one line from stdin")
	disable := fs.Bool("disable", false, "passwd: disable the user instead (ends its sessions)")
	switch args[0] {
	case "add", "list", "passwd":
	default:
		return fmt.Errorf("user: unknown subcommand %q: want add, list or passwd", args[0])
	}
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if err := sc.validate(); err != nil {
		return fmt.Errorf("user %s: %w", args[0], err)
	}
	if args[0] != "list" {
		if err := store.ValidUserName(*name); err != nil {
			return fmt.Errorf("user %s: -name: %w", args[0], err)
		}
	}
	var r auth.Role
	if args[0] == "add" {
		var err error
		if r, err = auth.ParseRole(*role); err != nil {
			return fmt.Errorf("user add: -role: %w", err)
		}
	}
	st, err := openStore(ctx, sc, nil)
	if err != nil {
		return err
	}
	defer st.Close()
	us, err := usersOf(st)
	if err != nil {
		return err
	}
	switch args[0] {
	case "list":
		list, err := us.Users(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tROLE\tCREATED\tSTATE")
		for _, u := range list {
			state := "enabled"
			if u.Disabled {
				state = "disabled"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", u.Name, u.Role, u.CreatedAt.Format(time.RFC3339), state)
		}
		return tw.Flush()
	case "add":
		if _, err := us.User(ctx, *name); err == nil {
			return fmt.Errorf("user add: user %q exists; use lagwatch user passwd", *name)
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
	case "passwd":
		u, err := us.User(ctx, *name)
		if err != nil {
			return fmt.Errorf("user passwd: %w", err)
		}
		if *disable {
			u.Disabled = true
			if err := us.PutUser(ctx, u); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "disabled user %s\n", u.Name)
			return nil
		}
	}
	pw, generated, err := readPassword(stdin, *gen)
	if err != nil {
		return fmt.Errorf("user %s: %w (or use -generate)", args[0], err)
	}
	hash, err := auth.HashPassword(pw)
	if err != nil {
		return err
	}
	if args[0] == "add" {
		err = us.PutUser(ctx, store.User{Name: *name, Role: string(r), PasswordHash: hash})
	} else {
		err = us.SetPassword(ctx, *name, hash) // also ends the user's sessions
	}
	if err != nil {
		return err
	}
	if generated {
		fmt.Fprintf(stdout, "password for %s (shown once): %s\n", *name, pw)
	}
	fmt.Fprintf(stdout, "user %s: %s done\n", *name, args[0])
	return nil
}

// isLoopback reports whether a listen address only accepts local
// connections.
func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

// dashboardAuth returns the authenticator for the dashboard: nil when the
// store has no users and addr is loopback, an error when it has none and
// addr is not.
func dashboardAuth(ctx context.Context, st appStore, addr string, secure bool) (*auth.Authenticator, error) {
	us, err := usersOf(st)
	if err != nil {
		return nil, err
	}
	list, err := us.Users(ctx)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		if !isLoopback(addr) {
			return nil, fmt.Errorf("-ui-addr %s is not a loopback address and no dashboard user exists: add one with lagwatch user add -name NAME -role admin, or listen on 127.0.0.1", addr)
		}
		return nil, nil
	}
	if _, err := us.PruneSessions(ctx, time.Now()); err != nil {
		return nil, err
	}
	return auth.New(auth.Config{Store: us, SecureCookie: secure})
}

// demoUsers adds one user per role to the demo store, named after the
// role, with random passwords that it prints, and returns the
// authenticator that checks them.
func demoUsers(ctx context.Context, st *store.Store, stdout io.Writer) (*auth.Authenticator, error) {
	fmt.Fprintln(stdout, "\ndashboard users (passwords shown once):")
	for _, r := range auth.Roles {
		pw := auth.GeneratePassword()
		hash, err := auth.HashPassword(pw)
		if err != nil {
			return nil, err
		}
		if err := st.PutUser(ctx, store.User{Name: string(r), Role: string(r), PasswordHash: hash}); err != nil {
			return nil, err
		}
		fmt.Fprintf(stdout, "  %-8s %s\n", r, pw)
	}
	return auth.New(auth.Config{Store: st})
}
