package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"kirodesk/internal/kiro/endpoint"
	"kirodesk/internal/uitext"
)

// PoolVersion is the pool.json schema version this build writes.
const PoolVersion = 1

// Pool is pool.json: the accounts' metadata and counters. Their tokens are
// in the keychain under the account's ID.
type Pool struct {
	Version  int       `json:"version"`
	Accounts []Account `json:"accounts"`
	// PendingSecrets lists account IDs whose keychain item may exist without
	// a pool entry: an add that has not finished or a remove that has not
	// deleted the item yet. Start-up deletes those items, so no secret is
	// ever orphaned by a crash (design.md, invariant 7).
	PendingSecrets []string `json:"pendingSecrets,omitempty"`
	Extra          Extra    `json:"-"`
}

// Auth methods.
const (
	AuthSocial    = "social"     // Google or GitHub through Kiro's auth service
	AuthBuilderID = "builder-id" // AWS Builder ID (SSO-OIDC device code)
	AuthIdC       = "idc"        // IAM Identity Center (SSO-OIDC device code)
)

// Account states (the reason text says why).
const (
	StatusReady            = "ready"
	StatusCooling          = "cooling"           // 429, until State.Until
	StatusExhausted        = "exhausted"         // 402, until the quota resets
	StatusSuspended        = "suspended"         // 403/423
	StatusLoginNeeded      = "login_needed"      // refresh token dead or secret missing
	StatusModelUnavailable = "model_unavailable" // the account cannot serve the model asked for
)

// Account is one Kiro account's non-secret data.
type Account struct {
	ID         string `json:"id"`
	Label      string `json:"label"`
	AuthMethod string `json:"authMethod"`
	Provider   string `json:"provider,omitempty"`   // Google, Github, BuilderId, Enterprise
	Region     string `json:"region,omitempty"`     // API region
	AuthRegion string `json:"authRegion,omitempty"` // OIDC region (IdC), may differ
	ProfileARN string `json:"profileArn,omitempty"`
	StartURL   string `json:"startUrl,omitempty"`
	// Email identifies the person behind the account when Kiro tells it
	// (usage limits, IDE token file); used to refuse adding one twice.
	Email string `json:"email,omitempty"`
	// IDETokenFile links an account imported from the Kiro IDE to its token
	// file, so a refresh token rotated by the IDE can be adopted (pool).
	IDETokenFile string       `json:"ideTokenFile,omitempty"`
	Disabled     bool         `json:"disabled,omitempty"`
	State        AccountState `json:"state"`
	// Quota is the last getUsageLimits answer (non-secret parts), nil
	// until the first check.
	Quota     *Quota     `json:"quota,omitempty"`
	Counters  Counters   `json:"counters"`
	LastError *LastError `json:"lastError,omitempty"`
	CreatedAt time.Time  `json:"createdAt"`
	Extra     Extra      `json:"-"`

	// Proxy overrides Config.Outbound.Proxy for this account ("" = the
	// global setting); APIBase overrides the chat host table (advanced).
	Proxy   string `json:"proxy,omitempty"`
	APIBase string `json:"apiBase,omitempty"`
	// ChatHost is the chat base that answered last: a hint so a restart
	// does not try hosts known not to work first. Never trusted beyond
	// that: it is used only while it is still one of the candidates.
	ChatHost string `json:"chatHost,omitempty"`
}

// Quota is an account's monthly credit allowance as Kiro last reported it
// (kiro-protocol.md section 9). Limit is the base plan plus any active
// trial and bonuses; Used counts against all of it.
type Quota struct {
	Plan       string    `json:"plan,omitempty"` // e.g. "KIRO PRO"
	Used       float64   `json:"used"`
	Limit      float64   `json:"limit"`
	BaseLimit  float64   `json:"baseLimit,omitempty"`
	TrialLimit float64   `json:"trialLimit,omitempty"` // active free trial only
	BonusLimit float64   `json:"bonusLimit,omitempty"` // active bonuses only
	ResetAt    time.Time `json:"resetAt,omitzero"`
	CheckedAt  time.Time `json:"checkedAt"`
}

// AtLimit reports whether the account has no credits left.
func (q *Quota) AtLimit() bool { return q != nil && q.Limit > 0 && q.Used >= q.Limit }

