package agent

import (
	"context"
	"log/slog"
	"time"

	"github.com/lagwatch/lagwatch/internal/wire"
)

// InputWindows runs the input pipeline over src with windows of the given
// length until src's Run returns, and returns the windows it handed over.
func InputWindows(ctx context.Context, src InputSource, window time.Duration) ([]wire.InputWindow, error) {
	var out []wire.InputWindow
	p := &inputPipeline{src: src, window: window, log: slog.New(slog.DiscardHandler), stats: &inputStats{},
		put: func(w wire.InputWindow) error { out = append(out, w); return nil }}
	err := p.run(ctx)
	return out, err
}
