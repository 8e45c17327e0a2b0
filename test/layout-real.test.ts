// --layout reads what real tools write: Zeek 9's generator and zeekctl (test/fixtures/real-layouts).
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {repoRoot} from './helpers/cli.js';
import {LayoutParseError, parseLayout} from '../source/cluster/layout.js';
import {metricsTarget} from '../source/cluster/metrics-target.js';

const fixture = (name: string) =>
	readFileSync(path.join(repoRoot, 'test/fixtures/real-layouts', name), 'utf8');
const names = (text: string) => parseLayout(text).nodes.map((node) => node.name);

describe("Zeek 9's zeek-cluster-layout-generator", () => {
	it('reads the default layout, its const and @if lines included', () => {
		const layout = parseLayout(fixture('zeek9-default.zeek'));
		const node = (name: string, type: string, port: number | undefined, metricsPort: number) => ({
			name,
			type,
			ip: '192.0.2.40',
			...(port === undefined ? {} : {port}),
			...(type === 'manager' ? {} : {manager: 'manager'}),
			metricsPort,
		});
		expect(layout.nodes).toStrictEqual([
			node('manager', 'manager', 47100, 19100),
			node('logger-1', 'logger', 47101, 19101),
			node('logger-2', 'logger', 47102, 19102),
			node('proxy-1', 'proxy', 47103, 19103),
			node('proxy-2', 'proxy', 47104, 19104),
			node('proxy-3', 'proxy', 47105, 19105),
			node('worker-1', 'worker', undefined, 19106),
			node('worker-2', 'worker', undefined, 19107),
		]);
		expect(layout.managerIsLogger).toBe(false);
		expect(layout.metricsAddressRule).toStrictEqual({
			env: 'ZEEK_TELEMETRY_LISTEN_ADDRESS',
			otherwise: 'node-ip',
		});
	});

	it('names workers per interface: worker-eth0-1 ...', () => {
		expect(names(fixture('zeek9-interfaces.zeek'))).toStrictEqual([
			'manager',
			'logger-1',
			'proxy-1',
			'worker-eth0-1',
			'worker-eth0-2',
			'worker-eth1-1',
		]);
	});

	it('takes $metrics_port=0/tcp as no metrics port, and bracketed IPv6', () => {
		const layout = parseLayout(fixture('zeek9-ipv6-no-metrics.zeek'));
		expect(
			layout.nodes.map((node) => [node.name, node.ip, node.port, node.metricsPort]),
		).toStrictEqual([
			['manager', '2001:db8::5', 38200, undefined],
			['logger-1', '2001:db8::5', 38201, undefined],
			['proxy-1', '2001:db8::5', 38202, undefined],
			['proxy-2', '2001:db8::5', 38203, undefined],
			['worker-1', '2001:db8::5', undefined, undefined],
			['worker-2', '2001:db8::5', undefined, undefined],
			['worker-3', '2001:db8::5', undefined, undefined],
		]);
	});

	it('resolves hosts["..."]$ip from Cluster::hosts', () => {
		const layout = parseLayout(fixture('zeek9-multi-host-ipv6.zeek'));
		expect(layout.nodes.map((node) => [node.name, node.ip, node.metricsPort])).toStrictEqual([
			['manager', '2001:db8::10', 29100],
			['ctl-logger-1', '2001:db8::10', 29101],
			['ctl-logger-2', '2001:db8::10', 29102],
			['ctl-proxy-1', '2001:db8::10', 29103],
			['sensor-a-worker-eth1-1', '2001:db8::21', 29100],
			['sensor-a-worker-eth1-2', '2001:db8::21', 29101],
			['sensor-a-worker-eth1-3', '2001:db8::21', 29102],
			['sensor-b-worker-ens2f0-1', '2001:db8::22', 29100],
			['sensor-b-worker-ens2f0-2', '2001:db8::22', 29101],
			['sensor-b-worker-ens2f1-1', '2001:db8::22', 29102],
			['sensor-b-worker-ens2f1-2', '2001:db8::22', 29103],
		]);
	});

	it('refuses a host looked up by name as zeek loads the file, naming the line of the node', () => {
		let error: unknown;
		try {
			parseLayout(fixture('zeek9-multi-host-lookup.zeek'));
		} catch (caught) {
			error = caught;
		}
		expect(error).toBeInstanceOf(LayoutParseError);
		// Line 22 is ["tap-east-worker-1"], the first node on a host looked up by name.
		expect(fixture('zeek9-multi-host-lookup.zeek').split('\n')[21]).toContain(
			'["tap-east-worker-1"]',
		);
		expect((error as LayoutParseError).line).toBe(22);
		expect((error as LayoutParseError).message).toContain(
			'node "tap-east-worker-1" is on host "tap-east"',
		);
	});

	it('scrapes where the computed address says: the node $ip, or ZEEK_TELEMETRY_LISTEN_ADDRESS', () => {
		const layout = parseLayout(
			// Moved to this machine's [::1]: zeek-tui never scrapes another machine's address.
			fixture('zeek9-ipv6-no-metrics.zeek')
				.replaceAll('$metrics_port=0/tcp', '$metrics_port=9000/tcp')
				.replaceAll('$ip=[2001:db8::5]', '$ip=[::1]'),
		);
		const manager = layout.nodes[0]!;
		expect(metricsTarget(layout, manager, {}).target).toStrictEqual({host: '::1', port: 9000});
		expect(
			metricsTarget(layout, manager, {ZEEK_TELEMETRY_LISTEN_ADDRESS: '0.0.0.0'}).target,
		).toStrictEqual({host: '127.0.0.1', port: 9000});
	});
});

