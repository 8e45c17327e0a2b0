// CPU pinning with the real taskset: at spawn, live on every thread, and across restarts.
import {execFileSync} from 'node:child_process';
import {readFileSync, readdirSync} from 'node:fs';
import {afterEach, describe, expect, it} from 'vitest';
import {parseCpuList, pinLive} from '../source/cluster/affinity.js';
import {createController} from '../source/cluster/controller.js';
import {readStateFile} from '../source/cluster/state-file.js';
import {waitFor} from './helpers/processes.js';
import {FAKE_ZEEK, FAST, Sandbox, fakeSpec, settled} from './fixtures/cluster.js';

const sandbox = new Sandbox();
afterEach(() => sandbox.cleanup());

/** Cpus_allowed_list of each thread of `pid`, as the kernel says. */
function threadAffinities(pid: number): number[][] {
	return readdirSync(`/proc/${pid}/task`).map((tid) => {
		const status = readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8');
		return parseCpuList(/^Cpus_allowed_list:\s*(.+)$/m.exec(status)![1]!);
	});
}

/** One unpinned worker, started and settled. */
async function startOneWorker() {
	const spool = sandbox.spool();
	const controller = sandbox.track(createController(fakeSpec(spool, [{name: 'worker-1'}]), FAST));
	await controller.start();
	await settled(controller, spool);
	return {spool, controller, pid: controller.snapshot().nodes[0]!.pid!};
}

describe('pinning', () => {
	it('wraps the command in taskset at spawn; the snapshot reads the affinity back from /proc', async () => {
		const spool = sandbox.spool();
		const spec = fakeSpec(spool, [{name: 'worker-1', cpus: [1]}]);
		const controller = sandbox.track(createController(spec, FAST));
		await controller.start();
		await settled(controller, spool);
		const node = await waitFor(() => {
			const current = controller.snapshot().nodes[0]!;
			return current.cpus?.join() === '1' && current;
		});
		expect(node.argv).toEqual(['taskset', '-c', '1', FAKE_ZEEK, 'local']);
		expect(node.pin).toEqual([1]);
		const threads = threadAffinities(node.pid!);
		expect(threads.length).toBeGreaterThan(1);
		expect(threads).toEqual(threads.map(() => [1]));
	});

	it('re-pins every thread live, to [0] then [1]; the pin survives a restart', async () => {
		const {spool, controller, pid} = await startOneWorker();
		expect(threadAffinities(pid).length).toBeGreaterThan(1);

		for (const cpus of [[0], [1]]) {
			await controller.pin('worker-1', cpus);
			const threads = threadAffinities(pid);
			expect(threads).toEqual(threads.map(() => cpus));
			const node = controller.snapshot().nodes[0]!;
			expect(node).toMatchObject({pid, pin: cpus, cpus});
			expect(readStateFile(spool)!.nodes['worker-1']!.pin).toEqual(cpus);
		}

		controller.restartNode('worker-1');
		const restarted = await waitFor(() => {
			const current = controller.snapshot().nodes[0]!;
			return (
				current.state === 'running' &&
				current.pid !== pid &&
				current.cpus?.join() === '1' &&
				current
			);
		});
		expect(restarted.argv).toEqual(['taskset', '-c', '1', FAKE_ZEEK, 'local']);
		await settled(controller, spool);
		const threads = threadAffinities(restarted.pid!);
		expect(threads).toEqual(threads.map(() => [1]));
	});

	it('shows an affinity set from outside: all threads, then the main thread alone (union)', async () => {
		const {controller, pid} = await startOneWorker();
		const taskset = (args: string[]) => execFileSync('taskset', [...args, String(pid)]);
		const shown = () => controller.snapshot().nodes[0]!.cpus?.join();

		taskset(['-a', '-p', '-c', '0']);
		await waitFor(() => shown() === '0');
		// The main thread only: the others stay on 0, so the node may run on 0 and 1.
		taskset(['-p', '-c', '1']);
		expect(threadAffinities(pid).length).toBeGreaterThan(1);
		await waitFor(() => shown() === '0,1');
	});

	it('refuses an empty CPU list and CPUs that are not online, changing nothing', async () => {
		const spool = sandbox.spool();
		const controller = sandbox.track(createController(fakeSpec(spool, [{name: 'worker-1'}]), FAST));
		await controller.start();
		await expect(controller.pin('worker-1', [])).rejects.toThrow(/empty/);
		await expect(controller.pin('worker-1', [4095])).rejects.toThrow(/CPU 4095 is not online/);
		await expect(controller.pin('nope', [0])).rejects.toThrow(/no node named 'nope'/);
		expect(controller.snapshot().nodes[0]!.pin).toBeUndefined();
	});

	it("pinLive: taskset's refusal is the error, with the command and taskset's own words", async () => {
		const {pid} = await startOneWorker();
		// A CPU no box here has: the kernel refuses it, and taskset says so.
		await expect(pinLive(pid, [4000])).rejects.toThrow(
			new RegExp(
				`^Command failed with exit code 1: taskset -a -p -c 4000 ${pid}\\n\\ntaskset: failed to set pid \\d+'s affinity`,
			),
		);
	});
});
