package remote

import (
	"bytes"
	"compress/gzip"
	"strings"
	"testing"
)

func TestLookup(t *testing.T) {
	cat, err := loadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name          string
		isComm        bool
		tool, catalog string // "" for no match
	}{
		{"x11vnc", false, "x11vnc", CatalogLagwatch},
		{"Xvnc", false, "TigerVNC", CatalogLagwatch},
		{"Xtigervnc", true, "TigerVNC", CatalogLagwatch},
		{"X0tigervnc", true, "TigerVNC", CatalogLagwatch},
		{"vncserver", false, "TigerVNC", CatalogLagwatch}, // LOLRMM's "VNC" lists vncserver.exe
		{"xrdp-sesman", false, "xrdp", CatalogLagwatch},
		{"teamviewerd", false, "TeamViewer", CatalogLagwatch},
		{"TeamViewer", false, "TeamViewer", CatalogLagwatch},
		{"anydesk", false, "AnyDesk", CatalogLagwatch},
		{"AnyDesk.exe", true, "AnyDesk", CatalogLagwatch}, // under Wine
		{"remoting_me2me_host", false, "Chrome Remote Desktop", CatalogLagwatch},
		{"remoting_me2me_", true, "Chrome Remote Desktop", CatalogLagwatch},
		{"gnome-remote-de", true, "GNOME Remote Desktop", CatalogLagwatch},
		{"nxserver.bin", false, "NoMachine", CatalogLagwatch},
		{"sunshine", false, "Sunshine", CatalogLagwatch},
		{"tmate", false, "tmate", CatalogLOLRMM},
		{"meshagent", false, "MeshCentral", CatalogLOLRMM},
		{"ateraagent", false, "Atera", CatalogLOLRMM},
		{"AteraAgent.exe", true, "Atera", CatalogLOLRMM},
		{"zabbix_agentd", false, "Zabbix Agent", CatalogLOLRMM}, // prefix zabbix_agent*
		{"zerotier-one", false, "ZeroTier", CatalogLOLRMM},      // prefix zerotier*
		{"tailscaled", false, "Tailscale", CatalogLOLRMM},
		{"ScreenConnect.ClientService.exe", false, "ScreenConnect", CatalogLOLRMM},
		{"screenconnect.c", true, "ScreenConnect", CatalogLOLRMM}, // cut comm, prefix screenconnect*

		// Not cut: a 15-byte name that is not a comm must match exactly.
		{"gnome-remote-de", false, "", ""},
		// Ordinary Linux processes.
		{"", false, "", ""},
		{"bash", false, "", ""},
		{"sh", false, "", ""},
		{"sshd", false, "", ""},
		{"ssh", false, "", ""},
		{"python3", false, "", ""},
		{"perl", false, "", ""},
		{"systemd", false, "", ""},
		{"Xorg", false, "", ""},
		{"rdesktop", false, "", ""},
		{"agent", false, "", ""},
		{"setup.exe", false, "", ""},
		{"svchost.exe", false, "", ""},
	} {
		h, ok := cat.lookup(tc.name, tc.isComm)
		if h.tool != tc.tool || h.catalog != tc.catalog || ok != (tc.tool != "") {
			t.Errorf("lookup(%q, comm %v) = %q from %q, %v; want %q from %q", tc.name, tc.isComm, h.tool, h.catalog, ok, tc.tool, tc.catalog)
		}
	}
}

// TestNoFalsePositives checks that the names of ordinary processes on a
// Linux desktop, server or developer machine match no tool.
func TestNoFalsePositives(t *testing.T) {
	cat, err := loadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	benign := `systemd systemd-journald systemd-udevd systemd-logind systemd-resolved systemd-timesyncd
		systemd-networkd systemd-oomd dbus-daemon dbus-broker NetworkManager wpa_supplicant ModemManager
		polkitd udisksd upowerd accounts-daemon rtkit-daemon avahi-daemon cupsd cups-browsed cron crond
		atd rsyslogd irqbalance thermald snapd containerd dockerd containerd-shim-runc-v2 sshd ssh
		ssh-agent gpg-agent agetty login sudo su bash zsh fish sh dash tmux screen vim nvim emacs less
		gdm gdm3 gdm-session-worker gnome-shell gnome-session-binary gnome-terminal-server
		gnome-keyring-daemon gsd-xsettings gsd-power gsd-media-keys mutter Xorg Xwayland Xvfb xdotool
		pipewire pipewire-pulse wireplumber pulseaudio plasmashell kwin_x11 kwin_wayland kded5
		sddm lightdm xfce4-session xfwm4 firefox firefox-bin chrome chromium code slack
		thunderbird libreoffice soffice.bin evince nautilus dolphin python3 python perl ruby node
		java go gopls postgres mysqld redis-server nginx apache2 httpd php-fpm kubelet`
	for _, name := range strings.Fields(benign) {
		for _, isComm := range []bool{false, true} {
			if h, ok := cat.lookup(name, isComm); ok {
				t.Errorf("lookup(%q, comm %v) = %q from %s, want no match", name, isComm, h.tool, h.catalog)
			}
		}
	}
}

