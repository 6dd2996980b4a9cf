export namespace app {
	
	export class Status {
	    proxyOn: boolean;
	    host: string;
	    port: number;
	    endpoint: string;
	    error: string;
	    version: string;
	    configDir: string;
	    accounts: number;
	    warnings: string[];
	
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
	        this.version = source["version"];
	        this.configDir = source["configDir"];
	        this.accounts = source["accounts"];
	        this.warnings = source["warnings"];
	    }
	}

}

