// The operator's word across supervisors: a node stopped with x stays stopped when the next
// supervisor adopts the spool, and a stop in progress is finished by the next one (SIGKILL at
// the recorded deadline), never left starting.
import {afterEach, describe, expect, it} from 'vitest';
import {createController, type ClusterEvent} from '../source/cluster/controller.js';
import {readStateFile} from '../source/cluster/state-file.js';
import {waitFor} from './helpers/processes.js';
import {FAST, Sandbox, fakeSpec, isRunning, settled, starts} from './fixtures/cluster.js';
import {startHeadless as headless, upUnder} from './helpers/headless-process.js';

const sandbox = new Sandbox();
afterEach(() => sandbox.cleanup());

type Controller = ReturnType<typeof createController>;
const node = (controller: Controller, name: string) =>
	controller.snapshot().nodes.find((each) => each.name === name)!;

const TWO = [{name: 'manager'}, {name: 'worker-1'}];
const STUCK_WORKER = [{name: 'manager'}, {name: 'worker-1', env: {FAKE_ZEEK_IGNORE_TERM: '1'}}];

describe("the operator's stop, kept by the next supervisor", () => {
	it('x, then a new supervisor: the node stays stopped (and says why) until s', async () => {
		const spool = sandbox.spool();
		const spec = fakeSpec(spool, TWO);
		const first = sandbox.track(createController(spec, FAST));
		await first.start();
		await settled(first, spool);
		first.stopNode('worker-1');
		await waitFor(() => node(first, 'worker-1').state === 'stopped');
		expect(readStateFile(spool)!.nodes['worker-1']).toEqual({held: true});
		first.detach();

		const second = sandbox.track(createController(spec, FAST));
		const events: ClusterEvent[] = [];
		second.onEvent((event) => events.push(event));
		await second.start();
		expect(node(second, 'manager').state).toBe('running');
		expect(node(second, 'worker-1').state).toBe('stopped');
		expect(events.find((event) => event.node === 'worker-1')).toMatchObject({kind: 'held'});
		expect(starts(spool, 'worker-1')).toHaveLength(1);

		second.startNode('worker-1');
		await settled(second, spool);
		expect(starts(spool, 'worker-1')).toHaveLength(2);
		expect(readStateFile(spool)!.nodes['worker-1']!.held).toBeUndefined();
	});

	it('a stop in progress when the supervisor went away: the next one SIGKILLs at the recorded deadline', async () => {
		const spool = sandbox.spool();
		const spec = fakeSpec(spool, STUCK_WORKER, {stopTimeoutMs: 2000});
		const first = sandbox.track(createController(spec, FAST));
		await first.start();
		await settled(first, spool);
		const pid = node(first, 'worker-1').pid!;
		first.stopNode('worker-1');
		const killAt = node(first, 'worker-1').killAt!;
		expect(readStateFile(spool)!.nodes['worker-1']).toMatchObject({pid, held: true, killAt});
		first.detach();

		const second = sandbox.track(createController(spec, FAST));
		await second.start();
		expect(node(second, 'worker-1')).toMatchObject({state: 'stopping', pid, killAt});
		await waitFor(() => !isRunning(pid), {what: 'the stuck worker killed'});
		expect(Date.now()).toBeGreaterThanOrEqual(killAt - 50);
		expect(Date.now()).toBeLessThan(killAt + 1500);
		await waitFor(() => node(second, 'worker-1').state === 'stopped');
		expect(starts(spool, 'worker-1')).toHaveLength(1);
		expect(readStateFile(spool)!.nodes['worker-1']).toEqual({held: true});
	});

	it('a supervisor killed -9 while stopping the cluster: the next one finishes the stop, then starts the node', async () => {
		const spool = sandbox.spool();
		const spec = fakeSpec(spool, STUCK_WORKER, {stopTimeoutMs: 2500});
		const child = headless(sandbox, spec);
		const pids = await upUnder(child.pid!, spec);
		child.kill('SIGTERM');
		await waitFor(() => readStateFile(spool)?.nodes['worker-1']?.killAt !== undefined, {
			what: 'the stop of worker-1 recorded',
		});
		child.kill('SIGKILL');
		await child;
		const {killAt} = readStateFile(spool)!.nodes['worker-1']!;

		const next = sandbox.track(createController(spec, FAST));
		await next.start();
		expect(node(next, 'worker-1')).toMatchObject({state: 'stopping', pid: pids['worker-1']});
		expect(node(next, 'manager')).toMatchObject({state: 'running', pid: pids['manager']});
		await waitFor(() => !isRunning(pids['worker-1']!), {what: 'the stuck worker killed'});
		expect(Date.now()).toBeGreaterThanOrEqual(killAt! - 50);
		await settled(next, spool);
		expect(node(next, 'worker-1').pid).not.toBe(pids['worker-1']);
		expect(starts(spool, 'worker-1')).toHaveLength(2);
	});
});
