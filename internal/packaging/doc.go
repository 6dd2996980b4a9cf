// Package packaging holds tests, no code: of the package templates
// (darwin_test.go, run by go test ./...), and of the built packages
// (package_test.go, build tag "packaging"), which installs the .deb on the
// machine and so runs only through `make test-package`, as root, in CI.
package packaging
