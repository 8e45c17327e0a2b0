// Where a cluster's ZeroMQ XPUB/XSUB proxy listens. Zeek runs it in the manager on fixed
// defaults (tcp://127.0.0.1:5555 and :5556, scripts/policy/frameworks/cluster/backend/zeromq),
// so two clusters on one box would collide; zeekctl takes ZeekPort and ZeekPort+1. A given layout
// cannot be renumbered, so the proxy takes the first two ports above the layout's highest
// cluster port that no node of the layout uses: clusters whose port blocks differ get different
// proxy ports, and no node's port is taken.
import {isIP} from 'node:net';
import type {Layout} from './types.js';

export type ZeroMqEndpoints = {host: string; xpubPort: number; xsubPort: number};

const OPTION = 'Cluster::Backend::ZeroMQ::';
export const ZEROMQ_ENDPOINT_OPTIONS = [
	'listen_xpub_endpoint',
	'listen_xsub_endpoint',
	'connect_xpub_endpoint',
	'connect_xsub_endpoint',
].map((name) => OPTION + name);

/** Whether zeek's arguments load the ZeroMQ backend (then its options exist to be redefined). */
export function loadsZeroMq(words: readonly string[]): boolean {
	return words.some((word) =>
		/(^|\/)frameworks\/cluster\/backend\/zeromq(\/|\.zeek$|$)/.test(word),
	);
}

/** The ports every node's port, cluster or metrics, leaves free; undefined for a layout without a manager. */
export function zeroMqEndpoints(layout: Layout): ZeroMqEndpoints | undefined {
	const manager = layout.nodes.find((node) => node.type === 'manager');
	if (manager === undefined) return undefined;
	const taken = new Set<number>();
	for (const node of layout.nodes) {
		if (node.port !== undefined) taken.add(node.port);
		if (node.metricsPort !== undefined) taken.add(node.metricsPort);
	}
	const clusterPorts = layout.nodes.flatMap((node) => (node.port === undefined ? [] : [node.port]));
	// No cluster port at all (a hand-written layout): above zeek's own defaults.
	const highest = clusterPorts.length > 0 ? Math.max(...clusterPorts) : 5554;
	const free: number[] = [];
	for (let port = highest + 1; port <= 65_535 && free.length < 2; port++)
		if (!taken.has(port)) free.push(port);
	// A block at the very top of the port range: below its lowest port instead.
	const lowest = clusterPorts.length > 0 ? Math.min(...clusterPorts) : 5555;
	for (let port = lowest - 1; port >= 1024 && free.length < 2; port--)
		if (!taken.has(port)) free.push(port);
	const [xpubPort, xsubPort] = free.sort((a, b) => a - b);
	if (xpubPort === undefined || xsubPort === undefined) return undefined;
	return {host: manager.ip, xpubPort, xsubPort};
}

/**
 * zeek's command-line redefinitions for the endpoints (zeekctl's pairing: a node's XSUB connects
 * to the proxy's XPUB and the other way round), less those the operator sets on the command line.
 */
export function zeroMqArguments(
	endpoints: ZeroMqEndpoints,
	operatorWords: readonly string[],
): string[] {
	const ipv6 = isIP(endpoints.host) === 6;
	const host = ipv6 ? `[${endpoints.host}]` : endpoints.host;
	const xpub = `tcp://${host}:${endpoints.xpubPort}`;
	const xsub = `tcp://${host}:${endpoints.xsubPort}`;
	const values = [xpub, xsub, xsub, xpub];
	const redefs = ZEROMQ_ENDPOINT_OPTIONS.map((name, index) => `${name}=${values[index]!}`);
	if (ipv6) redefs.push(`${OPTION}ipv6=T`);
	const setByOperator = (redef: string) => {
		const name = redef.slice(0, redef.indexOf('='));
		return operatorWords.some(
			(word) => word.startsWith(`${name}=`) || word.startsWith(`${name}+=`),
		);
	};
	return redefs.filter((redef) => !setByOperator(redef));
}