describe("zeekctl's cluster-layout.zeek", () => {
	it('reads tabs, "redef Cluster::nodes = {", skips the control node and the zeek_init body', () => {
		const layout = parseLayout(fixture('zeekctl.zeek'));
		expect(
			layout.nodes.map((node) => [node.name, node.type, node.port, node.metricsPort]),
		).toStrictEqual([
			['manager', 'manager', 27763, 9991],
			['logger-1', 'logger', 27764, 9992],
			['proxy-1', 'proxy', 27765, 9993],
			['worker-1-1', 'worker', 27766, 9994],
			['worker-1-2', 'worker', 27767, 9995],
		]);
		expect(layout.managerIsLogger).toBe(false);
		// zeekctl's time machine entry (TimeMachineHost set) is no process of this cluster either.
		const withTimeMachine = fixture('zeekctl.zeek').replace(
			'};',
			'\t["time-machine"] = [$node_type=Cluster::TIME_MACHINE, $ip=127.0.0.1, $p=47757],\n};',
		);
		expect(parseLayout(withTimeMachine).nodes).toStrictEqual(layout.nodes);
		// No Telemetry::metrics_address in the file: zeek listens on 0.0.0.0, reached on loopback.
		expect(metricsTarget(layout, layout.nodes[0]!, {}).target).toStrictEqual({
			host: '127.0.0.1',
			port: 9991,
		});
	});
});

describe('where a node is scraped', () => {
	const layout = parseLayout(
		[
			'redef Cluster::nodes += {',
			'    ["manager"] = [$node_type=Cluster::MANAGER, $ip=[::1], $p=27760/tcp, $metrics_port=9991/tcp],',
			'    ["far"] = [$node_type=Cluster::WORKER, $ip=192.0.2.7, $metrics_port=9992/tcp],',
			'};',
			'redef Telemetry::metrics_address = "0.0.0.0";',
		].join('\n'),
	);

	it('with $ip=[::1] and metrics on 0.0.0.0, zeek listens on IPv4 only: scraped on 127.0.0.1', () => {
		expect(metricsTarget(layout, layout.nodes[0]!, {}).target).toStrictEqual({
			host: '127.0.0.1',
			port: 9991,
		});
	});

	it('never scrapes an address that is not this machine', () => {
		const far = {
			...layout,
			metricsAddress: undefined,
			metricsAddressRule: {otherwise: 'node-ip' as const},
		};
		const result = metricsTarget(far, far.nodes[1]!, {});
		expect(result.target).toBeUndefined();
		expect(result.warning).toContain('192.0.2.7:9992, not an address of this machine');
	});

	it('an empty metrics address is ZEEK_DEFAULT_LISTEN_ADDRESS, else 0.0.0.0', () => {
		const bare = {...layout, metricsAddress: undefined};
		expect(
			metricsTarget(bare, bare.nodes[0]!, {ZEEK_DEFAULT_LISTEN_ADDRESS: '[::1]'}).target,
		).toStrictEqual({host: '::1', port: 9991});
		expect(metricsTarget(bare, bare.nodes[0]!, {}).target).toStrictEqual({
			host: '127.0.0.1',
			port: 9991,
		});
	});
});
