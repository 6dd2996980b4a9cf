package kiro

import "context"

// CheckUsage calls getUsageLimits and reports only whether Kiro answered
// it and its answer could be read: the connection test of diagnostics.
func (c *Client) CheckUsage(ctx context.Context, cr Credentials, machineID string) error {
	_, err := c.UsageLimits(ctx, cr, machineID)
	return err
}