// TestEmbeddedCatalog checks the size and content of the embedded file.
func TestEmbeddedCatalog(t *testing.T) {
	entries, err := decodeCatalog(lolrmmGz)
	if err != nil {
		t.Fatal(err)
	}
	names := 0
	for _, e := range entries {
		names += len(e.procs)
	}
	if len(entries) < 200 || names < 500 || len(lolrmmGz) > 16<<10 {
		t.Errorf("embedded catalogue: %d tools, %d names, %d bytes; want at least 200 tools and 500 names in at most 16 KiB",
			len(entries), names, len(lolrmmGz))
	}
	t.Logf("embedded LOLRMM catalogue: %d tools, %d names, %d bytes", len(entries), names, len(lolrmmGz))
}

// TestBuiltin checks that the built-in list holds names the decoder would
// accept, each claimed once.
func TestBuiltin(t *testing.T) {
	seen := map[string]string{}
	for _, e := range builtin {
		if err := checkToolName(e.name); err != nil {
			t.Errorf("tool %q: %v", e.name, err)
		}
		for _, p := range e.procs {
			if err := checkProcName(p); err != nil {
				t.Errorf("%s: %v", e.name, err)
			}
			if other, ok := seen[p]; ok {
				t.Errorf("%q is listed by %s and %s", p, other, e.name)
			}
			seen[p] = e.name
		}
	}
}

func TestDecodeCatalogErrors(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"", "no tools"},
		{"# only a comment\n", "no tools"},
		{"AnyDesk anydesk\n", "line 1: no tab"},
		{"\tanydesk\n", "line 1: tool name: empty"},
		{"AnyDesk\t\n", "line 1 (AnyDesk): process name 1"},
		{"AnyDesk\tanydesk\t\tx11vnc\n", "process name 2"},
		{"AnyDesk\tany  desk\n", "double space"},
		{"AnyDesk\tAnyDesk\n", "upper-case"},
		{"AnyDesk\tany*\n", "prefix pattern"},
		{"AnyDesk\tany*desk\n", "wildcard"},
		{"AnyDesk\tc:/any\n", "path separator"},
		{"AnyDesk\tab\n", "not 3 to 64 bytes"},
		{"Any\x01Desk\tanydesk\n", "control character"},
		{"# x\nAnyDesk\tanydesk\nBad\tab\x00c\n", "line 3 (Bad)"},
		{"AnyDesk\t" + strings.Repeat("a", 65) + "\n", "not 3 to 64 bytes"},
		{strings.Repeat("T", 129) + "\tanydesk\n", "exceeds the limit of 128"},
	} {
		_, err := decodeCatalogText([]byte(tc.text))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("decodeCatalogText(%q) = %v, want an error containing %q", tc.text, err, tc.want)
		}
	}
	if _, err := decodeCatalog([]byte("not gzip")); err == nil || !strings.Contains(err.Error(), "open gzip") {
		t.Errorf("decodeCatalog(not gzip) = %v, want an open gzip error", err)
	}
	var big bytes.Buffer
	zw := gzip.NewWriter(&big)
	zw.Write(bytes.Repeat([]byte("# padding\n"), maxCatalogBytes/10+1))
	zw.Close()
	if _, err := decodeCatalog(big.Bytes()); err == nil || !strings.Contains(err.Error(), "limit") {
		t.Errorf("decodeCatalog(%d bytes decompressed) = %v, want a limit error", maxCatalogBytes+10, err)
	}
}

// FuzzDecodeCatalog checks that the decoder never panics and that what it
// accepts indexes and matches its own names.
func FuzzDecodeCatalog(f *testing.F) {
	zr, err := gzip.NewReader(bytes.NewReader(lolrmmGz))
	if err != nil {
		f.Fatal(err)
	}
	var embedded bytes.Buffer
	embedded.ReadFrom(zr)
	f.Add(embedded.Bytes()[:2048]) // the whole file slows the fuzzer down
	f.Add([]byte("# c\nAnyDesk\tanydesk\tany desk\nVNC\twinvnc*\tvncserver\n"))
	f.Add([]byte("T\t" + strings.Repeat("x", 20) + "\n"))
	f.Add([]byte("\xff\tabc\n"))
	f.Fuzz(func(t *testing.T, text []byte) {
		entries, err := decodeCatalogText(text)
		if err != nil {
			return
		}
		cat := newCatalog(nil, entries)
		for _, e := range entries {
			if checkToolName(e.name) != nil {
				t.Fatalf("accepted tool name %q", e.name)
			}
			for _, p := range e.procs {
				if err := checkProcName(p); err != nil {
					t.Fatalf("accepted process name: %v", err)
				}
				name := strings.TrimSuffix(p, "*") // a prefix matches itself
				if _, ok := cat.lookup(name, false); !ok {
					t.Fatalf("lookup(%q) found nothing, but %s lists %q", name, e.name, p)
				}
				if len(name) > commLen {
					if _, ok := cat.lookup(name[:commLen], true); !ok {
						t.Fatalf("lookup(comm %q) found nothing, but %s lists %q", name[:commLen], e.name, p)
					}
				}
			}
		}
	})
}
