// --dry-run: the plan of DESIGN §3 for each node in start order, and nothing started.
import type {Writable} from 'node:stream';
import {formatCpuList, withTaskset} from '../cluster/affinity.js';
import {START_ORDER, stages} from '../cluster/order.js';
import type {ClusterSpec, NodeCfgDetails, NodePlan} from '../cluster/types.js';

/** With --node-cfg: the expansion with the field names of zeekctl's (reference/nodecfg/). */
function nodeCfgJson(node: NodePlan, details: NodeCfgDetails): Record<string, unknown> {
	return {
		interface: details.interface,
		pin_cpu: details.pinCpu,
		aux_scripts: details.auxScripts,
		af_packet: details.afPacket,
		port: details.port ?? null,
		metrics_port: details.metricsPort ?? null,
		zeekctl: {
			name: node.name,
			type: details.type,
			host: details.host,
			addr: details.addr,
			count: details.count,
			interface: details.interface,
			lb_method: details.lbMethod,
			lb_procs: details.lbProcs,
			pin_cpu: details.pinCpu,
			env: details.env,
			aux_scripts: details.auxScripts,
			af_packet: details.afPacket,
			zeekargs: details.zeekArgs,
			zeek_args: details.zeekctlArgs,
		},
	};
}

function nodeCfgText(details: NodeCfgDetails): string[] {
	const afPacket = Object.entries(details.afPacket).map(([key, value]) => `${key}=${value}`);
	return [
		`  node.cfg     ${details.type} on ${details.host} (${details.addr})` +
			(details.lbMethod ? `, lb_method=${details.lbMethod} lb_procs=${details.lbProcs}` : ''),
		...(details.port === undefined
			? []
			: [
					`  ports        ${details.port}/tcp` +
						(details.metricsPort === undefined ? '' : `, metrics ${details.metricsPort}/tcp`),
				]),
		...(details.interface ? [`  interface    ${details.interface}`] : []),
		...(afPacket.length > 0 ? [`  af_packet    ${afPacket.join(' ')}`] : []),
		...(details.auxScripts ? [`  aux_scripts  ${details.auxScripts}`] : []),
		...(details.zeekArgs ? [`  ZeekArgs     ${details.zeekArgs}`] : []),
	];
}

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
					...(node.nodeCfg ? nodeCfgJson(node, node.nodeCfg) : {}),
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
			...(node.nodeCfg ? nodeCfgText(node.nodeCfg) : []),
			'',
		);
	}
	options.out.write(lines.join('\n') + (options.json ? '\n' : ''));
}
