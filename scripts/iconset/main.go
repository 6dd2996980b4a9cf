// Command iconset turns the application icon (build/appicon.png, 512x512)
// into what the packages need: PNGs at the usual hicolor sizes for Linux
// (DIR/hicolor/NxN/apps/kirodesk.png) and a multi-size kirodesk.ico for the
// Windows installer and its Start-menu shortcut.
//
// Usage: go run ./scripts/iconset -src build/appicon.png -out DIR
//
// The scaling is a plain area average (every source pixel weighted by how
// much of it a target pixel covers, in premultiplied alpha): downscaling
// only, which is all an icon set needs, with no dependency for it.
package main

import (
	"bytes"
	"encoding/binary"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"log"
	"math"
	"os"
	"path/filepath"
)

// LinuxSizes are the hicolor sizes desktops look up (menus 16-48, docks and
// launchers up to 256, HiDPI 512).
var LinuxSizes = []int{16, 22, 24, 32, 48, 64, 128, 256, 512}

// ICOSizes are the entries of the .ico: Explorer and the Start menu pick
// among 16, 32, 48 and 256.
var ICOSizes = []int{16, 32, 48, 256}

func main() {
	src := flag.String("src", "build/appicon.png", "square source PNG")
	out := flag.String("out", "", "output folder")
	flag.Parse()
	if *out == "" {
		log.Fatal("iconset: -out is required")
	}
	if err := run(*src, *out); err != nil {
		log.Fatal("iconset: ", err)
	}
}

func run(srcPath, out string) error {
	f, err := os.Open(srcPath)
	if err != nil {
		return err
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		return fmt.Errorf("%s: %w", srcPath, err)
	}
	src := premultiplied(img)
	if b := src.Bounds(); b.Dx() != b.Dy() {
		return fmt.Errorf("%s is %dx%d; the icon must be square", srcPath, b.Dx(), b.Dy())
	}
	for _, n := range LinuxSizes {
		data, err := encode(Scale(src, n))
		if err != nil {
			return err
		}
		dir := filepath.Join(out, "hicolor", fmt.Sprintf("%dx%d", n, n), "apps")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, "kirodesk.png"), data, 0o644); err != nil {
			return err
		}
	}
	var pngs [][]byte
	for _, n := range ICOSizes {
		data, err := encode(Scale(src, n))
		if err != nil {
			return err
		}
		pngs = append(pngs, data)
	}
	ico, err := ICO(pngs)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(out, "kirodesk.ico"), ico, 0o644)
}

func encode(img image.Image) ([]byte, error) {
	var buf bytes.Buffer
	err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&buf, img)
	return buf.Bytes(), err
}

// Scale returns src reduced to n x n by area averaging.
func Scale(src image.Image, n int) *image.NRGBA {
	pm := premultiplied(src)
	b := pm.Bounds()
	sw, sh := float64(b.Dx()), float64(b.Dy())
	fx, fy := sw/float64(n), sh/float64(n)
	dst := image.NewNRGBA(image.Rect(0, 0, n, n))
	for ty := 0; ty < n; ty++ {
		y0, y1 := float64(ty)*fy, float64(ty+1)*fy
		for tx := 0; tx < n; tx++ {
			x0, x1 := float64(tx)*fx, float64(tx+1)*fx
			var r, g, bl, a, area float64
			for sy := int(y0); float64(sy) < y1 && sy < b.Dy(); sy++ {
				wy := math.Min(y1, float64(sy+1)) - math.Max(y0, float64(sy))
				for sx := int(x0); float64(sx) < x1 && sx < b.Dx(); sx++ {
					w := wy * (math.Min(x1, float64(sx+1)) - math.Max(x0, float64(sx)))
					c := pm.RGBA64At(sx, sy)
					r += w * float64(c.R)
					g += w * float64(c.G)
					bl += w * float64(c.B)
					a += w * float64(c.A)
					area += w
				}
			}
			if a == 0 {
				continue
			}
			// Unpremultiply: colour/alpha, scaled to 8 bits.
			dst.SetNRGBA(tx, ty, color.NRGBA{
				R: uint8(math.Round(255 * r / a)), G: uint8(math.Round(255 * g / a)), B: uint8(math.Round(255 * bl / a)),
				A: uint8(math.Round(255 * a / area / 0xffff)),
			})
		}
	}
	return dst
}

// premultiplied returns src as 16-bit premultiplied RGBA at the origin, so
// that transparent pixels add no colour to an average; src itself when it
// already is one (run converts once for all sizes).
func premultiplied(src image.Image) *image.RGBA64 {
	if pm, ok := src.(*image.RGBA64); ok && pm.Bounds().Min == (image.Point{}) {
		return pm
	}
	b := src.Bounds()
	pm := image.NewRGBA64(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(pm, pm.Bounds(), src, b.Min, draw.Src)
	return pm
}

// ICO packs PNG images into one .ico file. Since Windows Vista an ICO entry
// may be a PNG stream as is: a 6-byte header, a 16-byte entry per image,
// then the images.
func ICO(pngs [][]byte) ([]byte, error) {
	le := binary.LittleEndian
	head := make([]byte, 6+16*len(pngs))
	le.PutUint16(head[2:], 1) // type: icon
	le.PutUint16(head[4:], uint16(len(pngs)))
	offset := len(head)
	var body []byte
	for i, p := range pngs {
		cfg, err := png.DecodeConfig(bytes.NewReader(p))
		if err != nil {
			return nil, err
		}
		if cfg.Width < 1 || cfg.Width > 256 || cfg.Height != cfg.Width {
			return nil, fmt.Errorf("ico: a %dx%d image does not fit an entry (square, at most 256)", cfg.Width, cfg.Height)
		}
		e := head[6+16*i:]
		e[0], e[1] = byte(cfg.Width%256), byte(cfg.Height%256) // 0 means 256
		le.PutUint16(e[4:], 1)                                 // colour planes
		le.PutUint16(e[6:], 32)                                // bits per pixel
		le.PutUint32(e[8:], uint32(len(p)))
		le.PutUint32(e[12:], uint32(offset))
		offset += len(p)
		body = append(body, p...)
	}
	return append(head, body...), nil
}
