// What the simulated zeek is told: its command line (parsed the way zeek's getopt
// would, so a supervisor can pass real zeek arguments) and the ZEEK_SIM_*
// environment switches that make one node misbehave for a test or the demo.

/** The part of zeek's command line the simulator acts on; everything else is accepted and ignored. */
export type ZeekArgs = {
	/** `-i IFACE`: the node captures packets (workers). */
	interface?: string;
	/** `-U FILE`: zeek's processing status file. */
	statusFile?: string;
	/** `-C`: ignore checksums. */
	noChecksums: boolean;
	version: boolean;
	help: boolean;
	/** Script names and `Id=value` redefinitions, in order. */
	scripts: string[];
};

// Zeek's options that take a value, so that value is not mistaken for a script name.
const SHORT_WITH_VALUE = new Set('ceifprstwxBEGHIOoTUXz');
const LONG_WITH_VALUE = new Set([
	'capture-unprocessed',
	'exec',
	'filter',
	'iface',
	'prefix',
	'readfile',
	'rulefile',
	'tracefile',
	'writefile',
	'debug',
	'event-trace',
	'load-seeds',
	'save-seeds',
	'print-id',
	'optimize',
	'optimize-only',
	're-level',
	'status-file',
	'zeekygen',
]);
const LONG_TO_SHORT: Record<string, string> = {
	iface: 'i',
	'status-file': 'U',
	'no-checksums': 'C',
	version: 'v',
	help: 'h',
};

export function parseZeekArgs(argv: readonly string[]): ZeekArgs {
	const args: ZeekArgs = {noChecksums: false, version: false, help: false, scripts: []};
	const apply = (option: string, value?: string) => {
		if (option === 'i') args.interface = value;
		else if (option === 'U') args.statusFile = value;
		else if (option === 'C') args.noChecksums = true;
		else if (option === 'v') args.version = true;
		else if (option === 'h') args.help = true;
	};
	for (let index = 0; index < argv.length; index++) {
		const arg = argv[index]!;
		if (arg.startsWith('--') && arg.length > 2) {
			const [name, inline] = splitOnce(arg.slice(2), '=');
			let value = inline;
			if (value === undefined && LONG_WITH_VALUE.has(name)) value = argv[++index];
			const short = LONG_TO_SHORT[name];
			if (short) apply(short, value);
		} else if (arg.startsWith('-') && arg.length > 1) {
			// getopt style: flags may be bundled (`-Ci lo`, `-ilo`).
			for (let position = 1; position < arg.length; position++) {
				const option = arg[position]!;
				if (SHORT_WITH_VALUE.has(option)) {
					const rest = arg.slice(position + 1);
					apply(option, rest !== '' ? rest : argv[++index]);
					break;
				}
				apply(option);
			}
		} else {
			args.scripts.push(arg);
		}
	}
	return args;
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
	const at = text.indexOf(separator);
	return at === -1 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}

/** How one node behaves, decided once at start from the environment. */
export type Behaviour = {
	/** SIGABRT this many ms after start; with `times`, only in the first `times` runs in this cwd. */
	crash?: {afterMs: number; times?: number};
	/** Exit with `code` this many ms after start; `times` as for crash. */
	exit?: {afterMs: number; code: number; times?: number};
	/** Termination signals are logged and otherwise ignored: only SIGKILL ends the node. */
	ignoreTerm: boolean;
	/** Write `lines` numbered lines as fast as the stream takes them, once running. */
	flood?: {lines: number; stream: 'stdout' | 'stderr'};
	/** Keep `percent` of one core busy, in slices so signals are still handled. */
	burn?: {percent: number};
	/** Received packets per second (nodes started with -i). */
	packetsPerSecond: number;
	/** dropped / (received + dropped). */
	dropFraction: number;
	/** Each counter step is scaled by a random factor in [1 - jitter, 1 + jitter]. */
	jitter: number;
	/** Chatter on stdout/stderr; 0 = quiet. */
	linesPerSecond: number;
	/** INITIALIZING -> RUNNING. */
	initMs: number;
	/** From the termination signal to exit. */
	stopDelayMs: number;
	/** Binds the metrics port here instead of where the layout says. */
	metricsHost?: string;
	/** Answers every scrape with this many lag samples instead of its figures (a hostile port). */
	metricsFloodSamples?: number;
};

export class SimConfigError extends Error {}

/** Every variable the simulator reads, so a misspelt one is reported instead of silently ignored. */
export const SIM_ENV = {
	crash: 'ZEEK_SIM_CRASH',
	crashAfterMs: 'ZEEK_SIM_CRASH_AFTER_MS',
	crashTimes: 'ZEEK_SIM_CRASH_TIMES',
	exit: 'ZEEK_SIM_EXIT',
	exitAfterMs: 'ZEEK_SIM_EXIT_AFTER_MS',
	exitCode: 'ZEEK_SIM_EXIT_CODE',
	exitTimes: 'ZEEK_SIM_EXIT_TIMES',
	ignoreTerm: 'ZEEK_SIM_IGNORE_TERM',
	flood: 'ZEEK_SIM_FLOOD',
	floodLines: 'ZEEK_SIM_FLOOD_LINES',
	floodStream: 'ZEEK_SIM_FLOOD_STREAM',
	burn: 'ZEEK_SIM_BURN',
	burnPercent: 'ZEEK_SIM_BURN_PERCENT',
	pps: 'ZEEK_SIM_PPS',
	drop: 'ZEEK_SIM_DROP',
	jitter: 'ZEEK_SIM_JITTER',
	linesPerSec: 'ZEEK_SIM_LINES_PER_SEC',
	initMs: 'ZEEK_SIM_INIT_MS',
	stopDelayMs: 'ZEEK_SIM_STOP_DELAY_MS',
	metricsHost: 'ZEEK_SIM_METRICS_HOST',
	metricsFlood: 'ZEEK_SIM_METRICS_FLOOD',
} as const;

