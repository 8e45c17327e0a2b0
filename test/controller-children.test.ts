// A node's children go with it: a node that forks and crashes, and one whose grandchild calls
// setsid, leave nothing behind once they are gone, and nothing writes to their logs after a stop.
import {existsSync, readFileSync, statSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {createController, type ClusterEvent} from '../source/cluster/controller.js';
import {cgroupOf, openNodeCgroups, spoolCgroupName} from '../source/cluster/node-cgroup.js';
import {processesIn, waitFor} from './helpers/processes.js';
import {FAST, Sandbox, fakeSpec, isRunning, settled, sleep, starts} from './fixtures/cluster.js';

const sandbox = new Sandbox();
afterEach(() => sandbox.cleanup());

const stdoutLog = (spool: string, node: string) => path.join(spool, node, 'stdout.log');

describe("a node's children", () => {
	it('a node that forks a child and crashes, restart after restart, leaves no orphan', async () => {
		const spool = sandbox.spool();
		const spec = fakeSpec(spool, [
			{
				name: 'worker-1',
				env: {FAKE_ZEEK_FORK_CHILD: '1', FAKE_ZEEK_CRASH_AFTER_MS: '400', FAKE_ZEEK_EXIT_CODE: '3'},
			},
		]);
		const controller = sandbox.track(createController(spec, FAST));
		const events: ClusterEvent[] = [];
		controller.onEvent((event) => events.push(event));
		await controller.start();
		await waitFor(() => starts(spool, 'worker-1').length >= 4, {what: 'three crash restarts'});
		// Each crash took its child along: at most this run's node and its child are alive.
		expect(processesIn(spool).length).toBeLessThanOrEqual(2);
		expect(
			events.filter((event) => event.kind === 'killed-leftovers').length,
		).toBeGreaterThanOrEqual(3);
		await controller.stopAll();
		expect(processesIn(spool)).toEqual([]);
	});

	it('x on a forking node takes its child too, one that ignores SIGTERM and outlives its parent', async () => {
		const spool = sandbox.spool();
		const spec = fakeSpec(spool, [{name: 'manager', env: {FAKE_ZEEK_FORK_CHILD: '1'}}]);
		const controller = sandbox.track(createController(spec, FAST));
		await controller.start();
		await settled(controller, spool);
		await waitFor(
			() => /fake-zeek-child stays/.test(readFileSync(stdoutLog(spool, 'manager'), 'utf8')),
			{
				what: 'the child ignoring SIGTERM',
			},
		);
		expect(processesIn(spool)).toHaveLength(2);
		controller.stopNode('manager');
		await waitFor(() => controller.snapshot().nodes[0]!.state === 'stopped');
		await waitFor(() => processesIn(spool).length === 0, {timeoutMs: 3000, what: 'nothing left'});
	});

	it.each([
		['1', 'stays in the node directory'],
		['chdir', 'moved to /'],
	])(
		'a grandchild that called setsid (%s: %s) is killed at the stop: stdout.log stops growing',
		async (mode) => {
			const spool = sandbox.spool();
			const spec = fakeSpec(spool, [{name: 'manager', env: {FAKE_ZEEK_SETSID_GRANDCHILD: mode}}]);
			const controller = sandbox.track(createController(spec, FAST));
			await controller.start();
			await settled(controller, spool);
			const writer = await waitFor(() => {
				const match = /fake-zeek-child writer pid=(\d+)/.exec(
					readFileSync(stdoutLog(spool, 'manager'), 'utf8'),
				);
				return match ? Number(match[1]) : undefined;
			});
			// Outside the spool when it moved to /: the cleanup must know it.
			sandbox.trackPid(writer);
			expect(writer).not.toBe(controller.snapshot().nodes[0]!.pid);
			await controller.stopAll();
			expect(processesIn(spool)).toEqual([]);
			expect(isRunning(writer)).toBe(false);
			const size = statSync(stdoutLog(spool, 'manager')).size;
			await sleep(300);
			expect(statSync(stdoutLog(spool, 'manager')).size).toBe(size);
		},
	);
});

const probe = openNodeCgroups(os.tmpdir());
probe?.release();
const cgroupsHere = probe !== undefined;

describe.skipIf(!cgroupsHere)('a cgroup v2 per node (this machine allows one)', () => {
	it('holds the node; a grandchild hidden from /proc (in /, no environment) is killed at the stop', async () => {
		const spool = sandbox.spool();
		const spec = fakeSpec(spool, [{name: 'manager', env: {FAKE_ZEEK_SETSID_GRANDCHILD: 'hidden'}}]);
		const controller = sandbox.track(createController(spec, FAST));
		await controller.start();
		await settled(controller, spool);
		const nodePid = controller.snapshot().nodes[0]!.pid!;
		const cgroup = cgroupOf(nodePid)!;
		expect(cgroup.endsWith(`/${spoolCgroupName(spool)}/manager`)).toBe(true);
		const hidden = await waitFor(() => {
			const match = /daemonized pid=(\d+)/.exec(readFileSync(stdoutLog(spool, 'manager'), 'utf8'));
			return match ? Number(match[1]) : undefined;
		});
		sandbox.trackPid(hidden);
		await waitFor(() => readFileSync(`/proc/${hidden}/cmdline`, 'utf8').includes('stay'));
		expect(cgroupOf(hidden)).toBe(cgroup);
		await controller.stopAll();
		expect(isRunning(hidden)).toBe(false);
		expect(existsSync(cgroup)).toBe(false);
		// The spool's own cgroup goes with its last node: nothing is left in the hierarchy.
		expect(existsSync(path.dirname(cgroup))).toBe(false);
	});
});
