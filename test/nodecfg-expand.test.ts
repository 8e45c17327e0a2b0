// node.cfg -> nodes by zeekctl's rules: the reference cases (zeekctl's own expansion), then each
// rule of ZeekControl's config.py and plugins, then what zeekctl refuses.
import {describe, expect, it} from 'vitest';
import {expandNodeCfg, type Expansion, type HostFacts} from '../source/nodecfg/expand.js';
import {NodeCfgError} from '../source/nodecfg/ini.js';
import {planNodeCfg, zeekctlArguments} from '../source/nodecfg/plan.js';
import {
	afPacketRedefs,
	comparedFields,
	nodeCfgCases,
	zeekctlLayoutNodes,
} from './helpers/nodecfg-reference.js';

const HOSTS: Record<string, string[]> = {
	localhost: ['::1', '127.0.0.1'],
	sensor: ['192.0.2.2'],
	'sensor-2': ['192.0.2.3'],
	'v6-only': ['fd00::2'],
};
const facts: HostFacts = {
	resolve: (host) =>
		HOSTS[host] ?? (/^[\d.:a-f]+$/.test(host) ? [host] : {error: 'Name or service not known'}),
	localAddresses: ['127.0.0.1', '::1', '192.0.2.2', 'fd00::2'],
};

function expand(nodeCfg: string, zeekctlCfg?: string): Expansion {
	return expandNodeCfg(nodeCfg, zeekctlCfg, facts);
}

function plan(expansion: Expansion) {
	return planNodeCfg({
		expansion,
		zeek: '/usr/bin/zeek',
		spoolDir: '/spool',
		args: ['local'],
		workerArgs: ['-C'],
		backendArgs: [],
		localAddresses: facts.localAddresses,
		onlineCpus: [0, 1, 2, 3, 4, 5, 6, 7],
	});
}

const CLUSTER = `
[manager]
type=manager
host=localhost
[proxy-1]
type=proxy
host=localhost
`;

function workers(text: string, zeekctlCfg?: string) {
	return expand(CLUSTER + text, zeekctlCfg).nodes.filter((node) => node.type === 'worker');
}

function refusal(nodeCfg: string, zeekctlCfg?: string): string {
	try {
		plan(expand(nodeCfg, zeekctlCfg));
	} catch (error) {
		if (error instanceof NodeCfgError) return error.message;
		throw error;
	}
	throw new Error('not refused');
}

describe('the reference cases: what zeekctl made of them', () => {
	for (const reference of nodeCfgCases()) {
		const zeekctlCfg = reference.expected.zeekctl_cfg_extra.join('\n');
		if (!reference.expected.valid) {
			it(`${reference.name}: refused with zeekctl's reason`, () => {
				expect(refusal(reference.text, zeekctlCfg)).toContain(reference.expected.error);
			});
			continue;
		}
		it(`${reference.name}: the same nodes, interfaces, CPUs, environment and arguments`, () => {
			const expansion = expand(reference.text, zeekctlCfg);
			expect(expansion.standalone).toBe(reference.expected.standalone ?? false);
			expect(
				expansion.nodes.map((node) => ({
					name: node.name,
					type: node.type,
					host: node.host,
					addr: node.addr,
					count: node.count,
					interface: node.interface,
					lb_method: node.lbMethod,
					lb_procs: node.lbProcs,
					pin_cpu: node.pinCpu,
					env: node.env.map(([name, value]) => `${name}=${value}`),
					aux_scripts: node.auxScripts,
					zeek_args: zeekctlArguments(node, expansion),
				})),
			).toEqual(reference.expected.nodes!.map(comparedFields));
		});
		it(`${reference.name}: the same AF_Packet redefs, on zeek's command line`, () => {
			const expected = afPacketRedefs(reference.expected['zeekctl-config.zeek']!);
			const nodes = plan(expand(reference.text, zeekctlCfg)).nodes;
			for (const node of nodes) {
				const redefs = expected.get(node.name) ?? {};
				expect(node.nodeCfg!.afPacket).toEqual(redefs);
				for (const [key, value] of Object.entries(redefs))
					expect(node.argv).toContain(`AF_Packet::${key}=${value}`);
			}
		});
		if (reference.expected.standalone) continue;
		it(`${reference.name}: the layout's nodes and ports as zeekctl numbers them`, () => {
			const {layout} = plan(expand(reference.text, zeekctlCfg));
			expect(
				layout.nodes.map((node) => ({
					name: node.name,
					type: node.type,
					ip: node.ip,
					port: node.port,
					...(node.metricsPort === undefined ? {} : {metricsPort: node.metricsPort}),
				})),
			).toEqual(zeekctlLayoutNodes(reference.expected['cluster-layout.zeek']!));
			expect(layout.managerIsLogger).toBe(
				reference.expected['cluster-layout.zeek']!.includes('manager_is_logger = T'),
			);
		});
	}
});

