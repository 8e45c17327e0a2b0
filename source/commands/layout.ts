// `zeek-tui layout`: Zeek 8.1's zeek-cluster-layout-generator, with its flags and defaults,
// minus the inputs that make it write a layout Zeek cannot use.
import {randomBytes} from 'node:crypto';
import {open, rename, rm, stat} from 'node:fs/promises';
import {isIP} from 'node:net';
import path from 'node:path';
import {generateLayout, renderLayout, type GenerateLayoutOptions} from '../cluster/layout.js';
import {parseWorkersOption, workerCount, WorkersOptionError} from '../cluster/workers-option.js';

export type LayoutCommandIo = {stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream};

/** What the command line asks for: a layout to write, or the help text. */
export type LayoutArguments =
	{help: true} | {help: false; options: GenerateLayoutOptions; output?: string};

/** Bad input: one line for the operator, exit code 2. */
export class LayoutUsageError extends Error {}

// A bound on the counts keeps `-m 0 -W 999999999` from eating the machine's memory; with metrics
// ports on, 65535 nodes could not be numbered anyway.
const MAX_COUNT = 65_535;
const MAX_PORT = 65_535;

type FlagKind = 'count' | 'address' | 'port' | 'metricsPort' | 'file' | 'help';

type Flag = {short: string; long: string; kind: FlagKind; key?: keyof GenerateLayoutOptions};

const FLAGS: Flag[] = [
	{short: 'L', long: 'loggers', kind: 'count', key: 'loggers'},
	{short: 'P', long: 'proxies', kind: 'count', key: 'proxies'},
	{short: 'W', long: 'workers', kind: 'count', key: 'workers'},
	{short: 'a', long: 'address', kind: 'address', key: 'ip'},
	{short: 'p', long: 'port', kind: 'port', key: 'port'},
	{short: 'm', long: 'metrics-port', kind: 'metricsPort', key: 'metricsPort'},
	{short: 'b', long: 'metrics-address', kind: 'address', key: 'metricsAddress'},
	{short: 'o', long: 'output', kind: 'file'},
	{short: 'h', long: 'help', kind: 'help'},
];

/** The reference tool's defaults (Zeek 8.1). */
export const LAYOUT_DEFAULTS: GenerateLayoutOptions = {
	loggers: 1,
	proxies: 1,
	workers: 4,
	ip: '127.0.0.1',
	port: 27_760,
	metricsPort: 9991,
	metricsAddress: '0.0.0.0',
};

const ACCEPTED_FLAGS = FLAGS.map((flag) => `-${flag.short}/--${flag.long}`).join(' ');

export const LAYOUT_HELP = `Usage: zeek-tui layout [-L n] [-P n] [-W n] [-a addr] [-p port] [-m port]
                       [-b addr] [-o file] [-h]

Writes a cluster-layout.zeek for one manager and the given numbers of loggers,
proxies and workers: for valid arguments, the same text as Zeek 8.1's
zeek-cluster-layout-generator.

  -L, --loggers N             loggers (default ${LAYOUT_DEFAULTS.loggers});
                              0 makes the manager the logger
  -P, --proxies N             proxies (default ${LAYOUT_DEFAULTS.proxies})
  -W, --workers N             workers (default ${LAYOUT_DEFAULTS.workers}); or per interface,
                              eth0:2,eth1:3 (worker-eth0-1 ...): then the text
                              of Zeek 9's generator, which alone has them
  -a, --address ADDR          every node's $ip (default ${LAYOUT_DEFAULTS.ip})
  -p, --port PORT             the manager's cluster port (default ${LAYOUT_DEFAULTS.port});
                              loggers, then proxies, take the next ones;
                              workers get none
  -m, --metrics-port PORT     the manager's metrics port (default ${LAYOUT_DEFAULTS.metricsPort});
                              every other node takes the next one, in order;
                              0 = no metrics ports: no $metrics_port and
                              no Telemetry lines
  -b, --metrics-address ADDR  Telemetry::metrics_address (default ${LAYOUT_DEFAULTS.metricsAddress})
  -o, --output FILE           write FILE instead of stdout, atomically (a
                              temporary file in the same directory, renamed);
                              - is stdout
  -h, --help                  this text

Values go as "-W 2", "-W2", "--workers 2" or "--workers=2".

Where zeek-tui layout differs from zeek-cluster-layout-generator:
  - counts must be whole numbers from 0 to ${MAX_COUNT}; the generator takes
    negative ones
  - every node's cluster and metrics port, the last one included, must be
    within 1-${MAX_PORT}; the generator runs past 65535 and numbers from 0
  - -m 0 switches metrics ports off; the generator numbers them from 0/tcp
    (Zeek 9's, with workers per interface, writes 0/tcp for every node)
  - workers per interface: an interface given twice is refused (Zeek 9 would
    name two workers alike)
  - an IPv6 $ip is written in brackets ($ip=[::1]), as Zeek script requires;
    the generator leaves them out
  - -a and -b must be IPv4 or IPv6 addresses; unknown flags and stray arguments
    are refused
  - bad input exits with 2 and one line on stderr, and writes nothing
`;

