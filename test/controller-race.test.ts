// Never a second copy of a node: two supervisors started at the same instant on a fresh spool,
// and supervisors killed -9 in the middle of a start, as real processes.
import {afterEach, describe, expect, it} from 'vitest';
import {createController} from '../source/cluster/controller.js';
import {scanSpool} from '../source/cluster/proc-scan.js';
import {waitFor} from './helpers/processes.js';
import {
	FAST,
	SMALL_CLUSTER,
	Sandbox,
	fakeSpec,
	settled,
	sleep,
	starts,
} from './fixtures/cluster.js';
import {startHeadless as headless, upUnder} from './helpers/headless-process.js';

const sandbox = new Sandbox();
afterEach(() => sandbox.cleanup());

/** node -> how many live processes of it the kernel shows. */
function copies(spool: string): Record<string, number> {
	const count: Record<string, number> = {};
	for (const each of scanSpool(spool)) count[each.node] = (count[each.node] ?? 0) + 1;
	return count;
}

describe('two supervisors at the same instant', () => {
	it('exactly one runs the cluster, the other exits 1 with one line (8 trials)', async () => {
		for (let trial = 0; trial < 8; trial++) {
			const spool = sandbox.spool();
			const spec = fakeSpec(spool, [{name: 'manager'}, {name: 'worker-1'}]);
			// Both load first, then start within the same millisecond.
			const at = String(Date.now() + 2500);
			const both = [0, 1].map(() => headless(sandbox, spec, {RUN_HEADLESS_START_AT: at}));
			const first = await Promise.race([
				...both.map((child, index) => child.then(() => index)),
				sleep(Number(at) - Date.now() + 10_000).then(() => -1),
			]);
			expect(first, `trial ${trial}: both supervisors still run`).not.toBe(-1);
			const loser = both[first]!;
			const winner = both[1 - first]!;
			const lost = await loser;
			expect(lost.exitCode, `trial ${trial}`).toBe(1);
			expect(String(lost.stderr)).toMatch(
				/^zeek-tui: another zeek-tui \(pid \d+\) supervises \S+; quit it first, or use another --spool-dir\n?$/,
			);
			await upUnder(winner.pid!, spec);
			expect(copies(spool)).toEqual({manager: 1, 'worker-1': 1});
			for (const {name} of spec.nodes) expect(starts(spool, name)).toHaveLength(1);
			winner.kill('SIGTERM');
			expect((await winner).exitCode).toBe(0);
			expect(scanSpool(spool)).toEqual([]);
		}
	}, 120_000);
});

describe('a supervisor killed -9 in the middle of a start', () => {
	it('three times over; the next one runs exactly one process per node', async () => {
		const spool = sandbox.spool();
		const spec = fakeSpec(spool, SMALL_CLUSTER);
		for (let kill = 0; kill < 3; kill++) {
			const child = headless(sandbox, spec);
			// Soon after it took the spool: before, during or just after its spawns.
			await new Promise<void>((resolve) => {
				child.stdout!.on('data', (chunk: Buffer) => {
					if (/ zeek-tui started /.test(chunk.toString()))
						void sleep(kill * 4).then(() => resolve());
				});
				void child.then(() => resolve());
			});
			child.kill('SIGKILL');
			await child;
		}
		const next = sandbox.track(createController(spec, FAST));
		await next.start();
		await settled(next, spool);
		const expected = Object.fromEntries(SMALL_CLUSTER.map(({name}) => [name, 1]));
		expect(copies(spool)).toEqual(expected);
		const byNode = Object.fromEntries(scanSpool(spool).map((each) => [each.node, each.pid]));
		expect(Object.fromEntries(next.snapshot().nodes.map((node) => [node.name, node.pid]))).toEqual(
			byNode,
		);
		await next.stopAll();
		await waitFor(() => scanSpool(spool).length === 0, {what: 'every node gone'});
	}, 60_000);
});
