package app

// Event names the frontend listens to. The TypeScript twin is
// frontend/src/bridge/events.ts; keep the two in step.
const (
	// EventStatus carries a Status whenever the proxy or the store changes.
	EventStatus = "status"
)

const (
	// EventAccounts carries []core.AccountStatus after an account changed.
	EventAccounts = "accounts"
	// EventLogin carries a LoginEvent when a sign-in flow ends.
	EventLogin = "login"
)
