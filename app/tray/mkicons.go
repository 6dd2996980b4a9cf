//go:build ignore

// mkicons draws the tray icons into icons/*.png. Run it with `go generate`
// in app/tray after changing a shape or colour, and commit the PNGs: the
// build embeds the files and never draws.
//
// Each state differs by shape as well as colour, so it reads in a
// monochrome panel and for colour-blind people: on is a filled disc, off a
// hollow ring, error a disc with an exclamation mark, login an amber disc
// with a keyhole.
package main

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"log"
	"math"
	"os"
	"path/filepath"
)

const (
	size = 64 // px; panels scale it down to 16-32
	ss   = 4  // supersampling per axis, for smooth edges
)

type shape func(x, y float64) (inside bool, c color.NRGBA)

var (
	green  = color.NRGBA{0x2e, 0x9e, 0x4f, 0xff}
	grey   = color.NRGBA{0x8a, 0x8f, 0x98, 0xff}
	red    = color.NRGBA{0xd3, 0x2f, 0x2f, 0xff}
	amber  = color.NRGBA{0xc7, 0x8a, 0x00, 0xff}
	white  = color.NRGBA{0xff, 0xff, 0xff, 0xff}
	center = float64(size) / 2
)

func dist(x, y, cx, cy float64) float64 { return math.Hypot(x-cx, y-cy) }

// capsule is a vertical bar with round ends from y0 to y1 at x = cx.
func capsule(x, y, cx, y0, y1, r float64) bool {
	cyc := math.Max(y0, math.Min(y1, y))
	return dist(x, y, cx, cyc) <= r
}

var icons = map[string]shape{
	"on": func(x, y float64) (bool, color.NRGBA) {
		return dist(x, y, center, center) <= 28, green
	},
	"off": func(x, y float64) (bool, color.NRGBA) {
		d := dist(x, y, center, center)
		return d <= 28 && d >= 19, grey
	},
	"error": func(x, y float64) (bool, color.NRGBA) {
		if dist(x, y, center, center) > 28 {
			return false, color.NRGBA{}
		}
		if capsule(x, y, center, 15, 36, 4.5) || dist(x, y, center, 47) <= 4.5 {
			return true, white
		}
		return true, red
	},
	// login: on, but an account must sign in again; an amber disc with a
	// keyhole.
	"login": func(x, y float64) (bool, color.NRGBA) {
		if dist(x, y, center, center) > 28 {
			return false, color.NRGBA{}
		}
		if dist(x, y, center, 25) <= 8 || capsule(x, y, center, 25, 45, 4) {
			return true, white
		}
		return true, amber
	},
}

func draw(s shape) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	for py := 0; py < size; py++ {
		for px := 0; px < size; px++ {
			var r, g, b, a float64
			for sy := 0; sy < ss; sy++ {
				for sx := 0; sx < ss; sx++ {
					x := float64(px) + (float64(sx)+0.5)/ss
					y := float64(py) + (float64(sy)+0.5)/ss
					if in, c := s(x, y); in {
						r += float64(c.R)
						g += float64(c.G)
						b += float64(c.B)
						a++
					}
				}
			}
			if a == 0 {
				continue
			}
			img.SetNRGBA(px, py, color.NRGBA{
				R: uint8(r / a), G: uint8(g / a), B: uint8(b / a),
				A: uint8(math.Round(255 * a / (ss * ss))),
			})
		}
	}
	return img
}

func main() {
	for name, s := range icons {
		var buf bytes.Buffer
		enc := png.Encoder{CompressionLevel: png.BestCompression}
		if err := enc.Encode(&buf, draw(s)); err != nil {
			log.Fatal(err)
		}
		path := filepath.Join("icons", name+".png")
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			log.Fatal(err)
		}
		log.Printf("wrote %s (%d bytes)", path, buf.Len())
	}
}
