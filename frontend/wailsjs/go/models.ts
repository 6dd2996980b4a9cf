/** Go's uitext.Text: a text for the window, with its code for the catalogs and Go's English. */
export interface GoText {
    code?: string;
    args?: Record<string, string> | null;
    text: string;
}

export namespace app {
	
	export class Status {
	    proxyOn: boolean;
	    host: string;
	    port: number;
	    endpoint: string;
	    error: string;
	    errorText?: GoText;
	    version: string;
	    configDir: string;
	    accounts: number;
	    warnings: GoText[];
	
	    static createFrom(source: any = {}) {
	        return new Status(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.proxyOn = source["proxyOn"];
	        this.host = source["host"];
	        this.port = source["port"];
	        this.endpoint = source["endpoint"];
	        this.error = source["error"];
	        this.errorText = source["errorText"];
	        this.version = source["version"];
	        this.configDir = source["configDir"];
	        this.accounts = source["accounts"];
	        this.warnings = source["warnings"];
	    }
	}

}


// The types below are declared as interfaces: the façade only reads them.
export namespace app {
	export interface Settings {
	    host: string;
	    port: number;
	    strategy: string;
	    firstByteTimeoutSeconds: number;
	    idleTimeoutSeconds: number;
	    maxConcurrentPerAccount: number;
	    queueWaitSeconds: number;
	    maxAttempts: number;
	    logLevel: string;
	    upstream: { apiBase: string; authBase: string; oidcBase: string };
	    startAtLogin: boolean;
	    loopback: boolean;
	    outboundProxy: string;
	    caBundle: string;
	    modelAliases: ModelAlias[];
	    unknownModelAlias: string;
	    modelChoices: string[];
	    updateCheck: boolean;
	    updateFeedURL: string;
	    updateFeedURLDefault: string;
	    updateFeedURLEnv?: string;
	}
	export interface ModelAlias {
	    name: string;
	    target: string;
	}
	export interface AliasProblem {
	    row: number;
	    field: string;
	    code: string;
	    model?: string;
	    message: string;
	}
	export interface LanguageState {
	    preference: 'system' | 'en' | 'zh-CN';
	    effective: 'en' | 'zh-CN';
	}
	export interface SettingsPatch {
	    host?: string;
	    port?: number;
	    strategy?: string;
	    firstByteTimeoutSeconds?: number;
	    idleTimeoutSeconds?: number;
	    maxConcurrentPerAccount?: number;
	    queueWaitSeconds?: number;
	    maxAttempts?: number;
	    logLevel?: string;
	    apiBase?: string;
	    authBase?: string;
	    oidcBase?: string;
	    startAtLogin?: boolean;
	    caBundle?: string;
	    modelAliases?: ModelAlias[];
	    unknownModelAlias?: string;
	    updateCheck?: boolean;
	    updateFeedURL?: string;
	}
	/** The update check's answer (app.UpdateInfo). */
	export interface UpdateInfo {
	    state: 'unknown' | 'current' | 'available' | 'failed';
	    current: string;
	    version: string;
	    date: string;
	    notes: string;
	    page: string;
	    checkedAt: string;
	    available: boolean;
	    dismissed: boolean;
	}
	export interface RequestLine {
	    seq: number;
	    time: string;
	    method: string;
	    path: string;
	    model?: string;
	    requestedModel?: string;
	    account?: string;
	    accountLabel?: string;
	    status: number;
	    latencyMs: number;
	    inputTokens: number;
	    outputTokens: number;
	    credits: number;
	    warnings?: string[];
	    warningTexts?: GoText[];
	    requestId?: string;
	    error?: string;
	    tries?: reqlog.Try[];
	    client: string;
	    userAgent?: string;
	    firstByteMs: number;
	    bytesIn: number;
	    bytesOut: number;
	    pinned?: string;
	}
	export interface DeviceOptions {
	    startUrl: string;
	    region: string;
	    label: string;
	}
	export interface DeviceLogin {
	    flowId: string;
	    userCode: string;
	    verificationUri: string;
	    verificationUriComplete: string;
	    expiresAt: string;
	}
	export interface SignInAgain {
	    method: string;
	    flowId: string;
	    label: string;
	    userCode: string;
	    verificationUri: string;
	    verificationUriComplete: string;
	    loginUrl: string;
	    expiresAt: string;
	}
	export interface IDESignIn {
	    found: boolean;
	    path: string;
	    method: string;
	    account: string;
	    problem: string;
	}
	export interface PlaygroundRequest {
	    model: string;
	    prompt: string;
	    system: string;
	    account: string;
	    maxTokens: number;
	}
	export interface PlaygroundDelta {
	    runId: string;
	    seq: number;
	    text: string;
	}
	export interface PlaygroundSummary {
	    runId: string;
	    ok: boolean;
	    cancelled: boolean;
	    error?: string;
	    status: number;
	    model: string;
	    stopReason?: string;
	    firstByteMs: number;
	    totalMs: number;
	    inputTokens: number;
	    outputTokens: number;
	    credits: number | null;
	    account?: string;
	    accountLabel?: string;
	    pinned: boolean;
	}
	export interface TestAnswer {
	    text: string;
	    model: string;
	    account: string;
	    latencyMs: number;
	}
	export interface SocialLogin {
	    flowId: string;
	    loginUrl: string;
	    expiresAt: string;
	}
	export interface ImportedAccount {
	    name: string;
	    label?: string;
	    outcome: string;
	    reason?: string;
	    reasonText?: GoText;
	}
	export interface ImportReport {
	    id: string;
	    dir: string;
	    accounts: ImportedAccount[] | null;
	    plaintextFiles: string[] | null;
	    notes: string[] | null;
	    noteTexts: GoText[] | null;
	}
	export interface DiagnosticCheck {
	    name: string;
	    status: string;
	    detail: string;
	    ms?: number;
	    nameText?: GoText;
	    detailText?: GoText;
	}
	export interface Diagnostics {
	    time: string;
	    version: string;
	    sections: Array<{ title: string; titleText?: GoText; checks: DiagnosticCheck[] | null }> | null;
	    failed: boolean;
	    text: string;
	}
	export interface LoginEvent {
	    flowId: string;
	    ok: boolean;
	    label?: string;
	    error?: string;
	    cancelled?: boolean;
	}
}

export namespace core {
	export interface AccountStatus {
	    id: string;
	    label: string;
	    authMethod: string;
	    provider?: string;
	    email?: string;
	    region?: string;
	    disabled: boolean;
	    state: string;
	    reason?: string;
	    reasonText?: GoText;
	    until?: string;
	    counters: { requests: number; errors: number; inputTokens: number; outputTokens: number; lastUsed?: string };
	    lastError?: { message?: string; status?: number; at?: string; code?: string; args?: Record<string, string> | null } | null;
	    quota?: store.Quota | null;
	}
}

export namespace store {
	export interface Quota {
	    plan?: string;
	    used: number;
	    limit: number;
	    baseLimit?: number;
	    trialLimit?: number;
	    bonusLimit?: number;
	    resetAt?: string;
	    checkedAt?: string;
	}
}

export namespace logging {
	export interface Line {
	    seq: number;
	    time: string;
	    level: string;
	    text: string;
	}
}

export namespace reqlog {
	export interface Try {
	    account: string;
	    label?: string;
	    outcome: string;
	    status?: number;
	    error?: string;
	    waitMs?: number;
	}
	export interface Stats {
	    perMinute: number;
	    requestsToday: number;
	    errorsToday: number;
	    inputTokensToday: number;
	    outputTokensToday: number;
	    creditsToday: number;
	}
}

export namespace usage {
	export interface Row {
	    key: string;
	    requests: number;
	    errors: number;
	    errorsByClass?: Record<string, number>;
	    inputTokens: number;
	    outputTokens: number;
	    cacheReadTokens: number;
	    cacheWriteTokens: number;
	    estimatedRequests: number;
	    credits: number;
	    p50Ms: number;
	    p95Ms: number;
	    firstByteP50Ms: number;
	    firstByteP95Ms: number;
	}
	export interface Forecast {
	    account: string;
	    label: string;
	    used: number;
	    limit: number;
	    resetAt?: string;
	    perDay: number;
	    reachesAt?: string;
	    text: string;
	}
	export interface Report {
	    since: string;
	    until: string;
	    by: string;
	    rows: Row[];
	    total: Row;
	    forecasts?: Forecast[];
	}
	export interface SeriesGroup {
	    key: string;
	    label: string;
	    labelText?: GoText;
	    requests: number[];
	    tokens: number[];
	}
	export interface Series {
	    since: string;
	    until: string;
	    by: string;
	    range: string;
	    stack: string;
	    times: number[];
	    groups: SeriesGroup[];
	    errorClasses: string[];
	    errors: number[][];
	    p50Ms: number[];
	    p95Ms: number[];
	    table: Report;
	}
}
