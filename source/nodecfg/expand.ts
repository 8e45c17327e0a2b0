// node.cfg (+ zeekctl.cfg) -> the nodes zeekctl runs, by the rules of ZeekControl's config.py
// (_check_node, _check_nodestore), its load-balancing plugins and its af_packet plugin. Pure:
// the host lookups come in as HostFacts.
import type {NodeCfgDetails} from '../cluster/types.js';
import {NodeCfgError, parseIni} from './ini.js';
import {parseZeekctlCfg, pythonInt, type ZeekctlSettings} from './zeekctl-cfg.js';

export type NodeCfgType = 'standalone' | 'logger' | 'manager' | 'proxy' | 'worker';

const NODE_TYPES: readonly NodeCfgType[] = ['logger', 'manager', 'proxy', 'worker', 'standalone'];
// zeekctl's sort order (node.py _typeorder); within a type, the order of the file.
const TYPE_ORDER: readonly NodeCfgType[] = ['standalone', 'logger', 'manager', 'proxy', 'worker'];
const LB_METHODS = ['af_packet', 'pf_ring', 'myricom', 'custom', 'interfaces'];
const LOOPBACK = ['127.0.0.1', '::1'];

// The af_packet plugin's node keys, in its order; node.cfg spells them af_packet_KEY (or af_packet.KEY).
export const AF_PACKET_KEYS = [
	'block_size',
	'block_timeout',
	'buffer_size',
	'checksum_validation_mode',
	'enable_defrag',
	'enable_fanout',
	'enable_hw_timestamping',
	'fanout_id',
	'fanout_mode',
	'link_type',
] as const;

const NODE_KEYS = new Set([
	'type',
	'host',
	'interface',
	'aux_scripts',
	'zeekbase',
	'ether',
	'zone_id',
	'lb_procs',
	'lb_method',
	'lb_interfaces',
	'pin_cpus',
	'env_vars',
	'count',
	...AF_PACKET_KEYS.map((key) => `af_packet_${key}`),
]);

const PF_RING_TYPES: Record<string, string> = {
	'2-tuple': 'PCAP_PF_RING_USE_CLUSTER_PER_FLOW_2_TUPLE',
	'4-tuple': 'PCAP_PF_RING_USE_CLUSTER_PER_FLOW_4_TUPLE',
	'5-tuple': 'PCAP_PF_RING_USE_CLUSTER_PER_FLOW_5_TUPLE',
	'tcp-5-tuple': 'PCAP_PF_RING_USE_CLUSTER_PER_FLOW_TCP_5_TUPLE',
	'6-tuple': 'PCAP_PF_RING_USE_CLUSTER_PER_FLOW',
	'inner-2-tuple': 'PCAP_PF_RING_USE_CLUSTER_PER_INNER_FLOW_2_TUPLE',
	'inner-4-tuple': 'PCAP_PF_RING_USE_CLUSTER_PER_INNER_FLOW_4_TUPLE',
	'inner-5-tuple': 'PCAP_PF_RING_USE_CLUSTER_PER_INNER_FLOW_5_TUPLE',
	'inner-tcp-5-tuple': 'PCAP_PF_RING_USE_CLUSTER_PER_INNER_FLOW_TCP_5_TUPLE',
	'inner-6-tuple': 'PCAP_PF_RING_USE_CLUSTER_PER_INNER_FLOW',
};

/** What the expansion needs to know about this machine and its name service. */
export type HostFacts = {
	/** getaddrinfo's addresses for a host, in its order, or the resolver's reason for none. */
	resolve(host: string): string[] | {error: string};
	/** This machine's addresses (every interface), without zone ids. */
	localAddresses: readonly string[];
};

export type ExpandedNode = Omit<
	NodeCfgDetails,
	'type' | 'env' | 'afPacket' | 'zeekArgs' | 'zeekctlArgs'
> & {
	name: string;
	type: NodeCfgType;
	/** zeekctl's order: CLUSTER_NODE (not for standalone), then env_vars sorted by name. */
	env: Array<[name: string, value: string]>;
	/** The af_packet plugin's redefs for this node, [key, value] as written in node.cfg. */
	afPacket: Array<[key: string, value: string]>;
};

export type Expansion = {
	standalone: boolean;
	/** zeekctl's order: standalone, loggers, manager, proxies, workers. */
	nodes: ExpandedNode[];
	settings: ZeekctlSettings;
	/** The first cluster port zeekctl numbers the layout from (after the ZeroMQ proxy's two). */
	firstPort: number;
	warnings: string[];
};

// A node while the rules run: its node.cfg keys and its environment still open to additions.
type Node = Omit<ExpandedNode, 'env' | 'auxScripts' | 'afPacket'> & {
	keys: Map<string, string>;
	envVars: Map<string, string>;
};

