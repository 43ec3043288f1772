package report

import (
	"fmt"
	"html/template"
)

// Plots are the four plots of a report as inline SVG, for pages that show
// them outside the report, such as the dashboard's worker page. A plot
// whose section of the case has no data is the empty string.
type Plots struct {
	RTT        template.HTML // round-trip time per landmark against the physics bounds of the claim
	Operator   template.HTML // operator-delay estimates over time
	Provenance template.HTML // input provenance per UTC day
	Map        template.HTML // world map of the claim, the RTT disks and their intersection, and the IP location
}

// RenderPlots validates c as [HTML] does and draws its plots. All text
// from c is escaped.
func RenderPlots(c Case) (Plots, error) {
	if err := c.Validate(); err != nil {
		return Plots{}, fmt.Errorf("render plots: %w", err)
	}
	m, err := mapPlot(c)
	if err != nil {
		return Plots{}, fmt.Errorf("render plots for case %.64q: %w", c.ID, err)
	}
	return Plots{
		RTT:        template.HTML(rttPlot(c)),
		Operator:   template.HTML(operatorPlot(c)),
		Provenance: template.HTML(provenancePlot(provenanceDays(c.Provenance))),
		Map:        template.HTML(m),
	}, nil
}
