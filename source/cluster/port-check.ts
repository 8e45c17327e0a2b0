// Ports a cluster binds, checked free before anything starts. A busy one would make zeek die
// with a fatal error (Telemetry, the ZeroMQ proxy), or worse, let zeek-tui scrape another
// process's figures as this node's. /proc/net/tcp{,6} tells who listens, /proc/PID/fd whose it is.
import {readFileSync, readdirSync, readlinkSync} from 'node:fs';
import {InputError} from './errors.js';
import {isAlive} from './process.js';
import type {StateFile} from './state-file.js';
import type {LayoutNode, ListenPort, NodePlan} from './types.js';
import type {ZeroMqEndpoints} from './zeromq-endpoints.js';

/** A port of the plan is taken: one line naming the port, the node and the holder when known. */
export class PortBusyError extends InputError {}

export function listenPorts(node: LayoutNode, proxy: ZeroMqEndpoints | undefined): ListenPort[] {
	const ports: ListenPort[] = [];
	if (node.port !== undefined) ports.push({port: node.port, what: 'cluster port'});
	if (node.metricsPort !== undefined) ports.push({port: node.metricsPort, what: 'metrics port'});
	if (proxy) {
		ports.push({port: proxy.xpubPort, what: 'ZeroMQ XPUB proxy port'});
		ports.push({port: proxy.xsubPort, what: 'ZeroMQ XSUB proxy port'});
	}
	return ports;
}

type Listener = {port: number; inode: string};

const LISTEN = '0A';

/** Every TCP socket of this machine (this network namespace) in LISTEN state, IPv4 and IPv6. */
export function readListeners(): Listener[] {
	const listeners: Listener[] = [];
	for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
		let text: string;
		try {
			text = readFileSync(file, 'utf8');
		} catch {
			continue;
		}
		for (const line of text.split('\n').slice(1)) {
			const fields = line.trim().split(/\s+/);
			if (fields.length < 10 || fields[3] !== LISTEN) continue;
			const port = Number.parseInt(fields[1]!.split(':')[1] ?? '', 16);
			if (Number.isInteger(port)) listeners.push({port, inode: fields[9]!});
		}
	}
	return listeners;
}

/** The pid and command name holding a socket inode, when /proc lets us see it. */
function socketHolder(inode: string): {pid: number; command: string} | undefined {
	const link = `socket:[${inode}]`;
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		let descriptors: string[];
		try {
			descriptors = readdirSync(`/proc/${entry}/fd`);
		} catch {
			continue;
		}
		for (const fd of descriptors) {
			try {
				if (readlinkSync(`/proc/${entry}/fd/${fd}`) !== link) continue;
			} catch {
				continue;
			}
			let command = '?';
			try {
				command = readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
			} catch {
				// Gone since.
			}
			return {pid: Number(entry), command};
		}
	}
	return undefined;
}

/**
 * Throws PortBusyError for the first port of `plans` that something listens on, or that two
 * nodes of the plan share. `ownPids` hold ports legitimately: adopted nodes of this spool.
 */
export function checkPortsFree(
	plans: readonly NodePlan[],
	ownPids: ReadonlySet<number> = new Set(),
	listeners: Listener[] = readListeners(),
): void {
	const claimed = new Map<number, string>();
	for (const plan of plans) {
		for (const {port, what} of plan.listens ?? []) {
			const earlier = claimed.get(port);
			if (earlier !== undefined) {
				throw new PortBusyError(
					`port ${port} is ${plan.name}'s ${what} and also ${earlier}; give every node its own ports in the layout`,
				);
			}
			claimed.set(port, `${plan.name}'s ${what}`);
		}
	}
	const busy = new Map<number, Listener[]>();
	for (const listener of listeners) {
		busy.set(listener.port, [...(busy.get(listener.port) ?? []), listener]);
	}
	for (const plan of plans) {
		for (const {port, what} of plan.listens ?? []) {
			const holders = (busy.get(port) ?? []).map((listener) => socketHolder(listener.inode));
			if (holders.length === 0) continue;
			if (holders.every((holder) => holder !== undefined && ownPids.has(holder.pid))) continue;
			const holder = holders.find(
				(candidate) => candidate === undefined || !ownPids.has(candidate.pid),
			);
			const by = holder ? ` by ${holder.command} (pid ${holder.pid})` : '';
			throw new PortBusyError(
				`port ${port}, ${plan.name}'s ${what}, is already in use${by}; stop that process or give the cluster other ports`,
			);
		}
	}
}

/** Whether each of `ports` is free of listeners. */
export function portsFree(
	ports: readonly number[],
	listeners: Listener[] = readListeners(),
): boolean {
	const busy = new Set(listeners.map((listener) => listener.port));
	return ports.every((port) => !busy.has(port));
}

/** The first `from + k * step` whose block of `size` ports is free, or `from` if none is. */
export function freePortBlock(
	from: number,
	size: number,
	step: number,
	avoid: readonly number[] = [],
	listeners: Listener[] = readListeners(),
): number {
	for (let base = from; base + size - 1 <= 65_535; base += step) {
		const block = Array.from({length: size}, (_, index) => base + index);
		if (block.some((port) => avoid.includes(port))) continue;
		if (portsFree(block, listeners)) return base;
	}
	return from;
}

/**
 * The check at the supervisor's start, before anything is written: the live nodes the state file
 * records (the ones this supervisor adopts) hold their own ports; any other holder is refused.
 */
export function checkClusterPortsFree(
	plans: readonly NodePlan[],
	state: StateFile | undefined,
): void {
	const own = new Set<number>();
	for (const recorded of Object.values(state?.nodes ?? {})) {
		const {pid, startTime} = recorded;
		if (pid !== undefined && startTime !== undefined && isAlive(pid, startTime)) own.add(pid);
	}
	checkPortsFree(plans, own);
}