function key(node: {name: string}, name: string, value: string): string {
	return `[${node.name}] ${name}=${value}`;
}

/** zeekctl's _get_env_var_dict; `what` prefixes the reason as zeekctl does. */
function envVarDict(text: string, what: string): Map<string, string> {
	const vars = new Map<string, string>();
	if (!text) return vars;
	for (const pair of text.split(',')) {
		const equals = pair.indexOf('=');
		if (equals === -1)
			throw new NodeCfgError(`${what}missing '=' in env_vars option value: ${pair}`);
		const name = pair.slice(0, equals).trim();
		if (!name)
			throw new NodeCfgError(
				`${what}env_vars option value must contain at least one environment variable name: ${pair}`,
			);
		vars.set(name, pair.slice(equals + 1).trim());
	}
	return vars;
}

function pinCpuList(text: string, processes: number): number[] | undefined {
	if (!text) return [];
	const cpus = text.split(',').map(pythonInt);
	if (cpus.some((cpu) => cpu === undefined || cpu < 0)) return undefined;
	const list = cpus as number[];
	return processes > list.length
		? Array.from({length: processes}, (_, index) => list[index % list.length]!)
		: list;
}

function pickAddress(addresses: readonly string[]): string {
	const chosen = addresses.find((address) => !address.includes(':')) ?? addresses[0]!;
	return chosen.split('%')[0]!;
}

export function expandNodeCfg(
	nodeCfgText: string,
	zeekctlCfgText: string | undefined,
	facts: HostFacts,
	file = 'node.cfg',
): Expansion {
	const {settings, warnings} = zeekctlCfg(zeekctlCfgText);
	const sections = parseIni(nodeCfgText, file);

	const store: Node[] = [];
	const addNode = (node: Node) => {
		const lower = node.name.toLowerCase();
		const match = store.find((other) => other.name.toLowerCase() === lower);
		if (match)
			throw new NodeCfgError(
				`[${node.name}]: node name "${node.name}" is a duplicate of "${match.name}"`,
			);
		store.push(node);
	};
	const counts = new Map<string, number>();
	const nextCount = (type: string) => {
		const count = (counts.get(type) ?? 0) + 1;
		counts.set(type, count);
		return count;
	};

	for (const section of sections) {
		const keys = new Map<string, string>();
		for (const [rawKey, value] of section.entries) {
			const name = rawKey.replaceAll('.', '_');
			if (!NODE_KEYS.has(name)) {
				warnings.push(
					`ignoring unrecognized node config option '${name}' given for node '${section.name}'`,
				);
				continue;
			}
			keys.set(name, value);
		}
		const get = (name: string) => keys.get(name) ?? '';
		const node = {name: section.name};
		const type = get('type');
		if (!type) throw new NodeCfgError(`[${node.name}] type: no type given for node ${node.name}`);
		if (!NODE_TYPES.includes(type as NodeCfgType))
			throw new NodeCfgError(
				`${key(node, 'type', type)}: unknown node type '${type}' given for node '${node.name}'`,
			);
		const host = get('host');
		if (!host) throw new NodeCfgError(`[${node.name}] host: no host given for node '${node.name}'`);
		const resolved = facts.resolve(host);
		if (!Array.isArray(resolved) || resolved.length === 0) {
			const reason = Array.isArray(resolved) ? 'no address' : resolved.error;
			throw new NodeCfgError(
				`${key(node, 'host', host)}: hostname lookup failed for '${host}' in node config [${reason}]`,
			);
		}
		const envVars = envVarDict(get('env_vars'), `node '${node.name}' config: `);
		const lbProcs = get('lb_procs');
		const lbMethod = get('lb_method');
		const count = nextCount(type);

		let processes = 0;
		if (lbProcs) {
			if (type !== 'worker')
				throw new NodeCfgError(
					`${key(node, 'lb_procs', lbProcs)}: node '${node.name}' config: load balancing node config options are only for worker nodes`,
				);
			const parsed = pythonInt(lbProcs);
			if (parsed === undefined)
				throw new NodeCfgError(
					`${key(node, 'lb_procs', lbProcs)}: number of load-balanced processes must be an integer for node '${node.name}'`,
				);
			if (parsed < 1)
				throw new NodeCfgError(
					`${key(node, 'lb_procs', lbProcs)}: number of load-balanced processes must be greater than zero for node '${node.name}'`,
				);
			processes = parsed;
		} else if (lbMethod) {
			throw new NodeCfgError(
				`${key(node, 'lb_method', lbMethod)}: number of load-balanced processes not specified for node '${node.name}'`,
			);
		}
		const pins = pinCpuList(get('pin_cpus'), processes);
		if (!pins)
			throw new NodeCfgError(
				`${key(node, 'pin_cpus', get('pin_cpus'))}: pin cpus list must contain only non-negative integers for node '${node.name}'`,
			);

		const base: Node = {
			name: node.name,
			keys,
			type: type as NodeCfgType,
			host,
			addr: pickAddress(resolved),
			count,
			interface: get('interface'),
			lbMethod,
			lbProcs,
			pinCpu: pins[0] ?? null,
			envVars,
		};
		if (!lbProcs) {
			addNode(base);
			continue;
		}
		if (!lbMethod)
			throw new NodeCfgError(
				`[${node.name}] lb_method: no load balancing method given for node '${node.name}'`,
			);
		if (!LB_METHODS.includes(lbMethod))
			throw new NodeCfgError(
				`${key(node, 'lb_method', lbMethod)}: unknown load balancing method '${lbMethod}' given for node '${node.name}'`,
			);
		let interfaces: string[] = [];
		if (lbMethod === 'interfaces') {
			const list = get('lb_interfaces');
			if (!list)
				throw new NodeCfgError(
					`[${node.name}] lb_interfaces: list of load-balanced interfaces not specified for node '${node.name}'`,
				);
			interfaces = list.split(',');
			if (interfaces.length !== processes)
				throw new NodeCfgError(
					`${key(node, 'lb_interfaces', list)}: number of load-balanced interfaces is not same as number of load-balanced processes for node '${node.name}'`,
				);
			// zeekctl pops from the end: the first process takes the last interface.
			base.interface = interfaces.pop()!.trim();
		}
		base.name = `${node.name}-1`;
		for (let index = 2; index <= processes; index++) {
			addNode({
				...base,
				name: `${node.name}-${index}`,
				count: nextCount(type),
				pinCpu: pins.length > 0 ? pins[index - 1]! : null,
				envVars: new Map(envVars),
				...(lbMethod === 'interfaces' ? {interface: interfaces.pop()!.trim()} : {}),
			});
		}
		addNode(base);
	}

	checkNodeStore(store, facts.localAddresses);

	const globalVars = envVarDict(settings.envVars, 'zeekctl config: ');
	for (const node of store)
		for (const [name, value] of globalVars)
			if (!node.envVars.has(name)) node.envVars.set(name, value);

	const nodes = [...store].sort(
		(a, b) => TYPE_ORDER.indexOf(a.type) - TYPE_ORDER.indexOf(b.type) || a.count - b.count,
	);
	const workers = nodes.filter((node) => node.type === 'worker');
	applyLbCustom(workers, settings);
	applyLbMyricom(workers);
	applyLbPfRing(workers, settings, warnings);
	const afPacketActive = applyAfPacket(workers, warnings);

	const zeroMq = settings.clusterBackend.toLowerCase() === 'zeromq';
	return {
		standalone: store.length === 1,
		nodes: nodes.map(({keys, envVars, ...node}) => ({
			...node,
			env: [
				...(node.type === 'standalone' ? [] : [['CLUSTER_NODE', node.name] as [string, string]]),
				...[...envVars].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
			],
			auxScripts: keys.get('aux_scripts') ?? '',
			afPacket:
				afPacketActive && node.type === 'worker' && node.lbProcs ? afPacketRedefs(keys) : [],
		})),
		settings,
		firstPort: zeroMq ? settings.zeekPort + 2 : settings.zeekPort,
		warnings,
	};
}

