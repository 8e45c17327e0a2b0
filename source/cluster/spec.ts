// Command-line and environment options -> a validated ClusterSpec. Everything here is checked
// before anything is created or started; the first problem is an InputError naming the input.
import {accessSync, constants, realpathSync, statSync} from 'node:fs';
import path from 'node:path';
import {
	generateLayout,
	parseLayout,
	renderLayout,
	workerNames,
	LayoutParseError,
} from './layout.js';
import {
	packetSourcePrefix,
	parseWorkersOption,
	workerCount,
	WorkersOptionError,
} from './workers-option.js';
import {readNodeCfgPlan} from '../nodecfg/read.js';
import {
	CpuListError,
	cpuForWorker,
	parseCpuSequence,
	readOnlineCpus,
	formatCpuList,
} from './affinity.js';
import {readMounts, unusablePlace, type Mount} from './mounts.js';
import {LAYOUT_MAX_BYTES} from './process.js';
import {UnsafeFileError, readRegularFile} from './safe-files.js';
import type {ClusterSpec, Layout, NodePlan, NodeType} from './types.js';
import {InputError} from './errors.js';
import {demoPorts} from '../demo/demo-ports.js';
import {metricsTarget} from './metrics-target.js';
import {listenPorts} from './port-check.js';
import {nodeZeekPath, zeekPathWarning} from './zeekpath.js';
import {loadsZeroMq, zeroMqArguments, zeroMqEndpoints} from './zeromq-endpoints.js';

const LAYOUT_ORDER: readonly NodeType[] = ['manager', 'logger', 'proxy', 'worker'];

export {InputError} from './errors.js';

/** One option's raw text and where it came from, so errors can name what the operator typed. */
export type GivenOption = {value: string; from: string};

export type ClusterOptions = {
	workers: GivenOption;
	proxies: GivenOption;
	loggers: GivenOption;
	interface: GivenOption;
	spoolDir: GivenOption;
	args: GivenOption;
	workerArgs: GivenOption;
	backendArgs: GivenOption;
	zeek: GivenOption;
	pinWorkers?: GivenOption;
	stopTimeout: GivenOption;
	layout?: GivenOption;
	/** ZeekControl's node.cfg (DESIGN §6): its nodes instead of the counts. */
	nodeCfg?: GivenOption;
};

export type ValidatedCluster = {spec: ClusterSpec; layout: Layout; warnings: string[]};

// The generator's defaults (zeek-cluster-layout-generator); the cluster commands have no flags
// for these, an operator who needs others writes the layout and passes --layout.
const GENERATED_LAYOUT = {
	ip: '127.0.0.1',
	port: 27_760,
	metricsPort: 9991,
	metricsAddress: '0.0.0.0',
};

/** Splits like the shell splits an unquoted variable: on blanks, no quotes, no globbing. */
export function splitArguments(text: string): string[] {
	return text.split(/[ \t\n]+/).filter((word) => word !== '');
}

export function describe(option: GivenOption): string {
	return option.from.startsWith('-')
		? `${option.from} "${option.value}"`
		: `${option.from}="${option.value}"`;
}

/** At most 10000 of each, so every generated port stays below 65536. */
function parseCount(option: GivenOption): number {
	if (!/^\d+$/.test(option.value.trim()) || Number(option.value) > 10_000) {
		throw new InputError(`${describe(option)}: expected a whole number from 0 to 10000`);
	}
	return Number(option.value);
}

// Node's timers hold 2^31-1 ms at most; a longer one fires after 1 ms (every node SIGKILLed at once).
const MAX_STOP_TIMEOUT_MS = 2 ** 31 - 1;
const MIN_STOP_TIMEOUT_MS = 100;

function parseWorkers(option: GivenOption): ReturnType<typeof parseWorkersOption> {
	try {
		return parseWorkersOption(option.value);
	} catch (error) {
		if (error instanceof WorkersOptionError)
			throw new InputError(`${describe(option)}: ${error.message}`);
		throw error;
	}
}

