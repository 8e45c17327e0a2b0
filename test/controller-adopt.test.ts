// Adoption within one test process: a controller detaches (SIGHUP's path), the next one on the
// same spool takes the live nodes over instead of starting second copies, and watches them
// through /proc since they are not its children.
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {execa} from 'execa';
import {afterEach, describe, expect, it} from 'vitest';
import {createController, type ClusterEvent} from '../source/cluster/controller.js';
import {readStartTime} from '../source/cluster/process.js';
import {readStateFile, writeStateFile} from '../source/cluster/state-file.js';
import {startDetached, waitFor} from './helpers/processes.js';
import {
	FAKE_ZEEK,
	FAST,
	SMALL_CLUSTER,
	Sandbox,
	isRunning,
	fakeSpec,
	settled,
	starts,
} from './fixtures/cluster.js';

const sandbox = new Sandbox();
afterEach(() => sandbox.cleanup());

async function detachedCluster(spool: string) {
	const first = sandbox.track(createController(fakeSpec(spool, SMALL_CLUSTER), FAST));
	await first.start();
	await settled(first, spool);
	const pids = Object.fromEntries(first.snapshot().nodes.map((node) => [node.name, node.pid!]));
	first.detach();
	return pids;
}

describe('adoption', () => {
	it('takes over every live node: same pids, no second copy, and stops them when asked', async () => {
		const spool = sandbox.spool();
		const pids = await detachedCluster(spool);
		for (const pid of Object.values(pids)) expect(isRunning(pid)).toBe(true);

		const second = sandbox.track(createController(fakeSpec(spool, SMALL_CLUSTER), FAST));
		const events: ClusterEvent[] = [];
		second.onEvent((event) => events.push(event));
		await second.start();
		expect(
			Object.fromEntries(second.snapshot().nodes.map((node) => [node.name, node.pid])),
		).toEqual(pids);
		expect(
			second.snapshot().nodes.every((node) => node.state === 'running' && node.restarts === 0),
		).toBe(true);
		expect(
			events
				.filter((event) => event.kind === 'adopted')
				.map((event) => event.node)
				.sort(),
		).toEqual(SMALL_CLUSTER.map((node) => node.name).sort());
		expect(events.some((event) => event.kind === 'spawned')).toBe(false);
		for (const {name} of SMALL_CLUSTER) expect(starts(spool, name)).toHaveLength(1);
		expect(readStateFile(spool)!.supervisor.pid).toBe(process.pid);

		// Not our children: their exit is seen through /proc, and a requested one is no crash.
		await second.stopAll();
		for (const pid of Object.values(pids)) expect(isRunning(pid)).toBe(false);
		for (const node of second.snapshot().nodes) {
			expect(node.state).toBe('stopped');
			expect(node.exits).toEqual([
				{at: expect.any(Number), code: null, signal: null, requested: true},
			]);
		}
		const log = readFileSync(path.join(spool, '.zeek-tui', 'zeek-tui.log'), 'utf8');
		expect(log).toMatch(/ zeek-tui detached left_running=5\n/);
		expect(log).toMatch(/ manager adopted pid=\d+\n/);
	});

	it('an adopted node that dies is a crash with unknown status, and comes back as our child', async () => {
		const spool = sandbox.spool();
		const pids = await detachedCluster(spool);
		const second = sandbox.track(createController(fakeSpec(spool, SMALL_CLUSTER), FAST));
		const events: ClusterEvent[] = [];
		second.onEvent((event) => events.push(event));
		await second.start();

		process.kill(pids['proxy-1']!, 'SIGKILL');
		const crashed = await waitFor(() => events.find((event) => event.kind === 'crashed'));
		expect(crashed).toMatchObject({
			node: 'proxy-1',
			detail: {status: 'unknown', restart_in_ms: 200},
		});
		const report = await waitFor(() => events.find((event) => event.kind === 'crash-report'));
		expect(readFileSync(String(report.detail.file), 'utf8')).toContain(
			'exit: unknown (adopted from an earlier zeek-tui, not our child)',
		);
		await settled(second, spool);
		const proxy = second.snapshot().nodes.find((node) => node.name === 'proxy-1')!;
		expect(proxy.pid).not.toBe(pids['proxy-1']);
		expect(proxy.restarts).toBe(1);
		expect(starts(spool, 'proxy-1')).toHaveLength(2);
	});

	it('does not adopt a live pid whose cwd is not the node directory (a reused pid); starts a node', async () => {
		const spool = sandbox.spool();
		const stranger = execa('sleep', ['30'], {
			cwd: '/',
			stdin: 'ignore',
			stdout: 'ignore',
			reject: false,
		});
		sandbox.trackPid(stranger.pid);
		writeStateFile(spool, {
			version: 1,
			supervisor: {pid: stranger.pid!, startTime: 0},
			nodes: {manager: {pid: stranger.pid!, startTime: readStartTime(stranger.pid!)!}},
		});
		const controller = sandbox.track(createController(fakeSpec(spool, [{name: 'manager'}]), FAST));
		const events: ClusterEvent[] = [];
		controller.onEvent((event) => events.push(event));
		await controller.start();
		await settled(controller, spool);
		expect(events.find((event) => event.kind === 'not-adopted')).toMatchObject({
			node: 'manager',
			detail: {pid: stranger.pid},
		});
		expect(controller.snapshot().nodes[0]!.pid).not.toBe(stranger.pid);
		expect(isRunning(stranger.pid!)).toBe(true);
	});
});

