package update

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"kirodesk/internal/store"
)

// Defaults of a Checker's Options.
const (
	// Interval is the least time between two automatic checks: once a day.
	Interval = 24 * time.Hour
	// Timeout bounds one check, connection and body included.
	Timeout = 20 * time.Second
	// MaxBody is the largest feed accepted; a real one is about 1 KB.
	MaxBody = 256 << 10
)

// Errors a check can end with, besides the transport's own and
// ErrMalformed; all of them are quiet in the window and logged once.
var (
	ErrTooLarge = errors.New("the release feed is larger than the limit")
	ErrContent  = errors.New("the release feed is not JSON")
	ErrStatus   = errors.New("the release feed could not be read")
	ErrVersion  = errors.New("this build has no release version to compare")
	// ErrNotLoopback: under `go test` the checker reads only from this
	// machine, whatever a test forgot to set.
	ErrNotLoopback = errors.New("tests may only read a release feed on this machine")
)

// Result is what one check, or the memory of the last one, says.
type Result struct {
	Running Version
	// Latest is the release the feed offers, nil when no feed was ever read.
	Latest *Release
	// Available: Latest is newer than Running and offered to it (Offered).
	Available bool
	// Dismissed is the version whose notice the person closed.
	Dismissed string
	CheckedAt time.Time
	// Err is why this check failed; Latest may still hold what an earlier
	// one read.
	Err error
}

// Options configure a Checker.
type Options struct {
	// Client reaches the feed (Kirodesk's outbound proxy and CAs); nil
	// means http.DefaultClient's transport.
	Client *http.Client
	// Running is this build's version (the VERSION file).
	Running string
	// State is update-check.json; required.
	State  *store.File[store.UpdateCheck]
	Logger *slog.Logger
	// Now is the clock of the once-a-day rule; nil means time.Now.
	Now      func() time.Time
	Timeout  time.Duration // Timeout if zero
	MaxBody  int64         // MaxBody if zero
	Interval time.Duration // Interval if zero
}

// Checker reads the release feed: on demand (Check) and at most once per
// Interval (CheckIfDue), the last attempt's time kept in update-check.json
// so that restarts do not ask again.
type Checker struct {
	opts    Options
	running Version
	client  *http.Client

	mu       sync.Mutex // one check at a time; guards logged
	logged   string     // the failure last logged, so a repeat is not
	attempts int        // feed requests sent, for tests
}

// New returns a Checker.
func New(opts Options) *Checker {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Timeout <= 0 {
		opts.Timeout = Timeout
	}
	if opts.MaxBody <= 0 {
		opts.MaxBody = MaxBody
	}
	if opts.Interval <= 0 {
		opts.Interval = Interval
	}
	base := opts.Client
	if base == nil {
		base = http.DefaultClient
	}
	client := *base
	// A redirect must satisfy the feed URL's own rule: no step down to
	// plain http on the way (release hosts redirect to a CDN).
	client.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) >= 5 {
			return errors.New("too many redirects")
		}
		return allowed("redirect", req.URL.String())
	}
	running, _ := ParseVersion(opts.Running) // a "dev" build: Check says ErrVersion
	return &Checker{opts: opts, running: running, client: &client}
}

// allowed checks a URL the checker is about to read.
func allowed(field, s string) error {
	u, err := store.ParseWebURL(field, s)
	if err != nil {
		return err
	}
	if testing.Testing() && !store.IsLoopback(u.Hostname()) {
		return fmt.Errorf("%w: %s", ErrNotLoopback, s)
	}
	return nil
}

// Known is what the last successful read said, without asking anyone.
func (c *Checker) Known(feedURL string) Result {
	return c.result(c.opts.State.Snapshot(), feedURL, nil)
}

// Due reports whether the automatic check should ask now.
func (c *Checker) Due() bool {
	last := c.opts.State.Snapshot().CheckedAt
	return last.IsZero() || !c.opts.Now().Before(last.Add(c.opts.Interval))
}

// CheckIfDue asks the feed when the last attempt is Interval old or more,
// and otherwise returns what is known; asked says which.
func (c *Checker) CheckIfDue(ctx context.Context, feedURL string) (r Result, asked bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.Due() {
		return c.Known(feedURL), false
	}
	return c.check(ctx, feedURL), true
}

// Check asks the feed now (the person's "Check for updates").
func (c *Checker) Check(ctx context.Context, feedURL string) Result {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.check(ctx, feedURL)
}

// Dismiss remembers that the person closed the notice of version v.
func (c *Checker) Dismiss(ctx context.Context, v string) error {
	if _, err := ParseVersion(v); err != nil {
		return err
	}
	return c.opts.State.Update(ctx, func(s *store.UpdateCheck) error { s.Dismissed = v; return nil })
}

// Attempts is how many feed requests were sent (tests).
func (c *Checker) Attempts() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.attempts
}

