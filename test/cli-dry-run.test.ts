// --dry-run prints the plan of DESIGN §3 in start order and starts nothing.
import {existsSync, mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {cleanEnv, runCli, simulatorPath} from './helpers/cli.js';

type PlannedNode = {
	name: string;
	type: string;
	cwd: string;
	argv: string[];
	env: Record<string, string>;
	cpus: number[] | null;
};

let work: string;
beforeAll(() => {
	work = mkdtempSync(path.join(os.tmpdir(), 'zeek-tui-plan-'));
});
afterAll(() => rmSync(work, {recursive: true, force: true}));

async function plan(args: string[], env: Record<string, string> = {}): Promise<PlannedNode[]> {
	const result = await runCli(['--dry-run', '--json', '--zeek', simulatorPath, ...args], {
		cwd: work,
		env: cleanEnv(env),
	});
	expect(result.stderr).toBe('');
	expect(result.exitCode).toBe(0);
	return result.stdout
		.trimEnd()
		.split('\n')
		.map((line) => JSON.parse(line) as PlannedNode);
}

/** The proxy endpoints zeek-tui gives a cluster whose highest cluster port is `highest`. */
function zeroMqRedefs(highest: number): string[] {
	const xpub = `tcp://127.0.0.1:${highest + 1}`;
	const xsub = `tcp://127.0.0.1:${highest + 2}`;
	return [
		`Cluster::Backend::ZeroMQ::listen_xpub_endpoint=${xpub}`,
		`Cluster::Backend::ZeroMQ::listen_xsub_endpoint=${xsub}`,
		`Cluster::Backend::ZeroMQ::connect_xpub_endpoint=${xsub}`,
		`Cluster::Backend::ZeroMQ::connect_xsub_endpoint=${xpub}`,
	];
}

describe('--dry-run', () => {
	it('plans the documentation script: start order, cwd, argv, CLUSTER_NODE', async () => {
		const nodes = await plan([]);
		expect(nodes.map((node) => node.name)).toEqual([
			'logger-1',
			'manager',
			'proxy-1',
			'proxy-2',
			'worker-1',
			'worker-2',
			'worker-3',
			'worker-4',
		]);
		const common = [
			'-U',
			'.status',
			'local',
			'Log::default_rotation_interval=0sec',
			'policy/frameworks/cluster/backend/zeromq',
			...zeroMqRedefs(27763),
		];
		for (const node of nodes) {
			expect(node.cwd).toBe(path.join(work, 'spool', node.name));
			expect(node.env).toEqual({CLUSTER_NODE: node.name});
			expect(node.cpus).toBeNull();
			expect(node.argv).toEqual(
				node.type === 'worker'
					? [simulatorPath, '-C', '-i', 'lo', ...common]
					: [simulatorPath, ...common],
			);
		}
		expect(existsSync(path.join(work, 'spool'))).toBe(false);
	});

	it('takes counts, arguments and the interface from the environment like supervisor.sh', async () => {
		const nodes = await plan([], {
			ZEEK_WORKERS: '2',
			ZEEK_PROXIES: '1',
			ZEEK_LOGGERS: '0',
			ZEEK_INTERFACE: 'af_packet::lo',
			ZEEK_ARGS: 'local  extra.zeek',
			ZEEK_WORKER_ARGS: '',
			ZEEK_SPOOL_DIR: 'elsewhere',
		});
		expect(nodes.map((node) => node.name)).toEqual(['manager', 'proxy-1', 'worker-1', 'worker-2']);
		const worker = nodes.find((node) => node.name === 'worker-2')!;
		// An empty variable falls back to the default, as ${VAR:-default} does in the script.
		expect(worker.argv).toEqual([
			simulatorPath,
			'-C',
			'-i',
			'af_packet::lo',
			'-U',
			'.status',
			'local',
			'extra.zeek',
			'policy/frameworks/cluster/backend/zeromq',
			...zeroMqRedefs(27761),
		]);
		expect(worker.cwd).toBe(path.join(work, 'elsewhere', 'worker-2'));
	});

	it('flags win over the environment, and a value may start with a dash', async () => {
		const nodes = await plan(['-W', '1', '--worker-args', '-C -v', '--args', 'local'], {
			ZEEK_WORKERS: '9',
		});
		const worker = nodes.find((node) => node.type === 'worker')!;
		expect(nodes.filter((node) => node.type === 'worker')).toHaveLength(1);
		expect(worker.argv.slice(1, 5)).toEqual(['-C', '-v', '-i', 'lo']);
	});

	it('pins worker i to the i-th CPU of the list, wrapping around, with taskset', async () => {
		const nodes = await plan(['--pin-workers', '0-1', '-W', '3']);
		const workers = nodes.filter((node) => node.type === 'worker');
		expect(workers.map((node) => node.cpus)).toEqual([[0], [1], [0]]);
		expect(workers[1]!.argv.slice(0, 4)).toEqual(['taskset', '-c', '1', simulatorPath]);
		expect(nodes.find((node) => node.name === 'manager')!.cpus).toBeNull();
	});

	it('--pin-workers 1,0: worker-1 gets CPU 1, worker-2 CPU 0, as written (json and text)', async () => {
		const nodes = await plan(['--pin-workers', '1,0', '-W', '3']);
		const workers = nodes.filter((node) => node.type === 'worker');
		expect(workers.map((node) => [node.name, node.cpus])).toEqual([
			['worker-1', [1]],
			['worker-2', [0]],
			['worker-3', [1]],
		]);
		const text = await runCli(['--dry-run', '--zeek', simulatorPath, '-W', '2'], {
			cwd: work,
			env: cleanEnv({ZEEK_PIN_WORKERS: '1,0'}),
		});
		expect(text.exitCode).toBe(0);
		expect(text.stdout).toMatch(/^worker-1 \(worker\)\n( {2}.*\n)*? {2}argv +taskset -c 1 /m);
		expect(text.stdout).toMatch(/^worker-2 \(worker\)\n( {2}.*\n)*? {2}argv +taskset -c 0 /m);
	});

	it('takes -W3, -W=3, --workers=3 and --workers 3 alike', async () => {
		for (const form of [['-W3'], ['-W=3'], ['--workers=3'], ['--workers', '3']]) {
			const nodes = await plan(form);
			expect(nodes.filter((node) => node.type === 'worker')).toHaveLength(3);
		}
	});

	it('a value that starts with a dash is a value: --worker-args -C, "-C -B dpd", --args=-x', async () => {
		const workerArgv = async (args: string[]) =>
			(await plan(['-W', '1', ...args])).find((node) => node.type === 'worker')!.argv;
		expect((await workerArgv(['--worker-args', '-C'])).slice(1, 4)).toEqual(['-C', '-i', 'lo']);
		expect((await workerArgv(['--worker-args', '-C -B dpd'])).slice(1, 6)).toEqual([
			'-C',
			'-B',
			'dpd',
			'-i',
			'lo',
		]);
		expect((await workerArgv(['--args', '-e', '--backend-args=-f'])).slice(-2)).toEqual([
			'-e',
			'-f',
		]);
	});

	it('splits argument strings like an unquoted shell variable: quotes stay as typed', async () => {
		const manager = async (args: string[]) =>
			(await plan(['-W', '0', '--backend-args', '', ...args]))
				.find((node) => node.name === 'manager')!
				.argv.slice(3);
		expect(await manager(['--args', "a 'b c'"])).toEqual(['a', "'b", "c'"]);
		expect(await manager(['--args="x"'])).toEqual(['"x"']);
		expect(await manager(['--args', "'b c'"])).toEqual(["'b", "c'"]);
		expect(await manager(['--args="'])).toEqual(['"']);
		const fromEnv = await plan(['-W', '0'], {
			ZEEK_ARGS: '"local x"',
			ZEEK_CLUSTER_BACKEND_ARGS: "'z'",
		});
		expect(fromEnv.find((node) => node.name === 'manager')!.argv.slice(3)).toEqual([
			'"local',
			'x"',
			"'z'",
		]);
	});

	it('--demo plans ./spool-demo when ZEEK_SPOOL_DIR is empty, as when it is unset', async () => {
		for (const env of [{ZEEK_SPOOL_DIR: ''}, {}] as Array<Record<string, string>>) {
			const result = await runCli(['--dry-run', '--demo', '--json', '-W', '1'], {
				cwd: work,
				env: cleanEnv(env),
			});
			expect(result.exitCode).toBe(0);
			const first = JSON.parse(result.stdout.split('\n')[0]!) as PlannedNode;
			expect(first.cwd).toBe(path.join(work, 'spool-demo', first.name));
		}
	});

	it('prints readable text without --json', async () => {
		const result = await runCli(['--dry-run', '--zeek', simulatorPath, '-W', '1'], {
			cwd: work,
			env: cleanEnv(),
		});
		expect(result.exitCode).toBe(0);
		expect(result.stdout).toContain('worker-1 (worker)');
		expect(result.stdout).toContain('CLUSTER_NODE');
		expect(result.stdout).toMatch(/argv\s+\S*zeek-sim\.js -C -i lo -U \.status local/);
	});
});
