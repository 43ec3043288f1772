package remote

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed" // for the LOLRMM catalogue
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
)

// Catalogues a [Tool] can come from.
const (
	// CatalogLagwatch is the built-in list of Linux remote-control servers.
	CatalogLagwatch = "lagwatch"
	// CatalogLOLRMM is the embedded LOLRMM catalogue.
	CatalogLOLRMM = "lolrmm"
)

//go:generate go run ./gen -o lolrmm.tsv.gz

// lolrmmGz holds the process names of the LOLRMM catalogue
// (https://lolrmm.io, github.com/magicsword-io/LOLRMM, Apache License 2.0),
// reduced by gen/, which describes the format and the rules.
//
//go:embed lolrmm.tsv.gz
var lolrmmGz []byte

// builtin lists Linux remote-control servers by the names their processes
// run as (lower-case). It takes precedence over the LOLRMM catalogue, which
// is mostly Windows names: it names the product that ships each binary on
// Linux (vncserver is TigerVNC's or TightVNC's script there).
var builtin = []entry{
	{"x11vnc", []string{"x11vnc"}},
	// Upstream names, then Debian's.
	{"TigerVNC", []string{"xvnc", "x0vncserver", "vncserver", "vncsession", "xtigervnc", "x0tigervnc", "x0tigervncserver", "tigervncserver", "tigervncsession"}},
	{"TightVNC", []string{"xtightvnc", "tightvncserver"}},
	{"RealVNC Server", []string{"vncserver-x11", "vncserver-x11-core", "vncserver-x11-serviced", "vncserver-virtual", "vncserver-virtuald", "vncagent"}},
	{"wayvnc", []string{"wayvnc"}},
	{"xrdp", []string{"xrdp", "xrdp-sesman", "xrdp-chansrv"}},
	{"FreeRDP shadow server", []string{"freerdp-shadow-cli", "freerdp-shadow-cli3"}},
	{"GNOME Remote Desktop", []string{"gnome-remote-desktop-daemon"}},
	{"Vino", []string{"vino-server"}},
	{"KDE Desktop Sharing (krfb)", []string{"krfb", "krfb-virtualmonitor"}},
	{"RustDesk", []string{"rustdesk"}},
	{"AnyDesk", []string{"anydesk"}},
	{"TeamViewer", []string{"teamviewerd", "teamviewer", "teamviewer_desktop"}},
	{"Chrome Remote Desktop", []string{"chrome-remote-desktop", "chrome-remote-desktop-host", "remoting_me2me_host", "remoting_user_session", "remote-assistance-host"}},
	{"NoMachine", []string{"nxserver", "nxserver.bin", "nxnode", "nxnode.bin", "nxd"}},
	{"Sunshine", []string{"sunshine"}},
	{"X2Go", []string{"x2goagent"}},
	{"Xpra", []string{"xpra"}},
}

// entry is one tool of a catalogue: its name and its process names,
// lower-case; a trailing '*' makes a name a prefix pattern.
type entry struct {
	name  string
	procs []string
}

// commLen is the longest process name the kernel keeps in comm
// (TASK_COMM_LEN - 1); longer names are cut.
const commLen = 15

// Limits of the catalogue decoder, matching gen/.
const (
	maxCatalogBytes = 1 << 20
	maxToolName     = 128
	maxProcName     = 64
	minProcName     = 3
	minPrefix       = 5
)

// hit is the tool a process name belongs to.
type hit struct {
	tool, catalog string
}

// catalog finds tools by process name.
type catalog struct {
	exact    map[string]hit // full lower-case name
	cut      map[string]hit // the first commLen bytes of names longer than that
	prefixes []prefix       // patterns, built-in first
}

type prefix struct {
	stem string
	hit  hit
}

// loadCatalog decodes the embedded catalogue once, on first use. The result
// is read-only.
var loadCatalog = sync.OnceValues(func() (*catalog, error) {
	lolrmm, err := decodeCatalog(lolrmmGz)
	if err != nil {
		return nil, fmt.Errorf("decode embedded LOLRMM catalogue: %w", err)
	}
	return newCatalog(builtin, lolrmm), nil
})

// newCatalog indexes the built-in list and the LOLRMM entries; the first
// tool to claim a name keeps it.
func newCatalog(builtin, lolrmm []entry) *catalog {
	c := &catalog{exact: map[string]hit{}, cut: map[string]hit{}}
	add := func(entries []entry, cat string) {
		for _, e := range entries {
			h := hit{e.name, cat}
			for _, p := range e.procs {
				if stem, ok := strings.CutSuffix(p, "*"); ok {
					c.prefixes = append(c.prefixes, prefix{stem, h})
					continue
				}
				if _, ok := c.exact[p]; !ok {
					c.exact[p] = h
				}
				if len(p) > commLen {
					if _, ok := c.cut[p[:commLen]]; !ok {
						c.cut[p[:commLen]] = h
					}
				}
			}
		}
	}
	add(builtin, CatalogLagwatch)
	add(lolrmm, CatalogLOLRMM)
	return c
}

