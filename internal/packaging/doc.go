// Package packaging holds the test of the built packages (package_test.go,
// build tag "packaging"): it installs the .deb on the machine, so it runs
// only through `make test-package`, as root, in CI. There is no code here.
package packaging
