package locale

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// On Linux System is the environment's rule on the real environment.
func TestSystemReadsTheEnvironment(t *testing.T) {
	t.Setenv("LC_ALL", "")
	t.Setenv("LC_MESSAGES", "zh_CN.UTF-8")
	t.Setenv("LANG", "en_US.UTF-8")
	assert.Equal(t, []string{"zh_CN.UTF-8"}, System())
	assert.Equal(t, Chinese, Effective(PreferSystem, System()))
	t.Setenv("LC_MESSAGES", "")
	assert.Equal(t, English, Effective(PreferSystem, System()))
}