// lookup returns the tool that runs as the process name name, which may be
// an executable's base name or, with isComm, the kernel's comm, which is
// cut to commLen bytes. ASCII case and a ".exe" suffix (Wine names
// processes after the Windows executable) are ignored.
func (c *catalog) lookup(name string, isComm bool) (hit, bool) {
	name = asciiLower(name)
	cut := isComm && len(name) == commLen
	if n, ok := strings.CutSuffix(name, ".exe"); ok {
		name, cut = n, false
	}
	if name == "" {
		return hit{}, false
	}
	if h, ok := c.exact[name]; ok {
		return h, true
	}
	if cut {
		if h, ok := c.cut[name]; ok {
			return h, true
		}
	}
	for _, p := range c.prefixes {
		if strings.HasPrefix(name, p.stem) || cut && len(p.stem) > commLen && p.stem[:commLen] == name {
			return p.hit, true
		}
	}
	return hit{}, false
}

// asciiLower maps A-Z to a-z and keeps every other byte, so that it
// commutes with cutting a name to commLen bytes (strings.ToLower turns the
// invalid UTF-8 of a cut character into U+FFFD).
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// decodeCatalog decodes a catalogue file written by gen/: gzip of lines
// "TOOL NAME<TAB>name<TAB>name...", with '#' comment lines.
func decodeCatalog(gz []byte) ([]entry, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, fmt.Errorf("open gzip: %w", err)
	}
	text, err := io.ReadAll(io.LimitReader(zr, maxCatalogBytes+1))
	if err != nil {
		return nil, fmt.Errorf("decompress: %w", err)
	}
	if len(text) > maxCatalogBytes {
		return nil, fmt.Errorf("decompressed size exceeds the limit of %d bytes", maxCatalogBytes)
	}
	return decodeCatalogText(text)
}

// decodeCatalogText decodes the decompressed text of a catalogue file.
func decodeCatalogText(text []byte) ([]entry, error) {
	if len(text) > maxCatalogBytes {
		return nil, fmt.Errorf("size %d exceeds the limit of %d bytes", len(text), maxCatalogBytes)
	}
	var entries []entry
	sc := bufio.NewScanner(bytes.NewReader(text))
	sc.Buffer(nil, maxCatalogBytes)
	for line := 1; sc.Scan(); line++ {
		s := sc.Text()
		if s == "" || s[0] == '#' {
			continue
		}
		tool, names, ok := strings.Cut(s, "\t")
		if !ok {
			return nil, fmt.Errorf("line %d: no tab between the tool name and its process names", line)
		}
		if err := checkToolName(tool); err != nil {
			return nil, fmt.Errorf("line %d: tool name: %w", line, err)
		}
		e := entry{name: tool}
		for i, p := range strings.Split(names, "\t") {
			if err := checkProcName(p); err != nil {
				return nil, fmt.Errorf("line %d (%s): process name %d: %w", line, tool, i+1, err)
			}
			e.procs = append(e.procs, p)
		}
		entries = append(entries, e)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read lines: %w", err)
	}
	if len(entries) == 0 {
		return nil, errors.New("no tools")
	}
	return entries, nil
}

func checkToolName(s string) error {
	switch {
	case s == "":
		return errors.New("empty")
	case len(s) > maxToolName:
		return fmt.Errorf("%d bytes exceeds the limit of %d", len(s), maxToolName)
	case strings.ContainsFunc(s, func(r rune) bool { return r < ' ' || r == 0x7f || r == '\uFFFD' }):
		return fmt.Errorf("%q has a control character or invalid UTF-8", s)
	}
	return nil
}

// checkProcName accepts what gen/ writes: ASCII-lower-case names of minProcName
// to maxProcName bytes without wildcards, path separators or tabs, single
// inner spaces allowed, with an optional trailing '*' after at least
// minPrefix bytes.
func checkProcName(p string) error {
	stem, isPrefix := strings.CutSuffix(p, "*")
	switch {
	case isPrefix && len(stem) < minPrefix:
		return fmt.Errorf("prefix pattern %q is shorter than %d bytes", p, minPrefix)
	case len(stem) < minProcName || len(stem) > maxProcName:
		return fmt.Errorf("%q is not %d to %d bytes long", p, minProcName, maxProcName)
	case strings.ContainsFunc(stem, func(r rune) bool { return 'A' <= r && r <= 'Z' }):
		return fmt.Errorf("%q has upper-case letters", p)
	case strings.ContainsAny(stem, "*?/\\\t"):
		return fmt.Errorf("%q has a wildcard, path separator or tab", p)
	case stem[0] == ' ' || stem[len(stem)-1] == ' ' || strings.Contains(stem, "  "):
		return fmt.Errorf("%q has a leading, trailing or double space", p)
	case strings.ContainsFunc(stem, func(r rune) bool { return r < ' ' || r == 0x7f || r == '\uFFFD' }):
		return fmt.Errorf("%q has a control character or invalid UTF-8", p)
	}
	return nil
}
