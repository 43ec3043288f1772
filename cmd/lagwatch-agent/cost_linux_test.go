package main

import (
	"bytes"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lagwatch/lagwatch/internal/x11test"
)

// TestAgentCost measures what the agent costs the laptop: the agent binary
// runs with every collector on and production defaults (60 s windows,
// endpoint scan and probes every minute) while xdotool types 10 keys per
// second on an Xvfb display that x11vnc serves. It reads the agent's CPU
// time and memory from /proc and fails above 0.5 % of one core or 30 MB
// RSS. It runs only when LAGWATCH_AGENT_COST is set to a duration (e.g.
// 120s), because it takes that long; docs/agent-install.md reports it.
func TestAgentCost(t *testing.T) {
	d, err := time.ParseDuration(os.Getenv("LAGWATCH_AGENT_COST"))
	if err != nil || d <= 0 {
		t.Skip("set LAGWATCH_AGENT_COST to a duration such as 120s to measure the agent's cost")
	}
	x11test.Need(t, "Xvfb", "x11vnc", "xdotool")
	srv := loopbackServer(t)
	display := x11test.Xvfb(t)
	x11test.X11VNC(t, display, x11test.VNC{})
	state := t.TempDir()
	args := []string{"--servers", srv.url, "--insecure", "--state-dir", state, "--inputs", "evdev,x11", "--x11-display", display}
	// LAGWATCH_AGENT_COST_ARGS adds flags, to see what each collector costs.
	args = append(args, strings.Fields(os.Getenv("LAGWATCH_AGENT_COST_ARGS"))...)
	cmd := agentCmd(buildAgent(t), "", args...)
	cmd.Env = append(os.Environ(), "LAGWATCH_AGENT_TOKEN="+e2eToken)
	x11test.Start(t, cmd)
	eventually(t, 30*time.Second, "the agent to enrol", func() bool { return srv.device(t) != "" })

	// 10 keys per second for the whole run, starting now.
	keys := int(d.Seconds()*10) + 200
	typing := xdotool(t, display, "type", "--delay", "100", strings.Repeat("lagwatch ", keys/9+1)[:keys])
	x11test.Start(t, typing)
	time.Sleep(10 * time.Second) // start-up, enrolment and the first scans are not the steady state
	pid := cmd.Process.Pid
	cpu0, wall0 := cpuTime(t, pid), time.Now()
	time.Sleep(d)
	cpu1, wall1 := cpuTime(t, pid), time.Now()
	rss, hwm := memKB(t, pid, "VmRSS:"), memKB(t, pid, "VmHWM:")
	share := (cpu1 - cpu0).Seconds() / wall1.Sub(wall0).Seconds()

	ws, err := srv.st.Windows(t.Context(), srv.device(t), time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	strokes := 0
	for _, w := range ws {
		strokes += w.Keys
	}
	t.Logf("over %v at 10 keys/s: agent CPU %.3f %% of one core (%v), RSS %d kB (peak %d kB); server holds %d windows with %d strokes",
		d, 100*share, (cpu1 - cpu0).Round(time.Millisecond), rss, hwm, len(ws), strokes)
	if share > 0.005 {
		t.Errorf("agent CPU %.3f %% of one core, want < 0.5 %%", 100*share)
	}
	if hwm > 30*1024 {
		t.Errorf("agent peak RSS %d kB, want < 30 MB", hwm)
	}
	if strokes == 0 {
		t.Error("the agent sent no strokes: the measurement did not exercise input")
	}
}

// cpuTime returns the user plus system CPU time of process pid.
func cpuTime(t *testing.T, pid int) time.Duration {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		t.Fatal(err)
	}
	// Fields after the command name, which is in parentheses: utime and
	// stime are fields 14 and 15 of the whole line.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+2:]))
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	const ticks = 100 // USER_HZ on Linux
	return time.Duration(ut+st) * time.Second / ticks
}

// memKB returns a "VmXxx:" figure of process pid in kB.
func memKB(t *testing.T, pid int, field string) int {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return n
		}
	}
	t.Fatalf("no %s in /proc/%d/status", field, pid)
	return 0
}
