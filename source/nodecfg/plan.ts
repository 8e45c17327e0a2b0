// The expansion of a node.cfg -> zeek-tui's layout and node plans: the nodes, interfaces, CPUs,
// environment, AF_Packet options, aux_scripts and ZeekArgs zeekctl gives them, on zeek's
// command line; ports numbered as zeekctl numbers them.
import path from 'node:path';
import {isValidNodeName, layoutOf} from '../cluster/layout.js';
import type {Layout, NodeCfgDetails, NodePlan, NodeType} from '../cluster/types.js';
import type {ExpandedNode, Expansion} from './expand.js';
import {NodeCfgError} from './ini.js';
import {ShellWordsError, shellWords} from './shell-words.js';

const LOOPBACK = ['127.0.0.1', '::1'];

export type NodeCfgPlanInput = {
	expansion: Expansion;
	/** Absolute path of zeek. */
	zeek: string;
	spoolDir: string;
	/** --args, --worker-args, --backend-args, split. */
	args: string[];
	workerArgs: string[];
	backendArgs: string[];
	localAddresses: readonly string[];
	onlineCpus: readonly number[];
};

export type NodeCfgPlan = {layout: Layout; nodes: NodePlan[]; warnings: string[]};

function words(text: string, what: string): string[] {
	try {
		return shellWords(text);
	} catch (error) {
		if (error instanceof ShellWordsError) throw new NodeCfgError(`${what}: ${error.message}`);
		throw error;
	}
}

/** zeekctl's _make_zeek_params for a live node: what zeekctl itself would pass to zeek. */
export function zeekctlArguments(node: ExpandedNode, expansion: Expansion): string[] {
	const {settings} = expansion;
	const standalone = node.type === 'standalone';
	return [
		...(node.interface ? ['-i', `'${node.interface}'`] : []),
		...(node.interface && settings.saveTraces ? ['-w', 'trace.pcap'] : []),
		...['-U', '.status', '-p', 'zeekctl', '-p', 'zeekctl-live'],
		...(standalone ? ['-p', 'standalone'] : []),
		...settings.prefixes.split(':').flatMap((prefix) => ['-p', prefix]),
		...['-p', node.name],
		...settings.sitePolicyScripts.split(/\s+/).filter((script) => script !== ''),
		'zeekctl',
		standalone ? 'zeekctl/standalone' : 'base/frameworks/cluster',
		'zeekctl/auto',
		...(node.auxScripts ? [node.auxScripts] : []),
		...(settings.zeekArgs ? [settings.zeekArgs] : []),
	];
}

function checkThisHost(nodes: readonly ExpandedNode[], localAddresses: readonly string[]): void {
	const remote = nodes.filter(
		(node) => !LOOPBACK.includes(node.addr) && !localAddresses.includes(node.addr),
	);
	if (remote.length === 0) return;
	const named = remote.map((node) => `${node.name} (host=${node.host}, ${node.addr})`);
	throw new NodeCfgError(
		`${named.join(', ')}: not this machine; zeek-tui runs the nodes of one host: ` +
			`give each host a node.cfg of its own nodes (this machine has ${localAddresses.join(', ')})`,
	);
}

