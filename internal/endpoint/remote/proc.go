package remote

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// maxArgv0 bounds how much of /proc/<pid>/cmdline is read: argv[0] only.
const maxArgv0 = 4096

// process is what Scan reads about one process from /proc/<pid>.
type process struct {
	pid   int
	uid   int
	comm  string // /proc/<pid>/comm, cut to commLen bytes by the kernel
	exe   string // base name of /proc/<pid>/exe; "" if unreadable
	argv0 string // base name of argv[0], after '/' or '\'; "" if empty
}

// errNotUser marks a kernel thread or a zombie: no executable and no
// command line.
var errNotUser = errors.New("kernel thread or zombie")

// readProcess reads the process in dir (<root>/proc/<pid>). It reads comm,
// status, the exe link and argv[0], never memory or environment. Errors
// from a process that exited meanwhile wrap fs.ErrNotExist (or ESRCH).
func readProcess(dir string, pid int) (process, error) {
	p := process{pid: pid, uid: -1}
	status, err := os.ReadFile(filepath.Join(dir, "status"))
	if err != nil {
		return p, err
	}
	kthread := false
	for line := range strings.Lines(string(status)) {
		key, val, _ := strings.Cut(line, ":")
		fields := strings.Fields(val)
		if len(fields) == 0 {
			continue
		}
		switch key {
		case "Uid":
			if p.uid, err = strconv.Atoi(fields[0]); err != nil {
				return p, fmt.Errorf("read %s/status: Uid %q is not a number", dir, fields[0])
			}
		case "PPid":
			kthread = kthread || fields[0] == "2" // children of kthreadd
		case "Kthread":
			kthread = kthread || fields[0] == "1"
		}
	}
	if kthread || pid == 2 {
		return p, errNotUser
	}
	comm, err := os.ReadFile(filepath.Join(dir, "comm"))
	if err != nil {
		return p, err
	}
	p.comm = strings.TrimSuffix(string(comm), "\n")
	// The exe link is unreadable for other users' processes without
	// CAP_SYS_PTRACE; comm and argv[0] still work then.
	if exe, err := os.Readlink(filepath.Join(dir, "exe")); err == nil {
		p.exe = path.Base(strings.TrimSuffix(exe, " (deleted)"))
	}
	argv0, err := readArgv0(filepath.Join(dir, "cmdline"))
	if err != nil {
		return p, err
	}
	// Wine's Windows programs have a Windows path as argv[0].
	p.argv0 = argv0[strings.LastIndexAny(argv0, `/\`)+1:]
	if p.exe == "" && p.argv0 == "" {
		return p, errNotUser
	}
	return p, nil
}

// readArgv0 returns the first NUL-terminated string of a cmdline file,
// reading at most maxArgv0 bytes.
func readArgv0(name string) (string, error) {
	f, err := os.Open(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxArgv0))
	if err != nil {
		return "", err
	}
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b), nil
}

// match returns the tool p runs as and the name that matched: the
// executable, then argv[0], then comm.
func (p process) match(c *catalog) (hit, string, bool) {
	for _, n := range []string{p.exe, p.argv0} {
		if h, ok := c.lookup(n, false); ok {
			return h, n, true
		}
	}
	if h, ok := c.lookup(p.comm, true); ok {
		return h, p.comm, true
	}
	return hit{}, "", false
}

// socketInodes returns the inodes of the sockets the process in dir has
// open, from the links in dir/fd ("socket:[40971]"). Reading another
// user's fd directory needs root (or CAP_SYS_PTRACE and
// CAP_DAC_READ_SEARCH).
func socketInodes(dir string) ([]uint64, error) {
	fdDir := filepath.Join(dir, "fd")
	ents, err := os.ReadDir(fdDir)
	if err != nil {
		return nil, err
	}
	var inodes []uint64
	for _, e := range ents {
		link, err := os.Readlink(filepath.Join(fdDir, e.Name()))
		if err != nil {
			continue // closed meanwhile
		}
		if ino, ok := socketInode(link); ok {
			inodes = append(inodes, ino)
		}
	}
	return inodes, nil
}

// socketInode parses "socket:[40971]".
func socketInode(link string) (uint64, bool) {
	s, ok := strings.CutPrefix(link, "socket:[")
	if !ok {
		return 0, false
	}
	s, ok = strings.CutSuffix(s, "]")
	if !ok {
		return 0, false
	}
	ino, err := strconv.ParseUint(s, 10, 64)
	return ino, err == nil
}

// gone reports whether err says the process exited while it was read.
func gone(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ESRCH)
}