/** Turns the command line into generator options; throws LayoutUsageError on bad input. */
export function parseLayoutArguments(argv: readonly string[]): LayoutArguments {
	const options: GenerateLayoutOptions = {...LAYOUT_DEFAULTS};
	// How the operator spelled each value, so that errors quote their own words.
	const given = new Map<keyof GenerateLayoutOptions, string>();
	let output: string | undefined;

	for (let index = 0; index < argv.length; index++) {
		const argument = argv[index]!;
		let flag: Flag | undefined;
		let spelled: string;
		let inline: string | undefined;
		if (argument.startsWith('--') && argument.length > 2) {
			const equals = argument.indexOf('=');
			spelled = equals === -1 ? argument : argument.slice(0, equals);
			inline = equals === -1 ? undefined : argument.slice(equals + 1);
			flag = FLAGS.find((candidate) => `--${candidate.long}` === spelled);
		} else if (argument.startsWith('-') && argument.length > 1 && argument !== '--') {
			spelled = argument.slice(0, 2);
			inline = argument.length > 2 ? argument.slice(2) : undefined;
			flag = FLAGS.find((candidate) => `-${candidate.short}` === spelled);
		} else {
			throw new LayoutUsageError(
				`unexpected argument ${JSON.stringify(argument)}: zeek-tui layout takes only flags (${ACCEPTED_FLAGS})`,
			);
		}
		if (flag === undefined) {
			throw new LayoutUsageError(`unknown flag ${spelled}: expected one of ${ACCEPTED_FLAGS}`);
		}

		if (flag.kind === 'help') {
			if (inline !== undefined) throw new LayoutUsageError(`${spelled} takes no value`);
			// Like the generator (getopt): help as soon as it is seen, whatever follows.
			return {help: true};
		}
		let value: string;
		if (inline !== undefined) {
			value = inline;
		} else if (index + 1 < argv.length) {
			value = argv[++index]!;
		} else {
			throw new LayoutUsageError(`${spelled} needs a value: ${expectation(flag)}`);
		}

		const quoted = `${spelled} ${JSON.stringify(value)}`;
		if (flag.kind === 'file') {
			if (value === '') throw new LayoutUsageError(`${quoted}: ${expectation(flag)}`);
			output = value === '-' ? undefined : value;
			continue;
		}
		given.set(flag.key!, quoted);
		if (flag.kind === 'address') {
			if (isIP(value) === 0) throw new LayoutUsageError(`${quoted}: ${expectation(flag)}`);
			Object.assign(options, {[flag.key!]: value});
			continue;
		}
		if (flag.key === 'workers') {
			try {
				options.workers = parseWorkersOption(value, MAX_COUNT);
			} catch (error) {
				if (error instanceof WorkersOptionError)
					throw new LayoutUsageError(`${quoted}: ${error.message}`);
				throw error;
			}
			continue;
		}
		const number = /^\d+$/.test(value) ? Number(value) : Number.NaN;
		const limit = flag.kind === 'count' ? MAX_COUNT : MAX_PORT;
		const lowest = flag.kind === 'port' ? 1 : 0;
		if (!(number >= lowest && number <= limit)) {
			throw new LayoutUsageError(`${quoted}: ${expectation(flag)}`);
		}
		Object.assign(options, {[flag.key!]: number});
	}

	checkPortRuns(options, given);
	return {help: false, options, ...(output === undefined ? {} : {output})};
}

function expectation(flag: Flag): string {
	switch (flag.kind) {
		case 'count':
			return `expected a whole number of ${flag.long} from 0 to ${MAX_COUNT}`;
		case 'address':
			return 'expected an IPv4 or IPv6 address, like 127.0.0.1 or ::1';
		case 'port':
			return `expected a port number from 1 to ${MAX_PORT}`;
		case 'metricsPort':
			return `expected a port number from 1 to ${MAX_PORT}, or 0 for no metrics ports`;
		case 'file':
			return 'expected a file path, or - for stdout';
		case 'help':
			return 'expected no value';
	}
}

