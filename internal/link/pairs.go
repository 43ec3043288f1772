package link

import (
	"math/bits"
	"runtime"
	"slices"
	"sync"
)

// resumePairs finds résumé near-duplicates: candidate pairs from banded
// signatures, kept when the estimated similarity reaches the threshold. A
// band bucket holding more than CommonLimit résumés is skipped: text that
// many applicants share is boilerplate, not an identifier.
func resumePairs(ex []extracted, o Options) []pair {
	var idx []int32
	for i := range ex {
		if ex[i].sig != nil {
			idx = append(idx, int32(i))
		}
	}
	n := len(idx)
	if n < 2 {
		return nil
	}
	idxBits := bits.Len(uint(n))
	mask := uint64(1)<<idxBits - 1
	workers := min(runtime.GOMAXPROCS(0), o.Bands)
	cands := make([][]uint64, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			keys := make([]uint64, n)
			var out []uint64
			for b := w; b < o.Bands; b += workers {
				for j, a := range idx {
					keys[j] = ex[a].sig.bandKey(b, o.Rows)&^mask | uint64(j)
				}
				slices.Sort(keys)
				for lo := 0; lo < n; {
					hi := lo + 1
					for hi < n && keys[hi]>>idxBits == keys[lo]>>idxBits {
						hi++
					}
					if run := hi - lo; run >= 2 && run <= o.CommonLimit {
						for x := lo; x < hi; x++ {
							for y := x + 1; y < hi; y++ {
								// keys are sorted, so the index bits ascend within a run.
								out = append(out, (keys[x]&mask)<<32|keys[y]&mask)
							}
						}
					}
					lo = hi
				}
			}
			cands[w] = out
		})
	}
	wg.Wait()
	all := slices.Concat(cands...)
	slices.Sort(all)
	all = slices.Compact(all)
	var out []pair
	for _, c := range all {
		a, b := idx[c>>32], idx[uint32(c)]
		if s := similarity(ex[a].sig, ex[b].sig); s >= o.ResumeThreshold {
			out = append(out, pair{a: a, b: b, score: float32(s), kind: kResume})
		}
	}
	return out
}

// photoPairs finds applicants whose photo hashes are at most
// PhotoMaxDistance bits apart. Near pairs among the distinct hash values
// are found with a multi-index search: the 64 bits are cut into four
// 16-bit blocks, and two hashes within T bits agree to within T/4 bits in
// at least one block (pigeonhole), so each hash probes the buckets of its
// blocks' neighbours within T/4 bits. A hash whose neighbourhood holds more
// than CommonLimit applicants (a default avatar) links no one.
func photoPairs(ex []extracted, o Options) []pair {
	type item struct {
		h    uint64
		node int32
	}
	var items []item
	for i := range ex {
		for _, h := range ex[i].photos {
			items = append(items, item{h, int32(i)})
		}
	}
	if len(items) < 2 {
		return nil
	}
	slices.SortFunc(items, func(a, b item) int {
		switch {
		case a.h != b.h:
			if a.h < b.h {
				return -1
			}
			return 1
		default:
			return int(a.node - b.node)
		}
	})
	items = slices.Compact(items)
	var vals []uint64
	var off []int32 // holders of vals[i]: items[off[i]:off[i+1]]
	for i, it := range items {
		if i == 0 || it.h != items[i-1].h {
			vals = append(vals, it.h)
			off = append(off, int32(i))
		}
	}
	off = append(off, int32(len(items)))
	holders := func(i int32) []item { return items[off[i]:off[i+1]] }

	t := o.PhotoMaxDistance
	r := t / 4
	var masks []uint16
	for m := range 1 << 16 {
		if bits.OnesCount16(uint16(m)) <= r {
			masks = append(masks, uint16(m))
		}
	}
	block := func(h uint64, b int) uint16 { return uint16(h >> (16 * b)) }
	var start [4][]int32
	var order [4][]int32
	for b := range 4 {
		start[b] = make([]int32, 1<<16+1)
		for _, h := range vals {
			start[b][int(block(h, b))+1]++
		}
		for k := range 1 << 16 {
			start[b][k+1] += start[b][k]
		}
		order[b] = make([]int32, len(vals))
		fill := slices.Clone(start[b][:1<<16])
		for i, h := range vals {
			k := block(h, b)
			order[b][fill[k]] = int32(i)
			fill[k]++
		}
	}
	type near struct {
		i, j int32
		d    int
	}
	var nears []near
	for i, h := range vals {
		for b := range 4 {
			bv := block(h, b)
			for _, m := range masks {
				q := bv ^ m
				for _, j := range order[b][start[b][q]:start[b][int(q)+1]] {
					if int(j) <= i {
						continue
					}
					d := PhotoDistance(h, vals[j])
					if d > t {
						continue
					}
					first := 0
					for first < 4 && bits.OnesCount16(block(h, first)^block(vals[j], first)) > r {
						first++
					}
					if first == b {
						nears = append(nears, near{int32(i), j, d})
					}
				}
			}
		}
	}
	// Neighbourhood sizes: applicants within reach of each distinct hash.
	reach := make([]int32, len(vals))
	for i := range vals {
		reach[i] = off[i+1] - off[i]
	}
	for _, nr := range nears {
		reach[nr.i] += off[nr.j+1] - off[nr.j]
		reach[nr.j] += off[nr.i+1] - off[nr.i]
	}
	common := func(i int32) bool { return int(reach[i]) > o.CommonLimit }
	var out []pair
	emit := func(a, b int32, d int) {
		if a == b {
			return
		}
		if a > b {
			a, b = b, a
		}
		out = append(out, pair{a: a, b: b, score: float32(d), kind: kPhoto})
	}
	for i := range vals {
		if common(int32(i)) {
			continue
		}
		h := holders(int32(i))
		for x := range h {
			for y := x + 1; y < len(h); y++ {
				emit(h[x].node, h[y].node, 0)
			}
		}
	}
	for _, nr := range nears {
		if common(nr.i) || common(nr.j) {
			continue
		}
		for _, x := range holders(nr.i) {
			for _, y := range holders(nr.j) {
				emit(x.node, y.node, nr.d)
			}
		}
	}
	// An applicant with several photos may match another twice: keep the
	// closest.
	slices.SortFunc(out, func(x, y pair) int {
		if x.a != y.a {
			return int(x.a - y.a)
		}
		if x.b != y.b {
			return int(x.b - y.b)
		}
		return int(x.score - y.score)
	})
	return slices.CompactFunc(out, func(x, y pair) bool { return x.a == y.a && x.b == y.b })
}
