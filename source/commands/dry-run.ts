// --dry-run: the plan of DESIGN §3 for each node in start order, and nothing started.
import type {Writable} from 'node:stream';
import {formatCpuList, withTaskset} from '../cluster/affinity.js';
import {START_ORDER, stages} from '../cluster/order.js';
import type {ClusterSpec} from '../cluster/types.js';

export function printPlan(spec: ClusterSpec, options: {json: boolean; out: Writable}): void {
	const lines: string[] = [];
	if (!options.json)
		lines.push(`spool ${spec.spoolDir}`, `stop-timeout ${spec.stopTimeoutMs / 1000}s`, '');
	for (const node of stages(spec.nodes, START_ORDER).flat()) {
		const argv = withTaskset(node.argv, node.cpus);
		if (options.json) {
			lines.push(
				JSON.stringify({
					name: node.name,
					type: node.type,
					cwd: node.cwd,
					argv,
					env: node.env,
					cpus: node.cpus ?? null,
					listens: node.listens ?? [],
				}),
			);
			continue;
		}
		lines.push(
			`${node.name} (${node.type})`,
			`  cwd          ${node.cwd}`,
			`  argv         ${argv.join(' ')}`,
			...Object.entries(node.env).map(([key, value]) => `  ${key.padEnd(12)} ${value}`),
			`  cpus         ${node.cpus ? formatCpuList(node.cpus) : 'any'}`,
			// What must be free before it starts: cluster, metrics and (manager) ZeroMQ proxy ports.
			`  ports        ${(node.listens ?? []).map((listen) => `${listen.port} (${listen.what})`).join(', ') || 'none'}`,
			'',
		);
	}
	options.out.write(lines.join('\n') + (options.json ? '\n' : ''));
}