/** The last node's port must still be a port: the generator counts up without looking. */
function checkPortRuns(
	options: GenerateLayoutOptions,
	given: Map<keyof GenerateLayoutOptions, string>,
): void {
	const counts = `with ${plural(options.loggers, 'logger')}, ${plural(options.proxies, 'proxy', 'proxies')} and ${plural(workerCount(options.workers), 'worker')}`;
	const clusterNodes = 1 + options.loggers + options.proxies;
	const lastPort = options.port + clusterNodes - 1;
	if (lastPort > MAX_PORT) {
		throw new LayoutUsageError(
			`${given.get('port') ?? `-p ${options.port} (the default)`}: the last cluster port would be ${lastPort} ${counts}; ` +
				`expected -p from 1 to ${Math.max(0, MAX_PORT - clusterNodes + 1)}, or fewer loggers and proxies`,
		);
	}
	if (options.metricsPort === 0) return;
	const allNodes = clusterNodes + workerCount(options.workers);
	const lastMetricsPort = options.metricsPort + allNodes - 1;
	if (lastMetricsPort > MAX_PORT) {
		const lowest = MAX_PORT - allNodes + 1;
		throw new LayoutUsageError(
			`${given.get('metricsPort') ?? `-m ${options.metricsPort} (the default)`}: the last metrics port would be ${lastMetricsPort} ${counts}; ` +
				`expected ${lowest >= 1 ? `-m from 1 to ${lowest}, ` : ''}-m 0 for no metrics ports, or fewer nodes`,
		);
	}
}

function plural(count: number, one: string, many = `${one}s`): string {
	return `${count} ${count === 1 ? one : many}`;
}

/**
 * `zeek-tui layout ...`: returns the exit code (0, 2 for bad input, 1 for anything else) and
 * reports every failure as one line on stderr; never throws.
 */
export async function runLayoutCommand(argv: string[], io: LayoutCommandIo): Promise<number> {
	try {
		const parsed = parseLayoutArguments(argv);
		if (parsed.help) {
			await writeTo(io.stdout, LAYOUT_HELP);
			return 0;
		}
		// Workers per interface exist only in Zeek 9's generator: its text, then.
		const named = typeof parsed.options.workers !== 'number';
		const text = renderLayout(generateLayout(parsed.options), named ? {framing: 'zeek-9'} : {});
		if (parsed.output === undefined) await writeTo(io.stdout, text);
		else await writeFileAtomically(parsed.output, text);
		return 0;
	} catch (error) {
		const usage = error instanceof LayoutUsageError;
		const message = error instanceof Error ? error.message : String(error);
		await writeTo(io.stderr, `zeek-tui layout: ${message.replace(/\s*\n\s*/g, ' ')}\n`).catch(
			() => undefined,
		);
		return usage ? 2 : 1;
	}
}

function writeTo(stream: NodeJS.WritableStream, text: string): Promise<void> {
	return new Promise((resolve, reject) => {
		// A closed pipe (`zeek-tui layout | head -1`) is reported through 'error' as well as the
		// callback; without a listener it would be an uncaught exception.
		// The event comes after the callback, so the listener stays when the write failed.
		const onError = (error: Error) => reject(error);
		stream.once('error', onError);
		stream.write(text, (error) => {
			if (error) {
				reject(error);
			} else {
				stream.removeListener('error', onError);
				resolve();
			}
		});
	});
}

// Errors that mean the operator named a place that cannot take the file: bad input, exit 2.
const OUTPUT_PROBLEMS: Record<string, string> = {
	ENOENT: 'its directory does not exist',
	ENOTDIR: 'a part of its directory is not a directory',
	EACCES: 'permission denied',
	EPERM: 'permission denied',
	EROFS: 'the file system is read-only',
	// From the rename, after the temporary file was written: the target is a directory.
	EISDIR: 'it is a directory',
};

/** Readers of `file` see the old text or the new, never a half-written one. */
async function writeFileAtomically(file: string, text: string): Promise<void> {
	const target = path.resolve(file);
	const flag = `-o ${JSON.stringify(file)}`;
	// Keep the mode of the file being replaced: an operator may have narrowed it.
	const existing = await stat(target).catch(() => undefined);
	const mode = existing?.isFile() ? existing.mode & 0o7777 : 0o666;
	// Same directory, so that the rename cannot cross file systems.
	const temporary = path.join(
		path.dirname(target),
		`.${path.basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
	);
	let created = false;
	try {
		const handle = await open(temporary, 'wx', mode);
		created = true;
		try {
			await handle.writeFile(text);
			await handle.sync();
		} finally {
			await handle.close();
		}
		await rename(temporary, target);
	} catch (error) {
		if (created) await rm(temporary, {force: true}).catch(() => undefined);
		const code = (error as NodeJS.ErrnoException).code ?? '';
		const problem = OUTPUT_PROBLEMS[code];
		if (problem !== undefined) {
			throw new LayoutUsageError(
				`${flag}: cannot write there: ${problem}; expected a file in an existing, writable directory`,
			);
		}
		throw new Error(`${flag}: cannot write there: ${(error as Error).message}`);
	}
}
