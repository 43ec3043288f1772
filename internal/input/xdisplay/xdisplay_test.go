package xdisplay

import (
	"os"
	"path/filepath"
	"testing"
)

func cmdline(args ...string) []byte {
	var b []byte
	for _, a := range args {
		b = append(b, a...)
		b = append(b, 0)
	}
	return b
}

func TestParseCmdline(t *testing.T) {
	cases := []struct {
		args []string
		want Server
		ok   bool
	}{
		{[]string{"/usr/lib/xorg/Xorg", "vt2", "-displayfd", "3", "-auth", "/run/user/1000/gdm/Xauthority", "-nolisten", "tcp"},
			Server{Program: "Xorg", Display: ":0", AuthFile: "/run/user/1000/gdm/Xauthority"}, true},
		{[]string{"Xvfb", ":99", "-screen", "0", "1280x800x24"}, Server{Program: "Xvfb", Display: ":99"}, true},
		{[]string{"/usr/bin/Xwayland", ":1", "-rootless", "-auth", "/run/user/1000/.mutter-Xwaylandauth.X1"},
			Server{Program: "Xwayland", Display: ":1", AuthFile: "/run/user/1000/.mutter-Xwaylandauth.X1"}, true},
		{[]string{"/usr/bin/bash", ":1", "-auth", "x"}, Server{}, false},
		{[]string{"Xorg", "-auth"}, Server{Program: "Xorg", Display: ":0"}, true},
	}
	for _, c := range cases {
		got, ok := ParseCmdline(cmdline(c.args...))
		if ok != c.ok || got != c.want {
			t.Errorf("ParseCmdline(%q) = %+v, %v; want %+v, %v", c.args, got, ok, c.want, c.ok)
		}
	}
}

func TestFind(t *testing.T) {
	root := t.TempDir()
	write := func(pid string, args ...string) {
		if err := os.MkdirAll(filepath.Join(root, pid), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, pid, "cmdline"), cmdline(args...), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("900", "Xvfb", ":7")
	write("120", "/usr/lib/xorg/Xorg", ":0", "-auth", "/var/run/lightdm/root/:0")
	write("121", "bash")
	write("self", "Xorg") // not a PID
	got, err := Find(root)
	if err != nil {
		t.Fatal(err)
	}
	want := []Server{
		{PID: 120, Program: "Xorg", Display: ":0", AuthFile: "/var/run/lightdm/root/:0"},
		{PID: 900, Program: "Xvfb", Display: ":7"},
	}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("Find = %+v, want %+v", got, want)
	}
	if _, err := Find(filepath.Join(root, "missing")); err == nil {
		t.Error("Find on a missing root did not fail")
	}
}

func FuzzParseCmdline(f *testing.F) {
	f.Add(cmdline("Xorg", ":0", "-auth", "/x"))
	f.Add(cmdline("Xvfb", ":99999999999"))
	f.Add([]byte{0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		s, ok := ParseCmdline(b)
		if ok && displayNumber(s.Display) < 0 {
			t.Errorf("display %q is not a display", s.Display)
		}
	})
}
