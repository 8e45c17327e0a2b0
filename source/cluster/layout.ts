// cluster-layout.zeek: generate the node list the way Zeek 8.1's zeek-cluster-layout-generator
// does, render it byte for byte like that tool, and read it back (also from a hand-written file).
import {isIP} from 'node:net';
import type {Layout, LayoutNode, NodeType} from './types.js';

/** A layout file zeek-tui cannot use; `line` is 1-based. */
export class LayoutParseError extends Error {
	readonly line: number;

	constructor(line: number, detail: string) {
		super(`line ${line}: ${detail}`);
		this.name = 'LayoutParseError';
		this.line = line;
	}
}

// Names zeek-tui itself uses inside the spool directory (DESIGN §2): a node named so would
// share its working directory with the layout file or with zeek-tui's own state.
const RESERVED_NAMES = new Set(['cluster-layout.zeek', '.zeek-tui']);

/**
 * A node name is also the name of its working directory in the spool (DESIGN §2):
 * letters, digits, `-`, `_` and `.`, not `.` or `..`, at most 64 characters.
 */
export function isValidNodeName(name: string): boolean {
	return (
		/^[A-Za-z0-9._-]{1,64}$/.test(name) &&
		name !== '.' &&
		name !== '..' &&
		!RESERVED_NAMES.has(name)
	);
}

/** Workers per interface, as `-W eth0:2,eth1:3` gives them (Zeek 9's generator). */
export type InterfaceWorkers = {interface: string; count: number};

export type GenerateLayoutOptions = {
	loggers: number;
	proxies: number;
	/** A count (`worker-1` ...), or counts per interface (`worker-eth0-1` ...). */
	workers: number | readonly InterfaceWorkers[];
	/** Every node's `$ip`, without brackets. */
	ip: string;
	/** The manager's cluster port; loggers, then proxies, take the next ones. */
	port: number;
	/** The first node's metrics port, counting up over every node; 0 for no metrics ports at all. */
	metricsPort: number;
	metricsAddress: string;
};

/** The workers' names in layout order, with the interface of each when given per interface. */
export function workerNames(
	workers: number | readonly InterfaceWorkers[],
): Array<{name: string; interface?: string}> {
	if (typeof workers === 'number')
		return Array.from({length: workers}, (_, index) => ({name: `worker-${index + 1}`}));
	return workers.flatMap((group) =>
		Array.from({length: group.count}, (_, index) => ({
			name: `worker-${group.interface}-${index + 1}`,
			interface: group.interface,
		})),
	);
}

/**
 * The generator's rule: manager, logger-1.., proxy-1.., worker-1.. (or worker-IF-1.. per
 * interface); cluster ports from `port` for every node but the workers, metrics ports from
 * `metricsPort` for every node, in that order. The caller checks the input; nonsense (negative
 * counts, ports past 65535) is a RangeError here.
 */
export function generateLayout(options: GenerateLayoutOptions): Layout {
	const {loggers, proxies, workers, ip} = options;
	const workerCounts =
		typeof workers === 'number' ? [workers] : workers.map((group) => group.count);
	for (const [what, count] of [
		['loggers', loggers],
		['proxies', proxies],
		...workerCounts.map((count) => ['workers', count] as const),
	] as const) {
		if (!Number.isSafeInteger(count) || count < 0) {
			throw new RangeError(`${what}: ${count} is not a count`);
		}
	}
	const plan: Array<{name: string; type: NodeType; ip: string}> = [
		{name: 'manager', type: 'manager', ip},
	];
	for (const [type, count] of [
		['logger', loggers],
		['proxy', proxies],
	] as const) {
		for (let index = 1; index <= count; index++) plan.push({name: `${type}-${index}`, type, ip});
	}
	for (const {name} of workerNames(workers)) plan.push({name, type: 'worker', ip});
	return layoutOf(plan, {...options, workerPorts: false});
}