function zeekctlCfg(text: string | undefined): ReturnType<typeof parseZeekctlCfg> {
	try {
		return parseZeekctlCfg(text);
	} catch (error) {
		if (error instanceof NodeCfgError) throw new NodeCfgError(`zeekctl.cfg: ${error.message}`);
		throw error;
	}
}

function checkNodeStore(store: readonly Node[], localAddresses: readonly string[]): void {
	if (store.length === 0) throw new NodeCfgError('no nodes found in node config');
	let manager: Node | undefined;
	let proxy = false;
	let standalone = false;
	const local = `this machine has IP addresses: ${localAddresses.join(', ')}`;
	for (const node of store) {
		if (node.type === 'manager') {
			if (manager)
				throw new NodeCfgError(
					`[${node.name}] type=manager: only one manager can be defined in node config`,
				);
			manager = node;
			if (!localAddresses.includes(node.addr))
				throw new NodeCfgError(
					`${key(node, 'host', node.host)}: must run zeekctl on same machine as the manager node. The manager node has IP address ${node.addr} and ${local}`,
				);
		} else if (node.type === 'proxy') {
			proxy = true;
		} else if (node.type === 'standalone') {
			standalone = true;
			if (!localAddresses.includes(node.addr))
				throw new NodeCfgError(
					`${key(node, 'host', node.host)}: must run zeekctl on same machine as the standalone node. The standalone node has IP address ${node.addr} and ${local}`,
				);
		}
	}
	if (standalone) {
		if (store.length > 1)
			throw new NodeCfgError(
				'type=standalone: more than one node defined in standalone node config',
			);
		return;
	}
	if (!manager) throw new NodeCfgError('type=manager: no manager defined in node config');
	if (!proxy) throw new NodeCfgError('type=proxy: no proxy defined in node config');
	if (LOOPBACK.includes(manager.addr)) {
		const remote = store.find((node) => node !== manager && !LOOPBACK.includes(node.addr));
		if (remote)
			throw new NodeCfgError(
				`${key(remote, 'host', remote.host)}: all nodes must use localhost/127.0.0.1/::1 when manager uses it`,
			);
	}
}

