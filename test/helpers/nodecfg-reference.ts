// The node.cfg reference cases (test/fixtures/nodecfg/, copied from reference/nodecfg/): each
// CASE.cfg with the expansion zeekctl's own code produced for it.
import {readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {repoRoot} from './cli.js';

export const nodeCfgFixtures = path.join(repoRoot, 'test/fixtures/nodecfg');
/** More cases, expanded by zeekctl's own code the same way (see its README.md). */
export const zeekctlFixtures = path.join(repoRoot, 'test/fixtures/nodecfg-zeekctl');

export type ReferenceNode = {
	name: string;
	type: string;
	host: string;
	addr: string;
	count: number;
	interface: string;
	lb_method: string;
	lb_procs: string;
	pin_cpu: number | null;
	env: string[];
	aux_scripts: string;
	zeek_args: string[];
};

/** The fields of zeekctl's expansion zeek-tui reproduces (`exec`, `cwd` and the rest are zeekctl's). */
export function comparedFields(node: ReferenceNode): ReferenceNode {
	const {name, type, host, addr, count, lb_method, lb_procs, pin_cpu, env, aux_scripts, zeek_args} =
		node;
	return {
		name,
		type,
		host,
		addr,
		count,
		interface: node.interface,
		lb_method,
		lb_procs,
		pin_cpu,
		env,
		aux_scripts,
		zeek_args,
	};
}

export type NodeCfgCase = {
	name: string;
	file: string;
	text: string;
	expected: {
		valid: boolean;
		standalone?: boolean;
		error?: string;
		zeekctl_cfg_extra: string[];
		nodes?: ReferenceNode[];
		'cluster-layout.zeek'?: string;
		'zeekctl-config.zeek'?: string;
	};
};

/** Every case of both directories. */
export function nodeCfgCases(): NodeCfgCase[] {
	return [nodeCfgFixtures, zeekctlFixtures].flatMap((directory) =>
		readdirSync(directory)
			.filter((file) => file.endsWith('.cfg'))
			.sort()
			.map((file) => {
				const name = file.slice(0, -'.cfg'.length);
				return {
					name,
					file: path.join(directory, file),
					text: readFileSync(path.join(directory, file), 'utf8'),
					expected: JSON.parse(
						readFileSync(path.join(directory, `${name}.expected.json`), 'utf8'),
					) as NodeCfgCase['expected'],
				};
			}),
	);
}

/** The af_packet plugin's redefs per node, read from zeekctl-config.zeek. */
export function afPacketRedefs(zeekctlConfig: string): Map<string, Record<string, string>> {
	const redefs = new Map<string, Record<string, string>>();
	const block =
		/@if\( peer_description == "([^"]+)" \) ((?:\n {2}redef AF_Packet::\w+ = .*;)+)\n@endif/g;
	for (const match of zeekctlConfig.matchAll(block)) {
		const entries = [...match[2]!.matchAll(/redef AF_Packet::(\w+) = (.*);/g)];
		redefs.set(match[1]!, Object.fromEntries(entries.map((entry) => [entry[1]!, entry[2]!])));
	}
	return redefs;
}

export type ReferenceLayoutNode = {
	name: string;
	type: string;
	ip: string;
	port: number;
	metricsPort?: number;
};

/** The nodes of zeekctl's cluster-layout.zeek, its "control" node left out. */
export function zeekctlLayoutNodes(layout: string): ReferenceLayoutNode[] {
	const line =
		/^\t\["([^"]+)"\] = \[\$node_type=Cluster::(\w+), \$ip=([^,]+), \$p=(\d+)\/tcp(?:, \$manager="[^"]+")?(?:, \$metrics_port=(\d+)\/tcp)?\],$/gm;
	return [...layout.matchAll(line)]
		.filter((match) => match[1] !== 'control')
		.map((match) => ({
			name: match[1]!,
			type: match[2]!.toLowerCase(),
			ip: match[3]!.replace(/^\[|\]$/g, ''),
			port: Number(match[4]),
			...(match[5] === undefined ? {} : {metricsPort: Number(match[5])}),
		}));
}
