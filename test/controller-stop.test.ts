// Stopping real processes: order, SIGTERM then SIGKILL, one timeout per stage, x and X.
import {afterEach, describe, expect, it} from 'vitest';
import {createController, type ClusterEvent} from '../source/cluster/controller.js';
import {readStateFile} from '../source/cluster/state-file.js';
import {waitFor} from './helpers/processes.js';
import {
	FAST,
	SMALL_CLUSTER,
	Sandbox,
	isRunning,
	fakeSpec,
	settled,
	records,
	sleep,
	starts,
} from './fixtures/cluster.js';

const sandbox = new Sandbox();
afterEach(() => sandbox.cleanup());

type Controller = ReturnType<typeof createController>;

const node = (controller: Controller, name: string) =>
	controller.snapshot().nodes.find((candidate) => candidate.name === name)!;

/** When each node's stand-in got SIGTERM (monotonic ms), or undefined. */
function termTime(spool: string, name: string): number | undefined {
	return records(spool, name).find((record) => record.event === 'term')?.mono;
}

describe('stopAll', () => {
	it('stops in stop order, stage by stage: workers, proxies, manager, loggers', async () => {
		const spool = sandbox.spool();
		const controller = sandbox.track(createController(fakeSpec(spool, SMALL_CLUSTER), FAST));
		const stopped: string[] = [];
		controller.onEvent((event) => {
			if (event.kind === 'stopped') stopped.push(event.node!);
		});
		await controller.start();
		await settled(controller, spool);
		const pids = controller.snapshot().nodes.map((each) => each.pid!);

		await controller.stopAll();

		expect(controller.snapshot().nodes.map((each) => each.state)).toEqual(Array(5).fill('stopped'));
		for (const pid of pids) expect(isRunning(pid)).toBe(false);
		const terms = Object.fromEntries(SMALL_CLUSTER.map(({name}) => [name, termTime(spool, name)!]));
		// A stage gets SIGTERM only once the stage before it is gone.
		expect(Math.max(terms['worker-1']!, terms['worker-2']!)).toBeLessThan(terms['proxy-1']!);
		expect(terms['proxy-1']).toBeLessThan(terms['manager']!);
		expect(terms['manager']).toBeLessThan(terms['logger-1']!);
		expect(stopped.slice(0, 2).sort()).toEqual(['worker-1', 'worker-2']);
		expect(stopped.slice(2)).toEqual(['proxy-1', 'manager', 'logger-1']);
		for (const each of controller.snapshot().nodes) {
			expect(each.exits).toEqual([
				expect.objectContaining({requested: true, code: 0, signal: null}),
			]);
		}
		// Nothing left to adopt.
		expect(
			Object.values(readStateFile(spool)!.nodes).every((entry) => entry.pid === undefined),
		).toBe(true);
	});

	it('a stuck stage costs one timeout, not one per node, and never blocks the event loop', async () => {
		const spool = sandbox.spool();
		const stopTimeoutMs = 2000;
		const stuck = {FAKE_ZEEK_IGNORE_TERM: '1'};
		const spec = fakeSpec(
			spool,
			[
				{name: 'manager'},
				{name: 'logger-1'},
				{name: 'proxy-1', env: stuck},
				{name: 'worker-1', env: stuck},
				{name: 'worker-2', env: stuck},
				{name: 'worker-3', env: stuck},
			],
			{stopTimeoutMs},
		);
		const controller = sandbox.track(createController(spec, FAST));
		await controller.start();
		await settled(controller, spool);

		let longestGap = 0;
		let last = Date.now();
		const ticker = setInterval(() => {
			longestGap = Math.max(longestGap, Date.now() - last);
			last = Date.now();
		}, 20);
		const began = Date.now();
		const stopping = controller.stopAll();
		await waitFor(() => node(controller, 'worker-1').state === 'stopping');
		const killAt = node(controller, 'worker-1').killAt!;
		expect(killAt - began).toBeGreaterThanOrEqual(stopTimeoutMs - 10);
		expect(killAt - began).toBeLessThan(stopTimeoutMs + 500);
		await stopping;
		const elapsed = Date.now() - began;
		clearInterval(ticker);

		// Two stuck stages (workers, proxies): two timeouts; one per stuck node would be four.
		expect(elapsed).toBeGreaterThanOrEqual(2 * stopTimeoutMs);
		expect(elapsed).toBeLessThan(3 * stopTimeoutMs);
		expect(longestGap).toBeLessThan(500);
		for (const name of ['proxy-1', 'worker-1', 'worker-2', 'worker-3']) {
			expect(node(controller, name).exits.at(-1)).toMatchObject({
				signal: 'SIGKILL',
				requested: true,
			});
		}
		for (const name of ['manager', 'logger-1']) {
			expect(node(controller, name).exits.at(-1)).toMatchObject({code: 0, requested: true});
		}
	});
});

