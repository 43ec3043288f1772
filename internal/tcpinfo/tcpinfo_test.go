package tcpinfo_test

import (
	"bufio"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"runtime"
	"testing"
	"time"

	"github.com/lagwatch/lagwatch/internal/tcpinfo"
)

// echoPair returns the two ends of a loopback TCP connection after n
// request/response round trips of a small message.
func echoPair(t *testing.T, n int) (client, server net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			close(accepted)
			return
		}
		accepted <- c
	}()
	client, err = net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { client.Close() })
	server, ok := <-accepted
	if !ok {
		t.Fatal("accept failed")
	}
	t.Cleanup(func() { server.Close() })

	done := make(chan error, 1)
	go func() {
		buf := make([]byte, 64)
		for range n {
			if _, err := io.ReadFull(server, buf); err != nil {
				done <- err
				return
			}
			if _, err := server.Write(buf); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	msg := make([]byte, 64)
	r := bufio.NewReader(client)
	for i := range n {
		if _, err := client.Write(msg); err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
		if _, err := io.ReadFull(r, msg); err != nil {
			t.Fatalf("read %d: %v", i, err)
		}
	}
	if err := <-done; err != nil {
		t.Fatalf("server: %v", err)
	}
	return client, server
}

func TestReadLoopback(t *testing.T) {
	client, server := echoPair(t, 20)
	for _, tt := range []struct {
		name string
		c    net.Conn
	}{{"client", client}, {"server", server}} {
		t.Run(tt.name, func(t *testing.T) {
			info, err := tcpinfo.Read(tt.c)
			if runtime.GOOS != "linux" {
				if !errors.Is(err, errors.ErrUnsupported) {
					t.Fatalf("Read on %s = %v, want errors.ErrUnsupported", runtime.GOOS, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			t.Logf("rtt=%v rttvar=%v min_rtt=%v rto=%v segs_out=%d segs_in=%d", info.RTT, info.RTTVar, info.MinRTT, info.RTO, info.SegsOut, info.SegsIn)
			if info.RTT <= 0 || info.RTT > 100*time.Millisecond {
				t.Errorf("RTT = %v, want in (0, 100ms] on loopback", info.RTT)
			}
			if info.MinRTT <= 0 || info.MinRTT > info.RTT+info.RTTVar {
				t.Errorf("MinRTT = %v, want in (0, RTT+RTTVar = %v]", info.MinRTT, info.RTT+info.RTTVar)
			}
			if info.State != 1 {
				t.Errorf("State = %d, want 1 (established)", info.State)
			}
			if info.SegsOut < 20 || info.SegsIn < 20 {
				t.Errorf("SegsOut, SegsIn = %d, %d, want >= 20 each", info.SegsOut, info.SegsIn)
			}
			if info.TotalRetrans != 0 {
				t.Errorf("TotalRetrans = %d, want 0 on loopback", info.TotalRetrans)
			}
		})
	}
}

func TestReadUnwrapsTLS(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("TCP_INFO is Linux-only")
	}
	client, _ := echoPair(t, 3)
	// No handshake: Read only needs NetConn.
	tc := tls.Client(client, &tls.Config{InsecureSkipVerify: true})
	if _, err := tcpinfo.Read(tc); err != nil {
		t.Errorf("Read(*tls.Conn) = %v, want nil", err)
	}
}

func TestReadErrors(t *testing.T) {
	p1, p2 := net.Pipe()
	defer p1.Close()
	defer p2.Close()
	if _, err := tcpinfo.Read(p1); err == nil {
		t.Error("Read(net.Pipe) = nil error, want an error")
	}

	udp, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatalf("listen udp: %v", err)
	}
	defer udp.Close()
	if _, err := tcpinfo.Read(udp); err == nil {
		t.Error("Read(*net.UDPConn) = nil error, want an error")
	} else {
		t.Logf("Read(*net.UDPConn) = %v", err)
	}
}
