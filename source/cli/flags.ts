// The flag tables of every command line: what meow parses, the environment defaults and the
// Options block of each --help come from these rows, so the three cannot drift apart.
// A verb to come (status, start, ...) gets its own table, reusing the rows it shares.
import type {ClusterOptions} from '../cluster/spec.js';

export type FlagRow = {
	/** camelCase: meow's flag key and the key of the parsed result (ClusterOptions, ...). */
	name: string;
	/** `--long`, kebab-case. */
	long: string;
	short?: string;
	/** What the help calls the value (N, DIR); a row without one is a switch. */
	value?: string;
	/** The environment variable that gives the default; empty counts as unset. */
	env?: string;
	/** The value when neither the flag nor the environment gives one. */
	fallback?: string;
	/** How the help shows the default when it is not the fallback itself. */
	fallbackText?: string;
	/** What a value must look like, for "needs a value" messages. */
	expects?: string;
	/** Help lines, the first beside the flag. */
	help: readonly string[];
	/** Parsing stops at this flag, whatever follows (getopt's -h): help is help. */
	endsParsing?: boolean;
};

export type FlagTable = readonly FlagRow[];

// ---- the cluster commands (DESIGN §1) ----

/** Every row of the cluster commands, by name: a verb's table picks the ones it takes. */
export const CLUSTER_ROWS = {
	workers: {
		name: 'workers',
		long: 'workers',
		short: 'W',
		value: 'N',
		env: 'ZEEK_WORKERS',
		fallback: '4',
		help: ['workers, or per interface: eth0:2,eth1:3 (worker-eth0-1 ...)'],
	},
	proxies: {
		name: 'proxies',
		long: 'proxies',
		short: 'P',
		value: 'N',
		env: 'ZEEK_PROXIES',
		fallback: '2',
		help: ['proxies'],
	},
	loggers: {
		name: 'loggers',
		long: 'loggers',
		short: 'L',
		value: 'N',
		env: 'ZEEK_LOGGERS',
		fallback: '1',
		help: ['loggers'],
	},
	interface: {
		name: 'interface',
		long: 'interface',
		short: 'i',
		value: 'IF',
		env: 'ZEEK_INTERFACE',
		fallback: 'lo',
		help: ["workers' packet source; may carry a plugin prefix: af_packet::eth0"],
	},
	spoolDir: {
		name: 'spoolDir',
		long: 'spool-dir',
		value: 'DIR',
		env: 'ZEEK_SPOOL_DIR',
		fallback: './spool',
		help: ['one working directory per node below it', '(./spool-demo with --demo)'],
	},
	args: {
		name: 'args',
		long: 'args',
		value: '"..."',
		env: 'ZEEK_ARGS',
		fallback: 'local Log::default_rotation_interval=0sec',
		help: ['arguments of every node'],
	},
	workerArgs: {
		name: 'workerArgs',
		long: 'worker-args',
		value: '"..."',
		env: 'ZEEK_WORKER_ARGS',
		fallback: '-C',
		help: ['arguments put first for workers'],
	},
	backendArgs: {
		name: 'backendArgs',
		long: 'backend-args',
		value: '"..."',
		env: 'ZEEK_CLUSTER_BACKEND_ARGS',
		fallback: 'policy/frameworks/cluster/backend/zeromq',
		help: ['appended to every node'],
	},
	zeek: {
		name: 'zeek',
		long: 'zeek',
		value: 'PATH',
		env: 'ZEEK_BIN',
		fallback: 'zeek',
		fallbackText: 'zeek on PATH',
		help: ['the zeek binary'],
	},
	pinWorkers: {
		name: 'pinWorkers',
		long: 'pin-workers',
		value: 'CPUS',
		env: 'ZEEK_PIN_WORKERS',
		fallbackText: 'none',
		help: ['worker i gets the i-th CPU of the list as written, wrapping', 'around (2-5, 3,2)'],
	},
	stopTimeout: {
		name: 'stopTimeout',
		long: 'stop-timeout',
		value: 'S',
		env: 'ZEEK_STOP_TIMEOUT',
		fallback: '60',
		help: ['SIGTERM, then SIGKILL after S seconds (0.1 to 2147483.647)'],
	},
	layout: {
		name: 'layout',
		long: 'layout',
		value: 'FILE',
		env: 'ZEEK_LAYOUT',
		fallbackText: 'generate one',
		help: ['run the nodes of an existing cluster-layout.zeek; the counts', 'then do not apply'],
	},
	nodeCfg: {
		name: 'nodeCfg',
		long: 'node-cfg',
		value: 'FILE',
		env: 'ZEEK_NODE_CFG',
		fallbackText: 'none',
		help: [
			'run the nodes zeekctl runs from this node.cfg (and the zeekctl.cfg',
			'beside it); the counts, -i and --pin-workers then do not apply',
		],
	},
	dryRun: {name: 'dryRun', long: 'dry-run', help: ['print the plan and exit; start nothing']},
	json: {
		name: 'json',
		long: 'json',
		help: ['with --headless or --dry-run: JSON lines instead of text'],
	},
	headless: {
		name: 'headless',
		long: 'headless',
		help: ['no TUI: supervise in the foreground, print events'],
	},
	demo: {name: 'demo', long: 'demo', help: ['run the bundled simulator instead of zeek']},
	help: {name: 'help', long: 'help', short: 'h', help: ['this text']},
	version: {name: 'version', long: 'version', short: 'v', help: ['the version']},
} satisfies Record<string, FlagRow>;

