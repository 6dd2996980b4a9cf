package control

import (
	"net"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSamePeer(t *testing.T) {
	for _, tc := range []struct {
		network, address string
		same             bool
		why              string
	}{
		{"unix", filepath.Join(t.TempDir(), "s"), true, "this user's own connection"},
		{"tcp", "127.0.0.1:0", false, "no peer credentials, no entry"},
	} {
		t.Run(tc.network, func(t *testing.T) {
			ln, err := net.Listen(tc.network, tc.address)
			require.NoError(t, err)
			defer ln.Close()
			go func() {
				c, err := net.Dial(tc.network, ln.Addr().String())
				if err == nil {
					defer c.Close()
					_, _ = c.Read(make([]byte, 1))
				}
			}()
			c, err := ln.Accept()
			require.NoError(t, err)
			defer c.Close()
			assert.Equal(t, tc.same, samePeer(c), tc.why)
		})
	}
}