/** Seconds as decimals (60, 2.5); no hex, no exponents, within what a timer can wait. */
function parseStopTimeout(option: GivenOption): number {
	const text = option.value.trim();
	const milliseconds = /^(\d+(\.\d*)?|\.\d+)$/.test(text)
		? Math.round(Number(text) * 1000)
		: Number.NaN;
	if (!(milliseconds >= MIN_STOP_TIMEOUT_MS && milliseconds <= MAX_STOP_TIMEOUT_MS)) {
		throw new InputError(
			`${describe(option)}: expected seconds from ${MIN_STOP_TIMEOUT_MS / 1000} to ${MAX_STOP_TIMEOUT_MS / 1000} (2^31-1 ms, about 24.8 days), like 60 or 2.5`,
		);
	}
	return milliseconds;
}

function parsePinList(option: GivenOption, onlineCpus: readonly number[]): number[] {
	let cpus: number[];
	try {
		cpus = parseCpuSequence(option.value);
	} catch (error) {
		const reason = error instanceof CpuListError ? error.message : String(error);
		throw new InputError(
			`${describe(option)}: ${reason}; expected a CPU list like 2-5, 2,4 or 0-3,8`,
		);
	}
	const offline = cpus.filter((cpu) => !onlineCpus.includes(cpu));
	if (offline.length > 0) {
		throw new InputError(
			`${describe(option)}: CPU ${formatCpuList(offline)} is not online on this machine; online CPUs: ${formatCpuList(onlineCpus)}`,
		);
	}
	return cpus;
}

function isExecutableFile(file: string): boolean {
	try {
		accessSync(file, constants.X_OK);
		return statSync(file).isFile();
	} catch {
		return false;
	}
}

/** An absolute path to the zeek binary: as given when it has a slash, else found on PATH. */
export function resolveZeek(option: GivenOption, searchPath = process.env['PATH'] ?? ''): string {
	const name = option.value;
	if (name.includes('/')) {
		const file = path.resolve(name);
		if (isExecutableFile(file)) return file;
		throw new InputError(
			`${describe(option)}: not an executable file; pass the path of the zeek binary`,
		);
	}
	for (const directory of searchPath.split(':')) {
		if (directory === '') continue;
		const file = path.join(directory, name);
		if (isExecutableFile(file)) return file;
	}
	throw new InputError(
		`${describe(option)}: not found on PATH; pass --zeek /path/to/zeek (or try --demo, which needs no Zeek)`,
	);
}

/**
 * The spool must be a writable directory, or creatable: its nearest existing ancestor writable,
 * and not on a kernel file system or a read-only mount (found before anything tries mkdir there).
 */
export function checkSpoolDir(
	option: GivenOption,
	cwd: string,
	mounts: readonly Mount[] = readMounts(),
): string {
	const spool = path.resolve(cwd, option.value);
	if (option.value.trim() === '')
		throw new InputError(`${describe(option)}: expected a directory path`);
	let existing = spool;
	for (;;) {
		let stats;
		try {
			stats = statSync(existing);
		} catch (error) {
			const code = (error as NodeJS.ErrnoException).code;
			if (code === 'ENOENT') {
				existing = path.dirname(existing);
				continue;
			}
			throw new InputError(`${describe(option)}: cannot be used (${code ?? String(error)})`);
		}
		const unusable = unusablePlace(spool, realpathSync(existing), mounts);
		if (unusable !== undefined) {
			throw new InputError(
				`${describe(option)}: cannot hold a spool: ${unusable}; expected a directory on a writable disk, like /var/spool/zeek`,
			);
		}
		if (!stats.isDirectory()) {
			throw new InputError(
				existing === spool
					? `${describe(option)}: exists and is not a directory`
					: `${describe(option)}: cannot be created, ${existing} is not a directory`,
			);
		}
		try {
			accessSync(existing, constants.W_OK | constants.X_OK);
		} catch {
			throw new InputError(
				existing === spool
					? `${describe(option)}: directory is not writable`
					: `${describe(option)}: cannot be created, ${existing} is not writable`,
			);
		}
		return spool;
	}
}

