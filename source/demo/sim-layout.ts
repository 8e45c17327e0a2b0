// Finding and reading this node's entry of cluster-layout.zeek, as zeek does when
// CLUSTER_NODE is set. Deliberately a small regex reader, independent of the
// supervisor's layout module: the simulator stands in for zeek, not for zeek-tui.
import {existsSync} from 'node:fs';
import {join, resolve} from 'node:path';
import type {NodeType} from '../cluster/types.js';

export const LAYOUT_FILE = 'cluster-layout.zeek';

/**
 * The directories zeek-sim searches, as zeek does (src/util.cc zeek_path()): an environment
 * ZEEKPATH replaces the default path, and only the default holds `.`, the working directory.
 */
export function layoutSearchPath(cwd: string, zeekPath: string | undefined): string[] {
	if (zeekPath === undefined) return [cwd];
	return zeekPath
		.split(':')
		.filter((dir) => dir !== '')
		.map((dir) => resolve(cwd, dir));
}

export function findLayout(cwd: string, zeekPath: string | undefined): string | undefined {
	for (const dir of layoutSearchPath(cwd, zeekPath)) {
		const file = join(dir, LAYOUT_FILE);
		if (existsSync(file)) return file;
	}
	return undefined;
}

export type SimNode = {
	name: string;
	type: NodeType;
	ip?: string;
	/** `$p`: where a logger takes log writes over ZeroMQ. */
	port?: number;
	metricsPort?: number;
};

/** What the rest of the layout says about this node's listeners. */
export type SimLayoutOptions = {
	/** Telemetry::metrics_address as zeek computes it, brackets kept; undefined: zeek's default. */
	metricsAddress?: string;
	managerIsLogger: boolean;
};

const NODE_TYPES: Record<string, NodeType> = {
	MANAGER: 'manager',
	LOGGER: 'logger',
	PROXY: 'proxy',
	WORKER: 'worker',
};

/** The entry `["name"] = [...]` of Cluster::nodes, or undefined when the layout has no such node. */
export function parseLayoutEntry(text: string, name: string): SimNode | undefined {
	const code = text
		.split('\n')
		.filter((line) => !line.trimStart().startsWith('#'))
		.join('\n');
	const head = new RegExp(`\\[\\s*"${escapeRegExp(name)}"\\s*\\]\\s*=\\s*\\[`).exec(code);
	if (!head) return undefined;
	// The record may hold brackets itself ($ip=[::1]), so find its end by nesting depth.
	const start = head.index + head[0].length;
	let depth = 1;
	let end = start;
	while (end < code.length && depth > 0) {
		if (code[end] === '[') depth++;
		else if (code[end] === ']') depth--;
		end++;
	}
	const record = code.slice(start, end - 1);

	const type = /\$node_type\s*=\s*Cluster::(\w+)/.exec(record)?.[1];
	const nodeType = type === undefined ? undefined : NODE_TYPES[type];
	if (!nodeType) return undefined;
	const node: SimNode = {name, type: nodeType};
	const ip = /\$ip\s*=\s*(\[[^\]]*\]|[^,\s\]]+)/.exec(record)?.[1];
	if (ip !== undefined) node.ip = ip.replace(/^\[|\]$/g, '');
	const port = /\$p\s*=\s*(\d+)\s*\/\s*tcp/.exec(record)?.[1];
	if (port !== undefined) node.port = Number(port);
	const metricsPort = /\$metrics_port\s*=\s*(\d+)\s*\/\s*tcp/.exec(record)?.[1];
	// 0/tcp: zeek exposes no metrics.
	if (metricsPort !== undefined && Number(metricsPort) !== 0)
		node.metricsPort = Number(metricsPort);
	return node;
}

/**
 * The metrics address and manager_is_logger. Zeek 9's generator computes the address from
 * ZEEK_TELEMETRY_LISTEN_ADDRESS, else from the node's own $ip (bracketed when IPv6).
 */
export function parseLayoutOptions(
	text: string,
	node: SimNode,
	env: Record<string, string | undefined>,
): SimLayoutOptions {
	const code = text
		.split('\n')
		.filter((line) => !line.trimStart().startsWith('#'))
		.join('\n');
	const managerIsLogger = !/Cluster::manager_is_logger\s*=\s*F\b/.test(code);
	// The last redef wins, as in zeek.
	const literal = [...code.matchAll(/Telemetry::metrics_address\s*=\s*"([^"]*)"/g)].at(-1)?.[1];
	if (literal !== undefined) return {metricsAddress: literal, managerIsLogger};
	if (/Telemetry::metrics_address\s*=\s*my_ip_str/.test(code)) {
		const fromEnv = /getenv\("([^"]+)"\)/.exec(code)?.[1];
		const value = fromEnv === undefined ? undefined : env[fromEnv];
		if (value !== undefined && value !== '') return {metricsAddress: value, managerIsLogger};
		const ip = node.ip ?? '127.0.0.1';
		return {metricsAddress: ip.includes(':') ? `[${ip}]` : ip, managerIsLogger};
	}
	return {managerIsLogger};
}

function escapeRegExp(text: string): string {
	return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