describe('restartAll', () => {
	it('stops every node in stop order, then starts them all in start order', async () => {
		const spool = sandbox.spool();
		const controller = sandbox.track(createController(fakeSpec(spool, SMALL_CLUSTER), FAST));
		await controller.start();
		await settled(controller, spool);
		const before = controller.snapshot().nodes.map((each) => each.pid);
		// A node the operator stopped comes back too: the whole cluster restarts.
		controller.stopNode('proxy-1');
		await waitFor(() => node(controller, 'proxy-1').state === 'stopped');
		const events: ClusterEvent[] = [];
		controller.onEvent((event) => events.push(event));

		await controller.restartAll();
		await settled(controller, spool);

		const after = controller.snapshot().nodes;
		after.forEach((each, index) => expect(each.pid).not.toBe(before[index]));
		const sequence = events
			.filter((event) => event.kind === 'stopped' || event.kind === 'spawned')
			.map((event) => `${event.kind} ${event.node}`);
		expect(sequence.slice(0, 2).sort()).toEqual(['stopped worker-1', 'stopped worker-2']);
		expect(sequence.slice(2)).toEqual([
			'stopped manager',
			'stopped logger-1',
			'spawned logger-1',
			'spawned manager',
			'spawned proxy-1',
			'spawned worker-1',
			'spawned worker-2',
		]);
	});
});

describe('x and X on one node', () => {
	it('x: SIGTERM, then SIGKILL after the stop timeout; the snapshot shows the countdown', async () => {
		const spool = sandbox.spool();
		const spec = fakeSpec(spool, [{name: 'manager', env: {FAKE_ZEEK_IGNORE_TERM: '1'}}], {
			stopTimeoutMs: 1000,
		});
		const controller = sandbox.track(createController(spec, FAST));
		await controller.start();
		await settled(controller, spool);
		await waitFor(() => records(spool, 'manager').length > 0);
		const began = Date.now();
		controller.stopNode('manager');
		const stopping = node(controller, 'manager');
		expect(stopping.state).toBe('stopping');
		expect(stopping.killAt! - began).toBeGreaterThanOrEqual(990);
		await waitFor(() => termTime(spool, 'manager'), {what: 'SIGTERM received'});
		expect(node(controller, 'manager').state).toBe('stopping');
		const stopped = await waitFor(() => {
			const current = node(controller, 'manager');
			return current.state === 'stopped' && current;
		});
		expect(Date.now() - began).toBeGreaterThanOrEqual(1000);
		expect(stopped.exits.at(-1)).toMatchObject({signal: 'SIGKILL', requested: true});
		expect(stopped.killAt).toBeUndefined();
	});

	it('X kills now; the node stays stopped (no back-off) until started', async () => {
		const spool = sandbox.spool();
		const controller = sandbox.track(createController(fakeSpec(spool, [{name: 'manager'}]), FAST));
		const events: ClusterEvent[] = [];
		controller.onEvent((event) => events.push(event));
		await controller.start();
		await settled(controller, spool);
		controller.killNode('manager');
		await waitFor(() => node(controller, 'manager').state === 'stopped');
		expect(node(controller, 'manager').exits.at(-1)).toMatchObject({
			signal: 'SIGKILL',
			requested: true,
		});
		await sleep(3 * FAST.backoff.initialMs);
		expect(node(controller, 'manager').state).toBe('stopped');
		expect(starts(spool, 'manager')).toHaveLength(1);
		expect(events.some((event) => event.kind === 'crashed')).toBe(false);

		controller.startNode('manager');
		await settled(controller, spool);
		expect(starts(spool, 'manager')).toHaveLength(2);
	});

	it('x during back-off cancels the pending restart; s starts it at once', async () => {
		const spool = sandbox.spool();
		const spec = fakeSpec(spool, [
			{name: 'manager', env: {FAKE_ZEEK_CRASH_AFTER_MS: '100', FAKE_ZEEK_CRASH_ONCE: '1'}},
		]);
		const controller = sandbox.track(
			createController(spec, {...FAST, backoff: {...FAST.backoff, initialMs: 1500}}),
		);
		await controller.start();
		const inBackoff = await waitFor(() => {
			const current = node(controller, 'manager');
			return current.state === 'backoff' && current;
		});
		expect(inBackoff.restartAt).toBeGreaterThan(Date.now());
		controller.stopNode('manager');
		expect(node(controller, 'manager')).toMatchObject({state: 'stopped', restartAt: undefined});
		await sleep(2000);
		expect(node(controller, 'manager').state).toBe('stopped');
		expect(starts(spool, 'manager')).toHaveLength(1);

		const began = Date.now();
		controller.startNode('manager');
		await settled(controller, spool);
		expect(Date.now() - began).toBeLessThan(1500);
		expect(starts(spool, 'manager')).toHaveLength(2);
	});
});