func (c *Checker) check(ctx context.Context, feedURL string) Result {
	now := c.opts.Now()
	if c.running.IsZero() {
		// Nothing to compare with (a development build): not an attempt.
		return c.failed(c.opts.State.Snapshot(), feedURL, fmt.Errorf("%w (%q)", ErrVersion, c.opts.Running))
	}
	if err := allowed("updates.feedURL", feedURL); err != nil {
		// Refused before any contact: not an attempt either.
		return c.failed(c.opts.State.Snapshot(), feedURL, err)
	}
	prev := c.opts.State.Snapshot()
	got, err := c.fetch(ctx, feedURL, prev)
	saveErr := c.opts.State.Update(context.WithoutCancel(ctx), func(s *store.UpdateCheck) error {
		s.CheckedAt = now
		if got != nil && !got.notModified {
			s.FeedURL, s.Feed, s.ETag, s.LastModified = feedURL, got.body, got.etag, got.lastModified
		}
		return nil
	})
	if saveErr != nil {
		c.opts.Logger.Warn("update check: could not remember the check", "err", saveErr)
	}
	st := c.opts.State.Snapshot()
	if err != nil {
		return c.failed(st, feedURL, err)
	}
	r := c.result(st, feedURL, nil)
	if r.Latest == nil { // a 304 for a feed this file no longer holds
		return c.failed(st, feedURL, fmt.Errorf("%w: not modified, but nothing kept", ErrStatus))
	}
	if c.logged != "" {
		c.opts.Logger.Info("update check: the release feed can be read again")
		c.logged = ""
	}
	c.opts.Logger.Debug("update check", "running", r.Running.String(), "latest", r.Latest.Version.String(), "available", r.Available)
	return r
}

// failed logs err once: a failure like the previous one is not logged
// again until a check succeeds.
func (c *Checker) failed(st *store.UpdateCheck, feedURL string, err error) Result {
	if msg := err.Error(); msg != c.logged {
		c.opts.Logger.Warn("update check failed; Kirodesk will try again tomorrow", "feed", feedURL, "err", err)
		c.logged = msg
	}
	return c.result(st, feedURL, err)
}

// result builds a Result from the kept state. A kept feed from another
// URL (the setting changed) counts as none.
func (c *Checker) result(st *store.UpdateCheck, feedURL string, err error) Result {
	r := Result{Running: c.running, Dismissed: st.Dismissed, CheckedAt: st.CheckedAt, Err: err}
	if len(st.Feed) == 0 || st.FeedURL != feedURL {
		return r
	}
	base, perr := url.Parse(feedURL)
	if perr != nil {
		return r
	}
	rel, perr := ParseFeed(st.Feed, base)
	if perr != nil {
		return r
	}
	r.Latest = &rel
	r.Available = !c.running.IsZero() && Offered(c.running, rel.Version)
	return r
}

// fetched is one answer of the feed's server.
type fetched struct {
	body               []byte
	etag, lastModified string
	notModified        bool
}

func (c *Checker) fetch(ctx context.Context, feedURL string, prev *store.UpdateCheck) (*fetched, error) {
	ctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, feedURL, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "Kirodesk/"+c.running.String())
	if prev.FeedURL == feedURL && len(prev.Feed) > 0 {
		if prev.ETag != "" {
			req.Header.Set("If-None-Match", prev.ETag)
		}
		if prev.LastModified != "" {
			req.Header.Set("If-Modified-Since", prev.LastModified)
		}
	}
	c.attempts++
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotModified:
		return &fetched{notModified: true}, nil
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("%w: %s answered %s", ErrStatus, feedURL, resp.Status)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		// Release hosts serve assets as octet-stream; a captive portal
		// or an error page comes as HTML.
		if err != nil || !(mt == "application/json" || strings.HasSuffix(mt, "+json") ||
			mt == "application/octet-stream" || mt == "text/plain") {
			return nil, fmt.Errorf("%w: it came as %q", ErrContent, ct)
		}
	}
	if resp.ContentLength > c.opts.MaxBody {
		return nil, fmt.Errorf("%w (%d bytes, at most %d)", ErrTooLarge, resp.ContentLength, c.opts.MaxBody)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, c.opts.MaxBody+1))
	if err != nil {
		return nil, err
	}
	if int64(len(body)) > c.opts.MaxBody {
		return nil, fmt.Errorf("%w (more than %d bytes)", ErrTooLarge, c.opts.MaxBody)
	}
	base, _ := url.Parse(feedURL)
	if _, err := ParseFeed(body, base); err != nil {
		return nil, err
	}
	return &fetched{body: body, etag: resp.Header.Get("ETag"), lastModified: resp.Header.Get("Last-Modified")}, nil
}

// Run checks whenever the automatic check is due, looking first after
// delay (start-up has better things to do) and then every tick, until ctx
// ends. settings says whether the check is on and where the feed is (read
// each time: a change applies without a restart); found is called with
// each check's result.
func (c *Checker) Run(ctx context.Context, delay, tick time.Duration, settings func() (on bool, feedURL string), found func(Result)) {
	select {
	case <-ctx.Done():
		return
	case <-time.After(delay):
	}
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		if on, feedURL := settings(); on {
			if r, asked := c.CheckIfDue(ctx, feedURL); asked && ctx.Err() == nil {
				found(r)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
