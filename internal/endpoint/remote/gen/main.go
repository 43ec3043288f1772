// Command gen builds the process-name catalogue that package remote embeds,
// lolrmm.tsv.gz, from the LOLRMM catalogue of remote monitoring and
// management tools (https://lolrmm.io, github.com/magicsword-io/LOLRMM,
// Apache License 2.0): its rmm_tools.json, pinned by SHA-256.
//
// Run it through go generate in internal/endpoint/remote; it reads the
// snapshot in the shared data directory beside the repository:
//
//	go generate ./internal/endpoint/remote
//
// With -list it also prints every tool with the names it kept, and every
// name it dropped with the reason, for review.
//
// # Which names are kept
//
// A tool's process names come from its PE metadata (Filename,
// OriginalFileName, InternalName), its InstallationPaths, its disk
// artefacts (Artifacts.Disk[].File) and the image paths of its event-log
// artefacts (ImagePath, ServiceFileName, NewProcessName, CreatorProcessName,
// CallerProcessName). From each value the base name is taken (after the last
// '/' or '\', with quotes and command-line arguments removed), and then:
//
//   - a name ending in ".exe" is kept without the suffix: on Linux it matches
//     a native build of the same name, and Wine names its processes after
//     the .exe;
//   - a name without any '.' is kept when it comes from PE metadata, or
//     from an absolute Unix path whose directory is bin, sbin or MacOS or
//     has the same name as the file (/opt/komari/komari); other bare names
//     in paths are usually files (config, logs, tmate-ready);
//   - everything else (.dll, .msi, .app, .log, directories) is dropped.
//
// Names are lower-cased (ASCII letters only). A single trailing '*' is kept as a prefix pattern
// when at least 5 characters come before it ("zabbix_agent*" matches
// zabbix_agentd); any other wildcard, placeholder or quote drops the name.
// Names shorter than 3 characters are dropped, and so are the generic names
// in [generic]: operating-system components, interpreters, archivers,
// service wrappers and generic words (agent, setup, updater...) that would
// match processes unrelated to the tool.
//
// Records with the same Name are merged. A name listed by several tools
// (winvnc by VNC and Ultra VNC) is kept by the tool that
// lists the fewest names, the most specific one, ties going to the first
// in byte order of the tool name; so every name belongs to one tool.
// Tools left without names are not written.
//
// # Output format
//
// gzip of UTF-8 text, one tool a line, sorted by tool name:
//
//	# comment lines
//	TOOL NAME<TAB>name1<TAB>name2<TAB>prefix*
//
// Names within a line are sorted; they may contain single spaces.
package main

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"unicode/utf8"
)

// inputSHA256 pins the snapshot of rmm_tools.json the embedded file was
// built from (LOLRMM commit 3c75cf091b10bf7e8ecd576055c44d172b35ff21).
const inputSHA256 = "5a9416f1c7ac93373123f5442cdd856e7e006bda661391273e2193ad9e82962d"

// Limits on names, shared with the decoder in package remote.
const (
	minName   = 3
	maxName   = 64
	minPrefix = 5
)

// generic names are dropped: they would match processes that are not the
// tool. See the package comment.
var generic = map[string]bool{
	// operating system, shells and interpreters
	"svchost": true, "dwm": true, "explorer": true, "conhost": true, "rundll32": true,
	"msiexec": true, "cmd": true, "powershell": true, "perl": true, "wperl": true,
	"python": true, "python3": true, "java": true, "javaw": true, "node": true,
	"bash": true, "sh": true, "sshd": true, "ssh": true,
	// archivers, service wrappers, inventory and office software
	"tar": true, "7z": true, "nssm": true, "osqueryi": true, "osqueri": true,
	"teams": true, "plink": true, "winpty-agent": true, "winpty-agent64": true,
	"sysdiag": true, "update-shim": true, "installshield setup": true,
	// common Linux programs that some tool also lists: rdesktop is the
	// Linux RDP client (listed by Itarian), vhost is a generic name
	// (SimpleHelp) and the name of KVM's kernel threads
	"rdesktop": true, "vhost": true,
	// generic words
	"agent": true, "agent32": true, "agent64": true, "app": true, "client": true,
	"connect": true, "helper": true, "host": true, "install": true, "installer": true,
	"launcher": true, "manager": true, "monitor": true, "server": true,
	"service": true, "setup": true, "update": true, "updater": true,
	"upload": true, "autoupdate": true, "selfupdater": true, "uninstall": true,
	"recycler": true, "remote desktop": true, "remote access": true,
}

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	in := fs.String("in", "../../../../shared/data/lolrmm/rmm_tools.json", "LOLRMM rmm_tools.json `file`")
	out := fs.String("o", "lolrmm.tsv.gz", "output `file`")
	list := fs.Bool("list", false, "print the kept and dropped names to standard output")
	if err := fs.Parse(args); err != nil {
		return err
	}
	raw, err := os.ReadFile(*in)
	if err != nil {
		return fmt.Errorf("read catalogue: %w", err)
	}
	if sum := sha256.Sum256(raw); hex.EncodeToString(sum[:]) != inputSHA256 {
		return fmt.Errorf("check %s: SHA-256 %x, want %s (a new snapshot: review the names with -list, then update inputSHA256)", *in, sum, inputSHA256)
	}
	cat, err := build(raw)
	if err != nil {
		return fmt.Errorf("build from %s: %w", *in, err)
	}
	if *list {
		cat.print(stdout)
	}
	text := cat.encode()
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return err
	}
	zw.Write(text) // a bytes.Buffer does not fail
	if err := zw.Close(); err != nil {
		return fmt.Errorf("compress: %w", err)
	}
	if err := os.WriteFile(*out, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", *out, err)
	}
	names := 0
	for _, t := range cat.tools {
		names += len(t.names)
	}
	fmt.Fprintf(stderr, "gen: wrote %s: %d tools (%d with a Unix binary name), %d names, %d bytes (%d uncompressed)\n",
		*out, len(cat.tools), cat.nativeTools(), names, buf.Len(), len(text))
	return nil
}

