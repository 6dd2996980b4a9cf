package main

import (
	"bytes"
	"embed"
	"encoding/binary"
	"fmt"
	"image/png"
)

//go:generate go run mkicons.go

//go:embed icons/*.png
var iconFS embed.FS

// iconBytes returns the icon called name in the format systray wants on
// goos: Windows loads icons with LoadImage(IMAGE_ICON) and needs an ICO;
// Linux (appindicator) and macOS take the PNG.
func iconBytes(goos, name string) ([]byte, error) {
	p, err := iconFS.ReadFile("icons/" + name + ".png")
	if err != nil {
		return nil, err
	}
	if goos == "windows" {
		return icoFromPNG(p)
	}
	return p, nil
}

// icoFromPNG wraps a PNG in a one-image ICO file. Since Windows Vista an ICO
// entry may hold a PNG stream as is, so no BMP conversion is needed: a
// 6-byte ICONDIR, one 16-byte ICONDIRENTRY, then the PNG.
func icoFromPNG(p []byte) ([]byte, error) {
	cfg, err := png.DecodeConfig(bytes.NewReader(p))
	if err != nil {
		return nil, fmt.Errorf("icon: %w", err)
	}
	if cfg.Width < 1 || cfg.Width > 256 || cfg.Height < 1 || cfg.Height > 256 {
		return nil, fmt.Errorf("icon: %dx%d does not fit an ICO entry (at most 256x256)", cfg.Width, cfg.Height)
	}
	dim := func(n int) byte { return byte(n % 256) } // 0 means 256
	const headerLen = 6 + 16
	ico := make([]byte, headerLen, headerLen+len(p))
	le := binary.LittleEndian
	le.PutUint16(ico[0:], 0) // reserved
	le.PutUint16(ico[2:], 1) // type: icon
	le.PutUint16(ico[4:], 1) // one image
	ico[6] = dim(cfg.Width)
	ico[7] = dim(cfg.Height)
	ico[8] = 0                 // palette size: none
	ico[9] = 0                 // reserved
	le.PutUint16(ico[10:], 1)  // colour planes
	le.PutUint16(ico[12:], 32) // bits per pixel
	le.PutUint32(ico[14:], uint32(len(p)))
	le.PutUint32(ico[18:], headerLen) // image offset
	return append(ico, p...), nil
}
