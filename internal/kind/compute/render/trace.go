package render

// tracer holds a scene converted to fixed point.
type tracer struct {
	cam     vec
	focal   int64
	light   vec
	inten   int64 // Q16.16
	ambient int64 // Q16.16
	bg      [3]int64
	spheres []sphere
	plane   *plane
	depth   int
}

type sphere struct {
	c       vec
	r, r2   int64
	color   [3]int64
	reflect int64 // Q16.16
}

type plane struct {
	y       int64
	a, b    [3]int64
	size    int64
	reflect int64
}

const (
	// eps moves secondary rays off the surface they start from.
	eps = one / 256
	// maxT bounds a hit's distance (units): farther is a miss, so that no
	// point computed from a hit leaves the int64 range.
	maxT = 4000 * one
)

func pt(p [3]int64) vec { return vec{fromMilli(p[0]), fromMilli(p[1]), fromMilli(p[2])} }

func newTracer(s *Scene) *tracer {
	t := &tracer{
		cam: pt(s.Camera.Pos), focal: fromMilli(s.Camera.Focal), light: pt(s.Light.Pos),
		inten: fromMilli(s.Light.Intensity), ambient: fromMilli(s.Ambient), bg: s.Background, depth: s.MaxDepth,
	}
	for _, sp := range s.Spheres {
		r := fromMilli(sp.Radius)
		t.spheres = append(t.spheres, sphere{c: pt(sp.Center), r: r, r2: mul(r, r), color: sp.Color, reflect: fromMilli(sp.Reflect)})
	}
	if p := s.Plane; p != nil {
		t.plane = &plane{y: fromMilli(p.Y), a: p.ColorA, b: p.ColorB, size: fromMilli(p.Size), reflect: fromMilli(p.Reflect)}
	}
	return t
}

// hit is the nearest intersection of a ray.
type hit struct {
	t       int64
	p, n    vec
	color   [3]int64
	reflect int64
}

// hitSphere returns the distance along unit ray (o, d) to sphere s, or -1.
func hitSphere(o, d vec, s *sphere) int64 {
	oc := o.sub(s.c)
	b := oc.dot(d)
	disc := mul(b, b) - (oc.dot(oc) - s.r2)
	if disc < 0 {
		return -1
	}
	q := sqrt(disc)
	if t := -b - q; t > eps && t < maxT {
		return t
	}
	if t := -b + q; t > eps && t < maxT {
		return t
	}
	return -1
}

// floorDiv divides rounding toward minus infinity.
func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// nearest finds the nearest hit of a unit ray, in scene order on ties.
func (tr *tracer) nearest(o, d vec) (hit, bool) {
	var h hit
	found := false
	for i := range tr.spheres {
		s := &tr.spheres[i]
		t := hitSphere(o, d, s)
		if t < 0 || (found && t >= h.t) {
			continue
		}
		p := o.add(d.scale(t))
		rel := p.sub(s.c)
		h = hit{t: t, p: p, n: vec{div(rel.x, s.r), div(rel.y, s.r), div(rel.z, s.r)}, color: s.color, reflect: s.reflect}
		found = true
	}
	if pl := tr.plane; pl != nil && d.y != 0 {
		dy := pl.y - o.y
		// t = dy / d.y, computed only when it stays below maxT.
		if (dy < 0) == (d.y < 0) && abs(dy) < mul(maxT, abs(d.y)) {
			t := div(dy, d.y)
			if t > eps && (!found || t < h.t) {
				p := o.add(d.scale(t))
				n := vec{0, one, 0}
				if o.y < pl.y {
					n.y = -one
				}
				c := pl.a
				if (floorDiv(p.x, pl.size)+floorDiv(p.z, pl.size))&1 != 0 {
					c = pl.b
				}
				h = hit{t: t, p: p, n: n, color: c, reflect: pl.reflect}
				found = true
			}
		}
	}
	return h, found
}

func abs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// shadowed reports whether a sphere lies between p and the light.
func (tr *tracer) shadowed(p, toLight vec, dist int64) bool {
	for i := range tr.spheres {
		if t := hitSphere(p, toLight, &tr.spheres[i]); t >= 0 && t < dist {
			return true
		}
	}
	return false
}

// trace returns the colour seen along unit ray (o, d), channels in
// 0-255 × one.
func (tr *tracer) trace(o, d vec, depth int) [3]int64 {
	h, ok := tr.nearest(o, d)
	if !ok {
		return [3]int64{tr.bg[0] * one, tr.bg[1] * one, tr.bg[2] * one}
	}
	// Shading: ambient plus Lambert from the light unless shadowed.
	shade := tr.ambient
	start := h.p.add(h.n.scale(eps))
	toL := tr.light.sub(start)
	dist := toL.length()
	if dist > 0 {
		l := toL.norm()
		if lam := h.n.dot(l); lam > 0 && !tr.shadowed(start, l, dist) {
			shade += mul(tr.inten, lam)
		}
	}
	var c [3]int64
	for i := range c {
		c[i] = min(h.color[i]*shade, 255*one)
	}
	if h.reflect > 0 && depth < tr.depth {
		r := d.sub(h.n.scale(2 * d.dot(h.n))).norm()
		rc := tr.trace(start, r, depth+1)
		for i := range c {
			c[i] = mul(c[i], one-h.reflect) + mul(rc[i], h.reflect)
		}
	}
	return c
}

// pixel returns the colour of pixel (x, y) of a w × h image, averaging
// samples × samples rays.
func (tr *tracer) pixel(x, y, w, h, samples int) [3]byte {
	var sum [3]int64
	n := int64(samples)
	H := int64(h) * n
	for sy := 0; sy < samples; sy++ {
		for sx := 0; sx < samples; sx++ {
			// Sub-pixel centre in units of 1/(2·h·n) of the image height:
			// the image plane spans [-aspect, aspect] × [-1, 1].
			px := 2*(int64(x)*n+int64(sx)) + 1 - int64(w)*n
			py := int64(h)*n - 2*(int64(y)*n+int64(sy)) - 1
			d := vec{px * one / H, py * one / H, tr.focal}.norm()
			c := tr.trace(tr.cam, d, 0)
			for i := range sum {
				sum[i] += c[i]
			}
		}
	}
	var out [3]byte
	for i := range out {
		out[i] = byte(min(sum[i]/(n*n)>>fracBits, 255))
	}
	return out
}