// record is the part of one rmm_tools.json entry gen reads. Fields the
// catalogue fills inconsistently (an object or a list, a string or null)
// are decoded by hand.
type record struct {
	Name    string
	Details struct {
		PEMetadata        json.RawMessage
		InstallationPaths []*string
	}
	Artifacts struct {
		Disk     []map[string]any
		EventLog []map[string]any
	}
}

// peFields and eventFields name the fields read from PE metadata and
// event-log artefacts.
var (
	peFields    = []string{"Filename", "OriginalFileName", "InternalName"}
	eventFields = []string{"ImagePath", "ServiceFileName", "NewProcessName", "CreatorProcessName", "CallerProcessName"}
)

// tool is one tool of the output.
type tool struct {
	name  string
	names []string // sorted, unique
}

type catalogue struct {
	tools   []tool
	dropped map[string]string // name -> reason, for -list
	native  map[string]bool   // names seen without ".exe": Unix binaries
}

// nativeTools returns the number of tools with at least one name seen
// without ".exe", a Unix binary name.
func (c *catalogue) nativeTools() int {
	n := 0
	for _, t := range c.tools {
		if slices.ContainsFunc(t.names, func(s string) bool { return c.native[s] }) {
			n++
		}
	}
	return n
}

// build extracts the catalogue from rmm_tools.json.
func build(raw []byte) (*catalogue, error) {
	var recs []record
	if err := json.Unmarshal(raw, &recs); err != nil {
		return nil, fmt.Errorf("decode JSON: %w", err)
	}
	cat := &catalogue{dropped: map[string]string{}, native: map[string]bool{}}
	byTool := map[string]map[string]bool{}
	for i, r := range recs {
		name := strings.Join(strings.Fields(r.Name), " ")
		if name == "" {
			return nil, fmt.Errorf("record %d has no Name", i)
		}
		pe, err := peNames(r.Details.PEMetadata)
		if err != nil {
			return nil, fmt.Errorf("record %d (%s): PEMetadata: %w", i, name, err)
		}
		set := byTool[name]
		if set == nil {
			set = map[string]bool{}
			byTool[name] = set
		}
		keep := func(n string, native bool, reason string) {
			if reason != "" {
				cat.dropped[n] = reason
				return
			}
			set[n] = true
			if native {
				cat.native[n] = true
			}
		}
		for _, v := range pe {
			keep(processName(v, true))
		}
		var paths []string
		for _, p := range r.Details.InstallationPaths {
			if p != nil {
				paths = append(paths, *p)
			}
		}
		for _, a := range r.Artifacts.Disk {
			if s, ok := a["File"].(string); ok {
				paths = append(paths, s)
			}
		}
		for _, a := range r.Artifacts.EventLog {
			for _, f := range eventFields {
				if s, ok := a[f].(string); ok {
					paths = append(paths, s)
				}
			}
		}
		for _, p := range paths {
			keep(processName(p, false))
		}
	}
	// Give every name to one tool: the one with the fewest names.
	owner := map[string]string{}
	for tname, set := range byTool {
		for n := range set {
			o, ok := owner[n]
			if !ok || len(set) < len(byTool[o]) || len(set) == len(byTool[o]) && tname < o {
				owner[n] = tname
			}
		}
	}
	for tname, set := range byTool {
		t := tool{name: tname}
		for n := range set {
			if owner[n] == tname {
				t.names = append(t.names, n)
			}
		}
		if len(t.names) == 0 {
			continue
		}
		slices.Sort(t.names)
		cat.tools = append(cat.tools, t)
	}
	slices.SortFunc(cat.tools, func(a, b tool) int { return cmp.Compare(a.name, b.name) })
	return cat, nil
}

