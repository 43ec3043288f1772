// Package report renders a lagwatch case as a report an analyst can hand to
// law enforcement: one self-contained HTML page (no scripts, no network
// fetches, every plot an inline SVG drawn here) and a PDF printed from that
// page by headless Chromium.
//
// A [Case] is plain data: the caller fills it from the store, the risk
// score, the RTT and input evidence. [HTML] validates it and writes the page;
// [PDF] prints any such page. The page holds a summary, the risk
// explanation, an evidence timeline, four plots (RTT per landmark against the
// physics bounds of the claimed place, operator-delay estimates, input
// provenance per day, and a world map of the claim, the feasible region and
// the IP location), a section laid out like an FBI IC3 complaint, notes and
// the audit trail.
//
// The world outline is Natural Earth's public-domain 1:110m land, embedded
// as world.json (see gen_world.go). HTML is safe for concurrent use; each
// PDF call starts and stops its own browser.
package report
