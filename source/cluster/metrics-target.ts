// Where a node's Prometheus endpoint really listens, and whether zeek-tui may scrape it there.
// zeek binds Telemetry::metrics_address, "0.0.0.0" when empty (base/frameworks/telemetry/main.zeek),
// whatever the node's $ip: with `$ip=[::1]` and 0.0.0.0 it listens on IPv4 only.
import {isIP} from 'node:net';
import os from 'node:os';
import type {Layout, LayoutNode} from './types.js';

type Env = Record<string, string | undefined>;

export type MetricsTarget = {host: string; port: number};

/** The address zeek gives civetweb for this node, brackets removed. */
export function metricsListenAddress(layout: Layout, node: LayoutNode, env: Env): string {
	let address: string | undefined;
	const rule = layout.metricsAddressRule;
	if (rule !== undefined) {
		const fromEnv = rule.env === undefined ? undefined : env[rule.env];
		address = fromEnv !== undefined && fromEnv !== '' ? fromEnv : node.ip;
	} else {
		// Telemetry::metrics_address defaults to getenv("ZEEK_DEFAULT_LISTEN_ADDRESS").
		address = layout.metricsAddress ?? env['ZEEK_DEFAULT_LISTEN_ADDRESS'];
	}
	if (address === undefined || address === '') return '0.0.0.0';
	return address.replace(/^\[(.*)\]$/, '$1');
}

/** This machine's addresses: every interface's, and all of 127.0.0.0/8 (the kernel answers each). */
export function isLocalAddress(address: string): boolean {
	if (isIP(address) === 4 && address.startsWith('127.')) return true;
	if (address === '::1') return true;
	return Object.values(os.networkInterfaces()).some((entries) =>
		(entries ?? []).some((entry) => entry.address === address),
	);
}

/** Where to scrape the node, or why not. A wildcard listener is reached on loopback of its family. */
export function metricsTarget(
	layout: Layout,
	node: LayoutNode,
	env: Env,
): {target?: MetricsTarget; warning?: string} {
	const port = node.metricsPort;
	if (port === undefined) return {};
	const listen = metricsListenAddress(layout, node, env);
	if (listen === '0.0.0.0') return {target: {host: '127.0.0.1', port}};
	if (listen === '::') return {target: {host: '::1', port}};
	if (isIP(listen) !== 0 && isLocalAddress(listen)) return {target: {host: listen, port}};
	return {
		warning: `warning: ${node.name}'s metrics listen on ${listen}:${port}, not an address of this machine; zeek-tui will not scrape them`,
	};
}
