package main

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/png"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestIconsEmbedded(t *testing.T) {
	for _, name := range []string{iconOn, iconOff, iconError, iconLogin} {
		p, err := iconBytes("linux", name)
		require.NoError(t, err, name)
		img, err := png.Decode(bytes.NewReader(p))
		require.NoError(t, err, name)
		assert.Equal(t, 64, img.Bounds().Dx(), name)
		_, _, _, a := img.At(0, 0).RGBA()
		assert.Zero(t, a, "%s: corners are transparent", name)
	}
	_, err := iconBytes("linux", "nope")
	assert.Error(t, err)
}

func TestIconICO(t *testing.T) {
	p, err := iconBytes("linux", iconOn)
	require.NoError(t, err)
	ico, err := iconBytes("windows", iconOn)
	require.NoError(t, err)

	le := binary.LittleEndian
	require.Len(t, ico, 22+len(p))
	assert.Equal(t, []uint16{0, 1, 1}, []uint16{le.Uint16(ico[0:]), le.Uint16(ico[2:]), le.Uint16(ico[4:])}, "ICONDIR")
	assert.Equal(t, byte(64), ico[6], "width")
	assert.Equal(t, byte(64), ico[7], "height")
	assert.Equal(t, uint16(1), le.Uint16(ico[10:]), "planes")
	assert.Equal(t, uint16(32), le.Uint16(ico[12:]), "bit count")
	assert.Equal(t, uint32(len(p)), le.Uint32(ico[14:]), "size")
	assert.Equal(t, uint32(22), le.Uint32(ico[18:]), "offset")
	assert.Equal(t, p, ico[22:], "the PNG follows as is")
}

func TestIconICOSizes(t *testing.T) {
	enc := func(w, h int) []byte {
		var buf bytes.Buffer
		require.NoError(t, png.Encode(&buf, image.NewNRGBA(image.Rect(0, 0, w, h))))
		return buf.Bytes()
	}
	ico, err := icoFromPNG(enc(256, 256))
	require.NoError(t, err)
	assert.Equal(t, []byte{0, 0}, ico[6:8], "256 is written as 0")

	_, err = icoFromPNG(enc(257, 16))
	assert.Error(t, err)
	_, err = icoFromPNG([]byte("not a png"))
	assert.Error(t, err)
}
