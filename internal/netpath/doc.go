// Package netpath builds real wide-area network paths on one Linux machine,
// for the demo, tests and the evaluation lab.
//
// [New] creates two network namespaces, Prefix-a and Prefix-b, each with a
// TUN device, host addresses and a route to the other side:
//
//	side A  198.18.0.1 ... 198.18.0.N   (namespace Prefix-a, device netpath0)
//	side B  198.19.0.1 ... 198.19.0.M   (namespace Prefix-b, device netpath0)
//
// Both ranges lie in 198.18.0.0/15, reserved for benchmarking (RFC 2544).
// Every IPv4 packet one side's kernel routes to the other side goes through
// its TUN device to a forwarder in this process, which holds it for the
// [Link] of its (source, destination) pair, may drop it, and then writes it
// to the other side's TUN device. Both kernels therefore see a genuine
// long path: TCP measures it (a 60 ms one-way delay gives tcpi_rtt of about
// 121 ms, see package tcpinfo), retransmits lost segments, applies Nagle's
// algorithm and delayed ACKs, and suffers head-of-line blocking, exactly as
// over the internet. A user-space proxy cannot do that: the kernel's RTT
// stays at loopback microseconds.
//
// Sockets are made inside a namespace with [Net.Listen], [Net.ListenPacket]
// and [Net.DialContext] (or [Net.Dialer] for an http.Transport); they work
// from any goroutine afterwards. Typical use:
//
//	n, err := netpath.New(ctx, netpath.Config{Prefix: "lw-demo", Default: netpath.Link{Delay: 60 * time.Millisecond}})
//	...
//	defer n.Close()
//	ln, err := n.Listen(ctx, "tcp", netip.AddrPortFrom(n.AddrB(0), 8080))
//	c, err := n.DialContext(ctx, n.AddrA(0), "tcp", "198.19.0.1:8080")
//
// # The model and its limits
//
//   - Delay is applied per packet, in user space, from the moment the
//     forwarder reads the packet. There is no bandwidth limit and so no
//     serialization delay: a burst arrives as a burst, one Delay later.
//     Config.QueueLimit bounds the packets in flight per direction, like a
//     router buffer; beyond it packets drop (Stats Overflow).
//   - Go timers and goroutine wake-ups make every packet a little late:
//     about 0.3 ms at the median on the 2-CPU development machine, a few
//     milliseconds in the tail when it is busy. A path therefore measures
//     slightly longer than configured (2 x 60 ms gave 120.4 to 121.8 ms
//     tcpi_rtt); do not model delays below a few milliseconds.
//   - Jitter is uniform in [Delay-Jitter, Delay+Jitter]. Without
//     Link.Reorder a packet waits for the earlier packets of its pair, so
//     jitter skews the delays upwards. Loss is independent per packet
//     (no bursts).
//   - The forwarder is one reader and one writer goroutine per direction.
//     A UDP echo across a zero-delay path takes about 30 µs
//     (BenchmarkUDPRoundTrip) and bulk TCP reached 0.9 to 1.4 Gbit/s, so
//     the path is no bottleneck for lagwatch's traffic, but it is not line
//     rate either. The kernel queues at most 500 packets (the TUN device's
//     txqueuelen) for the reader.
//   - The TUN devices have no offloads: every packet is at most the MTU
//     (Config.MTU, default 1500), as on a real link.
//   - IPv4 only. Traffic between hosts of the same side stays inside that
//     namespace and is not delayed. IPv6 is disabled on the TUN devices
//     and anything that is not IPv4 to the other side's hosts network is
//     dropped (Stats Ignored), so nothing can leave the two namespaces.
//   - Creating sockets switches an OS thread into the namespace
//     (setns(2)) for the duration of the call. If switching back fails,
//     that thread is discarded rather than reused.
//
// # Requirements and cleanup
//
// New needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN), /dev/net/tun and the
// iproute2 "ip" command; [Available] says whether they are there, in a
// sentence fit for t.Skip. The namespaces persist (as "ip netns" entries)
// until [Net.Close]. A prefix is locked for the life of its Net by a file
// in /run/netpath, across processes; because the kernel releases the lock
// of a crashed process, New can safely delete namespaces of the same name
// that such a process left behind.
//
// # Concurrency
//
// All methods of [Net] are safe for concurrent use. [Net.SetLink] takes
// effect for the next packet; packets in flight keep their delivery time.
// Every goroutine the package starts ends before [Net.Close] returns.
package netpath
