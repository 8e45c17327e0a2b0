// The ports of a demo cluster: a free block of its own, so that two demos run side by side on one
// box; the block an earlier demo of the same spool used, so that a new supervisor adopts its
// nodes where they listen.
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {parseLayout} from '../cluster/layout.js';
import {freePortBlock, readListeners} from '../cluster/port-check.js';

export type DemoCounts = {loggers: number; proxies: number; workers: number};

// Where zeek's generator starts (27760, 9991), in steps that leave room for a few nodes more.
const CLUSTER_FROM = 27_760;
const METRICS_FROM = 9991;
const STEP = 100;
// The ZeroMQ proxy takes the two ports above the last cluster port (zeromq-endpoints.ts).
const PROXY_PORTS = 2;

export function demoPorts(
	counts: DemoCounts,
	spoolDir: string,
): {port: number; metricsPort: number} {
	const earlier = earlierPorts(spoolDir);
	if (earlier !== undefined) return earlier;
	const listeners = readListeners();
	const clusterSize = 1 + counts.loggers + counts.proxies + PROXY_PORTS;
	const nodeCount = 1 + counts.loggers + counts.proxies + counts.workers;
	const port = freePortBlock(CLUSTER_FROM, clusterSize, STEP, [], listeners);
	const clusterBlock = Array.from({length: clusterSize}, (_, index) => port + index);
	const metricsPort = freePortBlock(METRICS_FROM, nodeCount, STEP, clusterBlock, listeners);
	return {port, metricsPort};
}

/** The manager's ports in the spool's layout, when an earlier demo left one. */
function earlierPorts(spoolDir: string): {port: number; metricsPort: number} | undefined {
	let text: string;
	try {
		text = readFileSync(path.join(spoolDir, 'cluster-layout.zeek'), 'utf8');
	} catch {
		return undefined;
	}
	try {
		const manager = parseLayout(text).nodes.find((node) => node.type === 'manager');
		if (manager?.port === undefined || manager.metricsPort === undefined) return undefined;
		return {port: manager.port, metricsPort: manager.metricsPort};
	} catch {
		return undefined;
	}
}