/** `zeek-tui [options]`, `--headless`, `--demo`, `--dry-run`. */
export const CLUSTER_FLAGS: FlagTable = Object.values(CLUSTER_ROWS);

/** The cluster flags that name a ClusterOptions value (every row with a value). */
export const CLUSTER_OPTION_ROWS: FlagTable = CLUSTER_FLAGS.filter(
	(row) => row.value !== undefined,
);

/** --spool-dir's fallback with --demo: the demo keeps out of a real cluster's spool. */
export const DEMO_SPOOL_DIR = './spool-demo';

// ---- zeek-tui layout: Zeek 8.1's zeek-cluster-layout-generator ----

/** The largest count `layout` takes: with metrics ports on, more nodes could not be numbered. */
export const MAX_LAYOUT_COUNT = 65_535;
export const MAX_PORT = 65_535;

const count = (name: string, short: string, fallback: string, help: string[]): FlagRow => ({
	name,
	long: name,
	short,
	value: 'N',
	fallback,
	expects: `expected a whole number of ${name} from 0 to ${MAX_LAYOUT_COUNT}`,
	help,
});
const ADDRESS = 'expected an IPv4 or IPv6 address, like 127.0.0.1 or ::1';

/** The reference tool's flags and defaults (Zeek 8.1). */
export const LAYOUT_FLAGS: FlagTable = [
	count('loggers', 'L', '1', ['loggers', '0 makes the manager the logger']),
	count('proxies', 'P', '1', ['proxies']),
	count('workers', 'W', '4', [
		'workers; or per interface, eth0:2,eth1:3',
		"(worker-eth0-1 ...): then the text of Zeek 9's",
		'generator, which alone has them',
	]),
	{
		name: 'address',
		long: 'address',
		short: 'a',
		value: 'ADDR',
		fallback: '127.0.0.1',
		expects: ADDRESS,
		help: ["every node's $ip"],
	},
	{
		name: 'port',
		long: 'port',
		short: 'p',
		value: 'PORT',
		fallback: '27760',
		expects: `expected a port number from 1 to ${MAX_PORT}`,
		help: [
			"the manager's cluster port",
			'loggers, then proxies, take the next ones;',
			'workers get none',
		],
	},
	{
		name: 'metricsPort',
		long: 'metrics-port',
		short: 'm',
		value: 'PORT',
		fallback: '9991',
		expects: `expected a port number from 1 to ${MAX_PORT}, or 0 for no metrics ports`,
		help: [
			"the manager's metrics port",
			'every other node takes the next one, in order;',
			'0 = no metrics ports: no $metrics_port and',
			'no Telemetry lines',
		],
	},
	{
		name: 'metricsAddress',
		long: 'metrics-address',
		short: 'b',
		value: 'ADDR',
		fallback: '0.0.0.0',
		expects: ADDRESS,
		help: ['Telemetry::metrics_address'],
	},
	{
		name: 'output',
		long: 'output',
		short: 'o',
		value: 'FILE',
		expects: 'expected a file path, or - for stdout',
		help: [
			'write FILE instead of stdout, atomically (a',
			'temporary file in the same directory, renamed);',
			'- is stdout',
		],
	},
	{name: 'help', long: 'help', short: 'h', endsParsing: true, help: ['this text']},
];

