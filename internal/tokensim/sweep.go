package tokensim

import (
	"context"
	"fmt"
	"strings"
)

// ParseAssignment splits "name=value".
func ParseAssignment(s string) (name, value string, err error) {
	name, value, ok := strings.Cut(s, "=")
	if !ok || name == "" {
		return "", "", fmt.Errorf("tokensim: %q is not name=value", s)
	}
	return strings.TrimSpace(name), strings.TrimSpace(value), nil
}

// SweepPoint is one run of a sweep.
type SweepPoint struct {
	Value  string
	Result *Result
}

// Sweep runs the base scenario once per value of one parameter (a chain
// parameter by its on-chain name or a model field by its TOML path, see
// Scenario.Set). Each run is named "<param>=<value>". progress, if not
// nil, is told each finished day of each run.
func Sweep(ctx context.Context, base *Scenario, param string, values []string, progress func(run, runs, day, days int)) ([]SweepPoint, error) {
	if len(values) == 0 {
		return nil, fmt.Errorf("tokensim: sweep of %s has no values", param)
	}
	out := make([]SweepPoint, 0, len(values))
	for i, v := range values {
		s := base.Clone()
		if err := s.Set(param, v); err != nil {
			return nil, err
		}
		if err := s.Validate(); err != nil {
			return nil, fmt.Errorf("tokensim: %s=%s: %w", param, v, err)
		}
		s.Name = param + "=" + v
		var p Progress
		if progress != nil {
			p = func(day, days int) { progress(i, len(values), day, days) }
		}
		res, err := Run(ctx, s, p)
		if err != nil {
			return nil, fmt.Errorf("tokensim: %s=%s: %w", param, v, err)
		}
		out = append(out, SweepPoint{Value: v, Result: res})
	}
	return out, nil
}
