package coverage

// Isolated groups (issue 19 item 4). A ring of devices far from everyone,
// witnessing only one another, passes every physical check: its members
// may really hear each other. It earns, as such rings did on Helium. What
// the scorer can do is make it visible: it joins every beaconer and witness
// linked by a valid, selected witness into connected components, calls the
// largest (the one holding the lowest device address breaks a tie) the
// network, and marks
// each device whose valid witnesses all come from another component, which
// has no link to the network, with that component's size (the
// isolated_group figure of its explanation). A community then sees and can
// deny such groups; their members may be honest, far from the network.

// components is a union-find over hotspot indices: deterministic, no map.
type components struct {
	parent []int32
	size   []int32
}

func newComponents(n int) *components {
	c := &components{parent: make([]int32, n), size: make([]int32, n)}
	for i := range c.parent {
		c.parent[i], c.size[i] = int32(i), 1
	}
	return c
}

func (c *components) find(i int32) int32 {
	for c.parent[i] != i {
		c.parent[i] = c.parent[c.parent[i]] // path halving
		i = c.parent[i]
	}
	return i
}

// link joins the components of a and b.
func (c *components) link(a, b int32) {
	ra, rb := c.find(a), c.find(b)
	if ra == rb {
		return
	}
	if c.size[ra] < c.size[rb] || (c.size[ra] == c.size[rb] && rb < ra) {
		ra, rb = rb, ra
	}
	c.parent[rb] = ra
	c.size[ra] += c.size[rb]
}

// isolated returns, per hotspot, the size of its component if that
// component has at least one link and is not the network, else 0. The
// network is the largest linked component; of equal ones, the one holding
// the lowest-ranked hotspot. rank orders hotspots by device address, so
// that the choice does not depend on the order of the input; linked says
// which hotspots have a valid witness link.
func (c *components) isolated(linked []bool, rank []int32) []uint32 {
	n := len(c.parent)
	low := make([]int32, n) // per root: lowest member rank, -1 if unset
	for i := range low {
		low[i] = -1
	}
	for i := range n {
		if r := c.find(int32(i)); low[r] < 0 || rank[i] < low[r] {
			low[r] = rank[i]
		}
	}
	main := int32(-1)
	for i := range n {
		if !linked[i] {
			continue
		}
		r := c.find(int32(i))
		if main < 0 || c.size[r] > c.size[main] || c.size[r] == c.size[main] && low[r] < low[main] {
			main = r
		}
	}
	out := make([]uint32, n)
	for i := range n {
		if r := c.find(int32(i)); linked[i] && r != main {
			out[i] = uint32(c.size[r])
		}
	}
	return out
}
