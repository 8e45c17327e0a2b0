// Plain data shared by the cluster side and the views. No behaviour here:
// every module that produces or consumes these shapes imports them from one place.

export type NodeType = 'manager' | 'logger' | 'proxy' | 'worker';

/** One entry of `Cluster::nodes` in cluster-layout.zeek. */
export type LayoutNode = {
	name: string;
	type: NodeType;
	/** As written in the layout, without brackets (`127.0.0.1`, `::1`). */
	ip: string;
	/** Cluster port (`$p`); workers have none. */
	port?: number;
	metricsPort?: number;
	/** `$manager`; the manager itself has none. */
	manager?: string;
};

export type Layout = {
	managerIsLogger: boolean;
	nodes: LayoutNode[];
	/** `Telemetry::metrics_address`, when the file sets it to a string; IPv6 without its brackets. */
	metricsAddress?: string;
	/**
	 * Zeek 9's generator computes the address as zeek loads the file: the environment variable
	 * `env` when it is set and not empty, else the node's own `$ip` (in brackets for IPv6).
	 */
	metricsAddressRule?: {env?: string; otherwise: 'node-ip'};
};

/** Everything needed to spawn one node, decided before anything starts. */
export type NodePlan = {
	name: string;
	type: NodeType;
	/** Absolute: `<spool>/<name>`. */
	cwd: string;
	/** `[zeek, ...args]`, without any taskset wrapper. */
	argv: string[];
	/** Added to zeek-tui's own environment: `CLUSTER_NODE` and nothing else today. */
	env: Record<string, string>;
	/** CPUs to pin to at spawn (`--pin-workers`), or undefined for no pinning. */
	cpus?: number[];
	/** Where Zeek serves Prometheus text for this node, if the layout says. */
	metrics?: {host: string; port: number};
	/** The TCP ports the node binds, which must be free before it starts. */
	listens?: ListenPort[];
	/** With --node-cfg: what zeekctl's expansion of node.cfg gave this node. */
	nodeCfg?: NodeCfgDetails;
};

/** One node of a node.cfg as zeekctl expands it (DESIGN §6), kept for the plan. */
export type NodeCfgDetails = {
	/** zeekctl's type: `standalone` runs as the one node, in the manager's place. */
	type: NodeType | 'standalone';
	host: string;
	addr: string;
	count: number;
	/** After the lb_method (`af_packet::eth0`); empty for none. */
	interface: string;
	lbMethod: string;
	lbProcs: string;
	pinCpu: number | null;
	/** `NAME=value`, zeekctl's order: CLUSTER_NODE, then env_vars by name. */
	env: string[];
	auxScripts: string;
	/** The af_packet plugin's redefs, key (`fanout_id`) to value, passed as `AF_Packet::key=value`. */
	afPacket: Record<string, string>;
	/** zeekctl.cfg's ZeekArgs as written. */
	zeekArgs: string;
	/** zeekctl's own zeek arguments for this node (its `-p` prefixes and scripts included). */
	zeekctlArgs: string[];
	/** The layout's ports for this node, numbered as zeekctl numbers them. */
	port?: number;
	metricsPort?: number;
};

/** One TCP port a node binds: its cluster port, its metrics port, the manager's proxy ports. */
export type ListenPort = {port: number; what: string};

export type ClusterSpec = {
	/** Absolute. */
	spoolDir: string;
	/** The text of cluster-layout.zeek, copied verbatim into the spool and every node's cwd. */
	layoutText: string;
	/** In layout order: manager, loggers, proxies, workers. */
	nodes: NodePlan[];
	stopTimeoutMs: number;
};

export type NodeState = 'starting' | 'running' | 'stopping' | 'stopped' | 'crashed' | 'backoff';

export type ExitRecord = {
	/** Epoch ms. */
	at: number;
	code: number | null;
	signal: string | null;
	/** True when zeek-tui asked for it (stop, kill, restart). */
	requested: boolean;
};

export type ResourceUsage = {
	/** Percent of one core; undefined on a process's first sample, which measures no interval. */
	cpu?: number;
	/** Resident set size, bytes. */
	memory: number;
};

export type NodeMetrics = {
	/** Epoch ms of the scrape. */
	at: number;
	packetsPerSecond?: number;
	/** Dropped packets per second over the last interval (sums over workers; percents do not). */
	droppedPerSecond?: number;
	/** dropped / (received + dropped) over the last interval, in percent. */
	dropPercent?: number;
	lagSeconds?: number;
	activeSessions?: number;
};

/** The most recent samples of a node, oldest first, a bounded number of each. */
export type NodeHistory = {
	/** ResourceUsage.cpu of each sample that has one. */
	cpu: number[];
	/** ResourceUsage.memory of each sample, bytes. */
	memory: number[];
	/** NodeMetrics.packetsPerSecond of each scrape that gave a rate. */
	packetsPerSecond: number[];
};

/** One crash report file of a node (`<spool>/.zeek-tui/crashes/`). */
export type CrashReportFile = {
	/** Absolute path. */
	file: string;
	/** Epoch ms of the crash, from the file name. */
	at: number;
	/** The report's text, cut to a bounded size. */
	text: string;
};

export type NodeSnapshot = {
	name: string;
	type: NodeType;
	state: NodeState;
	pid?: number;
	/** Epoch ms when the current process started. */
	startedAt?: number;
	restarts: number;
	/** Affinity as /proc reports it (union over all threads). */
	cpus?: number[];
	/** CPUs the node is pinned to (from --pin-workers or the affinity editor). */
	pin?: number[];
	/** Epoch ms when SIGKILL follows the SIGTERM already sent. */
	killAt?: number;
	/** Epoch ms of the next restart while in back-off. */
	restartAt?: number;
	/** Most recent last. */
	exits: ExitRecord[];
	/** The full command line, taskset included when pinned. */
	argv: string[];
	cwd: string;
	usage?: ResourceUsage;
	metrics?: NodeMetrics;
	/** Kept by the client across restarts of the node. */
	history?: NodeHistory;
};

export type ClusterSnapshot = {
	spoolDir: string;
	/** Layout order. */
	nodes: NodeSnapshot[];
};

export type LogLine = {stream: 'stdout' | 'stderr'; text: string};

/** A live, bounded view of one node's stdout.log and stderr.log. */
export type LogSource = {
	/** Oldest first; ANSI codes already stripped. */
	lines(): readonly LogLine[];
	/** Called (coalesced) when lines were added. Returns the unsubscribe function. */
	subscribe(listener: () => void): () => void;
	close(): void;
};

/** The only way the views talk to the cluster (DESIGN §5). */
export type ClusterClient = {
	snapshot(): ClusterSnapshot;
	/** Called (coalesced to a few per second) when the snapshot changed. */
	subscribe(listener: () => void): () => void;
	start(name: string): void;
	stop(name: string): void;
	kill(name: string): void;
	restart(name: string): void;
	restartAll(): void;
	/** Applies live to every thread; the pin survives restarts. */
	pin(name: string, cpus: number[]): Promise<void>;
	stopAll(): Promise<void>;
	/** SIGKILL to every node that is still running, now (Ctrl-C while the cluster stops). */
	killAll(): void;
	openLog(name: string): LogSource;
	/** This machine's online CPUs, for the affinity editor. */
	onlineCpus(): number[];
	/** The node's crash reports, newest first, at most `limit`. Optional: a client may have none. */
	crashReports?(name: string, limit: number): CrashReportFile[];
};
