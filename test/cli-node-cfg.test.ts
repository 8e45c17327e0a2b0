// --node-cfg through the built program: `--dry-run --json` carries, node by node, what zeekctl's
// expansion gives (reference cases), and bad files are refused in one line, exit 2, nothing made.
import {copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {cleanEnv, runCli, simulatorPath} from './helpers/cli.js';
import {afPacketRedefs, nodeCfgCases} from './helpers/nodecfg-reference.js';
import {readReferenceCases, zeek9ReferenceDir} from './helpers/reference-layouts.js';

type PlannedNode = {
	name: string;
	argv: string[];
	env: Record<string, string>;
	cpus: number[] | null;
	interface: string;
	pin_cpu: number | null;
	aux_scripts: string;
	af_packet: Record<string, string>;
	zeekctl: Record<string, unknown>;
};

let work: string;
beforeAll(() => {
	work = mkdtempSync(path.join(os.tmpdir(), 'zeek-tui-nodecfg-'));
});
afterAll(() => rmSync(work, {recursive: true, force: true}));

function dryRun(args: string[], env: Record<string, string> = {}) {
	return runCli(['--dry-run', '--json', '--zeek', simulatorPath, ...args], {
		cwd: work,
		env: cleanEnv(env),
	});
}

/** The case's node.cfg alone in a directory of its own, with the given zeekctl.cfg lines beside it. */
function place(name: string, text: string, zeekctlCfg: string[] = []): string {
	const directory = mkdtempSync(path.join(work, `${name}-`));
	const file = path.join(directory, 'node.cfg');
	writeFileSync(file, text);
	if (zeekctlCfg.length > 0)
		writeFileSync(path.join(directory, 'zeekctl.cfg'), zeekctlCfg.join('\n'));
	return file;
}

describe('--node-cfg --dry-run --json on the reference cases', () => {
	for (const reference of nodeCfgCases()) {
		it(`${reference.name}: ${reference.expected.valid ? "the plan of zeekctl's nodes" : 'refused'}`, async () => {
			const file = place(reference.name, reference.text, reference.expected.zeekctl_cfg_extra);
			const spool = path.join(work, `${reference.name}-spool`);
			const result = await dryRun(['--node-cfg', file, '--spool-dir', spool]);
			expect(existsSync(spool)).toBe(false);
			if (!reference.expected.valid) {
				expect(result.exitCode).toBe(2);
				expect(result.stdout).toBe('');
				const lines = result.stderr.trimEnd().split('\n');
				expect(lines).toHaveLength(1);
				expect(lines[0]).toMatch(new RegExp(`^zeek-tui: --node-cfg "${file}": .*\\S: `));
				expect(lines[0]).toContain(reference.expected.error);
				return;
			}
			expect(result.exitCode).toBe(0);
			const nodes = result.stdout
				.trimEnd()
				.split('\n')
				.map((line) => JSON.parse(line) as PlannedNode);
			const redefs = afPacketRedefs(reference.expected['zeekctl-config.zeek']!);
			expect(nodes.map((node) => node.name)).toEqual(
				reference.expected.nodes!.map((node) => node.name),
			);
			for (const [index, expected] of reference.expected.nodes!.entries()) {
				const node = nodes[index]!;
				const iface = node.argv.indexOf('-i');
				expect(iface === -1 ? '' : node.argv[iface + 1]).toBe(expected.interface);
				expect(node.interface).toBe(expected.interface);
				expect(node.pin_cpu).toBe(expected.pin_cpu);
				expect(node.cpus).toEqual(expected.pin_cpu === null ? null : [expected.pin_cpu]);
				expect(node.argv.slice(0, 3)).toEqual(
					expected.pin_cpu === null
						? [simulatorPath, ...node.argv.slice(1, 3)]
						: ['taskset', '-c', String(expected.pin_cpu)],
				);
				expect(Object.entries(node.env).map(([name, value]) => `${name}=${value}`)).toEqual(
					expected.env,
				);
				expect(node.aux_scripts).toBe(expected.aux_scripts);
				expect(node.af_packet).toEqual(redefs.get(expected.name) ?? {});
				for (const [key, value] of Object.entries(node.af_packet))
					expect(node.argv).toContain(`AF_Packet::${key}=${value}`);
				expect(node.zeekctl).toMatchObject({
					name: expected.name,
					type: expected.type,
					interface: expected.interface,
					pin_cpu: expected.pin_cpu,
					env: expected.env,
					aux_scripts: expected.aux_scripts,
					zeek_args: expected.zeek_args,
				});
			}
		});
	}
});

describe('--node-cfg', () => {
	const cluster =
		'[manager]\ntype=manager\nhost=localhost\n[proxy-1]\ntype=proxy\nhost=localhost\n';

	it('takes ZEEK_NODE_CFG and the zeekctl.cfg beside the file: ZeekArgs, env_vars, aux_scripts', async () => {
		const file = place(
			'env',
			cluster +
				'[worker-1]\ntype=worker\nhost=localhost\ninterface=eth0\naux_scripts=site/tap.zeek\n',
			['ZeekArgs = -f "tcp port 80"', 'env_vars = TZ=UTC'],
		);
		const result = await dryRun([], {ZEEK_NODE_CFG: file});
		expect(result.exitCode).toBe(0);
		const worker = result.stdout
			.trimEnd()
			.split('\n')
			.map((line) => JSON.parse(line) as PlannedNode)
			.find((node) => node.name === 'worker-1')!;
		expect(worker.env).toEqual({CLUSTER_NODE: 'worker-1', TZ: 'UTC'});
		// aux_scripts, then ZeekArgs, after zeek-tui's own arguments (only the ZeroMQ endpoints follow).
		const own = worker.argv.filter((word) => !word.startsWith('Cluster::Backend::ZeroMQ::'));
		expect(own.slice(-3)).toEqual(['site/tap.zeek', '-f', 'tcp port 80']);
	});

	it('writes the layout of the expanded nodes, ports as zeekctl numbers them', async () => {
		const file = place(
			'layout',
			cluster + '[w]\ntype=worker\nhost=localhost\nlb_method=custom\nlb_procs=2\n',
		);
		const spool = path.join(work, 'layout-spool');
		const result = await runCli(
			['--dry-run', '--zeek', simulatorPath, '--node-cfg', file, '--spool-dir', spool],
			{
				cwd: work,
				env: cleanEnv(),
			},
		);
		expect(result.exitCode).toBe(0);
		expect(result.stdout).toContain('w-2 (worker)');
		// zeekctl: ZeroMQ's proxy takes 27760-27761, its control node 27762; metrics from 9991.
		expect(result.stdout).toContain('ports        27763/tcp, metrics 9991/tcp');
		expect(result.stdout).toContain('ports        27766/tcp, metrics 9994/tcp');
		expect(result.stdout).toContain(
			'node.cfg     worker on localhost (127.0.0.1), lb_method=custom lb_procs=2',
		);
	});

	const refusals: Array<[string, string, string]> = [
		[
			'a node on another host',
			cluster.replaceAll('localhost', '127.0.0.1').replace('[proxy-1]', '[proxy-1]') +
				'[worker-9]\ntype=worker\nhost=198.51.100.9\n',
			'all nodes must use localhost/127.0.0.1/::1 when manager uses it',
		],
		[
			'an unknown lb_method',
			cluster + '[w]\ntype=worker\nhost=localhost\nlb_procs=2\nlb_method=rss\n',
			"[w] lb_method=rss: unknown load balancing method 'rss' given for node 'w'",
		],
		['no proxy', '[manager]\ntype=manager\nhost=localhost\n', 'no proxy defined in node config'],
	];
	for (const [what, text, message] of refusals) {
		it(`refuses ${what}: one line, exit 2, nothing created`, async () => {
			const file = place('bad', text);
			const spool = path.join(work, 'bad-spool');
			const result = await dryRun(['--node-cfg', file, '--spool-dir', spool]);
			expect(result.exitCode).toBe(2);
			expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
			expect(result.stderr).toContain(message);
			expect(existsSync(spool)).toBe(false);
		});
	}

	it('refuses a file it cannot read, and --layout beside it', async () => {
		const missing = await dryRun(['--node-cfg', path.join(work, 'nope.cfg')]);
		expect(missing.exitCode).toBe(2);
		expect(missing.stderr).toContain('cannot read node config file');
		const file = place('both', cluster);
		copyFileSync(file, path.join(work, 'layout.zeek'));
		const both = await dryRun(['--node-cfg', file, '--layout', path.join(work, 'layout.zeek')]);
		expect(both.exitCode).toBe(2);
		expect(both.stderr).toContain('does not go with a node.cfg');
	});
});

describe('-W per interface in the cluster options', () => {
	it('names workers worker-IF-N and gives each its interface with the prefix of -i', async () => {
		const result = await dryRun(['-W', 'eth0:2,eth1:1', '-i', 'af_packet::lo']);
		expect(result.exitCode).toBe(0);
		const workers = result.stdout
			.trimEnd()
			.split('\n')
			.map((line) => JSON.parse(line) as PlannedNode)
			.filter((node) => node.name.startsWith('worker-'))
			.map((node) => [node.name, node.argv[node.argv.indexOf('-i') + 1]]);
		expect(workers).toEqual([
			['worker-eth0-1', 'af_packet::eth0'],
			['worker-eth0-2', 'af_packet::eth0'],
			['worker-eth1-1', 'af_packet::eth1'],
		]);
	});

	it.each(readReferenceCases(zeek9ReferenceDir))(
		'zeek-tui layout $args: what Zeek 9 writes, byte for byte',
		async (reference) => {
			const result = await runCli(['layout', ...reference.args], {cwd: work, env: cleanEnv()});
			expect(result.exitCode).toBe(0);
			expect(result.stdout).toBe(reference.stdout);
		},
	);

	it('warns of a per-interface interface this machine does not show, as of -i', async () => {
		const result = await dryRun(['-W', 'lo:1,nosuch0:1']);
		expect(result.exitCode).toBe(0);
		expect(result.stderr).toBe(
			'zeek-tui: warning: interface nosuch0 is not in /sys/class/net; zeek will report it if it cannot open it\n',
		);
	});

	it('refuses what Zeek 9 refuses, in one line', async () => {
		const result = await dryRun(['-W', 'eth0:2,']);
		expect(result.exitCode).toBe(2);
		expect(result.stderr).toContain('--workers "eth0:2,": expected a whole number of workers');
	});
});
