// Package xdisplay finds the X servers running on a Linux machine and the
// authority files that let a client connect to them, by reading the
// servers' command lines in procfs: Xorg, Xvfb and Xwayland are started
// with the display (":0") and "-auth FILE". lagwatch-agent runs as a
// system service, outside any desktop session, and uses this to attach
// its X11 input reader to the session a worker is using.
package xdisplay