// AccountState is where the account stands, with a reason a person can read.
type AccountState struct {
	Status string `json:"status"`
	Reason string `json:"reason,omitempty"`
	// ReasonCode and ReasonArgs are Reason's code and values for the
	// window (WithReason, ReasonText); empty in files of older builds.
	ReasonCode string            `json:"reasonCode,omitempty"`
	ReasonArgs map[string]string `json:"reasonArgs,omitempty"`
	Until      time.Time         `json:"until,omitzero"`
	// Streak counts the consecutive failures of one kind behind a cooling
	// state (the rest grows with it); 0 for other states.
	Streak int `json:"streak,omitempty"`
}

// Counters are hot: they change with every request and are written in batches.
type Counters struct {
	Requests     int64 `json:"requests"`
	Errors       int64 `json:"errors"`
	InputTokens  int64 `json:"inputTokens"`
	OutputTokens int64 `json:"outputTokens"`
	// Credits is the sum of Kiro's meteringEvent usage (0.01 precision).
	Credits  float64   `json:"credits"`
	LastUsed time.Time `json:"lastUsed,omitzero"`
}

// LastError is the most recent upstream failure, with no secret in it.
// Message is the failure's English as Go wrote it (the CLI, logs, older
// builds); Code and Args say what kind of failure it was for the window,
// with Kiro's own message or the network's error among the arguments.
type LastError struct {
	At      time.Time         `json:"at"`
	Status  int               `json:"status,omitempty"`
	Message string            `json:"message"`
	Code    string            `json:"code,omitempty"`
	Args    map[string]string `json:"args,omitempty"`
}

// Text is the failure for the window: its code and arguments (none for
// one written by an older build, shown as is), and Message as the English.
func (e LastError) Text() uitext.Text {
	return uitext.Text{Code: e.Code, Args: maps.Clone(e.Args), Text: e.Message}
}

// NewPool returns an empty pool.
func NewPool() *Pool { return &Pool{Version: PoolVersion, Accounts: []Account{}} }

// ClonePool returns a deep copy.
func ClonePool(p *Pool) *Pool {
	n := *p
	n.Extra = maps.Clone(p.Extra)
	n.PendingSecrets = slices.Clone(p.PendingSecrets)
	n.Accounts = make([]Account, len(p.Accounts))
	for i, a := range p.Accounts {
		n.Accounts[i] = a.clone()
	}
	return &n
}

func (a Account) clone() Account {
	a.Extra = maps.Clone(a.Extra)
	a.State.ReasonArgs = maps.Clone(a.State.ReasonArgs)
	if a.LastError != nil {
		e := *a.LastError
		e.Args = maps.Clone(e.Args)
		a.LastError = &e
	}
	if a.Quota != nil {
		q := *a.Quota
		a.Quota = &q
	}
	return a
}

// Account returns the account with id, or nil. The pointer is into p.
func (p *Pool) Account(id string) *Account {
	for i := range p.Accounts {
		if p.Accounts[i].ID == id {
			return &p.Accounts[i]
		}
	}
	return nil
}

// Remove deletes the account with id and reports whether it was there.
func (p *Pool) Remove(id string) bool {
	n := len(p.Accounts)
	p.Accounts = slices.DeleteFunc(p.Accounts, func(a Account) bool { return a.ID == id })
	return len(p.Accounts) != n
}

var idPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// ValidID reports whether id can name an account (and its keychain item).
func ValidID(id string) bool { return idPattern.MatchString(id) }

// CheckPool validates a whole pool.
func CheckPool(p *Pool) error {
	var errs []error
	if p.Version != PoolVersion {
		errs = append(errs, fmt.Errorf("version %d, want %d", p.Version, PoolVersion))
	}
	seen := make(map[string]bool, len(p.Accounts))
	for i, a := range p.Accounts {
		where := fmt.Sprintf("accounts[%d]", i)
		if !ValidID(a.ID) {
			errs = append(errs, fmt.Errorf("%s: id %q must be 1-64 letters, digits, - or _", where, a.ID))
		}
		if seen[a.ID] {
			errs = append(errs, fmt.Errorf("%s: id %q appears twice", where, a.ID))
		}
		seen[a.ID] = true
		if !utf8.ValidString(a.Label) || len(a.Label) > 200 {
			errs = append(errs, fmt.Errorf("%s: label must be valid text of at most 200 bytes", where))
		}
		switch a.AuthMethod {
		case AuthSocial, AuthBuilderID, AuthIdC:
		default:
			errs = append(errs, fmt.Errorf("%s: authMethod %q is not social, builder-id or idc", where, a.AuthMethod))
		}
		if a.Proxy != "" {
			if err := CheckProxy(a.Proxy); err != nil {
				errs = append(errs, fmt.Errorf("%s: proxy: %w", where, err))
			}
		}
		for _, err := range checkEndpoints(&a) {
			errs = append(errs, fmt.Errorf("%s: %w", where, err))
		}
		switch a.State.Status {
		case StatusReady, StatusCooling, StatusExhausted, StatusSuspended, StatusLoginNeeded, StatusModelUnavailable:
		default:
			errs = append(errs, fmt.Errorf("%s: state %q is unknown", where, a.State.Status))
		}
	}
	for _, id := range p.PendingSecrets {
		if !ValidID(id) {
			errs = append(errs, fmt.Errorf("pendingSecrets: %q is not an account id", id))
		}
	}
	return errors.Join(errs...)
}