export type LayoutPortOptions = {
	/** The first cluster port, for the first node that takes one. */
	port: number;
	/** The first metrics port; 0 for none. */
	metricsPort: number;
	metricsAddress: string;
	/** zeekctl numbers workers' cluster ports too; the generator gives workers none. */
	workerPorts: boolean;
};

/**
 * The layout of these nodes, in the order given: cluster ports counting up from `port`,
 * metrics ports from `metricsPort`, every node but the manager naming the manager.
 */
export function layoutOf(
	nodes: ReadonlyArray<{name: string; type: NodeType; ip: string}>,
	options: LayoutPortOptions,
): Layout {
	const {port, metricsPort, metricsAddress, workerPorts} = options;
	const withMetrics = metricsPort !== 0;
	const ported = nodes.filter((node) => workerPorts || node.type !== 'worker').length;
	if (!isPortRange(port, ported)) {
		throw new RangeError(`cluster ports from ${port} for ${ported} nodes`);
	}
	if (withMetrics && !isPortRange(metricsPort, nodes.length)) {
		throw new RangeError(`metrics ports from ${metricsPort} for ${nodes.length} nodes`);
	}
	const manager = nodes.find((node) => node.type === 'manager')?.name ?? 'manager';
	let nextPort = port;
	let nextMetricsPort = metricsPort;
	const layoutNodes = nodes.map(({name, type, ip}): LayoutNode => {
		const node: LayoutNode = {name, type, ip};
		if (workerPorts || type !== 'worker') node.port = nextPort++;
		if (type !== 'manager') node.manager = manager;
		if (withMetrics) node.metricsPort = nextMetricsPort++;
		return node;
	});
	return {
		managerIsLogger: !nodes.some((node) => node.type === 'logger'),
		nodes: layoutNodes,
		...(withMetrics ? {metricsAddress} : {}),
	};
}

function isPortRange(first: number, count: number): boolean {
	return Number.isSafeInteger(first) && first >= 1 && first + count - 1 <= 65_535;
}

const HEADER = '# Auto-generated by zeek-cluster-layout-generator';
const TELEMETRY_LOAD = '@load base/frameworks/telemetry/options';
const TELEMETRY_PORT = 'redef Telemetry::metrics_port = Cluster::local_node_metrics_port();';

// Zeek 9's generator: the metrics address from the environment or the node's own $ip.
const ZEEK9_TELEMETRY = [
	'# Either use ZEEK_TELEMETRY_LISTEN_ADDRESS env or the value from node$ip.',
	'const metrics_address_env = getenv("ZEEK_TELEMETRY_LISTEN_ADDRESS");',
	'@if ( |metrics_address_env| > 0 )',
	'redef Telemetry::metrics_address = metrics_address_env;',
	'@else',
	'@if ( Cluster::node in Cluster::nodes )',
	'const my_ip = Cluster::nodes[Cluster::node]$ip;',
	'const my_ip_str = is_v4_addr(my_ip) ? cat(my_ip) : cat("[", my_ip, "]");',
	'redef Telemetry::metrics_address = my_ip_str;',
	'@endif',
	'@endif',
	'',
	'# Always use the metrics port from the cluster layout for now',
	'# This can/may change in the future!',
	TELEMETRY_PORT,
];

/**
 * The generator's text, byte for byte, with two deliberate differences: an IPv6 `$ip` is written
 * in brackets (Zeek script needs them), and without `metricsAddress` the Telemetry lines are left
 * out (the generator has no way to switch metrics off). `framing: 'zeek-9'` writes the file the
 * way Zeek 9's generator does (the only one that knows workers per interface): the node table
 * first, then manager_is_logger, then metrics on each node's own address.
 */