describe('the rules of zeekctl', () => {
	it('names lb_procs processes NAME-1 ... and counts them within the type, in file order', () => {
		const nodes = workers(`
[tap]
type=worker
host=localhost
interface=eth0
lb_method=custom
lb_procs=2
[span]
type=worker
host=localhost
interface=eth1
`);
		expect(nodes.map((node) => [node.name, node.count, node.interface])).toEqual([
			['tap-1', 1, 'eth0'],
			['tap-2', 2, 'eth0'],
			['span', 3, 'eth1'],
		]);
	});

	it('sorts loggers, manager, proxies, workers whatever the file order', () => {
		const nodes = expand(`
[w]
type=worker
host=localhost
[proxy-1]
type=proxy
host=localhost
[manager]
type=manager
host=localhost
[logger-1]
type=logger
host=localhost
`).nodes;
		expect(nodes.map((node) => node.name)).toEqual(['logger-1', 'manager', 'proxy-1', 'w']);
	});

	it('pins one CPU per process, wrapping; a node without lb_procs takes the first', () => {
		const nodes = workers(`
[worker-1]
type=worker
host=localhost
interface=eth0
lb_method=af_packet
lb_procs=5
pin_cpus=3, 1,+4
[worker-2]
type=worker
host=localhost
interface=eth1
pin_cpus=6,7
`);
		expect(nodes.map((node) => node.pinCpu)).toEqual([3, 1, 4, 3, 1, 6]);
	});

	it('lb_method=interfaces: each process one interface of lb_interfaces, the first taking the last', () => {
		const nodes = workers(`
[worker-1]
type=worker
host=localhost
lb_method=interfaces
lb_procs=3
lb_interfaces=eth1, eth2 ,eth3
`);
		expect(nodes.map((node) => [node.name, node.interface])).toEqual([
			['worker-1-1', 'eth3'],
			['worker-1-2', 'eth2'],
			['worker-1-3', 'eth1'],
		]);
	});

	it('lb_method=custom: lb_custom.InterfacePrefix and InterfaceSuffix of zeekctl.cfg', () => {
		const nodes = workers(
			`
[worker-1]
type=worker
host=localhost
interface=eth0
lb_method=custom
lb_procs=2
`,
			'lb_custom.InterfacePrefix = af_packet::\nlb_custom.InterfaceSuffix=:x\n',
		);
		expect(nodes.map((node) => node.interface)).toEqual(['af_packet::eth0:x', 'af_packet::eth0:x']);
	});

	it('lb_method=myricom: SNF_NUM_RINGS and SNF_FLAGS, unless node.cfg or zeekctl.cfg set them', () => {
		const [first] = workers(
			`
[worker-1]
type=worker
host=localhost
interface=eth0
lb_method=myricom
lb_procs=4
env_vars=SNF_FLAGS=0x1
`,
			'env_vars = SNF_DATARING_SIZE=0x100000000',
		);
		expect(first!.env).toEqual([
			['CLUSTER_NODE', 'worker-1-1'],
			['SNF_DATARING_SIZE', '0x100000000'],
			['SNF_FLAGS', '0x1'],
			['SNF_NUM_RINGS', '4'],
		]);
	});

	it('lb_method=pf_ring: cluster id per interface from PFRINGClusterID, app instances for zc:', () => {
		const nodes = workers(`
[worker-1]
type=worker
host=localhost
interface=eth0
lb_method=pf_ring
lb_procs=2
[worker-2]
type=worker
host=localhost
interface=eth1
lb_method=pf_ring
lb_procs=1
[worker-3]
type=worker
host=localhost
interface=zc:99
lb_method=pf_ring
lb_procs=2
`);
		expect(nodes.map((node) => [node.name, node.interface, Object.fromEntries(node.env)])).toEqual([
			[
				'worker-1-1',
				'eth0',
				{
					CLUSTER_NODE: 'worker-1-1',
					PCAP_PF_RING_APPNAME: 'zeek-eth0',
					PCAP_PF_RING_CLUSTER_ID: '21',
					PCAP_PF_RING_USE_CLUSTER_PER_FLOW_4_TUPLE: '1',
				},
			],
			[
				'worker-1-2',
				'eth0',
				{
					CLUSTER_NODE: 'worker-1-2',
					PCAP_PF_RING_APPNAME: 'zeek-eth0',
					PCAP_PF_RING_CLUSTER_ID: '21',
					PCAP_PF_RING_USE_CLUSTER_PER_FLOW_4_TUPLE: '1',
				},
			],
			[
				'worker-2-1',
				'eth1',
				{
					CLUSTER_NODE: 'worker-2-1',
					PCAP_PF_RING_APPNAME: 'zeek-eth1',
					PCAP_PF_RING_CLUSTER_ID: '22',
					PCAP_PF_RING_USE_CLUSTER_PER_FLOW_4_TUPLE: '1',
				},
			],
			[
				'worker-3-1',
				'zc:99@0',
				{
					CLUSTER_NODE: 'worker-3-1',
					PCAP_PF_RING_APPNAME: 'zeek-zc:99@0',
					PCAP_PF_RING_USE_CLUSTER_PER_FLOW_4_TUPLE: '1',
					PCAP_PF_RING_ZC_RSS: '1',
				},
			],
			[
				'worker-3-2',
				'zc:99@1',
				{
					CLUSTER_NODE: 'worker-3-2',
					PCAP_PF_RING_APPNAME: 'zeek-zc:99@1',
					PCAP_PF_RING_USE_CLUSTER_PER_FLOW_4_TUPLE: '1',
					PCAP_PF_RING_ZC_RSS: '1',
				},
			],
		]);
		const types = workers(
			'[w]\ntype=worker\nhost=localhost\ninterface=eth0\nlb_method=pf_ring\nlb_procs=1\n',
			'PFRINGClusterType = 6-tuple\nPFRINGClusterID=7\n',
		)[0]!.env;
		expect(types).toContainEqual(['PCAP_PF_RING_USE_CLUSTER_PER_FLOW', '1']);
		expect(types).toContainEqual(['PCAP_PF_RING_CLUSTER_ID', '7']);
	});

	it("env_vars of both files, node.cfg's winning, CLUSTER_NODE first and the rest by name", () => {
		const expansion = expand(
			CLUSTER.replace('[proxy-1]', '[proxy-1]\nenv_vars= ZED = 1 , A=x=y'),
			'Env_Vars = A=global, B=global',
		);
		expect(expansion.nodes.map((node) => node.env)).toEqual([
			[
				['CLUSTER_NODE', 'manager'],
				['A', 'global'],
				['B', 'global'],
			],
			[
				['CLUSTER_NODE', 'proxy-1'],
				['A', 'x=y'],
				['B', 'global'],
				['ZED', '1'],
			],
		]);
	});

	it('AF_Packet options of load-balanced workers go on the command line as redefs', () => {
		const {nodes} = plan(
			expand(
				CLUSTER +
					`
[worker-1]
type=worker
host=localhost
interface=eth0
lb_method=af_packet
lb_procs=1
af_packet_fanout_id=23
af_packet.fanout_mode=AF_Packet::FANOUT_HASH
af_packet_buffer_size=128*1024*1024
[worker-2]
type=worker
host=localhost
interface=af_packet::eth1
af_packet_fanout_id=24
`,
			),
		);
		const [first, second] = nodes.filter((node) => node.type === 'worker');
		expect(first!.argv).toEqual([
			'/usr/bin/zeek',
			'-C',
			'-i',
			'af_packet::eth0',
			'-U',
			'.status',
			'local',
			'AF_Packet::buffer_size=128*1024*1024',
			'AF_Packet::fanout_id=23',
			'AF_Packet::fanout_mode=AF_Packet::FANOUT_HASH',
		]);
		// zeekctl's plugin writes options only for workers with lb_procs.
		expect(second!.nodeCfg!.afPacket).toEqual({});
		expect(second!.argv.some((word) => word.startsWith('AF_Packet::'))).toBe(false);
	});

	it('aux_scripts and ZeekArgs go last, split as the shell zeekctl uses would split them', () => {
		const expansion = expand(
			CLUSTER.replace('[manager]', '[manager]\naux_scripts=site/a.zeek "b c.zeek"'),
			`ZeekArgs = -f "tcp port 80" x='y z'`,
		);
		const manager = plan(expansion).nodes.find((node) => node.name === 'manager')!;
		expect(manager.argv.slice(-5)).toEqual([
			'site/a.zeek',
			'b c.zeek',
			'-f',
			'tcp port 80',
			'x=y z',
		]);
		expect(zeekctlArguments(expansion.nodes[0]!, expansion).slice(-2)).toEqual([
			'site/a.zeek "b c.zeek"',
			`-f "tcp port 80" x='y z'`,
		]);
	});

	it('reads node.cfg as configparser does: [DEFAULT], key: value, continuation lines, case', () => {
		const expansion = expand(`
# comment
; another
[DEFAULT]
host = localhost

[manager]
Type: manager
[proxy-1]
type=proxy
env_vars=A=1,
  B=2
[w]
type=worker
interface=%(type)s0
`);
		expect(expansion.nodes.map((node) => [node.name, node.host, node.interface])).toEqual([
			['manager', 'localhost', ''],
			['proxy-1', 'localhost', ''],
			['w', 'localhost', 'worker0'],
		]);
		expect(expansion.nodes[1]!.env).toContainEqual(['B', '2']);
	});

	it('af_packet:: twice: reported, and the plugin stops there as in zeekctl (no AF_Packet options)', () => {
		const expansion = expand(
			CLUSTER +
				'[w1]\ntype=worker\nhost=localhost\ninterface=af_packet::eth0\nlb_method=af_packet\nlb_procs=1\naf_packet_fanout_id=1\n' +
				'[w2]\ntype=worker\nhost=localhost\ninterface=eth1\nlb_method=af_packet\nlb_procs=1\n',
		);
		expect(expansion.warnings).toEqual([
			'error: [w1-1] interface=af_packet::eth0: unexpected af_packet:: prefix for interface af_packet::eth0 of w1-1',
		]);
		const workers = expansion.nodes.filter((node) => node.type === 'worker');
		expect(workers.map((node) => [node.interface, node.afPacket])).toEqual([
			['af_packet::eth0', []],
			['eth1', []],
		]);
	});

	it('an unknown PFRINGClusterType: reported, and no PF_RING variables, as in zeekctl', () => {
		const expansion = expand(
			CLUSTER + '[w]\ntype=worker\nhost=localhost\ninterface=eth0\nlb_method=pf_ring\nlb_procs=1\n',
			'PFRINGClusterType = 3-tuple',
		);
		expect(expansion.warnings).toEqual(['error: PFRINGClusterType "3-tuple" not supported']);
		expect(expansion.nodes.at(-1)!.env).toEqual([['CLUSTER_NODE', 'w-1']]);
	});

	it('warns of keys it does not know and goes on, as zeekctl does', () => {
		const expansion = expand(CLUSTER.replace('[manager]', '[manager]\ncolour=blue'));
		expect(expansion.warnings).toEqual([
			"ignoring unrecognized node config option 'colour' given for node 'manager'",
		]);
	});

	it('a standalone node.cfg: one node, no CLUSTER_NODE, zeekctl/standalone', () => {
		const expansion = expand('[zeek]\ntype=standalone\nhost=localhost\ninterface=eth0\n');
		expect(expansion.standalone).toBe(true);
		const {nodes} = plan(expansion);
		expect(nodes).toHaveLength(1);
		expect(nodes[0]!.env).toEqual({});
		expect(nodes[0]!.argv).toEqual([
			'/usr/bin/zeek',
			'-i',
			'eth0',
			'-U',
			'.status',
			'local',
			'Telemetry::metrics_port=9991/tcp',
		]);
		expect(zeekctlArguments(expansion.nodes[0]!, expansion)).toContain('zeekctl/standalone');
	});

	it('numbers ports from ZeekPort after the ZeroMQ proxy and the control node; MetricsPort=0 is none', () => {
		const {layout} = plan(expand(CLUSTER, 'ZeekPort = 30000\nMetricsPort=0'));
		expect(layout.nodes.map((node) => [node.name, node.port, node.metricsPort])).toEqual([
			['manager', 30_003, undefined],
			['proxy-1', 30_004, undefined],
		]);
		const broker = plan(expand(CLUSTER, 'ClusterBackend = Broker')).layout;
		expect(broker.nodes.map((node) => node.port)).toEqual([27_761, 27_762]);
	});
});