function readLayout(option: GivenOption, cwd: string): {layout: Layout; text: string} {
	const file = path.resolve(cwd, option.value);
	let text: string;
	try {
		// A layout is kilobytes: /dev/zero, a FIFO or a huge file is refused, not read on and on.
		text = readRegularFile(file, {maxBytes: LAYOUT_MAX_BYTES, followLinks: true}).data.toString(
			'utf8',
		);
	} catch (error) {
		if (error instanceof UnsafeFileError)
			throw new InputError(`${describe(option)}: the layout file ${error.reason}`);
		const code = (error as NodeJS.ErrnoException).code ?? String(error);
		throw new InputError(`${describe(option)}: cannot read the layout file (${code})`);
	}
	try {
		return {layout: parseLayout(text), text};
	} catch (error) {
		if (error instanceof LayoutParseError)
			throw new InputError(`${describe(option)}: ${error.message}`);
		throw error;
	}
}

function checkInterface(option: GivenOption, warnings: string[]): string {
	const value = option.value.trim();
	if (value === '' || /\s/.test(value)) {
		throw new InputError(
			`${describe(option)}: expected an interface name like eth0 or af_packet::eth0`,
		);
	}
	// Packet source plugins name interfaces their own way; zeek reports what it cannot open.
	const device = value.includes('::') ? value.slice(value.lastIndexOf('::') + 2) : value;
	let known: boolean;
	try {
		statSync(path.join('/sys/class/net', device));
		known = true;
	} catch {
		known = false;
	}
	if (!known)
		warnings.push(
			`warning: interface ${value} is not in /sys/class/net; zeek will report it if it cannot open it`,
		);
	return value;
}

/** The proxy endpoints of this cluster, when the nodes load the ZeroMQ backend. */
function zeroMqPlan(layout: Layout, words: string[]) {
	if (!loadsZeroMq(words)) return undefined;
	const endpoints = zeroMqEndpoints(layout);
	if (endpoints === undefined) return undefined;
	return {endpoints, arguments: zeroMqArguments(endpoints, words)};
}

/**
 * What every node needs around its own arguments on a real box, whatever its plan came from (a
 * layout, generated or given, or a node.cfg): a ZEEKPATH that finds its layout copy, the
 * cluster's own ZeroMQ proxy endpoints, and the ports it binds.
 */
function withZeekSurroundings(
	nodes: NodePlan[],
	layout: Layout,
	words: string[],
	givenEnv: Record<string, string | undefined> | undefined,
	warnings: string[],
): NodePlan[] {
	const env = givenEnv ?? process.env;
	const warning = zeekPathWarning(env['ZEEKPATH']);
	if (warning !== undefined) warnings.push(warning);
	const zeroMq = zeroMqPlan(layout, words);
	return nodes.map((plan) => {
		const node = layout.nodes.find((entry) => entry.name === plan.name);
		const zeekPath = nodeZeekPath(env['ZEEKPATH'], plan.cwd);
		return {
			...plan,
			argv: [...plan.argv, ...(zeroMq?.arguments ?? [])],
			env: {...plan.env, ...(zeekPath === undefined ? {} : {ZEEKPATH: zeekPath})},
			...(node
				? {listens: listenPorts(node, node.type === 'manager' ? zeroMq?.endpoints : undefined)}
				: {}),
		};
	});
}