export function renderLayout(
	layout: Layout,
	options: {framing?: 'zeek-8.1' | 'zeek-9'} = {},
): string {
	if (options.framing === 'zeek-9') {
		return (
			[
				HEADER,
				'',
				'redef Cluster::nodes += {',
				...layout.nodes.map(renderNode),
				'};',
				'',
				`redef Cluster::manager_is_logger = ${layout.managerIsLogger ? 'T' : 'F'};`,
				'',
				TELEMETRY_LOAD,
				'',
				...ZEEK9_TELEMETRY,
			].join('\n') + '\n'
		);
	}
	const lines = [
		HEADER,
		'',
		`redef Cluster::manager_is_logger = ${layout.managerIsLogger ? 'T' : 'F'};`,
		'',
		'redef Cluster::nodes += {',
		...layout.nodes.map(renderNode),
		'};',
	];
	if (layout.metricsAddress !== undefined) {
		lines.push(
			'',
			TELEMETRY_LOAD,
			`redef Telemetry::metrics_address = ${zeekString(layout.metricsAddress)};`,
			TELEMETRY_PORT,
		);
	}
	return lines.join('\n') + '\n';
}

function renderNode(node: LayoutNode): string {
	const fields = [`$node_type=Cluster::${node.type.toUpperCase()}`, `$ip=${zeekAddress(node.ip)}`];
	if (node.port !== undefined) fields.push(`$p=${node.port}/tcp`);
	if (node.manager !== undefined) fields.push(`$manager=${zeekString(node.manager)}`);
	if (node.metricsPort !== undefined) fields.push(`$metrics_port=${node.metricsPort}/tcp`);
	return `    [${zeekString(node.name)}] = [${fields.join(', ')}],`;
}

function zeekAddress(ip: string): string {
	return isIP(ip) === 6 ? `[${ip}]` : ip;
}

/** A Zeek string literal; control characters as \xHH so that the literal stays on one line. */
function zeekString(value: string): string {
	let escaped = '';
	for (const char of value) {
		const code = char.charCodeAt(0);
		if (char === '\\' || char === '"') escaped += `\\${char}`;
		else if (code < 0x20 || code === 0x7f) escaped += `\\x${code.toString(16).padStart(2, '0')}`;
		else escaped += char;
	}
	return `"${escaped}"`;
}

// ---------------------------------------------------------------------------------------------
// Reading. A small recursive-descent reader over the characters: Zeek script is not line based,
// so records may span lines and comments may sit anywhere between tokens.

const NODE_TYPES: Record<string, NodeType> = {
	'Cluster::MANAGER': 'manager',
	'Cluster::LOGGER': 'logger',
	'Cluster::PROXY': 'proxy',
	'Cluster::WORKER': 'worker',
};

// Zeek's own default for Cluster::manager_is_logger.
const DEFAULT_MANAGER_IS_LOGGER = true;

class Reader {
	private position = 0;
	private readonly lineStarts: number[] = [0];

	constructor(private readonly text: string) {
		for (let index = 0; index < text.length; index++) {
			if (text[index] === '\n') this.lineStarts.push(index + 1);
		}
	}

	line(at = this.position): number {
		let low = 0;
		let high = this.lineStarts.length - 1;
		while (low < high) {
			const middle = Math.ceil((low + high) / 2);
			if (this.lineStarts[middle]! <= at) low = middle;
			else high = middle - 1;
		}
		return low + 1;
	}

	lastLine(): number {
		return this.line(this.text.length);
	}

	/** The current position, to point an error at the start of what was read after it. */
	mark(): number {
		this.skip();
		return this.position;
	}

	atEnd(): boolean {
		return this.position >= this.text.length;
	}

	/** Skips white space and `#` comments. */
	skip(): void {
		while (!this.atEnd()) {
			const char = this.text[this.position]!;
			if (char === '#') {
				const end = this.text.indexOf('\n', this.position);
				this.position = end === -1 ? this.text.length : end;
			} else if (/\s/.test(char)) {
				this.position++;
			} else {
				return;
			}
		}
	}

	peek(): string {
		return this.text[this.position] ?? '';
	}