// ---- what the rows give ----

/** The one rule for every variable: unset or empty means "not given" (`${VAR:-default}`). */
export function environmentValue(
	env: NodeJS.ProcessEnv,
	name: string | undefined,
): string | undefined {
	const value = name === undefined ? undefined : env[name];
	return value === undefined || value === '' ? undefined : value;
}

/** meow's `flags` option: every value a string (validated by its command), switches boolean. */
export function meowFlags(
	table: FlagTable,
): Record<string, {type: 'string' | 'boolean'; shortFlag?: string; isMultiple: false}> {
	return Object.fromEntries(
		table.map((row) => [
			row.name,
			{
				type: row.value === undefined ? 'boolean' : 'string',
				...(row.short === undefined ? {} : {shortFlag: row.short}),
				isMultiple: false,
			},
		]),
	);
}

/** `-W, --workers N`, `    --dry-run`: the flag column of a help line. */
function flagColumn(row: FlagRow): string {
	const short = row.short === undefined ? '    ' : `-${row.short}, `;
	return `${short}--${row.long}${row.value === undefined ? '' : ` ${row.value}`}`;
}

export type HelpStyle = {
	/** Width of the flag column, indent included. */
	column: number;
	/** `[ENV, default]` after the text (the cluster commands), or `(default X)` (layout). */
	defaults: 'environment' | 'inline';
	/** Lines are kept within this width where the default note fits. */
	width?: number;
};

/** The Options block of a command's --help, one row after the other, two spaces in. */
export function optionsHelp(table: FlagTable, style: HelpStyle): string {
	const width = style.width ?? 100;
	const lines: string[] = [];
	for (const row of table) {
		const shown = row.fallbackText ?? row.fallback;
		const text = [...row.help];
		if (style.defaults === 'inline' && row.fallback !== undefined)
			text[0] = `${text[0]} (default ${shown})`;
		const flag = `  ${flagColumn(row)}`;
		const pad = (start: string) => start.padEnd(style.column - 1) + ' ';
		lines.push(pad(flag) + text[0]);
		for (const more of text.slice(1)) lines.push(pad('') + more);
		if (style.defaults === 'environment' && (row.env !== undefined || shown !== undefined)) {
			const note = `[${[row.env, shown].filter((part) => part !== undefined).join(', ')}]`;
			const last = lines.at(-1)!;
			if (last.length + 1 + note.length <= width) lines[lines.length - 1] = `${last} ${note}`;
			else lines.push(pad('') + note);
		}
	}
	return lines.join('\n');
}

/** One option's text and where it came from: the flag, its environment variable, or the default. */
export type GivenValue = {value: string; from: string};

/**
 * Each value row's value: the flag, else its environment variable (set and not empty), else
 * `fallbacks[name]` or the row's fallback; absent when none gives one. `from` names the flag
 * (`--workers`) or the variable (`ZEEK_WORKERS`) so that messages quote what the operator set.
 */
export function givenValues(
	rows: FlagTable,
	flags: Readonly<Record<string, string | boolean | undefined>>,
	env: NodeJS.ProcessEnv,
	fallbacks: Readonly<Record<string, string>> = {},
): Record<string, GivenValue> {
	const values: Record<string, GivenValue> = {};
	for (const row of rows) {
		if (row.value === undefined) continue;
		const flag = flags[row.name];
		const fromEnv = environmentValue(env, row.env);
		const fallback = fallbacks[row.name] ?? row.fallback;
		if (typeof flag === 'string') values[row.name] = {value: flag, from: `--${row.long}`};
		else if (fromEnv !== undefined) values[row.name] = {value: fromEnv, from: row.env!};
		else if (fallback !== undefined) values[row.name] = {value: fallback, from: `--${row.long}`};
	}
	return values;
}

/** The cluster commands' options: flags, else the environment, else the defaults. */
export function clusterOptions(
	flags: Readonly<Record<string, string | boolean | undefined>>,
	env: NodeJS.ProcessEnv,
	demo: boolean,
): ClusterOptions {
	const fallbacks: Record<string, string> = demo ? {spoolDir: DEMO_SPOOL_DIR} : {};
	return givenValues(CLUSTER_OPTION_ROWS, flags, env, fallbacks) as unknown as ClusterOptions;
}
