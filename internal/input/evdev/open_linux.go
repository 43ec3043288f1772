package evdev

import (
	"fmt"
	"os"
	"runtime"
	"syscall"

	"golang.org/x/sys/unix"
)

// iocWrite and iocNone are the directions of an ioctl request.
const (
	iocNone = iota
	iocWrite
)

// ioc builds an ioctl request number as linux/ioctl.h's _IOC does for
// this architecture: MIPS and PowerPC have 3 direction bits with other
// values, every other Go port has 2.
func ioc(dir int, typ, nr byte, size uint) uint {
	none, write, shift := uint(0), uint(1), uint(30)
	switch runtime.GOARCH {
	case "mips", "mipsle", "mips64", "mips64le", "ppc64", "ppc64le":
		none, write, shift = 1, 4, 29
	}
	d := none
	if dir == iocWrite {
		d = write
	}
	return d<<shift | size<<16 | uint(typ)<<8 | uint(nr)
}

// eviocsclockid is EVIOCSCLOCKID, _IOW('E', 0xa0, int): choose the clock
// the kernel stamps this client's events with.
var eviocsclockid = ioc(iocWrite, 'E', 0xa0, 4)

// openDevice opens an event device node for reading, without grabbing it
// (no EVIOCGRAB: other clients keep receiving every event), and sets its
// timestamps to CLOCK_MONOTONIC. The file is non-blocking, so its reads
// wait in Go's poller and Close interrupts them. A regular file or a pipe
// (a recorded stream in a fixture tree) is opened as it is.
func openDevice(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if fi.Mode()&os.ModeCharDevice == 0 {
		return f, nil
	}
	rc, err := f.SyscallConn()
	if err == nil {
		cerr := rc.Control(func(fd uintptr) {
			err = unix.IoctlSetPointerInt(int(fd), eviocsclockid, unix.CLOCK_MONOTONIC)
		})
		if cerr != nil {
			err = cerr
		}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("set clock of %s to CLOCK_MONOTONIC: %w", path, err)
	}
	return f, nil
}

// nodeOf identifies a device node by path, inode and device number, so a
// node replaced by a new device with the same name is a new node.
func nodeOf(path string, fi os.FileInfo) nodeID {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return nodeID{path: path, ino: uint64(st.Ino), rdev: uint64(st.Rdev)}
	}
	return nodeID{path: path}
}
