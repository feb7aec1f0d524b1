package render

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// ErrScene is wrapped by every error about a scene that cannot be rendered.
var ErrScene = errors.New("invalid scene")

// Bounds of a scene: they keep every fixed-point product inside an int64.
const (
	MaxSide     = 4096      // pixels on a side
	MaxCoord    = 1_000_000 // |coordinate| in thousandths (1000 units)
	MaxRadius   = 500_000   // sphere radius in thousandths
	MaxSpheres  = 64
	MaxDepth    = 4 // reflection bounces
	MaxSamples  = 4 // supersampling per axis
	MaxPerMille = 1000
	// MaxSceneBytes bounds the JSON text of a scene.
	MaxSceneBytes = 64 << 10
)

// Scene is a scene to render. Lengths are in thousandths of a unit,
// factors (light intensity, ambient light, reflectivity) in thousandths,
// colours 0-255 per channel.
type Scene struct {
	Width      int      `json:"width"`
	Height     int      `json:"height"`
	Camera     Camera   `json:"camera"`
	Light      Light    `json:"light"`
	Ambient    int64    `json:"ambient"`
	Background [3]int64 `json:"background"`
	Spheres    []Sphere `json:"spheres"`
	Plane      *Plane   `json:"plane,omitempty"`
	MaxDepth   int      `json:"max_depth"`
	Samples    int      `json:"samples"`
}

// Camera sits at Pos and looks down +z; the image plane is Focal away and
// 2 units high.
type Camera struct {
	Pos   [3]int64 `json:"pos"`
	Focal int64    `json:"focal"`
}

// Light is a point light.
type Light struct {
	Pos       [3]int64 `json:"pos"`
	Intensity int64    `json:"intensity"`
}

// Sphere is a sphere with a colour and a reflectivity.
type Sphere struct {
	Center  [3]int64 `json:"center"`
	Radius  int64    `json:"radius"`
	Color   [3]int64 `json:"color"`
	Reflect int64    `json:"reflect"`
}

// Plane is a horizontal checkered ground plane at height Y.
type Plane struct {
	Y       int64    `json:"y"`
	ColorA  [3]int64 `json:"color_a"`
	ColorB  [3]int64 `json:"color_b"`
	Size    int64    `json:"size"`
	Reflect int64    `json:"reflect"`
}

// Decode reads a scene strictly (unknown fields, trailing data and
// non-integer numbers refused) and checks its bounds.
func Decode(b []byte) (*Scene, error) {
	if len(b) > MaxSceneBytes {
		return nil, fmt.Errorf("%w: %d bytes, at most %d", ErrScene, len(b), MaxSceneBytes)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var s Scene
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrScene, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: trailing data after the scene", ErrScene)
	}
	if err := s.Check(); err != nil {
		return nil, err
	}
	return &s, nil
}

// Encode writes a scene as canonical JSON (the form Decode reads back).
func (s *Scene) Encode() []byte {
	b, err := json.Marshal(s)
	if err != nil {
		panic(fmt.Sprintf("render: encode scene: %v", err)) // only integers and arrays
	}
	return b
}

func inRange(v, lo, hi int64) bool { return v >= lo && v <= hi }

func checkPoint(what string, p [3]int64) error {
	for _, c := range p {
		if !inRange(c, -MaxCoord, MaxCoord) {
			return fmt.Errorf("%w: %s coordinate %d outside ±%d", ErrScene, what, c, MaxCoord)
		}
	}
	return nil
}

func checkColor(what string, c [3]int64) error {
	for _, v := range c {
		if !inRange(v, 0, 255) {
			return fmt.Errorf("%w: %s channel %d outside 0-255", ErrScene, what, v)
		}
	}
	return nil
}

func checkPerMille(what string, v int64) error {
	if !inRange(v, 0, MaxPerMille) {
		return fmt.Errorf("%w: %s %d outside 0-%d", ErrScene, what, v, MaxPerMille)
	}
	return nil
}

// Check checks a scene's bounds.
func (s *Scene) Check() error {
	if s.Width < 1 || s.Width > MaxSide || s.Height < 1 || s.Height > MaxSide {
		return fmt.Errorf("%w: size %dx%d outside 1-%d", ErrScene, s.Width, s.Height, MaxSide)
	}
	if err := checkPoint("camera", s.Camera.Pos); err != nil {
		return err
	}
	if !inRange(s.Camera.Focal, 100, 10_000) {
		return fmt.Errorf("%w: focal length %d outside 100-10000", ErrScene, s.Camera.Focal)
	}
	if err := checkPoint("light", s.Light.Pos); err != nil {
		return err
	}
	if !inRange(s.Light.Intensity, 0, 2*MaxPerMille) {
		return fmt.Errorf("%w: light intensity %d outside 0-%d", ErrScene, s.Light.Intensity, 2*MaxPerMille)
	}
	if err := checkPerMille("ambient", s.Ambient); err != nil {
		return err
	}
	if err := checkColor("background", s.Background); err != nil {
		return err
	}
	if len(s.Spheres) > MaxSpheres {
		return fmt.Errorf("%w: %d spheres, at most %d", ErrScene, len(s.Spheres), MaxSpheres)
	}
	for i, sp := range s.Spheres {
		if err := checkPoint(fmt.Sprintf("sphere %d", i), sp.Center); err != nil {
			return err
		}
		if !inRange(sp.Radius, 10, MaxRadius) {
			return fmt.Errorf("%w: sphere %d radius %d outside 10-%d", ErrScene, i, sp.Radius, MaxRadius)
		}
		if err := checkColor(fmt.Sprintf("sphere %d", i), sp.Color); err != nil {
			return err
		}
		if err := checkPerMille(fmt.Sprintf("sphere %d reflectivity", i), sp.Reflect); err != nil {
			return err
		}
	}
	if p := s.Plane; p != nil {
		if !inRange(p.Y, -MaxCoord, MaxCoord) {
			return fmt.Errorf("%w: plane height %d outside ±%d", ErrScene, p.Y, MaxCoord)
		}
		if err := checkColor("plane", p.ColorA); err != nil {
			return err
		}
		if err := checkColor("plane", p.ColorB); err != nil {
			return err
		}
		if !inRange(p.Size, 100, MaxCoord) {
			return fmt.Errorf("%w: checker size %d outside 100-%d", ErrScene, p.Size, MaxCoord)
		}
		if err := checkPerMille("plane reflectivity", p.Reflect); err != nil {
			return err
		}
	}
	if s.MaxDepth < 0 || s.MaxDepth > MaxDepth {
		return fmt.Errorf("%w: max_depth %d outside 0-%d", ErrScene, s.MaxDepth, MaxDepth)
	}
	if s.Samples < 1 || s.Samples > MaxSamples {
		return fmt.Errorf("%w: samples %d outside 1-%d", ErrScene, s.Samples, MaxSamples)
	}
	return nil
}
