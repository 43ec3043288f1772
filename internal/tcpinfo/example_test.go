package tcpinfo_test

import (
	"fmt"
	"net"

	"github.com/lagwatch/lagwatch/internal/tcpinfo"
)

// ExampleRead reads the kernel's RTT estimate for an accepted connection.
func ExampleRead() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer ln.Close()
	go func() {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err == nil {
			c.Write([]byte("hello"))
			c.Close()
		}
	}()
	c, err := ln.Accept()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()

	info, err := tcpinfo.Read(c)
	if err != nil {
		fmt.Println(err) // wraps errors.ErrUnsupported outside Linux
		return
	}
	fmt.Println("smoothed RTT:", info.RTT, "minimum:", info.MinRTT, "retransmitted:", info.TotalRetrans)
}