	/** Consumes `token` (after skipping blanks) if it comes next. */
	accept(token: string): boolean {
		this.skip();
		if (!this.text.startsWith(token, this.position)) return false;
		this.position += token.length;
		return true;
	}

	expect(token: string, context = ''): void {
		if (!this.accept(token)) this.fail(`"${token}"${context}`);
	}

	/** A word or a qualified name such as `Cluster::nodes`, or undefined. */
	name(): string | undefined {
		this.skip();
		const match = /^[A-Za-z_][A-Za-z0-9_]*(?:::[A-Za-z_][A-Za-z0-9_]*)*/.exec(this.rest());
		if (!match) return undefined;
		this.position += match[0].length;
		return match[0];
	}

	/** A Zeek string literal, unescaped. */
	string(what: string): string {
		this.skip();
		const start = this.position;
		if (this.peek() !== '"') this.fail(what);
		let value = '';
		for (let index = start + 1; index < this.text.length; index++) {
			const char = this.text[index]!;
			if (char === '"') {
				this.position = index + 1;
				return value;
			}
			if (char === '\n') break;
			if (char !== '\\') {
				value += char;
				continue;
			}
			const next = this.text[index + 1] ?? '';
			const hex = /^x([0-9A-Fa-f]{2})/.exec(this.text.slice(index + 1, index + 4));
			if (hex) {
				value += String.fromCharCode(parseInt(hex[1]!, 16));
				index += 3;
			} else {
				value += next === 'n' ? '\n' : next === 't' ? '\t' : next;
				index += 1;
			}
		}
		throw new LayoutParseError(
			this.line(start),
			'expected the closing " of a string on the same line',
		);
	}

	/** Consumes the characters matching `pattern` at the current position. */
	match(pattern: RegExp): string | undefined {
		this.skip();
		const match = pattern.exec(this.rest());
		if (!match) return undefined;
		this.position += match[0].length;
		return match[0];
	}

	/** Skips one value of a field zeek-tui does not use: up to a `,` or `]` outside brackets and strings. */
	skipValue(what: string): void {
		this.skip();
		const start = this.position;
		const closers: string[] = [];
		while (!this.atEnd()) {
			const char = this.peek();
			if (closers.length === 0 && (char === ',' || char === ']')) break;
			if (char === '"') {
				this.string('a string');
				continue;
			}
			if (char === '#') {
				this.skip();
				continue;
			}
			const opener = '([{'.indexOf(char);
			if (opener !== -1) closers.push(')]}'[opener]!);
			else if (')]}'.includes(char)) {
				if (closers.pop() !== char) this.fail(what);
			}
			this.position++;
		}
		if (this.position === start || this.atEnd()) this.fail(what);
	}

	fail(expected: string, at = this.position): never {
		throw new LayoutParseError(this.line(at), `expected ${expected}, found ${this.found(at)}`);
	}

	private found(at: number): string {
		if (at >= this.text.length) return 'the end of the file';
		const word = /^\S+/.exec(this.text.slice(at))?.[0] ?? '';
		return JSON.stringify(word.length > 40 ? `${word.slice(0, 40)}...` : word);
	}

	private rest(): string {
		return this.text.slice(this.position, this.position + 256);
	}
}

type Collected = {
	nodes: LayoutNode[];
	/** Where the last `redef Cluster::nodes` began, for errors about the table as a whole. */
	tableLine?: number;
	names: Map<string, number>;
	managerLine?: number;
};

/**
 * Reads what renderLayout writes, and hand-written layouts of the same shape: fields in any
 * order, records over several lines, comments, `$ip` with or without brackets, `=` or `+=`.
 * Fields other than node_type, ip, p, manager and metrics_port are skipped. Nodes keep file order.
 */
