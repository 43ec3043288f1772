package place

import (
	"cmp"
	"math"
	"slices"

	"github.com/lagwatch/lagwatch/internal/geo"
)

// Nearest returns the city nearest to p with at least minPopulation
// inhabitants, and its great-circle distance from p in kilometres. It
// reports false when p is not valid or no city is that large. Use it to
// explain a region in words ("within 40 km of Tucson, AZ, US").
func Nearest(p geo.Point, minPopulation int) (Place, float64, bool) {
	g, err := loadGazetteer()
	if err != nil || !p.Valid() {
		return Place{}, 0, false
	}
	i, km, ok := g.nearest(p, minPopulation)
	if !ok {
		return Place{}, 0, false
	}
	return g.place(i), km, true
}

// Grid geometry: cells of one degree of latitude by one of longitude.
const (
	gridRows = 180
	gridCols = 360
)

// grid buckets cities by one-degree cell for [gazetteer.nearest].
type grid struct {
	start []int32  // cell c holds ids[start[c]:start[c+1]]
	ids   []int32  // city indexes by cell, most populous first within a cell
	pop   []uint32 // pop[j] is the population of city ids[j], for early exit
}

// cellOf returns the row and column of the cell holding lat, lon in 1e-4
// degree. Latitude 90 is in the top row and longitude 180 wraps to -180.
func cellOf(lat, lon int32) (row, col int) {
	row = min(int(lat+900000)/10000, gridRows-1)
	col = int(lon+1800000) / 10000 % gridCols
	return row, col
}

// newGrid buckets cities by cell.
func newGrid(cities []city) grid {
	counts := make([]int32, gridRows*gridCols+1)
	cell := make([]int32, len(cities))
	for i, c := range cities {
		r, col := cellOf(c.lat, c.lon)
		cell[i] = int32(r*gridCols + col)
		counts[cell[i]+1]++
	}
	for c := 1; c < len(counts); c++ {
		counts[c] += counts[c-1]
	}
	g := grid{start: counts, ids: make([]int32, len(cities)), pop: make([]uint32, len(cities))}
	next := slices.Clone(counts[:len(counts)-1])
	for i := range cities {
		g.ids[next[cell[i]]] = int32(i)
		next[cell[i]]++
	}
	for c := range gridRows * gridCols {
		s := g.ids[g.start[c]:g.start[c+1]]
		slices.SortFunc(s, func(a, b int32) int {
			return cmp.Or(-cmp.Compare(cities[a].pop, cities[b].pop), cmp.Compare(a, b))
		})
		for j, id := range s {
			g.pop[int(g.start[c])+j] = cities[id].pop
		}
	}
	return g
}

// nearest finds the city nearest to p with at least minPop inhabitants. It
// searches the cells that may hold a point within radius km of p, doubling
// the radius until the best city found lies within it: every point within
// the radius was then examined, so none can be nearer.
func (g *gazetteer) nearest(p geo.Point, minPop int) (int32, float64, bool) {
	if minPop < 0 {
		minPop = 0
	}
	if minPop > math.MaxUint32 {
		return 0, 0, false
	}
	const whole = math.Pi * geo.EarthRadiusKm
	best, bestKm := int32(-1), math.Inf(1)
	for radius := 100.0; ; radius *= 2 {
		g.searchCells(p, radius, uint32(minPop), &best, &bestKm)
		if best >= 0 && bestKm <= radius {
			return best, bestKm, true
		}
		if radius >= whole {
			return best, bestKm, best >= 0
		}
	}
}

// searchCells updates best and bestKm with the cities of at least minPop
// inhabitants in the cells that intersect the bounding box of the circle of
// radius km around p.
func (g *gazetteer) searchCells(p geo.Point, radius float64, minPop uint32, best *int32, bestKm *float64) {
	const deg = 180 / math.Pi
	δ := radius / geo.EarthRadiusKm * deg // angular radius, degrees
	latLo, latHi := p.Lat-δ, p.Lat+δ
	lonLo, lonHi := -180.0, 180.0
	if latLo > -90 && latHi < 90 {
		// Longitude half-width of the circle's bounding box: asin(sin δ / cos φ).
		s := math.Sin(δ/deg) / math.Cos(p.Lat/deg)
		if s < 1 {
			dλ := math.Asin(s) * deg
			lonLo, lonHi = p.Lon-dλ, p.Lon+dλ
		}
	}
	rowLo := max(0, int(math.Floor(latLo+90)))
	rowHi := min(gridRows-1, int(math.Floor(latHi+90)))
	colLo, colHi := int(math.Floor(lonLo+180)), int(math.Floor(lonHi+180))
	if colHi-colLo >= gridCols-1 {
		colLo, colHi = 0, gridCols-1
	}
	for row := rowLo; row <= rowHi; row++ {
		for col := colLo; col <= colHi; col++ {
			c := row*gridCols + (col%gridCols+gridCols)%gridCols
			for j := g.grid.start[c]; j < g.grid.start[c+1]; j++ {
				if g.grid.pop[j] < minPop {
					break
				}
				id := g.grid.ids[j]
				if km := geo.Distance(p, g.point(id)); km < *bestKm {
					*best, *bestKm = id, km
				}
			}
		}
	}
}
