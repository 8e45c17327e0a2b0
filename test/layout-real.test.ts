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
		expect(layout.nodes).toStrictEqual([
			{name: 'manager', type: 'manager', ip: '127.0.0.1', port: 27760, metricsPort: 9991},
			{
				name: 'logger-1',
				type: 'logger',
				ip: '127.0.0.1',
				port: 27761,
				manager: 'manager',
				metricsPort: 9992,
			},
			{
				name: 'proxy-1',
				type: 'proxy',
				ip: '127.0.0.1',
				port: 27762,
				manager: 'manager',
				metricsPort: 9993,
			},
			{name: 'worker-1', type: 'worker', ip: '127.0.0.1', manager: 'manager', metricsPort: 9994},
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
		expect(layout.nodes.map((node) => [node.name, node.ip, node.metricsPort])).toStrictEqual([
			['manager', '::1', undefined],
			['logger-1', '::1', undefined],
			['proxy-1', '::1', undefined],
			['worker-1', '::1', undefined],
		]);
	});

	it('resolves hosts["..."]$ip from Cluster::hosts', () => {
		const layout = parseLayout(fixture('zeek9-multi-host-ipv6.zeek'));
		expect(layout.nodes).toHaveLength(16);
		expect(layout.nodes[0]).toMatchObject({name: 'manager', ip: '2001:400:211::121'});
		expect(layout.nodes.at(-1)).toMatchObject({
			name: 'wkr-2-worker-eth1-4',
			ip: '2001:400:211::123',
		});
	});

	it('refuses a host looked up by name as zeek loads the file, naming the line of the node', () => {
		let error: unknown;
		try {
			parseLayout(fixture('zeek9-multi-host-lookup.zeek'));
		} catch (caught) {
			error = caught;
		}
		expect(error).toBeInstanceOf(LayoutParseError);
		const text = fixture('zeek9-multi-host-lookup.zeek').split('\n');
		const line = text.findIndex((row) => row.includes('["wkr-1-worker-1"]')) + 1;
		expect((error as LayoutParseError).line).toBe(line);
		expect((error as LayoutParseError).message).toContain('host "wkr-1"');
	});

	it('scrapes where the computed address says: the node $ip, or ZEEK_TELEMETRY_LISTEN_ADDRESS', () => {
		const layout = parseLayout(
			fixture('zeek9-ipv6-no-metrics.zeek').replaceAll(
				'$metrics_port=0/tcp',
				'$metrics_port=9000/tcp',
			),
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