// endpointFields are an account's values that decide where its requests
// go, by JSON name, with how each is checked.
func endpointFields(a *Account) []struct {
	key   string
	v     *string
	check func(field, s string) error
} {
	region := func(f, s string) error { _, err := endpoint.ParseRegion(f, s); return err }
	arn := func(f, s string) error { _, err := endpoint.ParseProfileARN(f, s); return err }
	start := func(f, s string) error { _, err := endpoint.ParseStartURL(f, s); return err }
	return []struct {
		key   string
		v     *string
		check func(field, s string) error
	}{{"region", &a.Region, region}, {"authRegion", &a.AuthRegion, region}, {"profileArn", &a.ProfileARN, arn},
		{"startUrl", &a.StartURL, start}, {"apiBase", &a.APIBase, CheckBaseURL}}
}

// checkEndpoints returns an error per set endpoint field that does not parse.
func checkEndpoints(a *Account) []error {
	var errs []error
	for _, f := range endpointFields(a) {
		if *f.v != "" {
			if err := f.check(f.key, *f.v); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errs
}

// repairPool drops, on load, the endpoint values of an account that do not
// parse (a pool.json written by an older build, or edited by hand: "region":
// "x.attacker.example#" would send its tokens elsewhere) and marks the
// account login needed, with the field named in the reason. Its requests stop
// there: the pool never picks a login-needed account, and the Kiro client
// parses the regions again before it builds a host.
func repairPool(p *Pool) []uitext.Text {
	var notes []uitext.Text
	for i := range p.Accounts {
		a := &p.Accounts[i]
		var why []string
		for _, f := range endpointFields(a) {
			if *f.v == "" {
				continue
			}
			if err := f.check(f.key, *f.v); err != nil {
				why = append(why, err.Error())
				*f.v = ""
			}
		}
		if len(why) == 0 {
			continue
		}
		reason := msgEndpointDropped.With("error", strings.Join(why, "; "))
		a.State = AccountState{Status: StatusLoginNeeded}.WithReason(reason)
		a.ChatHost = ""
		notes = append(notes, msgAccountDropped.With("id", a.ID, "reason", reason.Text))
	}
	return notes
}

// PoolSchema describes pool.json to a File.
func PoolSchema() Schema[Pool] {
	return Schema[Pool]{Name: "pool.json", Version: PoolVersion, New: NewPool, Clone: ClonePool, Check: CheckPool, Repair: repairPool}
}

type poolJSON Pool

func (p Pool) MarshalJSON() ([]byte, error) {
	// The accounts are encoded here rather than through Account.MarshalJSON
	// inside json.Marshal, which would re-scan every account's bytes once per
	// nesting level: a third of the cost of a 1,000-account flush.
	accounts := make([]byte, 0, 512*len(p.Accounts)+2)
	accounts = append(accounts, '[')
	for i, a := range p.Accounts {
		if i > 0 {
			accounts = append(accounts, ',')
		}
		b, err := encodeKeeping(accountJSON(a), a.Extra)
		if err != nil {
			return nil, fmt.Errorf("account %s: %w", a.ID, err)
		}
		accounts = append(accounts, b...)
	}
	accounts = append(accounts, ']')
	return encodeKeeping(struct {
		poolJSON
		Accounts json.RawMessage `json:"accounts"` // shadows poolJSON.Accounts
	}{poolJSON(p), accounts}, p.Extra)
}

func (p *Pool) UnmarshalJSON(b []byte) error {
	err := decodeKeeping(b, (*poolJSON)(p), &p.Extra)
	if p.Accounts == nil {
		p.Accounts = []Account{} // "accounts": [] on disk, never null
	}
	return err
}

type accountJSON Account

func (a Account) MarshalJSON() ([]byte, error) { return encodeKeeping(accountJSON(a), a.Extra) }

func (a *Account) UnmarshalJSON(b []byte) error { return decodeKeeping(b, (*accountJSON)(a), &a.Extra) }
