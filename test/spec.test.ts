// Options -> ClusterSpec, without processes: order, argument splitting, zeek lookup.
import {execFileSync} from 'node:child_process';
import {
	chmodSync,
	existsSync,
	mkdirSync,
	mkdtempSync,
	rmSync,
	symlinkSync,
	writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {parseCpuList, parseCpuSequence} from '../source/cluster/affinity.js';
import {mountOf, parseMountInfo, unusablePlace} from '../source/cluster/mounts.js';
import {
	buildClusterSpec,
	checkSpoolDir,
	InputError,
	resolveZeek,
	splitArguments,
	type ClusterOptions,
} from '../source/cluster/spec.js';

let work: string;
let zeek: string;
beforeAll(() => {
	work = mkdtempSync(path.join(os.tmpdir(), 'zeek-tui-spec-'));
	zeek = path.join(work, 'zeek');
	writeFileSync(zeek, '#!/bin/sh\n');
	chmodSync(zeek, 0o755);
});
afterAll(() => rmSync(work, {recursive: true, force: true}));

function options(overrides: Partial<ClusterOptions> = {}): ClusterOptions {
	const flag = (from: string, value: string) => ({value, from});
	return {
		workers: flag('--workers', '2'),
		proxies: flag('--proxies', '1'),
		loggers: flag('--loggers', '1'),
		interface: flag('--interface', 'lo'),
		spoolDir: flag('--spool-dir', 'spool'),
		args: flag('--args', 'local'),
		workerArgs: flag('--worker-args', '-C'),
		backendArgs: flag('--backend-args', 'policy/frameworks/cluster/backend/zeromq'),
		zeek: flag('--zeek', zeek),
		stopTimeout: flag('--stop-timeout', '60'),
		...overrides,
	};
}

describe('buildClusterSpec', () => {
	it('keeps layout order (manager, loggers, proxies, workers) for a hand-written file in any order', () => {
		const file = path.join(work, 'shuffled.zeek');
		writeFileSync(
			file,
			[
				'redef Cluster::nodes += {',
				'    ["worker-b"] = [$node_type=Cluster::WORKER, $ip=127.0.0.1, $manager="boss"],',
				'    ["proxy-a"] = [$node_type=Cluster::PROXY, $ip=127.0.0.1, $p=27762/tcp, $manager="boss"],',
				'    ["worker-a"] = [$node_type=Cluster::WORKER, $ip=127.0.0.1, $manager="boss"],',
				'    ["boss"] = [$node_type=Cluster::MANAGER, $ip=127.0.0.1, $p=27760/tcp],',
				'    ["log-a"] = [$node_type=Cluster::LOGGER, $ip=127.0.0.1, $p=27761/tcp, $manager="boss"],',
				'};',
				'',
			].join('\n'),
		);
		const {spec} = buildClusterSpec(options({layout: {value: file, from: '--layout'}}), {
			cwd: work,
			onlineCpus: [0, 1],
		});
		expect(spec.nodes.map((node) => node.name)).toEqual([
			'boss',
			'log-a',
			'proxy-a',
			'worker-b',
			'worker-a',
		]);
		expect(spec.nodes.map((node) => node.cwd)).toEqual(
			spec.nodes.map((node) => path.join(work, 'spool', node.name)),
		);
	});

	it('gives each node a metrics target on the address it is reached at', () => {
		const {spec} = buildClusterSpec(options(), {cwd: work, onlineCpus: [0, 1]});
		expect(spec.nodes.map((node) => node.metrics)).toEqual(
			[9991, 9992, 9993, 9994, 9995].map((port) => ({host: '127.0.0.1', port})),
		);
		expect(spec.stopTimeoutMs).toBe(60_000);
	});

	it('refuses counts past 10000, which would run the generated ports past 65535', () => {
		expect(() =>
			buildClusterSpec(options({workers: {value: '10001', from: '--workers'}}), {cwd: work}),
		).toThrow(InputError);
		expect(() =>
			buildClusterSpec(options({workers: {value: '10000', from: '--workers'}}), {
				cwd: work,
				onlineCpus: [0],
			}),
		).not.toThrow();
	});
});

describe('what real zeek needs in the plan', () => {
	const layoutFile = (name: string, port: number, metricsPort: number, ip = '127.0.0.1') => {
		const address = ip.includes(':') ? `[${ip}]` : ip;
		const file = path.join(work, name);
		writeFileSync(
			file,
			[
				'redef Cluster::nodes += {',
				`    ["manager"] = [$node_type=Cluster::MANAGER, $ip=${address}, $p=${port}/tcp, $metrics_port=${metricsPort}/tcp],`,
				`    ["logger-1"] = [$node_type=Cluster::LOGGER, $ip=${address}, $p=${port + 1}/tcp, $manager="manager", $metrics_port=${metricsPort + 1}/tcp],`,
				`    ["worker-1"] = [$node_type=Cluster::WORKER, $ip=${address}, $manager="manager", $metrics_port=${metricsPort + 2}/tcp],`,
				'};',
			].join('\n'),
		);
		return {value: file, from: '--layout'};
	};
	const build = (overrides: Partial<ClusterOptions> = {}, env: Record<string, string> = {}) =>
		buildClusterSpec(options(overrides), {cwd: work, onlineCpus: [0, 1], env});
	const endpoints = (argv: string[]) =>
		Object.fromEntries(
			argv
				.filter((word) => word.startsWith('Cluster::Backend::ZeroMQ::'))
				.map(
					(word) => word.slice('Cluster::Backend::ZeroMQ::'.length).split('=') as [string, string],
				),
		);
	const portOf = (endpoint: string) => Number(endpoint.slice(endpoint.lastIndexOf(':') + 1));

	it("gives every node a ZEEKPATH that finds its layout copy first and keeps the operator's", () => {
		const {spec} = build({}, {ZEEKPATH: '/opt/site:/opt/zeek/share/zeek'});
		for (const node of spec.nodes) {
			expect(node.env['ZEEKPATH']).toBe(`${node.cwd}:/opt/site:/opt/zeek/share/zeek`);
		}
		// Without one, zeek's default path holds "." already.
		expect(build().spec.nodes[0]!.env).toEqual({CLUSTER_NODE: 'manager'});
		// Set but empty: zeek would search nothing; the node still finds its layout, and a warning.
		const empty = build({}, {ZEEKPATH: ''});
		expect(empty.spec.nodes[0]!.env['ZEEKPATH']).toBe(empty.spec.nodes[0]!.cwd);
		expect(empty.warnings.join('\n')).toContain('ZEEKPATH is set but empty');
	});

	it('gives each cluster its own ZeroMQ proxy endpoints, on no port of its nodes', () => {
		const first = build({layout: layoutFile('a.zeek', 27760, 9991)}).spec;
		const second = build({layout: layoutFile('b.zeek', 30000, 31000)}).spec;
		const proxyPorts = (spec: typeof first) => {
			const manager = spec.nodes.find((node) => node.type === 'manager')!;
			const own = endpoints(manager.argv);
			for (const node of spec.nodes) expect(endpoints(node.argv)).toEqual(own);
			expect(own['connect_xpub_endpoint']).toBe(own['listen_xsub_endpoint']);
			expect(own['connect_xsub_endpoint']).toBe(own['listen_xpub_endpoint']);
			return [own['listen_xpub_endpoint']!, own['listen_xsub_endpoint']!].map(portOf);
		};
		const nodePorts = [27760, 27761, 9991, 9992, 9993, 30000, 30001, 31000, 31001, 31002];
		const a = proxyPorts(first);
		const b = proxyPorts(second);
		expect(a).toEqual([27762, 27763]);
		expect(b).toEqual([30002, 30003]);
		for (const port of [...a, ...b]) expect(nodePorts).not.toContain(port);
	});

	it('writes an IPv6 manager in brackets and turns on ZeroMQ IPv6', () => {
		const {spec} = build({layout: layoutFile('v6.zeek', 27760, 9991, '::1')});
		const own = endpoints(spec.nodes[0]!.argv);
		expect(own['listen_xpub_endpoint']).toBe('tcp://[::1]:27762');
		expect(own['ipv6']).toBe('T');
	});

	it('adds no endpoints without the ZeroMQ backend, and none that the operator sets', () => {
		const broker = build({
			backendArgs: {value: 'policy/frameworks/cluster/backend/broker', from: '--backend-args'},
		});
		expect(endpoints(broker.spec.nodes[0]!.argv)).toEqual({});
		const own = build({
			args: {
				value: 'local Cluster::Backend::ZeroMQ::listen_xpub_endpoint=tcp://127.0.0.1:7000',
				from: '--args',
			},
		});
		const words = own.spec.nodes[0]!.argv.filter((word) => word.includes('listen_xpub_endpoint'));
		expect(words).toEqual(['Cluster::Backend::ZeroMQ::listen_xpub_endpoint=tcp://127.0.0.1:7000']);
	});

	it('scrapes an IPv6 node where zeek listens: 0.0.0.0 is IPv4 only', () => {
		const {spec} = build({layout: layoutFile('v6-metrics.zeek', 27760, 9991, '::1')});
		expect(spec.nodes[0]!.metrics).toEqual({host: '127.0.0.1', port: 9991});
	});

	it('lists the ports each node binds, the proxy ports with the manager', () => {
		const {spec} = build({layout: layoutFile('ports.zeek', 27760, 9991)});
		expect(
			spec.nodes.map((node) => [node.name, node.listens?.map((listen) => listen.port)]),
		).toEqual([
			['manager', [27760, 9991, 27762, 27763]],
			['logger-1', [27761, 9992]],
			['worker-1', [9993]],
		]);
	});
});

describe('splitArguments', () => {
	it('splits like an unquoted shell variable: blanks only, no quotes, no globbing', () => {
		expect(splitArguments('  local\tLog::x=0sec \n "a b" *.zeek ')).toEqual([
			'local',
			'Log::x=0sec',
			'"a',
			'b"',
			'*.zeek',
		]);
		expect(splitArguments('')).toEqual([]);
	});
});

describe('resolveZeek', () => {
	it('finds a bare name on PATH and refuses one that is not there', () => {
		expect(resolveZeek({value: 'zeek', from: 'ZEEK_BIN'}, `/nonexistent:${work}`)).toBe(zeek);
		expect(() => resolveZeek({value: 'zeek', from: 'ZEEK_BIN'}, '/nonexistent')).toThrow(
			/ZEEK_BIN="zeek": not found on PATH/,
		);
	});
});

describe('--pin-workers order', () => {
	it('keeps the CPUs as written (zeekctl pin_cpus): worker-1 gets 1, worker-2 gets 0, then wraps', () => {
		expect(parseCpuSequence('1,0')).toEqual([1, 0]);
		expect(parseCpuSequence('3,0-1,3')).toEqual([3, 0, 1, 3]);
		const {spec} = buildClusterSpec(
			options({
				workers: {value: '3', from: '--workers'},
				pinWorkers: {value: '1,0', from: '--pin-workers'},
			}),
			{cwd: work, onlineCpus: [0, 1]},
		);
		const workers = spec.nodes.filter((node) => node.type === 'worker');
		expect(workers.map((node) => [node.name, node.cpus])).toEqual([
			['worker-1', [1]],
			['worker-2', [0]],
			['worker-3', [1]],
		]);
	});

	it('a CPU set (affinity, live pin) stays sorted and unique', () => {
		expect(parseCpuList('3,1-2,1')).toEqual([1, 2, 3]);
	});
});

describe('--stop-timeout', () => {
	const timeout = (value: string) =>
		buildClusterSpec(options({stopTimeout: {value, from: '--stop-timeout'}}), {
			cwd: work,
			onlineCpus: [0, 1],
		}).spec.stopTimeoutMs;

	it('takes decimal seconds from 0.1 to 2^31-1 ms', () => {
		expect(timeout('0.1')).toBe(100);
		expect(timeout('2.5')).toBe(2500);
		expect(timeout('2147483.647')).toBe(2 ** 31 - 1);
	});

	it.each(['0.09', '2147483.648', '2592000', '0x10', '1e3', '-1', 'Infinity', ''])(
		'refuses %j naming the range',
		(value) => {
			expect(() => timeout(value)).toThrow(/expected seconds from 0\.1 to 2147483\.647/);
		},
	);
});

const MOUNTINFO = [
	'22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw',
	'23 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw',
	'30 22 0:30 / /mnt/trace rw,relatime - tracefs tracefs rw',
	'31 22 0:31 / /mnt/with\\040blank rw,relatime - ext4 /dev/sdb1 rw',
	'32 22 0:32 / /srv/archive ro,relatime - ext4 /dev/sdc1 rw',
	'33 22 0:33 / /srv/remount rw,relatime - xfs /dev/sdd1 ro',
	'34 22 0:34 / /srv/archive rw,relatime - ext4 /dev/sde1 rw',
].join('\n');

describe('mounts', () => {
	const mounts = parseMountInfo(MOUNTINFO);

	it('reads mount point, type and read-only from mountinfo, blanks unescaped', () => {
		expect(mounts[3]).toEqual({mountPoint: '/mnt/with blank', fsType: 'ext4', readOnly: false});
		expect(mountOf('/mnt/trace/x', mounts)?.fsType).toBe('tracefs');
		expect(mountOf('/mnt/tracer', mounts)?.fsType).toBe('ext4');
		// The last mount on a point is the one in force.
		expect(mountOf('/srv/archive/a', mounts)?.readOnly).toBe(false);
	});

	it('refuses kernel trees, kernel file systems and read-only mounts; takes a disk', () => {
		expect(unusablePlace('/proc/x', '/proc', mounts)).toMatch(/under \/proc/);
		expect(unusablePlace('/srv/link/x', '/sys/fs', mounts)).toMatch(/under \/sys/);
		expect(unusablePlace('/mnt/trace/spool', '/mnt/trace', mounts)).toMatch(/tracefs mount/);
		expect(unusablePlace('/srv/remount/spool', '/srv/remount', mounts)).toMatch(/read-only mount/);
		expect(unusablePlace('/var/spool/zeek', '/var', mounts)).toBeUndefined();
	});

	it('checkSpoolDir names the option and the mount, and a symlink does not hide /proc', () => {
		const spoolOn = (fsType: string, readOnly: boolean) => () =>
			checkSpoolDir({value: 'spool', from: '--spool-dir'}, work, [
				{mountPoint: '/', fsType: 'ext4', readOnly: false},
				{mountPoint: work, fsType, readOnly},
			]);
		expect(spoolOn('debugfs', false)).toThrow(
			new RegExp(`^--spool-dir "spool": cannot hold a spool: ${work} is on a debugfs mount`),
		);
		expect(spoolOn('ext4', true)).toThrow(/read-only mount/);
		expect(spoolOn('ext4', false)()).toBe(path.join(work, 'spool'));
		const link = path.join(work, 'to-proc');
		symlinkSync('/proc', link);
		expect(() => checkSpoolDir({value: 'to-proc/spool', from: 'ZEEK_SPOOL_DIR'}, work)).toThrow(
			/^ZEEK_SPOOL_DIR="to-proc\/spool": cannot hold a spool: it is under \/proc/,
		);
	});
});

// A real read-only mount, where this machine lets the tests mount one (root in most CI boxes).
const readOnly = path.join(os.tmpdir(), `zeek-tui-ro-${process.pid}`);
let mounted = false;
try {
	mkdirSync(readOnly);
	execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=64k', 'tmpfs', readOnly], {stdio: 'ignore'});
	mounted = true;
} catch {
	rmSync(readOnly, {recursive: true, force: true});
}
afterAll(() => {
	if (mounted) execFileSync('umount', [readOnly]);
	rmSync(readOnly, {recursive: true, force: true});
});

describe.runIf(mounted)('a spool on a real read-only mount', () => {
	it('is refused before anything is made', () => {
		expect(() =>
			checkSpoolDir({value: path.join(readOnly, 'spool'), from: '--spool-dir'}, work),
		).toThrow(/is on a read-only mount/);
		expect(existsSync(path.join(readOnly, 'spool'))).toBe(false);
	});
});
