// Options -> ClusterSpec, without processes: order, argument splitting, zeek lookup.
import {chmodSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {
	buildClusterSpec,
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