export function buildClusterSpec(
	options: ClusterOptions,
	context: {
		cwd: string;
		onlineCpus?: number[];
		zeekPath?: string;
		/** A generated layout on a block of free ports (--demo: two demos side by side). */
		demoPorts?: boolean;
		/** zeek-tui's environment, which every node inherits (ZEEKPATH, the listen addresses). */
		env?: Record<string, string | undefined>;
	},
): ValidatedCluster {
	const warnings: string[] = [];
	const stopTimeoutMs = parseStopTimeout(options.stopTimeout);
	if (options.nodeCfg) {
		// node.cfg says which nodes run where: the counts, -i and the pins do not apply.
		for (const other of [options.layout, options.pinWorkers]) {
			if (other)
				throw new InputError(
					`${describe(options.nodeCfg)}: ${describe(other)} does not go with a node.cfg, which names every node; drop one`,
				);
		}
		const zeek = context.zeekPath ?? resolveZeek(options.zeek);
		const spoolDir = checkSpoolDir(options.spoolDir, context.cwd);
		const plan = readNodeCfgPlan(options.nodeCfg, {
			cwd: context.cwd,
			zeek,
			spoolDir,
			args: splitArguments(options.args.value),
			workerArgs: splitArguments(options.workerArgs.value),
			backendArgs: splitArguments(options.backendArgs.value),
			onlineCpus: context.onlineCpus ?? readOnlineCpus(),
		});
		const layoutText = renderLayout(plan.layout);
		const words = [options.args, options.backendArgs, options.workerArgs].flatMap((option) =>
			splitArguments(option.value),
		);
		const nodes = withZeekSurroundings(plan.nodes, plan.layout, words, context.env, warnings);
		return {
			spec: {spoolDir, layoutText, nodes, stopTimeoutMs},
			layout: plan.layout,
			warnings: [...warnings, ...plan.warnings],
		};
	}
	const counts = {
		loggers: parseCount(options.loggers),
		proxies: parseCount(options.proxies),
		workers: parseWorkers(options.workers),
	};
	const iface = checkInterface(options.interface, warnings);
	const pinCpus = options.pinWorkers
		? parsePinList(options.pinWorkers, context.onlineCpus ?? readOnlineCpus())
		: undefined;
	const zeek = context.zeekPath ?? resolveZeek(options.zeek);

	const spoolDir = checkSpoolDir(options.spoolDir, context.cwd);
	let layout: Layout;
	let layoutText: string;
	if (options.layout) {
		({layout, text: layoutText} = readLayout(options.layout, context.cwd));
	} else {
		const ports = context.demoPorts
			? demoPorts({...counts, workers: workerCount(counts.workers)}, spoolDir)
			: {};
		layout = generateLayout({...counts, ...GENERATED_LAYOUT, ...ports});
		layoutText = renderLayout(layout);
	}

	const args = splitArguments(options.args.value);
	const backendArgs = splitArguments(options.backendArgs.value);
	const workerArgs = splitArguments(options.workerArgs.value);
	// -W eth0:2,eth1:3: each worker reads its own interface, with the packet source prefix of -i.
	const workerInterfaces = new Map(
		workerNames(counts.workers).map(({name, interface: own}) => [
			name,
			own === undefined ? iface : `${packetSourcePrefix(iface)}${own}`,
		]),
	);
	if (typeof counts.workers !== 'number') {
		for (const group of counts.workers)
			checkInterface(
				{value: `${packetSourcePrefix(iface)}${group.interface}`, from: options.workers.from},
				warnings,
			);
	}
	const env = context.env ?? process.env;
	const metricsWarnings: string[] = [];
	let workerIndex = 0;
	// Rows and plans in layout order (manager, loggers, proxies, workers) whatever order a
	// hand-written file lists them in; the file's order is kept within a type.
	const ordered = LAYOUT_ORDER.flatMap((type) => layout.nodes.filter((node) => node.type === type));
	const plans: NodePlan[] = ordered.map((node) => {
		const isWorker = node.type === 'worker';
		const cpus = isWorker && pinCpus ? [cpuForWorker(pinCpus, workerIndex)] : undefined;
		if (isWorker) workerIndex++;
		const metrics = metricsTarget(layout, node, env);
		if (metrics.warning !== undefined) metricsWarnings.push(metrics.warning);
		return {
			name: node.name,
			type: node.type,
			cwd: path.join(spoolDir, node.name),
			// `-U .status` makes zeek write its own state, which tells "running" from "starting".
			argv: [
				zeek,
				...(isWorker ? [...workerArgs, '-i', workerInterfaces.get(node.name) ?? iface] : []),
				'-U',
				'.status',
				...args,
				...backendArgs,
			],
			env: {CLUSTER_NODE: node.name},
			...(cpus ? {cpus} : {}),
			...(metrics.target ? {metrics: metrics.target} : {}),
		};
	});
	const words = [...args, ...backendArgs, ...workerArgs];
	const nodes = withZeekSurroundings(plans, layout, words, context.env, warnings);
	warnings.push(...metricsWarnings);
	return {spec: {spoolDir, layoutText, nodes, stopTimeoutMs}, layout, warnings};
}