export function parseLayout(text: string): Layout {
	const reader = new Reader(text);
	let managerIsLogger = DEFAULT_MANAGER_IS_LOGGER;
	let metricsAddress: string | undefined;
	const collected: Collected = {nodes: [], names: new Map()};

	for (reader.skip(); !reader.atEnd(); reader.skip()) {
		const statementAt = reader.mark();
		const statementLine = reader.line();
		if (reader.accept('@load')) {
			// Any @load is fine for zeek-tui: it only needs the node table.
			if (!/[ \t]/.test(reader.peek()) || reader.match(/^[^\s#]+/) === undefined) {
				reader.fail('a script path after @load');
			}
			continue;
		}
		if (reader.name() !== 'redef') reader.fail('"redef" or "@load"', statementAt);
		const targetAt = reader.mark();
		const target = reader.name();
		const operator = reader.accept('+=') ? '+=' : reader.accept('=') ? '=' : undefined;
		if (target === 'Cluster::nodes' && operator !== undefined) {
			if (operator === '=') {
				collected.nodes = [];
				collected.names.clear();
				collected.managerLine = undefined;
			}
			collected.tableLine = statementLine;
			readNodeTable(reader, collected);
		} else if (target === 'Cluster::manager_is_logger' && operator === '=') {
			const valueAt = reader.mark();
			const value = reader.name();
			if (value !== 'T' && value !== 'F')
				reader.fail('T or F for Cluster::manager_is_logger', valueAt);
			managerIsLogger = value === 'T';
		} else if (target === 'Telemetry::metrics_address' && operator === '=') {
			metricsAddress = reader.string('a string for Telemetry::metrics_address');
		} else if (target === 'Telemetry::metrics_port' && operator === '=') {
			const valueAt = reader.mark();
			if (reader.name() !== 'Cluster::local_node_metrics_port') {
				reader.fail('Cluster::local_node_metrics_port() for Telemetry::metrics_port', valueAt);
			}
			reader.expect('(');
			reader.expect(')');
		} else {
			reader.fail(
				'"redef Cluster::nodes +=" (or "="), "redef Cluster::manager_is_logger =", ' +
					'"redef Telemetry::metrics_address =" or "redef Telemetry::metrics_port ="',
				targetAt,
			);
		}
		reader.expect(';', ' at the end of the redef');
	}

	if (collected.tableLine === undefined) {
		throw new LayoutParseError(
			reader.lastLine(),
			'expected "redef Cluster::nodes += {", found none',
		);
	}
	if (collected.managerLine === undefined) {
		throw new LayoutParseError(
			collected.tableLine,
			'expected a node with $node_type=Cluster::MANAGER in Cluster::nodes, found none',
		);
	}
	return {
		managerIsLogger,
		nodes: collected.nodes,
		...(metricsAddress === undefined ? {} : {metricsAddress}),
	};
}

function readNodeTable(reader: Reader, collected: Collected): void {
	reader.expect('{', ' to open the node table');
	for (;;) {
		if (reader.accept('}')) return;
		reader.skip();
		const nameLine = reader.line();
		reader.expect('[', ' to start a node entry like ["worker-1"] = [...]');
		const name = reader.string('a node name in quotes, like "worker-1"');
		if (!isValidNodeName(name)) {
			throw new LayoutParseError(
				nameLine,
				`expected a node name of letters, digits, "-", "_" and "." (not "." or "..", ` +
					`at most 64 characters, not cluster-layout.zeek or .zeek-tui), found ${JSON.stringify(name)}`,
			);
		}
		const earlier = collected.names.get(name);
		if (earlier !== undefined) {
			throw new LayoutParseError(
				nameLine,
				`expected each node name once, found "${name}" again (first on line ${earlier})`,
			);
		}
		collected.names.set(name, nameLine);
		reader.expect(']', ` after the node name "${name}"`);
		reader.expect('=', ` after ["${name}"]`);
		reader.expect('[', ` to start the record of node "${name}"`);
		const node = readNodeRecord(reader, name, nameLine);
		if (node.type === 'manager') {
			if (collected.managerLine !== undefined) {
				throw new LayoutParseError(
					nameLine,
					`expected one manager, found a second one "${name}" (the first is on line ${collected.managerLine})`,
				);
			}
			collected.managerLine = nameLine;
		}
		collected.nodes.push(node);
		if (!reader.accept(',')) {
			reader.skip();
			if (reader.peek() !== '}') reader.fail(`"," or "}" after the record of node "${name}"`);
		}
	}
}

const FIELDS = new Set(['node_type', 'ip', 'p', 'manager', 'metrics_port']);

function readNodeRecord(reader: Reader, name: string, nameLine: number): LayoutNode {
	const seen = new Set<string>();
	let type: NodeType | undefined;
	let ip: string | undefined;
	let port: number | undefined;
	let metricsPort: number | undefined;
	let manager: string | undefined;

	for (;;) {
		if (reader.accept(']')) break;
		const fieldAt = reader.mark();
		reader.expect('$', ` to start a field of node "${name}", like $ip=127.0.0.1`);
		const field = reader.match(/^[A-Za-z_][A-Za-z0-9_]*/);
		if (field === undefined) reader.fail(`a field name after "$" in node "${name}"`);
		if (seen.has(field))
			reader.fail(`each field once in node "${name}", not $${field} twice`, fieldAt);
		seen.add(field);
		reader.expect('=', ` after $${field}`);
		if (!FIELDS.has(field)) {
			reader.skipValue(`a value for $${field} in node "${name}"`);
		} else if (field === 'node_type') {
			const valueAt = reader.mark();
			const value = reader.name();
			type = value === undefined ? undefined : NODE_TYPES[value];
			if (type === undefined) {
				reader.fail(
					`Cluster::MANAGER, Cluster::LOGGER, Cluster::PROXY or Cluster::WORKER for $node_type of node "${name}"`,
					valueAt,
				);
			}
		} else if (field === 'ip') {
			ip = readAddress(reader, name);
		} else if (field === 'p' || field === 'metrics_port') {
			const value = readPort(reader, `$${field}`, name);
			if (field === 'p') port = value;
			else metricsPort = value;
		} else {
			manager = reader.string(`a node name in quotes for $manager of node "${name}"`);
		}
		if (!reader.accept(',')) {
			reader.skip();
			if (reader.peek() !== ']') reader.fail(`"," or "]" in the record of node "${name}"`);
		}
	}

	if (type === undefined) {
		throw new LayoutParseError(nameLine, `expected $node_type in the record of node "${name}"`);
	}
	if (ip === undefined) {
		throw new LayoutParseError(nameLine, `expected $ip in the record of node "${name}"`);
	}
	const node: LayoutNode = {name, type, ip};
	if (port !== undefined) node.port = port;
	if (metricsPort !== undefined) node.metricsPort = metricsPort;
	if (manager !== undefined) node.manager = manager;
	return node;
}

function readAddress(reader: Reader, name: string): string {
	const what = `an IP address for $ip of node "${name}", like 127.0.0.1 or [::1]`;
	const at = reader.mark();
	const bracketed = reader.accept('[');
	const value = reader.match(/^[0-9A-Fa-f:.]+/);
	if (value === undefined || isIP(value) === 0 || (bracketed && isIP(value) !== 6))
		reader.fail(what, at);
	if (bracketed) reader.expect(']', ` to close the IPv6 address of node "${name}"`);
	return value;
}

function readPort(reader: Reader, field: string, name: string): number {
	const at = reader.mark();
	const text = reader.match(/^\d+\/[a-z]+/);
	const match = text === undefined ? null : /^(\d+)\/tcp$/.exec(text);
	const value = match ? Number(match[1]) : 0;
	if (!match || value < 1 || value > 65_535) {
		reader.fail(`a TCP port from 1/tcp to 65535/tcp for ${field} of node "${name}"`, at);
	}
	return value;
}
