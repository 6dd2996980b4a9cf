//go:build linux

package desktoptest

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"log"
	"math/bits"
	"os"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
)

// xscreen reads the test's X display through the X protocol itself, so the
// test needs no screenshot program (a fresh machine has none): the root
// window's pixels, and the top-level windows' titles and places.
type xscreen struct {
	conn   *xgb.Conn
	setup  *xproto.SetupInfo
	screen *xproto.ScreenInfo
}

func openXScreen() (*xscreen, error) {
	// xgb logs that Xvfb has no ~/.Xauthority before it connects without.
	xgb.Logger = log.New(io.Discard, "", 0)
	conn, err := xgb.NewConn() // $DISPLAY
	if err != nil {
		return nil, err
	}
	setup := xproto.Setup(conn)
	return &xscreen{conn: conn, setup: setup, screen: setup.DefaultScreen(conn)}, nil
}

func (x *xscreen) Close() { x.conn.Close() }

// xwindow is a viewable window and its rectangle in root coordinates.
type xwindow struct {
	ID    xproto.Window
	Title string
	Rect  image.Rectangle
}

// windows lists every viewable window under the root that has a title
// (_NET_WM_NAME, else WM_NAME), depth first. Xvfb runs no window manager,
// so an app's top-level window is a child of the root itself.
func (x *xscreen) windows() ([]xwindow, error) {
	netName, err := x.atom("_NET_WM_NAME")
	if err != nil {
		return nil, err
	}
	var out []xwindow
	var walk func(w xproto.Window) error
	walk = func(w xproto.Window) error {
		tree, err := xproto.QueryTree(x.conn, w).Reply()
		if err != nil {
			return err
		}
		for _, c := range tree.Children {
			attrs, err := xproto.GetWindowAttributes(x.conn, c).Reply()
			if err != nil || attrs.MapState != xproto.MapStateViewable {
				continue // gone meanwhile, or not shown
			}
			title := x.text(c, netName)
			if title == "" {
				title = x.text(c, xproto.AtomWmName)
			}
			if title != "" {
				geo, err := xproto.GetGeometry(x.conn, xproto.Drawable(c)).Reply()
				if err != nil {
					continue
				}
				at, err := xproto.TranslateCoordinates(x.conn, c, x.screen.Root, 0, 0).Reply()
				if err != nil {
					continue
				}
				min := image.Pt(int(at.DstX), int(at.DstY))
				out = append(out, xwindow{ID: c, Title: title, Rect: image.Rectangle{Min: min, Max: min.Add(image.Pt(int(geo.Width), int(geo.Height)))}})
			}
			if err := walk(c); err != nil {
				continue
			}
		}
		return nil
	}
	return out, walk(x.screen.Root)
}

func (x *xscreen) atom(name string) (xproto.Atom, error) {
	r, err := xproto.InternAtom(x.conn, true, uint16(len(name)), name).Reply()
	if err != nil {
		return 0, err
	}
	return r.Atom, nil
}

// text reads a string property (STRING or UTF8_STRING alike); "" if unset.
func (x *xscreen) text(w xproto.Window, prop xproto.Atom) string {
	if prop == 0 {
		return ""
	}
	r, err := xproto.GetProperty(x.conn, false, w, prop, xproto.GetPropertyTypeAny, 0, 256).Reply()
	if err != nil || r.Format != 8 {
		return ""
	}
	return string(r.Value)
}

// capture reads the root window's pixels (what the screen shows, as no
// compositor runs under Xvfb) as RGBA.
func (x *xscreen) capture() (*image.RGBA, error) {
	s := x.screen
	reply, err := xproto.GetImage(x.conn, xproto.ImageFormatZPixmap, xproto.Drawable(s.Root),
		0, 0, s.WidthInPixels, s.HeightInPixels, ^uint32(0)).Reply()
	if err != nil {
		return nil, err
	}
	var bpp int
	for _, f := range x.setup.PixmapFormats {
		if f.Depth == reply.Depth {
			bpp = int(f.BitsPerPixel)
		}
	}
	if bpp != 24 && bpp != 32 {
		return nil, fmt.Errorf("depth %d at %d bits per pixel: only true colour at 24 or 32 is read", reply.Depth, bpp)
	}
	var vis *xproto.VisualInfo
	for _, d := range s.AllowedDepths {
		for i, v := range d.Visuals {
			if v.VisualId == reply.Visual {
				vis = &d.Visuals[i]
			}
		}
	}
	if vis == nil || vis.Class != xproto.VisualClassTrueColor {
		return nil, errors.New("the root window's visual is not true colour")
	}
	w, h := int(s.WidthInPixels), int(s.HeightInPixels)
	bytesPP := bpp / 8
	// Each scanline is padded to the format's scanline pad (32 bits here).
	stride := (w*bpp + 31) / 32 * 4
	if len(reply.Data) < stride*h {
		return nil, fmt.Errorf("%d bytes of image for %dx%d", len(reply.Data), w, h)
	}
	msb := x.setup.ImageByteOrder == xproto.ImageOrderMSBFirst
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for px := 0; px < w; px++ {
			p := reply.Data[y*stride+px*bytesPP:][:bytesPP]
			var v uint32
			for i := range p {
				if msb {
					v = v<<8 | uint32(p[i])
				} else {
					v |= uint32(p[i]) << (8 * i)
				}
			}
			img.SetRGBA(px, y, color.RGBA{channel(v, vis.RedMask), channel(v, vis.GreenMask), channel(v, vis.BlueMask), 0xff})
		}
	}
	return img, nil
}

// channel scales the bits of v under mask to 0..255.
func channel(v, mask uint32) uint8 {
	if mask == 0 {
		return 0
	}
	c := (v & mask) >> bits.TrailingZeros32(mask)
	n := bits.OnesCount32(mask)
	if n >= 8 {
		return uint8(c >> (n - 8))
	}
	return uint8(c << (8 - n))
}

func savePNG(path string, img image.Image) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
