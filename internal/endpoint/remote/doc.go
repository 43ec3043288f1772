// Package remote finds remote-access and remote-control tools running on a
// Linux device, their listening and established TCP sockets, and for each
// established session the kernel's TCP round-trip time: the distance
// between the device and whoever drives it.
//
// [Scan] reads <Root>/proc/<pid>/{status,comm,exe,cmdline} of every
// process: the status fields, comm, the target of the exe link and argv[0],
// never a process's memory or environment. A process is a tool when the
// base name of its executable, of argv[0] or its comm (which the kernel
// cuts to 15 bytes, so a 15-byte comm also matches longer names starting
// with it) is in the catalogue, ignoring ASCII case and a ".exe" suffix (Wine
// names processes after the Windows executable). Kernel threads and
// zombies are skipped.
//
// # Catalogue
//
// Two lists, the first to claim a name wins:
//
//   - [CatalogLagwatch]: a built-in list of Linux remote-control servers
//     (x11vnc, TigerVNC, xrdp, RustDesk, AnyDesk, TeamViewer, Chrome Remote
//     Desktop, NoMachine, Sunshine, GNOME Remote Desktop, krfb, wayvnc...).
//   - [CatalogLOLRMM]: the process names of the LOLRMM catalogue of remote
//     monitoring and management tools (https://lolrmm.io,
//     github.com/magicsword-io/LOLRMM, Apache License 2.0), reduced by
//     gen/ to lower-case base names without ".exe", generic names
//     (agent, setup, svchost, perl...) dropped, and embedded as
//     lolrmm.tsv.gz (6 KB: 260 tools, 788 names). Most of its names
//     are Windows executables; they also match native Linux builds of the
//     same name (anydesk, rustdesk, cloudflared, tailscaled, zabbix_agentd)
//     and Windows tools under Wine.
//
// sshd is in neither list, on purpose: it runs on most Linux machines as
// the way administrators and developers work, so reporting it would flag
// nearly every device; LOLRMM does not list it either; and an SSH session
// drives a terminal, not the desktop and input devices the other signals
// watch.
//
// # Sockets and RTT
//
// A tool's sockets are the "socket:[inode]" links in /proc/<pid>/fd,
// looked up in <Root>/proc/net/tcp and tcp6: LISTEN sockets give
// [Tool.Listening], ESTABLISHED ones give [Tool.Sessions]. With Root "/",
// the RTT of each session comes from the kernel through sock_diag
// ([SockDiagRTTs]): tcpi_rtt, tcpi_min_rtt and tcpi_rttvar, the same
// numbers getsockopt(TCP_INFO) gives the socket's owner. With another
// Root, RTTs come from [Config.KernelRTT] or stay zero.
//
// # Privileges and namespaces
//
// Without root, Scan still finds every tool (comm, cmdline and status are
// world-readable), but the exe link and the fd directory of another user's
// process need root or CAP_SYS_PTRACE: such tools are reported without
// sockets. sock_diag itself needs no privilege: any user may read the
// tcp_info of every TCP socket in its network namespace (checked by
// TestSockDiagUnprivileged).
//
// /proc/net/tcp and sock_diag both show one network namespace: the
// scanning process's own. The agent therefore reports the sockets of tools
// in its own namespace, the host's; a tool inside a container with its own
// network namespace is reported without sockets. Tests that need another
// namespace run the scan in a process started inside it.
//
// # Concurrency
//
// The catalogue is decoded on the first Scan (about a millisecond) and is
// read-only afterwards; Scan is safe for concurrent use.
package remote