// ZeekControl/plugins/lb_custom.py: InterfacePrefix and InterfaceSuffix around the interface.
function applyLbCustom(workers: Node[], settings: ZeekctlSettings): void {
	for (const node of workers)
		if (node.lbMethod === 'custom')
			node.interface = `${settings.interfacePrefix}${node.interface}${settings.interfaceSuffix}`;
}

// ZeekControl/plugins/lb_myricom.py; node.cfg's and zeekctl.cfg's values win.
function applyLbMyricom(workers: Node[]): void {
	for (const node of workers) {
		if (node.lbMethod !== 'myricom') continue;
		setDefault(node.envVars, 'SNF_NUM_RINGS', node.lbProcs);
		setDefault(node.envVars, 'SNF_FLAGS', '0x101');
	}
}

// ZeekControl/plugins/lb_pf_ring.py, cluster ids per host and interface, app instances per group.
function applyLbPfRing(workers: Node[], settings: ZeekctlSettings, warnings: string[]): void {
	const clusterId = settings.pfringClusterId;
	if (clusterId === 0) return;
	const variable = PF_RING_TYPES[settings.pfringClusterType];
	const pfRing = workers.filter((node) => node.lbMethod === 'pf_ring');
	if (variable === undefined) {
		// zeekctl reports it and runs on without the plugin: no PF_RING variables at all.
		warnings.push(`error: PFRINGClusterType "${settings.pfringClusterType}" not supported`);
		return;
	}
	const first = settings.pfringFirstAppInstance;
	let appInstance = first;
	const ids = new Map<string, Map<string, number>>();
	for (const node of pfRing) {
		const byInterface = ids.get(node.host);
		if (!byInterface) {
			appInstance = first;
			ids.set(node.host, new Map([[node.interface, clusterId]]));
		} else if (!byInterface.has(node.interface)) {
			appInstance = first;
			byInterface.set(node.interface, clusterId + byInterface.size);
		}
		setDefault(node.envVars, variable, '1');
		const iface = node.interface;
		if (iface.startsWith('zc:') || iface.startsWith('pf_ring::zc:')) {
			setDefault(node.envVars, 'PCAP_PF_RING_ZC_RSS', '1');
			node.interface = `${iface}@${appInstance}`;
		} else if (iface.startsWith('dnacl')) {
			node.interface = `${iface}@${appInstance}`;
		} else if (iface.startsWith('dna')) {
			setDefault(node.envVars, 'PCAP_PF_RING_DNA_RSS', '1');
			node.interface = `${iface}@${appInstance}`;
		} else {
			setDefault(node.envVars, 'PCAP_PF_RING_CLUSTER_ID', String(ids.get(node.host)!.get(iface)));
		}
		appInstance++;
		setDefault(node.envVars, 'PCAP_PF_RING_APPNAME', `zeek-${node.interface}`);
	}
}

// ZeekControl/plugins/zzz_af_packet.py: the prefix for lb_method=af_packet; active when a
// load-balanced worker reads from af_packet::.
function applyAfPacket(workers: Node[], warnings: string[]): boolean {
	let active = false;
	for (const node of workers) {
		if (!node.lbProcs) continue;
		if (node.interface.startsWith('af_packet::')) active = true;
		if (node.lbMethod === 'af_packet') {
			if (node.interface.startsWith('af_packet::')) {
				// zeekctl reports it and stops the plugin there: later workers keep their bare
				// interfaces and no node gets AF_Packet options.
				warnings.push(
					`error: ${key(node, 'interface', node.interface)}: unexpected af_packet:: prefix for interface ${node.interface} of ${node.name}`,
				);
				return false;
			}
			node.interface = `af_packet::${node.interface}`;
			active = true;
		}
	}
	return active;
}

function afPacketRedefs(keys: Map<string, string>): Array<[string, string]> {
	const redefs: Array<[string, string]> = [];
	for (const name of AF_PACKET_KEYS) {
		const value = keys.get(`af_packet_${name}`);
		if (value && value.trim()) redefs.push([name, value]);
	}
	return redefs;
}

function setDefault(vars: Map<string, string>, name: string, value: string): void {
	if (!vars.has(name)) vars.set(name, value);
}