describe("what zeekctl refuses, zeek-tui refuses: the node, the key, zeekctl's reason", () => {
	const worker = (lines: string, host = 'localhost') =>
		`${CLUSTER}[worker-1]\ntype=worker\nhost=${host}\n${lines}\n`;
	const cases: Array<[string, string, string | undefined, string]> = [
		[
			'no type',
			'[manager]\nhost=localhost\n',
			undefined,
			'[manager] type: no type given for node manager',
		],
		[
			'an unknown type',
			worker('').replace('type=worker', 'type=Worker'),
			undefined,
			"[worker-1] type=Worker: unknown node type 'Worker' given for node 'worker-1'",
		],
		[
			'no host',
			'[manager]\ntype=manager\n',
			undefined,
			"[manager] host: no host given for node 'manager'",
		],
		[
			'a host that does not resolve',
			worker('', 'nowhere.invalid'),
			undefined,
			"[worker-1] host=nowhere.invalid: hostname lookup failed for 'nowhere.invalid' in node config [Name or service not known]",
		],
		[
			'lb_procs on a proxy',
			CLUSTER + 'lb_procs=2\n',
			undefined,
			"[proxy-1] lb_procs=2: node 'proxy-1' config: load balancing node config options are only for worker nodes",
		],
		[
			'lb_procs not a number',
			worker('lb_method=custom\nlb_procs=two'),
			undefined,
			"[worker-1] lb_procs=two: number of load-balanced processes must be an integer for node 'worker-1'",
		],
		[
			'lb_procs of 0',
			worker('lb_method=custom\nlb_procs=0'),
			undefined,
			"[worker-1] lb_procs=0: number of load-balanced processes must be greater than zero for node 'worker-1'",
		],
		[
			'lb_method without lb_procs',
			worker('lb_method=af_packet'),
			undefined,
			"[worker-1] lb_method=af_packet: number of load-balanced processes not specified for node 'worker-1'",
		],
		[
			'lb_procs without lb_method',
			worker('lb_procs=2'),
			undefined,
			"[worker-1] lb_method: no load balancing method given for node 'worker-1'",
		],
		[
			'an unknown lb_method',
			worker('lb_procs=2\nlb_method=rss'),
			undefined,
			"[worker-1] lb_method=rss: unknown load balancing method 'rss' given for node 'worker-1'",
		],
		[
			'lb_method=interfaces without lb_interfaces',
			worker('lb_procs=2\nlb_method=interfaces'),
			undefined,
			"[worker-1] lb_interfaces: list of load-balanced interfaces not specified for node 'worker-1'",
		],
		[
			'fewer lb_interfaces than lb_procs',
			worker('lb_procs=3\nlb_method=interfaces\nlb_interfaces=eth0,eth1'),
			undefined,
			"[worker-1] lb_interfaces=eth0,eth1: number of load-balanced interfaces is not same as number of load-balanced processes for node 'worker-1'",
		],
		[
			'a range in pin_cpus',
			worker('pin_cpus=2-5'),
			undefined,
			"[worker-1] pin_cpus=2-5: pin cpus list must contain only non-negative integers for node 'worker-1'",
		],
		[
			'a negative CPU',
			worker('pin_cpus=1,-1'),
			undefined,
			"pin cpus list must contain only non-negative integers for node 'worker-1'",
		],
		[
			'env_vars without =',
			worker('env_vars=A=1,B'),
			undefined,
			"node 'worker-1' config: missing '=' in env_vars option value: B",
		],
		[
			'a generated name taken by another node',
			worker('interface=eth0\nlb_method=custom\nlb_procs=2') +
				'[Worker-1-2]\ntype=worker\nhost=localhost\n',
			undefined,
			'[Worker-1-2]: node name "Worker-1-2" is a duplicate of "worker-1-2"',
		],
		[
			'no manager',
			'[proxy-1]\ntype=proxy\nhost=localhost\n',
			undefined,
			'no manager defined in node config',
		],
		[
			'no proxy',
			'[manager]\ntype=manager\nhost=localhost\n',
			undefined,
			'no proxy defined in node config',
		],
		[
			'two managers',
			CLUSTER + '[manager-2]\ntype=manager\nhost=localhost\n',
			undefined,
			'[manager-2] type=manager: only one manager can be defined in node config',
		],
		[
			'a manager on another machine',
			CLUSTER.replace('host=localhost', 'host=198.51.100.7'),
			undefined,
			'[manager] host=198.51.100.7: must run zeekctl on same machine as the manager node. The manager node has IP address 198.51.100.7',
		],
		[
			'a worker off localhost when the manager is on it',
			worker('', 'sensor'),
			undefined,
			'[worker-1] host=sensor: all nodes must use localhost/127.0.0.1/::1 when manager uses it',
		],
		[
			'standalone with other nodes',
			CLUSTER + '[zeek]\ntype=standalone\nhost=localhost\n',
			undefined,
			'more than one node defined in standalone node config',
		],
		[
			'a section twice',
			CLUSTER + '[manager]\ntype=manager\n',
			undefined,
			"While reading from 'node.cfg' [line  8]: section 'manager' already exists",
		],
		[
			'a key twice',
			CLUSTER + 'host=localhost\n',
			undefined,
			"While reading from 'node.cfg' [line  8]: option 'host' in section 'proxy-1' already exists",
		],
		['keys before any section', 'type=manager\n', undefined, 'File contains no section headers.'],
		['a line without =', CLUSTER + 'garbage\n', undefined, 'Source contains parsing errors'],
		[
			'a quoted zeekctl.cfg value',
			CLUSTER,
			'ZeekArgs = "-C"',
			'zeekctl.cfg: value of zeekctl option "zeekargs" cannot be wrapped in quotes',
		],
		[
			'a zeekctl.cfg number that is not one',
			CLUSTER,
			'ZeekPort = 27760/tcp',
			"zeekctl.cfg: zeekctl option 'zeekport' has invalid value '27760/tcp' for type int",
		],
		[
			'a zeekctl.cfg line without =',
			CLUSTER,
			'ZeekPort',
			'zeekctl.cfg: zeekctl config syntax error: ZeekPort',
		],
		[
			"zeekctl.cfg's old names",
			CLUSTER,
			'BroArgs = -C',
			"zeekctl.cfg: option 'BroArgs' is no longer supported, please use 'ZeekArgs' instead",
		],
		[
			"zeekctl.cfg's env_vars without =",
			CLUSTER,
			'env_vars = A',
			"zeekctl config: missing '=' in env_vars option value: A",
		],
	];
	for (const [what, nodeCfg, zeekctlCfg, message] of cases) {
		it(what, () => {
			expect(refusal(nodeCfg, zeekctlCfg)).toContain(message);
		});
	}

	it('names the nodes on other hosts, which zeek-tui does not start', () => {
		const message = refusal(
			CLUSTER.replaceAll('localhost', 'sensor') +
				'[worker-1]\ntype=worker\nhost=sensor-2\n[worker-2]\ntype=worker\nhost=sensor\n',
		);
		expect(message).toContain('worker-1 (host=sensor-2, 192.0.2.3): not this machine');
		expect(message).not.toContain('worker-2');
	});

	it('refuses a node name that cannot be a directory', () => {
		expect(refusal(CLUSTER + '[a/b]\ntype=worker\nhost=localhost\n')).toContain(
			"[a/b]: zeek-tui names a node's directory after it",
		);
	});

	it('refuses a ZeekArgs the shell could not split', () => {
		expect(refusal(CLUSTER, 'ZeekArgs = -f "tcp')).toContain('ZeekArgs=-f "tcp: unterminated "');
	});
});
