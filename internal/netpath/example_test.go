package netpath_test

import (
	"context"
	"fmt"
	"io"
	"net/netip"
	"time"

	"github.com/lagwatch/lagwatch/internal/netpath"
	"github.com/lagwatch/lagwatch/internal/tcpinfo"
)

// Example sets up a 60 ms one-way path, echoes a message across it and
// reads the kernel's RTT estimate, about 121 ms.
func Example() {
	if err := netpath.Available(); err != nil {
		fmt.Println("skip:", err)
		return
	}
	ctx := context.Background()
	n, err := netpath.New(ctx, netpath.Config{
		Prefix:  "lw-example",
		Default: netpath.Link{Delay: 60 * time.Millisecond},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer n.Close()

	ln, err := n.Listen(ctx, "tcp", netip.AddrPortFrom(n.AddrB(0), 0))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		io.Copy(c, c) // echo
	}()

	c, err := n.DialContext(ctx, n.AddrA(0), "tcp", ln.Addr().String())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	buf := []byte("ping")
	for range 5 {
		c.Write(buf)
		io.ReadFull(c, buf)
	}
	info, err := tcpinfo.Read(c)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("kernel RTT %v, minimum %v\n", info.RTT.Round(time.Millisecond), info.MinRTT.Round(time.Millisecond))
}
