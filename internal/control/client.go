package control

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"

	"kirodesk/internal/login"
	"kirodesk/internal/store"
)

// Client calls the running instance through its control socket.
type Client struct {
	hc   *http.Client
	path string
}

var _ API = (*Client)(nil)
var _ API = (*Local)(nil)

// Dial connects to the control socket of dir and checks that an instance
// answers on it.
func Dial(ctx context.Context, dir string) (*Client, error) {
	path := SocketPath(dir)
	tr := &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", path)
		},
		MaxIdleConns: 2,
	}
	c := &Client{hc: &http.Client{Transport: tr}, path: path}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	var pong struct{ PID int }
	if err := c.call(ctx, http.MethodGet, "/v1/ping", nil, &pong); err != nil {
		return nil, fmt.Errorf("the running Kirodesk does not answer on %s (%w): quit it and try again", path, err)
	}
	return c, nil
}

// Close releases idle connections.
func (c *Client) Close() { c.hc.CloseIdleConnections() }

func (c *Client) call(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://kirodesk"+path, body)
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("%w: %w", login.ErrCanceled, context.Cause(ctx))
		}
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		var e errorBody
		if json.Unmarshal(b, &e) != nil || e.Error == "" {
			return fmt.Errorf("the running Kirodesk answered %s", resp.Status)
		}
		for _, k := range codes {
			if k.code == e.Code {
				return &remoteError{msg: e.Error, is: k.err}
			}
		}
		return errors.New(e.Error)
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(b, out)
}

// remoteError is the instance's message, still matching its sentinel.
type remoteError struct {
	msg string
	is  error
}

func (e *remoteError) Error() string { return e.msg }
func (e *remoteError) Unwrap() error { return e.is }

func (c *Client) Accounts(ctx context.Context) ([]store.Account, error) {
	var out []store.Account
	return out, c.call(ctx, http.MethodGet, "/v1/accounts", nil, &out)
}

func (c *Client) Remove(ctx context.Context, id string) error {
	return c.call(ctx, http.MethodPost, "/v1/accounts/"+url.PathEscape(id)+"/remove", struct{}{}, nil)
}

func (c *Client) SetDisabled(ctx context.Context, id string, disabled bool) (store.Account, error) {
	op := "enable"
	if disabled {
		op = "disable"
	}
	var out store.Account
	return out, c.call(ctx, http.MethodPost, "/v1/accounts/"+url.PathEscape(id)+"/"+op, struct{}{}, &out)
}

func (c *Client) Rename(ctx context.Context, id, label string) (store.Account, error) {
	var out store.Account
	return out, c.call(ctx, http.MethodPost, "/v1/accounts/"+url.PathEscape(id)+"/rename", map[string]string{"label": label}, &out)
}

func (c *Client) Reset(ctx context.Context, id string) (store.Account, error) {
	var out store.Account
	return out, c.call(ctx, http.MethodPost, "/v1/accounts/"+url.PathEscape(id)+"/reset", struct{}{}, &out)
}

func (c *Client) RefreshQuota(ctx context.Context, id string) (store.Account, error) {
	var out store.Account
	return out, c.call(ctx, http.MethodPost, "/v1/accounts/"+url.PathEscape(id)+"/quota", struct{}{}, &out)
}

func (c *Client) StartDevice(ctx context.Context, o login.DeviceOptions) (Flow, error) {
	var out Flow
	return out, c.call(ctx, http.MethodPost, "/v1/login/device", o, &out)
}

func (c *Client) StartSocial(ctx context.Context, o login.SocialOptions) (Flow, error) {
	var out Flow
	return out, c.call(ctx, http.MethodPost, "/v1/login/social", o, &out)
}

func (c *Client) WaitFlow(ctx context.Context, id string) (store.Account, error) {
	var out store.Account
	return out, c.call(ctx, http.MethodPost, "/v1/flows/"+url.PathEscape(id)+"/wait", struct{}{}, &out)
}

func (c *Client) CompleteSocial(ctx context.Context, id, redirectURL string) (store.Account, error) {
	var out store.Account
	return out, c.call(ctx, http.MethodPost, "/v1/flows/"+url.PathEscape(id)+"/complete", map[string]string{"url": redirectURL}, &out)
}

func (c *Client) CancelFlow(ctx context.Context, id string) error {
	return c.call(ctx, http.MethodPost, "/v1/flows/"+url.PathEscape(id)+"/cancel", struct{}{}, nil)
}

func (c *Client) ImportKiroIDE(ctx context.Context, path, label string) (store.Account, error) {
	var out store.Account
	return out, c.call(ctx, http.MethodPost, "/v1/import/kiro-ide", map[string]string{"path": path, "label": label}, &out)
}

func (c *Client) ImportAIClient(ctx context.Context, dir string) (login.ImportReport, error) {
	var out login.ImportReport
	return out, c.call(ctx, http.MethodPost, "/v1/import/aiclient", map[string]string{"dir": dir}, &out)
}

func (c *Client) DeletePlaintext(ctx context.Context, r login.ImportReport) ([]string, error) {
	var out []string
	return out, c.call(ctx, http.MethodPost, "/v1/import/aiclient/delete", r, &out)
}

func (c *Client) AddToken(ctx context.Context, input, label string) (store.Account, error) {
	var out store.Account
	return out, c.call(ctx, http.MethodPost, "/v1/add-token", map[string]string{"input": input, "label": label}, &out)
}
