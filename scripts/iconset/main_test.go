package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestScaleAveragesAreasInPremultipliedAlpha(t *testing.T) {
	// 4x4: left half opaque red, right half fully transparent "green" that
	// must not tint anything.
	src := image.NewNRGBA(image.Rect(0, 0, 4, 4))
	for y := 0; y < 4; y++ {
		for x := 0; x < 4; x++ {
			if x < 2 {
				src.SetNRGBA(x, y, color.NRGBA{255, 0, 0, 255})
			} else {
				src.SetNRGBA(x, y, color.NRGBA{0, 255, 0, 0})
			}
		}
	}
	one := Scale(src, 1)
	assert.Equal(t, color.NRGBA{255, 0, 0, 128}, one.NRGBAAt(0, 0), "half covered, pure red")
	two := Scale(src, 2)
	assert.Equal(t, color.NRGBA{255, 0, 0, 255}, two.NRGBAAt(0, 1))
	assert.Equal(t, uint8(0), two.NRGBAAt(1, 0).A)
	// A size that does not divide the source: 3 px from 4 px, every pixel
	// still sees red in the left third.
	three := Scale(src, 3)
	assert.Equal(t, uint8(255), three.NRGBAAt(0, 2).A)
	assert.InDelta(t, 128, int(three.NRGBAAt(1, 1).A), 1, "the middle column is half red")
}

func TestRunWritesEveryLinuxSizeAndAnICO(t *testing.T) {
	out := t.TempDir()
	require.NoError(t, run("../../build/appicon.png", out))
	for _, n := range LinuxSizes {
		path := filepath.Join(out, "hicolor", fmt.Sprintf("%dx%d", n, n), "apps", "kirodesk.png")
		f, err := os.Open(path)
		require.NoError(t, err)
		cfg, err := png.DecodeConfig(f)
		f.Close()
		require.NoError(t, err)
		assert.Equal(t, [2]int{n, n}, [2]int{cfg.Width, cfg.Height}, path)
	}
	ico, err := os.ReadFile(filepath.Join(out, "kirodesk.ico"))
	require.NoError(t, err)
	le := binary.LittleEndian
	require.Equal(t, uint16(1), le.Uint16(ico[2:]))
	require.Equal(t, uint16(len(ICOSizes)), le.Uint16(ico[4:]))
	for i, n := range ICOSizes {
		e := ico[6+16*i:]
		assert.Equal(t, byte(n%256), e[0])
		size, off := le.Uint32(e[8:]), le.Uint32(e[12:])
		cfg, err := png.DecodeConfig(bytes.NewReader(ico[off : off+size]))
		require.NoError(t, err, "entry %d is a whole PNG", i)
		assert.Equal(t, n, cfg.Width)
	}
}
