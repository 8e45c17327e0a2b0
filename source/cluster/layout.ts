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
 * The generator's text, byte for byte, with two deliberate differences: IPv6 addresses are written
 * in brackets, in `$ip` (Zeek script needs them) and in the metrics address (civetweb does), and
 * without `metricsAddress` the Telemetry lines are left out (the generator cannot switch them off).
 * `framing: 'zeek-9'` writes the file the way Zeek 9's generator does (the only one that knows
 * workers per interface): the node table first, then manager_is_logger, then metrics on each
 * node's own address.
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
			`redef Telemetry::metrics_address = ${zeekString(metricsAddressText(layout.metricsAddress))};`,
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

/**
 * Telemetry::metrics_address as civetweb needs it: `[::1]`, since it reads `::1:9991` as garbage
 * and every node exits 1 (src/telemetry/Manager.cc). Already bracketed text is kept.
 */
export function metricsAddressText(address: string): string {
	return zeekAddress(address);
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

	/**
	 * Walks over strings, comments and balanced brackets until `stop` holds for a character outside
	 * them, or the text ends; `closers` are brackets already open. A stray closer fails as `what`.
	 */
	private walk(what: string, stop: (char: string) => boolean, closers: string[] = []): void {
		while (!this.atEnd()) {
			const char = this.peek();
			if (closers.length === 0 && stop(char)) return;
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
			else if (')]}'.includes(char) && closers.pop() !== char) this.fail(what);
			this.position++;
		}
	}

	/** Skips one value of a field zeek-tui does not use: up to a `,` or `]` outside brackets and strings. */
	skipValue(what: string): void {
		this.skip();
		const start = this.position;
		this.walk(what, (char) => char === ',' || char === ']');
		if (this.position === start || this.atEnd()) this.fail(what);
	}

	/** Skips to the `;` that ends a statement, outside brackets and strings; consumes it. */
	skipStatement(what: string): {from: number; to: number} {
		this.skip();
		const from = this.position;
		this.walk(what, (char) => char === ';');
		if (this.atEnd()) this.fail(what, from);
		this.position++;
		return {from, to: this.position - 1};
	}

	/** Skips one balanced `(...)` or `{...}` group starting here. */
	skipGroup(open: '(' | '{', what: string): void {
		const close = open === '(' ? ')' : '}';
		const at = this.mark();
		this.expect(open, what);
		const closers = [close];
		this.walk(what, () => true, closers);
		if (closers.length > 0) this.fail(`"${close}" to close the "${open}" of line ${this.line(at)}`);
	}

	slice(from: number, to: number): string {
		return this.text.slice(from, to);
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

/** What a `const` of the file evaluates to, as far as the metrics address needs to know. */
type ConstKind = {env: string} | 'node-ip' | 'other';

type MetricsAssignment = {literal: string} | {env: string} | 'node-ip';

type Collected = {
	nodes: LayoutNode[];
	/** Where the last `redef Cluster::nodes` began, for errors about the table as a whole. */
	tableLine?: number;
	names: Map<string, number>;
	managerLine?: number;
	/** `Cluster::hosts` of Zeek 9's multi-host layouts: an address, or undefined when looked up by name. */
	hosts: Map<string, string | undefined>;
	consts: Map<string, ConstKind>;
};

// Node types that are no process to run: zeekctl's `control` entry (zeekctl itself), the
// time machine, and NONE.
const NOT_A_PROCESS = new Set(['Cluster::CONTROL', 'Cluster::TIME_MACHINE', 'Cluster::NONE']);

// Declarations zeek loads that zeek-tui needs nothing from: skipped to their `;`.
const DECLARATIONS = new Set(['module', 'type', 'global', 'option', 'export']);
// Bodies zeek-tui needs nothing from: `event zeek_init() { ... }` and the like.
const BODIES = new Set(['event', 'function', 'hook']);

/**
 * Reads what renderLayout writes, what Zeek 9's generator writes (`module`, `type`, `const`
 * lines, `Cluster::hosts`, `@if`/`@else`/`@endif`, a computed metrics address) and what zeekctl
 * writes (`redef Cluster::nodes = {`, a `control` node that is not a process, `event` bodies):
 * fields in any order, records over several lines, comments, fields zeek-tui does not use.
 * Anything zeek would not load (an IPv6 `$ip` without brackets, say) is refused with its line.
 * Nodes keep file order.
 */
export function parseLayout(text: string): Layout {
	const reader = new Reader(text);
	let managerIsLogger = DEFAULT_MANAGER_IS_LOGGER;
	const metrics: MetricsAssignment[] = [];
	const collected: Collected = {nodes: [], names: new Map(), hosts: new Map(), consts: new Map()};
	const conditionals: number[] = [];

	for (reader.skip(); !reader.atEnd(); reader.skip()) {
		const statementAt = reader.mark();
		const statementLine = reader.line();
		const directive = reader.match(/^@[a-z-]+/);
		if (directive !== undefined) {
			readDirective(reader, directive, statementAt, conditionals, statementLine);
			continue;
		}
		const keyword = reader.name();
		if (keyword === 'const') {
			readConst(reader, collected);
			continue;
		}
		if (keyword !== undefined && DECLARATIONS.has(keyword)) {
			if (keyword === 'export') reader.skipGroup('{', ' after export');
			else reader.skipStatement(`";" at the end of the ${keyword} declaration`);
			continue;
		}
		if (keyword !== undefined && BODIES.has(keyword)) {
			reader.name();
			reader.skipGroup('(', ` after "${keyword}"`);
			reader.skipGroup('{', ` to open the body of the ${keyword}`);
			continue;
		}
		if (keyword !== 'redef') reader.fail('"redef", "const" or "@load"', statementAt);
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
		} else if (target === 'Cluster::hosts' && operator !== undefined) {
			readHostTable(reader, collected);
		} else if (target === 'Cluster::manager_is_logger' && operator === '=') {
			const valueAt = reader.mark();
			const value = reader.name();
			if (value !== 'T' && value !== 'F')
				reader.fail('T or F for Cluster::manager_is_logger', valueAt);
			managerIsLogger = value === 'T';
		} else if (target === 'Telemetry::metrics_address' && operator === '=') {
			metrics.push(readMetricsAddress(reader, collected));
		} else if (target === 'Telemetry::metrics_port' && operator === '=') {
			const valueAt = reader.mark();
			if (reader.name() !== 'Cluster::local_node_metrics_port') {
				reader.fail('Cluster::local_node_metrics_port() for Telemetry::metrics_port', valueAt);
			}
			reader.expect('(');
			reader.expect(')');
		} else if (
			target !== undefined &&
			(operator !== undefined || target === 'enum' || target === 'record')
		) {
			// Another option zeek loads (Log::default_rotation_interval, ...): none of zeek-tui's business.
			reader.skipStatement(`";" at the end of the redef of ${target}`);
			continue;
		} else {
			reader.fail('an option and "=" or "+=" after redef', targetAt);
		}
		reader.expect(';', ' at the end of the redef');
	}

	if (conditionals.length > 0) {
		throw new LayoutParseError(
			conditionals.at(-1)!,
			'expected an @endif for this @if, found the end of the file',
		);
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
	return {managerIsLogger, nodes: collected.nodes, ...metricsAddressOf(metrics)};
}

function readDirective(
	reader: Reader,
	directive: string,
	at: number,
	conditionals: number[],
	line: number,
): void {
	if (directive === '@load' || directive === '@load-sigs' || directive === '@load-plugin') {
		// Any @load is fine for zeek-tui: it only needs the node table.
		if (!/[ \t]/.test(reader.peek()) || reader.match(/^[^\s#]+/) === undefined) {
			reader.fail(`a script path after ${directive}`);
		}
	} else if (directive === '@if' || directive === '@ifdef' || directive === '@ifndef') {
		reader.skipGroup('(', ` for the condition of ${directive}`);
		conditionals.push(line);
	} else if (directive === '@else' || directive === '@endif') {
		if (conditionals.length === 0) reader.fail(`an @if before this ${directive}`, at);
		if (directive === '@endif') conditionals.pop();
	} else {
		reader.fail('@load, @if, @ifdef, @ifndef, @else or @endif', at);
	}
}

function readConst(reader: Reader, collected: Collected): void {
	const name = reader.name();
	if (name === undefined) reader.fail('a name after const');
	const {from, to} = reader.skipStatement(`";" at the end of const ${name}`);
	const value = reader.slice(from, to).trim();
	const env = /^getenv\(\s*"([^"\\]+)"\s*\)$/.exec(value.replace(/^=\s*/, ''));
	const referencesNodeIp =
		value.includes('Cluster::nodes[Cluster::node]$ip') ||
		[...collected.consts].some(
			([other, kind]) => kind === 'node-ip' && new RegExp(`\\b${other}\\b`).test(value),
		);
	collected.consts.set(name, env ? {env: env[1]!} : referencesNodeIp ? 'node-ip' : 'other');
}

function readMetricsAddress(reader: Reader, collected: Collected): MetricsAssignment {
	reader.skip();
	const at = reader.mark();
	if (reader.peek() === '"') {
		const value = reader.string('a string for Telemetry::metrics_address');
		const inner = value.replace(/^\[(.*)\]$/, '$1');
		if (isIP(value) === 6) {
			reader.fail(
				`the IPv6 address in brackets, "[${value}]": zeek's metrics server cannot parse ${value}:PORT and every node exits 1`,
				at,
			);
		}
		return {literal: isIP(inner) === 6 ? inner : value};
	}
	const name = reader.name();
	const kind = name === undefined ? undefined : collected.consts.get(name);
	if (kind === undefined || kind === 'other') {
		reader.fail(
			"a string, or a const of this file set from getenv(...) or from the node's $ip, for Telemetry::metrics_address",
			at,
		);
	}
	return kind;
}

function metricsAddressOf(
	assignments: MetricsAssignment[],
): Pick<Layout, 'metricsAddress' | 'metricsAddressRule'> {
	if (assignments.length === 0) return {};
	if (
		assignments.every((assignment) => typeof assignment === 'object' && 'literal' in assignment)
	) {
		return {metricsAddress: (assignments.at(-1) as {literal: string}).literal};
	}
	// Zeek 9's block: the environment variable when set (@if), else the node's own $ip (@else).
	const env = assignments.find(
		(assignment): assignment is {env: string} =>
			typeof assignment === 'object' && 'env' in assignment,
	);
	return {metricsAddressRule: {...(env ? {env: env.env} : {}), otherwise: 'node-ip'}};
}

function readHostTable(reader: Reader, collected: Collected): void {
	reader.expect('{', ' to open the host table');
	for (;;) {
		if (reader.accept('}')) return;
		reader.expect('[', ' to start a host entry like ["mgr"] = [$ip=10.0.0.1]');
		const host = reader.string('a host name in quotes');
		reader.expect(']');
		reader.expect('=');
		reader.expect('[', ` to start the record of host "${host}"`);
		reader.expect('$ip', ` in the record of host "${host}"`);
		reader.expect('=');
		reader.skip();
		if (reader.peek() === '(') {
			// (blocking_lookup_hostname("wkr-1") as vector of addr)[0]: resolved as zeek loads it.
			reader.skipGroup('(', '');
			reader.skipValue(`the rest of the $ip of host "${host}"`);
			collected.hosts.set(host, undefined);
		} else {
			collected.hosts.set(host, readAddress(reader, `host "${host}"`));
		}
		reader.expect(']', ` to close the record of host "${host}"`);
		if (!reader.accept(',')) {
			reader.skip();
			if (reader.peek() !== '}') reader.fail(`"," or "}" after host "${host}"`);
		}
	}
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
		const node = readNodeRecord(reader, name, nameLine, collected);
		if (node?.type === 'manager') {
			if (collected.managerLine !== undefined) {
				throw new LayoutParseError(
					nameLine,
					`expected one manager, found a second one "${name}" (the first is on line ${collected.managerLine})`,
				);
			}
			collected.managerLine = nameLine;
		}
		if (node !== undefined) collected.nodes.push(node);
		if (!reader.accept(',')) {
			reader.skip();
			if (reader.peek() !== '}') reader.fail(`"," or "}" after the record of node "${name}"`);
		}
	}
}

const FIELDS = new Set(['node_type', 'ip', 'p', 'manager', 'metrics_port']);

/** The node, or undefined for an entry that is no process to run (zeekctl's control). */
function readNodeRecord(
	reader: Reader,
	name: string,
	nameLine: number,
	collected: Collected,
): LayoutNode | undefined {
	const seen = new Set<string>();
	let type: NodeType | undefined;
	let notAProcess = false;
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
		// Nothing of an entry that is no process matters (zeekctl's time machine has `$p=47757`).
		if (!FIELDS.has(field) || notAProcess) {
			reader.skipValue(`a value for $${field} in node "${name}"`);
		} else if (field === 'node_type') {
			const valueAt = reader.mark();
			const value = reader.name();
			type = value === undefined ? undefined : NODE_TYPES[value];
			notAProcess = value !== undefined && NOT_A_PROCESS.has(value);
			if (type === undefined && !notAProcess) {
				reader.fail(
					`Cluster::MANAGER, Cluster::LOGGER, Cluster::PROXY or Cluster::WORKER for $node_type of node "${name}"`,
					valueAt,
				);
			}
		} else if (field === 'ip') {
			ip = readNodeAddress(reader, name, collected);
		} else if (field === 'p' || field === 'metrics_port') {
			const value = readPort(reader, `$${field}`, name, field === 'metrics_port');
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

	if (notAProcess) return undefined;
	if (type === undefined) {
		throw new LayoutParseError(nameLine, `expected $node_type in the record of node "${name}"`);
	}
	if (ip === undefined) {
		throw new LayoutParseError(nameLine, `expected $ip in the record of node "${name}"`);
	}
	const node: LayoutNode = {name, type, ip};
	if (port !== undefined) node.port = port;
	// 0/tcp: no metrics endpoint (Zeek 9's generator with -m 0).
	if (metricsPort !== undefined && metricsPort !== 0) node.metricsPort = metricsPort;
	if (manager !== undefined) node.manager = manager;
	return node;
}

/** `$ip=10.0.0.1`, `$ip=[::1]`, or Zeek 9's `$ip=hosts["mgr"]$ip`. */
function readNodeAddress(reader: Reader, name: string, collected: Collected): string {
	const at = reader.mark();
	if (!reader.accept('hosts[')) return readAddress(reader, `node "${name}"`);
	const host = reader.string('a host name in quotes');
	reader.expect(']');
	reader.expect('$ip', ` after hosts["${host}"]`);
	if (!collected.hosts.has(host)) {
		reader.fail(`a host "${host}" in Cluster::hosts before node "${name}"`, at);
	}
	const address = collected.hosts.get(host);
	if (address === undefined) {
		throw new LayoutParseError(
			reader.line(at),
			`node "${name}" is on host "${host}", whose address zeek looks up by name as it loads the layout; ` +
				'zeek-tui needs the address: give it to the generator (cluster_address) or write it in Cluster::hosts',
		);
	}
	return address;
}

function readAddress(reader: Reader, owner: string): string {
	const what = `an IP address for $ip of ${owner}, like 127.0.0.1 or [::1]`;
	const at = reader.mark();
	const bracketed = reader.accept('[');
	const value = reader.match(/^[0-9A-Fa-f:.]+/);
	if (value === undefined || isIP(value) === 0 || (bracketed && isIP(value) !== 6))
		reader.fail(what, at);
	if (!bracketed && isIP(value) === 6) {
		reader.fail(
			`the IPv6 address in brackets, $ip=[${value}] (without them it is a syntax error for zeek)`,
			at,
		);
	}
	if (bracketed) reader.expect(']', ` to close the IPv6 address of ${owner}`);
	return value;
}

function readPort(reader: Reader, field: string, name: string, zeroAllowed: boolean): number {
	const at = reader.mark();
	const text = reader.match(/^\d+\/[a-z]+/);
	const match = text === undefined ? null : /^(\d+)\/tcp$/.exec(text);
	const value = match ? Number(match[1]) : -1;
	const lowest = zeroAllowed ? 0 : 1;
	if (!match || value < lowest || value > 65_535) {
		reader.fail(
			`a TCP port from ${lowest}/tcp to 65535/tcp for ${field} of node "${name}"${zeroAllowed ? ' (0/tcp: no metrics)' : ''}`,
			at,
		);
	}
	return value;
}
