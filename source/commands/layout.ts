// `zeek-tui layout`: Zeek 8.1's zeek-cluster-layout-generator, with its flags and defaults,
// minus the inputs that make it write a layout Zeek cannot use.
import {randomBytes} from 'node:crypto';
import {open, rename, rm, stat} from 'node:fs/promises';
import {isIP} from 'node:net';
import path from 'node:path';
import {LAYOUT_FLAGS, MAX_LAYOUT_COUNT, MAX_PORT, optionsHelp} from '../cli/flags.js';
import {parseCommandLine} from '../cli/parse.js';
import {generateLayout, renderLayout, type GenerateLayoutOptions} from '../cluster/layout.js';
import {InputError} from '../cluster/spec.js';
import {parseWorkersOption, workerCount, WorkersOptionError} from '../cluster/workers-option.js';

export type LayoutCommandIo = {stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream};

/** What the command line asks for: a layout to write, or the help text. */
export type LayoutArguments =
	{help: true} | {help: false; options: GenerateLayoutOptions; output?: string};

// The table's rows, by the generator option each gives; -o and -h are read apart.
const OPTION_OF: Record<
	string,
	{key: keyof GenerateLayoutOptions; kind: 'count' | 'address' | 'port' | 'metricsPort'}
> = {
	loggers: {key: 'loggers', kind: 'count'},
	proxies: {key: 'proxies', kind: 'count'},
	workers: {key: 'workers', kind: 'count'},
	address: {key: 'ip', kind: 'address'},
	port: {key: 'port', kind: 'port'},
	metricsPort: {key: 'metricsPort', kind: 'metricsPort'},
	metricsAddress: {key: 'metricsAddress', kind: 'address'},
};

/** The reference tool's defaults (Zeek 8.1), from the flag table. */
export const LAYOUT_DEFAULTS: GenerateLayoutOptions = Object.fromEntries(
	LAYOUT_FLAGS.filter((row) => OPTION_OF[row.name] !== undefined).map((row) => {
		const {key, kind} = OPTION_OF[row.name]!;
		return [key, kind === 'address' ? row.fallback! : Number(row.fallback)];
	}),
) as GenerateLayoutOptions;

const ACCEPTED_FLAGS = LAYOUT_FLAGS.map((row) => `-${row.short}/--${row.long}`).join(' ');

export const LAYOUT_HELP = `Usage: zeek-tui layout [-L n] [-P n] [-W n] [-a addr] [-p port] [-m port]
                       [-b addr] [-o file] [-h]

Writes a cluster-layout.zeek for one manager and the given numbers of loggers,
proxies and workers: for valid arguments, the same text as Zeek 8.1's
zeek-cluster-layout-generator.

${optionsHelp(LAYOUT_FLAGS, {column: 31, defaults: 'inline'})}

Values go as "-W 2", "-W2", "-W=2", "--workers 2" or "--workers=2".

Where zeek-tui layout differs from zeek-cluster-layout-generator:
  - counts must be whole numbers from 0 to ${MAX_LAYOUT_COUNT}; the generator takes
    negative ones
  - every node's cluster and metrics port, the last one included, must be
    within 1-${MAX_PORT}; the generator runs past 65535 and numbers from 0
  - -m 0 switches metrics ports off; the generator numbers them from 0/tcp
    (Zeek 9's, with workers per interface, writes 0/tcp for every node)
  - workers per interface: an interface given twice is refused (Zeek 9 would
    name two workers alike)
  - an IPv6 $ip is written in brackets ($ip=[::1]), as Zeek script requires,
    and so is an IPv6 metrics address (Telemetry::metrics_address = "[::1]"),
    which zeek's metrics server needs: without them every node exits 1;
    the generator leaves both out
  - -a and -b must be IPv4 or IPv6 addresses; unknown flags, stray arguments
    and a flag given twice are refused
  - bad input exits with 2 and one line on stderr, and writes nothing
`;

/** Turns the command line into generator options; throws InputError on bad input. */
export function parseLayoutArguments(argv: readonly string[]): LayoutArguments {
	const {flags, spelled} = parseCommandLine(argv, LAYOUT_FLAGS, {
		hint: `expected one of ${ACCEPTED_FLAGS}`,
	});
	if (flags['help'] === true) return {help: true};
	const options: GenerateLayoutOptions = {...LAYOUT_DEFAULTS};
	// How the operator spelled each value, so that errors quote their own words.
	const given = new Map<keyof GenerateLayoutOptions, string>();
	let output: string | undefined;
	for (const row of LAYOUT_FLAGS) {
		const value = flags[row.name];
		if (typeof value !== 'string') continue;
		const quoted = `${spelled[row.name]} ${JSON.stringify(value)}`;
		if (row.name === 'output') {
			if (value === '') throw new InputError(`${quoted}: ${row.expects}`);
			output = value === '-' ? undefined : value;
			continue;
		}
		const {key, kind} = OPTION_OF[row.name]!;
		given.set(key, quoted);
		if (kind === 'address') {
			if (isIP(value) === 0) throw new InputError(`${quoted}: ${row.expects}`);
			Object.assign(options, {[key]: value});
			continue;
		}
		if (key === 'workers') {
			try {
				options.workers = parseWorkersOption(value, MAX_LAYOUT_COUNT);
			} catch (error) {
				if (error instanceof WorkersOptionError)
					throw new InputError(`${quoted}: ${error.message}`);
				throw error;
			}
			continue;
		}
		const number = /^\d+$/.test(value) ? Number(value) : Number.NaN;
		const limit = kind === 'count' ? MAX_LAYOUT_COUNT : MAX_PORT;
		const lowest = kind === 'port' ? 1 : 0;
		if (!(number >= lowest && number <= limit)) throw new InputError(`${quoted}: ${row.expects}`);
		Object.assign(options, {[key]: number});
	}

	checkPortRuns(options, given);
	return {help: false, options, ...(output === undefined ? {} : {output})};
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
		throw new InputError(
			`${given.get('port') ?? `-p ${options.port} (the default)`}: the last cluster port would be ${lastPort} ${counts}; ` +
				`expected -p from 1 to ${Math.max(0, MAX_PORT - clusterNodes + 1)}, or fewer loggers and proxies`,
		);
	}
	if (options.metricsPort === 0) return;
	const allNodes = clusterNodes + workerCount(options.workers);
	const lastMetricsPort = options.metricsPort + allNodes - 1;
	if (lastMetricsPort > MAX_PORT) {
		const lowest = MAX_PORT - allNodes + 1;
		throw new InputError(
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
 * reports every failure as one line on stderr; never throws. A closed stdout ends it quietly, 0.
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
		// stdout's reader went away (`zeek-tui layout | head -1`): it has what it wanted.
		if ((error as NodeJS.ErrnoException | undefined)?.code === 'EPIPE') return 0;
		const usage = error instanceof InputError;
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
			throw new InputError(
				`${flag}: cannot write there: ${problem}; expected a file in an existing, writable directory`,
			);
		}
		throw new Error(`${flag}: cannot write there: ${(error as Error).message}`);
	}
}
