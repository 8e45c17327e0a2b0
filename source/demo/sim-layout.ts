// Finding and reading this node's entry of cluster-layout.zeek, as zeek does when
// CLUSTER_NODE is set. Deliberately a small regex reader, independent of the
// supervisor's layout module: the simulator stands in for zeek, not for zeek-tui.
import {existsSync} from 'node:fs';
import {join, resolve} from 'node:path';
import type {NodeType} from '../cluster/types.js';

export const LAYOUT_FILE = 'cluster-layout.zeek';

/** The directories zeek-sim searches, in order: the working directory, then each ZEEKPATH entry. */
export function layoutSearchPath(cwd: string, zeekPath: string | undefined): string[] {
	const extra = (zeekPath ?? '').split(':').filter((dir) => dir !== '');
	return [cwd, ...extra.map((dir) => resolve(cwd, dir))];
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
	metricsPort?: number;
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
	const metricsPort = /\$metrics_port\s*=\s*(\d+)\s*\/\s*tcp/.exec(record)?.[1];
	if (metricsPort !== undefined) node.metricsPort = Number(metricsPort);
	return node;
}

function escapeRegExp(text: string): string {
	return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