export function planNodeCfg(input: NodeCfgPlanInput): NodeCfgPlan {
	const {expansion, zeek, spoolDir, args, workerArgs, backendArgs} = input;
	const {settings} = expansion;
	const warnings = [...expansion.warnings];
	checkThisHost(expansion.nodes, input.localAddresses);
	for (const node of expansion.nodes) {
		if (!isValidNodeName(node.name))
			throw new NodeCfgError(
				`[${node.name}]: zeek-tui names a node's directory after it: letters, digits, "-", "_" and "." (not "." or "..", at most 64 characters)`,
			);
	}
	const zeekArgs = words(settings.zeekArgs, `ZeekArgs=${settings.zeekArgs}`);

	// zeekctl's layout order: the manager (or the standalone node), loggers, proxies, workers.
	const planType = (node: ExpandedNode): NodeType =>
		node.type === 'standalone' ? 'manager' : node.type;
	const layoutOrder: NodeType[] = ['manager', 'logger', 'proxy', 'worker'];
	const ordered = layoutOrder.flatMap((type) =>
		expansion.nodes.filter((node) => planType(node) === type),
	);
	let layout: Layout;
	try {
		layout = layoutOf(
			ordered.map((node) => ({name: node.name, type: planType(node), ip: node.addr})),
			{
				// The first port is zeekctl's "control" node's, which zeek-tui does not need.
				port: expansion.standalone ? expansion.firstPort : expansion.firstPort + 1,
				metricsPort: settings.metricsPort,
				metricsAddress: settings.metricsAddress,
				workerPorts: true,
			},
		);
	} catch (error) {
		if (error instanceof RangeError)
			throw new NodeCfgError(
				`ZeekPort=${settings.zeekPort} MetricsPort=${settings.metricsPort}: ${error.message}: every port must be within 1-65535`,
			);
		throw error;
	}

	const offline = new Set<number>();
	const nodes = ordered.map((node, index): NodePlan => {
		const layoutNode = layout.nodes[index]!;
		const isWorker = node.type === 'worker';
		const standalone = node.type === 'standalone';
		const afPacket = node.afPacket.map(([key, value]) => `AF_Packet::${key}=${value}`);
		if (node.pinCpu !== null && !input.onlineCpus.includes(node.pinCpu)) offline.add(node.pinCpu);
		const metricsPort = layoutNode.metricsPort;
		return {
			name: node.name,
			type: planType(node),
			cwd: path.join(spoolDir, node.name),
			argv: [
				zeek,
				...(isWorker ? workerArgs : []),
				...(node.interface ? ['-i', node.interface] : []),
				...(node.interface && settings.saveTraces ? ['-w', 'trace.pcap'] : []),
				'-U',
				'.status',
				...args,
				...(standalone ? [] : backendArgs),
				// A standalone zeek reads no layout: its metrics port goes on the command line.
				...(standalone && metricsPort !== undefined
					? [`Telemetry::metrics_port=${metricsPort}/tcp`]
					: []),
				...afPacket,
				...words(node.auxScripts, `[${node.name}] aux_scripts=${node.auxScripts}`),
				...zeekArgs,
			],
			env: Object.fromEntries(node.env),
			...(node.pinCpu === null ? {} : {cpus: [node.pinCpu]}),
			...(metricsPort === undefined
				? {}
				: {metrics: {host: metricsHost(settings.metricsAddress, node.addr), port: metricsPort}}),
			nodeCfg: {
				...details(node, expansion),
				...(layoutNode.port === undefined ? {} : {port: layoutNode.port}),
				...(metricsPort === undefined ? {} : {metricsPort}),
			},
		};
	});
	if (offline.size > 0)
		warnings.push(
			`warning: pin_cpus names CPU ${[...offline].sort((a, b) => a - b).join(',')}, not online on this machine; taskset will refuse those nodes`,
		);
	return {layout, nodes, warnings};
}

function details(node: ExpandedNode, expansion: Expansion): NodeCfgDetails {
	const {env, afPacket, ...same} = node;
	return {
		...same,
		env: env.map(([name, value]) => `${name}=${value}`),
		afPacket: Object.fromEntries(afPacket),
		zeekArgs: expansion.settings.zeekArgs,
		zeekctlArgs: zeekctlArguments(node, expansion),
	};
}

/** A node listening on every address is reached on its own. */
function metricsHost(metricsAddress: string, addr: string): string {
	if (metricsAddress === '0.0.0.0' || metricsAddress === '') return addr;
	if (metricsAddress === '::') return addr.includes(':') ? addr : '::1';
	return metricsAddress;
}
