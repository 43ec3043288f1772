package keylab

import (
	"os"
	"testing"
	"time"

	"github.com/lagwatch/lagwatch/internal/lab/aalto"
	"github.com/lagwatch/lagwatch/internal/netpath"
)

// TestRealPathMatchesModel replays real typing across a real kernel TCP
// path (RTT 150 ms, 1 % loss, with and without TCP_NODELAY) and checks
// that the model predicts what arrives: Nagle's zero holds and ACK-clock
// gap floor, and head-of-line stall bursts without it.
func TestRealPathMatchesModel(t *testing.T) {
	if testing.Short() {
		t.Skip("replays typing in real time for about four minutes")
	}
	if err := netpath.Available(); err != nil {
		t.Skip(err)
	}
	ps := aaltoOrSkip(t)
	rep, err := RealPathCheck(t.Context(), ps, RealPathConfig{Prefix: "lw-keylab-t"})
	if err != nil {
		t.Fatal(err)
	}
	rep.WriteTable(os.Stdout)
	for i := 0; i+1 < len(rep.Rows); i += 2 {
		model, real := rep.Rows[i], rep.Rows[i+1]
		if real.Keys != model.Keys {
			t.Fatalf("%s: kernel delivered %d strokes, model %d", real.Path, real.Keys, model.Keys)
		}
		if i == 0 {
			// NODELAY: every lost segment stalls the stream and releases a
			// burst. Only a lower bound is asserted: on a loaded machine
			// netpath's user-space forwarder is scheduled late and clumps
			// packets (one run with benchmarks beside it saw 28 % zero
			// holds against the model's 2 %; on a quiet machine they agree).
			if real.Lost > 0 && real.Stalls == 0 {
				t.Errorf("%s: %d packets lost but no stall burst arrived", real.Path, real.Lost)
			}
			if model.Stalls == 0 || real.Stalls < model.Stalls/2 || real.Bursts < model.Bursts/2 {
				t.Errorf("%s: stall bursts kernel %.2f, model %.2f; bursts kernel %.2f, model %.2f per 100 strokes: want the kernel to show at least about as many",
					real.Path, real.Stalls, model.Stalls, real.Bursts, model.Bursts)
			}
			continue
		}
		// Nagle: clumps one ACK clock apart, press and release together.
		// As above, a late forwarder only clumps more: only a lower bound
		// (loaded runs saw 35 % and 59 % zero holds against the model's 23 %;
		// quiet ones agree within 35 %).
		if real.Zero < model.Zero*(1-0.35) {
			t.Errorf("%s: zero holds kernel %.1f%%, model %.1f%%, want at least the model's less 35 %%", real.Path, real.Zero, model.Zero)
		}
		if !within(float64(real.GapP10), float64(model.GapP10), 0.25) {
			t.Errorf("%s: gap p10 kernel %v, model %v, want within 25 %%", real.Path, real.GapP10, model.GapP10)
		}
		if real.GapP10 < 120*time.Millisecond {
			t.Errorf("%s: gap p10 kernel %v, want an ACK-clock floor near the 150 ms RTT", real.Path, real.GapP10)
		}
	}
}

func within(got, want, frac float64) bool {
	return got >= want*(1-frac) && got <= want*(1+frac)
}

func aaltoOrSkip(t testing.TB) []aalto.Participant {
	t.Helper()
	dir := os.Getenv("LAGWATCH_AALTO")
	if dir == "" {
		dir = "/work/shared/data/aalto-136m-keystrokes"
	}
	ps, err := aalto.ReadDir(dir)
	if err != nil {
		t.Skipf("no Aalto data (set LAGWATCH_AALTO): %v", err)
	}
	return ps
}
