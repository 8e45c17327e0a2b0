// A smaller second start (issue 14.4e): after zeek-tui left `-W 4` running (SIGHUP), `-W 2` on
// the same spool must not leave worker-3 and worker-4 unwatched, nor let a later start run second
// copies of them. The built program, as a user runs it.
import {existsSync, readFileSync, readdirSync, statSync} from 'node:fs';
import path from 'node:path';
import {execa} from 'execa';
import {afterEach, describe, expect, it} from 'vitest';
import {
	SpoolBusyError,
	UnplannedNodesError,
	createController,
} from '../source/cluster/controller.js';
import {scanSpool} from '../source/cluster/proc-scan.js';
import {cleanEnv, cliPath, runCli} from './helpers/cli.js';
import {waitFor} from './helpers/processes.js';
import {FAKE_ZEEK, FAST, Sandbox, fakeSpec, starts} from './fixtures/cluster.js';

const sandbox = new Sandbox();
afterEach(() => sandbox.cleanup());

const clusterArgs = (spool: string, plan: string[]) => [
	'--headless',
	'--spool-dir',
	spool,
	...plan,
	'--zeek',
	FAKE_ZEEK,
	'--stop-timeout',
	'2',
];

/** A manager and `count` workers. */
const workers = (count: number) => ['-W', String(count), '-P', '0', '-L', '0'];

function supervise(spool: string, plan: string[]) {
	const child = execa('node', [cliPath, ...clusterArgs(spool, plan)], {
		env: cleanEnv(),
		extendEnv: false,
		stdin: 'ignore',
		reject: false,
	});
	sandbox.trackPid(child.pid);
	return child;
}

const WORKERS_1_TO_4 = ['manager', 'worker-1', 'worker-2', 'worker-3', 'worker-4'];

/** Every file of the spool with its size and mtime: what "nothing written" compares. */
function listing(spool: string): string[] {
	const out: string[] = [];
	const walk = (dir: string) => {
		for (const name of readdirSync(dir).sort()) {
			const file = path.join(dir, name);
			const stat = statSync(file);
			if (stat.isDirectory()) walk(file);
			else out.push(`${path.relative(spool, file)} ${stat.size} ${stat.mtimeMs}`);
		}
	};
	walk(spool);
	return out;
}

describe('a second start with fewer nodes than are running', () => {
	it('is refused before anything starts: one line naming them and how to stop them, exit 1', async () => {
		expect(existsSync(cliPath), `${cliPath} is missing: run npm run build`).toBe(true);
		const spool = sandbox.spool();
		const first = supervise(spool, workers(4));
		await waitFor(() => WORKERS_1_TO_4.every((name) => starts(spool, name).length === 1), {
			what: 'the -W 4 cluster up',
		});
		first.kill('SIGHUP');
		expect((await first).exitCode).toBe(0);
		const pid = (name: string) => starts(spool, name)[0]!.pid;
		const before = listing(spool);

		const smaller = await runCli(clusterArgs(spool, workers(2)));
		expect(smaller.exitCode).toBe(1);
		expect(smaller.stdout).toBe('');
		expect(smaller.stderr).toBe(
			`zeek-tui: ${spool} has nodes running that this plan does not have: ` +
				`worker-3 (pid ${pid('worker-3')}), worker-4 (pid ${pid('worker-4')}); ` +
				`stop them with 'kill -TERM -- -${pid('worker-3')} -${pid('worker-4')}', or start with ` +
				`the layout they run (--layout ${spool}/cluster-layout.zeek, or the same -W, -P and -L ` +
				`as before)\n`,
		);
		// Nothing started, nothing written, nothing stopped.
		expect(listing(spool)).toEqual(before);
		expect(
			scanSpool(spool)
				.map((each) => each.node)
				.sort(),
		).toEqual(WORKERS_1_TO_4);

		// The layout they run adopts every one of them: still one copy each.
		const again = supervise(spool, ['--layout', path.join(spool, 'cluster-layout.zeek')]);
		await waitFor(
			() =>
				/worker-4 adopted/.test(
					readFileSync(path.join(spool, '.zeek-tui', 'zeek-tui.log'), 'utf8'),
				),
			{what: 'worker-4 adopted'},
		);
		for (const name of WORKERS_1_TO_4) expect(starts(spool, name)).toHaveLength(1);
		again.kill('SIGTERM');
		expect((await again).exitCode).toBe(0);
		expect(scanSpool(spool)).toEqual([]);
	}, 60_000);

	it('the controller says so with an UnplannedNodesError, a kind of SpoolBusyError', async () => {
		const spool = sandbox.spool();
		const names = [{name: 'manager'}, {name: 'worker-1'}, {name: 'worker-2'}];
		const first = sandbox.track(createController(fakeSpec(spool, names), FAST));
		await first.start();
		await waitFor(() => names.every(({name}) => starts(spool, name).length === 1));
		first.detach();
		const smaller = sandbox.track(createController(fakeSpec(spool, names.slice(0, 2)), FAST));
		const refusal = smaller.start();
		await expect(refusal).rejects.toThrow(UnplannedNodesError);
		await expect(refusal).rejects.toThrow(SpoolBusyError);
		expect(existsSync(path.join(spool, '.zeek-tui', 'lock'))).toBe(false);
		expect(scanSpool(spool)).toHaveLength(3);
	});
});