// peNames returns the file names in a PEMetadata value: an object, a list
// of objects, or null.
func peNames(raw json.RawMessage) ([]string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var list []map[string]any
	if raw[0] == '{' {
		list = make([]map[string]any, 1)
		if err := json.Unmarshal(raw, &list[0]); err != nil {
			return nil, err
		}
	} else if err := json.Unmarshal(raw, &list); err != nil {
		return nil, err
	}
	var out []string
	for _, m := range list {
		for _, f := range peFields {
			if s, ok := m[f].(string); ok && s != "" {
				out = append(out, s)
			}
		}
	}
	return out, nil
}

// processName turns one catalogue value into a process name, or returns a
// reason for dropping it. fromPE says the value is a PE file name rather
// than a path. native reports a name without ".exe".
func processName(v string, fromPE bool) (name string, native bool, reason string) {
	v = strings.TrimSpace(v)
	if strings.HasPrefix(v, `"`) {
		if end := strings.IndexByte(v[1:], '"'); end >= 0 {
			v = v[1 : 1+end]
		}
	}
	// Cut command-line arguments after ".exe".
	lower := asciiLower(v)
	if i := strings.Index(lower, ".exe"); i >= 0 && (len(lower) == i+4 || lower[i+4] == ' ' || lower[i+4] == '"') {
		lower = lower[:i+4]
	}
	unixAbs := strings.HasPrefix(lower, "/") || strings.HasPrefix(lower, "~/")
	parent, base := "", lower
	if i := strings.LastIndexAny(lower, `/\`); i >= 0 {
		base = lower[i+1:]
		dir := lower[:i]
		parent = dir[strings.LastIndexAny(dir, `/\`)+1:]
	}
	base = strings.TrimSpace(base)
	if base == "" {
		return lower, false, "no file name"
	}
	native = true
	switch {
	case strings.HasSuffix(base, ".exe"):
		base, native = strings.TrimSuffix(base, ".exe"), false
	case strings.Contains(base, "."):
		return base, false, "not an executable"
	case fromPE:
	case unixAbs && (parent == "bin" || parent == "sbin" || parent == "macos" || parent == base):
	default:
		return base, false, "bare name outside a bin directory"
	}
	if why := checkName(base); why != "" {
		return base, false, why
	}
	if generic[strings.TrimSuffix(base, "*")] {
		return base, false, "generic"
	}
	return base, native, ""
}

// asciiLower maps A-Z to a-z and keeps every other byte, as package
// remote does when it matches: only ASCII case is ignored.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// checkName returns why name cannot be a process name or pattern, or "".
func checkName(name string) string {
	stem, prefix := strings.CutSuffix(name, "*")
	switch {
	case strings.ContainsAny(stem, "*?[]<>{}%$\"'`/\\\t\n\r"):
		return "wildcard or placeholder"
	case prefix && len(stem) < minPrefix:
		return fmt.Sprintf("prefix pattern shorter than %d characters", minPrefix)
	case len(stem) < minName:
		return fmt.Sprintf("shorter than %d characters", minName)
	case len(stem) > maxName:
		return fmt.Sprintf("longer than %d characters", maxName)
	case stem != strings.TrimSpace(stem) || strings.Contains(stem, "  "):
		return "stray spaces"
	case strings.ContainsFunc(stem, func(r rune) bool { return r < ' ' || r == 0x7f || r == utf8.RuneError }):
		return "control character or invalid UTF-8"
	}
	return ""
}

// encode writes the catalogue in the output format.
func (c *catalogue) encode() []byte {
	var b bytes.Buffer
	b.WriteString("# Process names of remote-access tools, generated by internal/endpoint/remote/gen\n")
	b.WriteString("# from LOLRMM (https://lolrmm.io, github.com/magicsword-io/LOLRMM), Apache License 2.0.\n")
	for _, t := range c.tools {
		fmt.Fprintf(&b, "%s\t%s\n", t.name, strings.Join(t.names, "\t"))
	}
	return b.Bytes()
}

// print lists the kept and dropped names for review.
func (c *catalogue) print(w io.Writer) {
	for _, t := range c.tools {
		var names []string
		for _, n := range t.names {
			if c.native[n] {
				n += " (unix)"
			}
			names = append(names, n)
		}
		fmt.Fprintf(w, "%s: %s\n", t.name, strings.Join(names, ", "))
	}
	var dropped []string
	for n, why := range c.dropped {
		dropped = append(dropped, fmt.Sprintf("dropped %q: %s", n, why))
	}
	slices.Sort(dropped)
	fmt.Fprintln(w, strings.Join(dropped, "\n"))
}