describe('/proc is the truth, not the state file', () => {
	/** A node as a supervisor killed -9 mid-spawn leaves it: running, in no state file. */
	function unrecordedNode(spool: string, name: string): number {
		const pid = startDetached([FAKE_ZEEK, 'local'], path.join(spool, name), {
			CLUSTER_NODE: name,
			PATH: process.env['PATH']!,
		});
		sandbox.trackPid(pid);
		return pid;
	}

	const started = (spool: string, name: string, pid: number) =>
		waitFor(() => starts(spool, name).some((record) => record.pid === pid));

	it('adopts a live node the state file does not name (a supervisor killed mid-spawn)', async () => {
		const spool = sandbox.spool();
		const pid = unrecordedNode(spool, 'manager');
		await started(spool, 'manager', pid);
		const controller = sandbox.track(
			createController(fakeSpec(spool, [{name: 'manager'}, {name: 'worker-1'}]), FAST),
		);
		await controller.start();
		await settled(controller, spool);
		expect(controller.snapshot().nodes[0]!.pid).toBe(pid);
		expect(starts(spool, 'manager')).toHaveLength(1);
		expect(readStateFile(spool)!.nodes['manager']!.pid).toBe(pid);
	});

	it('a stale state file (a dead pid recorded, a full disk) does not start a second copy', async () => {
		const spool = sandbox.spool();
		const pid = unrecordedNode(spool, 'manager');
		await started(spool, 'manager', pid);
		const gone = execa('true');
		await gone;
		writeStateFile(spool, {
			version: 1,
			supervisor: {pid: gone.pid!, startTime: 1},
			nodes: {manager: {pid: gone.pid!, startTime: 1}},
		});
		const controller = sandbox.track(createController(fakeSpec(spool, [{name: 'manager'}]), FAST));
		await controller.start();
		expect(controller.snapshot().nodes[0]!.pid).toBe(pid);
		expect(starts(spool, 'manager')).toHaveLength(1);
	});

	it('of two copies of a node keeps the recorded one and stops the other before anything starts', async () => {
		const spool = sandbox.spool();
		const recorded = unrecordedNode(spool, 'manager');
		const second = unrecordedNode(spool, 'manager');
		await started(spool, 'manager', recorded);
		await started(spool, 'manager', second);
		writeStateFile(spool, {
			version: 1,
			supervisor: {pid: second, startTime: 1},
			nodes: {manager: {pid: recorded, startTime: readStartTime(recorded)!}},
		});
		const controller = sandbox.track(createController(fakeSpec(spool, [{name: 'manager'}]), FAST));
		const events: ClusterEvent[] = [];
		controller.onEvent((event) => events.push(event));
		await controller.start();
		expect(controller.snapshot().nodes[0]!.pid).toBe(recorded);
		expect(isRunning(second)).toBe(false);
		expect(events.find((event) => event.kind === 'killed-extra-copy')).toMatchObject({
			node: 'manager',
			detail: {pid: second},
		});
		expect(starts(spool, 'manager')).toHaveLength(2);
	});
});