type Env = Record<string, string | undefined>;

/** A switch: a comma-separated list of node names, or `*` for every node. */
export function selects(value: string | undefined, node: string): boolean {
	if (value === undefined) return false;
	return value
		.split(',')
		.map((item) => item.trim())
		.some((item) => item === '*' || item === node);
}

/**
 * A setting: either one value for every node (`2000`), or `node=value` items with
 * an optional `*=value` fallback (`worker-1=5000,*=1000`). undefined when nothing applies.
 */
export function settingFor(value: string | undefined, node: string): string | undefined {
	if (value === undefined) return undefined;
	let fallback: string | undefined;
	for (const raw of value.split(',')) {
		const item = raw.trim();
		if (item === '') continue;
		const [key, setting] = splitOnce(item, '=');
		if (setting === undefined) fallback = key;
		else if (key.trim() === node) return setting.trim();
		else if (key.trim() === '*') fallback = setting.trim();
	}
	return fallback;
}

function numberSetting(
	env: Env,
	name: string,
	node: string,
	fallback: number,
	check: (value: number) => boolean,
	expected: string,
): number {
	const text = settingFor(env[name], node);
	if (text === undefined || text === '') return fallback;
	const value = Number(text);
	if (!Number.isFinite(value) || !check(value)) {
		throw new SimConfigError(`${name}: '${text}' is not ${expected}`);
	}
	return value;
}

const nonNegative = (value: number) => value >= 0;
const count = (value: number) => Number.isInteger(value) && value >= 0;

/** Reads the ZEEK_SIM_* variables for `node`. Throws SimConfigError for a value that makes no sense. */
export function readBehaviour(env: Env, node: string): Behaviour {
	const number = (
		name: string,
		fallback: number,
		check: (value: number) => boolean = nonNegative,
		expected = 'a number >= 0',
	) => numberSetting(env, name, node, fallback, check, expected);
	const times = (name: string) => {
		const value = number(name, -1, count, 'a whole number >= 0');
		return value < 0 ? undefined : value;
	};

	const behaviour: Behaviour = {
		ignoreTerm: selects(env[SIM_ENV.ignoreTerm], node),
		packetsPerSecond: number(SIM_ENV.pps, 1000),
		dropFraction: number(
			SIM_ENV.drop,
			0.002,
			(value) => value >= 0 && value < 1,
			'a fraction in [0, 1)',
		),
		jitter: number(
			SIM_ENV.jitter,
			0.02,
			(value) => value >= 0 && value < 1,
			'a fraction in [0, 1)',
		),
		linesPerSecond: number(SIM_ENV.linesPerSec, 1),
		initMs: number(SIM_ENV.initMs, 200),
		stopDelayMs: number(SIM_ENV.stopDelayMs, 300),
	};
	const metricsHost = settingFor(env[SIM_ENV.metricsHost], node);
	if (metricsHost) behaviour.metricsHost = metricsHost;
	const floodSamples = number(SIM_ENV.metricsFlood, 0, count, 'a whole number >= 0');
	if (floodSamples > 0) behaviour.metricsFloodSamples = floodSamples;
	if (selects(env[SIM_ENV.crash], node)) {
		behaviour.crash = {
			afterMs: number(SIM_ENV.crashAfterMs, 1000),
			times: times(SIM_ENV.crashTimes),
		};
	}
	if (selects(env[SIM_ENV.exit], node)) {
		behaviour.exit = {
			afterMs: number(SIM_ENV.exitAfterMs, 1000),
			code: number(
				SIM_ENV.exitCode,
				1,
				(value) => count(value) && value <= 255,
				'an exit code 0-255',
			),
			times: times(SIM_ENV.exitTimes),
		};
	}
	if (selects(env[SIM_ENV.flood], node)) {
		const stream = settingFor(env[SIM_ENV.floodStream], node) || 'stdout';
		if (stream !== 'stdout' && stream !== 'stderr') {
			throw new SimConfigError(`${SIM_ENV.floodStream}: '${stream}' is not stdout or stderr`);
		}
		behaviour.flood = {
			lines: number(SIM_ENV.floodLines, 100_000, count, 'a whole number >= 0'),
			stream,
		};
	}
	if (selects(env[SIM_ENV.burn], node)) {
		behaviour.burn = {
			percent: number(
				SIM_ENV.burnPercent,
				100,
				(value) => value > 0 && value <= 100,
				'in (0, 100]',
			),
		};
	}
	return behaviour;
}

/** ZEEK_SIM_* names in the environment that the simulator does not know (typos). */
export function unknownSimVariables(env: Env): string[] {
	const known = new Set<string>(Object.values(SIM_ENV));
	return Object.keys(env).filter((name) => name.startsWith('ZEEK_SIM_') && !known.has(name));
}
