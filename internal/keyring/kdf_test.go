package keyring

import "testing"

// TestKDFBounds: the parameters a key file may ask for are bounded in
// memory, passes, threads and total work (issue 8 item 8), and the default
// and the usual cheap test parameters are inside.
func TestKDFBounds(t *testing.T) {
	tests := []struct {
		name string
		p    KDFParams
		ok   bool
	}{
		{"default", DefaultKDFParams(), true},
		{"cheap", KDFParams{Time: 1, MemoryKiB: 64, Threads: 1}, true},
		{"largest memory", KDFParams{Time: 4, MemoryKiB: maxMemoryKiB, Threads: 4}, true},
		{"most passes", KDFParams{Time: maxTime, MemoryKiB: 64 << 10, Threads: 4}, true},
		{"4 GiB", KDFParams{Time: 1, MemoryKiB: 4 << 20, Threads: 4}, false},
		{"memory over", KDFParams{Time: 1, MemoryKiB: maxMemoryKiB + 1, Threads: 4}, false},
		{"work over", KDFParams{Time: 5, MemoryKiB: maxMemoryKiB, Threads: 4}, false},
		{"passes over", KDFParams{Time: maxTime + 1, MemoryKiB: 64, Threads: 1}, false},
		{"threads over", KDFParams{Time: 1, MemoryKiB: 1024, Threads: maxThreads + 1}, false},
		{"no passes", KDFParams{Time: 0, MemoryKiB: 64, Threads: 1}, false},
		{"memory below threads", KDFParams{Time: 1, MemoryKiB: 8, Threads: 2}, false},
	}
	for _, tc := range tests {
		if err := tc.p.validate(); (err == nil) != tc.ok {
			t.Errorf("%s %+v: got %v, want ok=%v", tc.name, tc.p, err, tc.ok)
		}
	}
}
