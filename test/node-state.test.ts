// The node lifecycle reducer, without processes: every rule of DESIGN §3 that is a decision.
import {describe, expect, it} from 'vitest';
import {
	initialRecord,
	persistedRecord,
	transition,
	type NodeEvent,
	type NodeRecord,
	type Policy,
	type Transition,
} from '../source/cluster/node-state.js';

const policy: Policy = {initialMs: 1000, maxMs: 60_000, resetAfterMs: 30_000, restartOnCrash: true};
const STOP_MS = 5000;

/** Applies events in order, returning every transition (the last one is the current state). */
function run(events: NodeEvent[], from: NodeRecord = initialRecord(policy), p: Policy = policy) {
	const steps: Transition[] = [];
	let record = from;
	for (const event of events) {
		const step = transition(record, event, p);
		steps.push(step);
		record = step.record;
	}
	return {record, steps, last: steps.at(-1)!};
}

function running(pid = 100, at = 0): NodeRecord {
	return run([
		{type: 'start', at},
		{type: 'spawned', at, pid, startTime: 5, startedAt: at},
		{type: 'ready', at},
	]).record;
}

const crash = (pid: number, at: number): NodeEvent => ({
	type: 'exited',
	at,
	pid,
	exit: {code: null, signal: 'SIGABRT'},
});

describe('starting', () => {
	it('start on a stopped node spawns it; the process is starting until ready', () => {
		const {steps, record} = run([
			{type: 'start', at: 0},
			{type: 'spawned', at: 1, pid: 42, startTime: 7, startedAt: 1},
		]);
		expect(steps[0]!.effects).toEqual([{type: 'spawn'}]);
		expect(record).toMatchObject({state: 'starting', pid: 42, startTime: 7, restarts: 0});
		const ready = transition(record, {type: 'ready', at: 2}, policy);
		expect(ready.record.state).toBe('running');
		expect(ready.notes).toEqual([{kind: 'running', detail: {pid: 42}}]);
	});

	it('start on a live node does nothing', () => {
		const step = transition(running(), {type: 'start', at: 5}, policy);
		expect(step.effects).toEqual([]);
		expect(step.record).toEqual(running());
	});

	it('adoption takes a live process of an earlier zeek-tui as-is, without counting a restart', () => {
		const {record} = run([{type: 'adopted', at: 0, pid: 9, startTime: 3, startedAt: -5000}]);
		expect(record).toMatchObject({state: 'starting', pid: 9, adopted: true, restarts: 0});
	});
});

describe('stopping', () => {
	it('stop sends SIGTERM and sets the SIGKILL deadline; the exit is requested, not a crash', () => {
		const stop = transition(
			running(100, 0),
			{type: 'stop', at: 10, stopTimeoutMs: STOP_MS},
			policy,
		);
		expect(stop.effects).toEqual([{type: 'signal', signal: 'SIGTERM'}]);
		expect(stop.record).toMatchObject({state: 'stopping', killAt: 10 + STOP_MS});

		const before = transition(stop.record, {type: 'tick', at: 10 + STOP_MS - 1}, policy);
		expect(before.effects).toEqual([]);
		const due = transition(stop.record, {type: 'tick', at: 10 + STOP_MS}, policy);
		expect(due.effects).toEqual([{type: 'signal', signal: 'SIGKILL'}]);
		expect(due.record.killAt).toBeUndefined();

		const gone = transition(
			due.record,
			{type: 'exited', at: 20 + STOP_MS, pid: 100, exit: {code: null, signal: 'SIGKILL'}},
			policy,
		);
		expect(gone.record).toMatchObject({state: 'stopped', pid: undefined});
		expect(gone.record.exits).toEqual([
			{at: 20 + STOP_MS, code: null, signal: 'SIGKILL', requested: true},
		]);
		// What the node left in its group, or outside it, goes with it.
		expect(gone.effects).toEqual([{type: 'killLeftovers', pid: 100}]);
	});

	it('kill sends SIGKILL at once', () => {
		const kill = transition(running(), {type: 'kill', at: 1}, policy);
		expect(kill.effects).toEqual([{type: 'signal', signal: 'SIGKILL'}]);
		expect(kill.record).toMatchObject({state: 'stopping', killAt: undefined});
	});

	it('a stopped node stays stopped: no deadline or tick brings it back', () => {
		const {record} = run(
			[
				{type: 'stop', at: 0, stopTimeoutMs: STOP_MS},
				{type: 'exited', at: 1, pid: 100, exit: {code: 0, signal: null}},
				{type: 'tick', at: 10_000_000},
			],
			running(),
		);
		expect(record.state).toBe('stopped');
		expect(record.restartAt).toBeUndefined();
	});

	it('an exit of another pid (an old process) is ignored', () => {
		const step = transition(running(100), crash(99, 5), policy);
		expect(step.record).toEqual(running(100));
	});
});

describe('restart', () => {
	it('restart stops gracefully, then spawns once the process is gone', () => {
		const {steps, record} = run(
			[
				{type: 'restart', at: 0, stopTimeoutMs: STOP_MS},
				{type: 'exited', at: 1, pid: 100, exit: {code: 0, signal: null}},
			],
			running(),
		);
		expect(steps[0]!.effects).toEqual([{type: 'signal', signal: 'SIGTERM'}]);
		expect(steps[1]!.effects).toEqual([{type: 'killLeftovers', pid: 100}, {type: 'spawn'}]);
		expect(record).toMatchObject({state: 'starting', restarts: 1, pid: undefined});
		expect(record.exits.at(-1)!.requested).toBe(true);
	});

	it('stop during a restart cancels the start that was to follow', () => {
		const {record} = run(
			[
				{type: 'restart', at: 0, stopTimeoutMs: STOP_MS},
				{type: 'stop', at: 1, stopTimeoutMs: STOP_MS},
				{type: 'exited', at: 2, pid: 100, exit: {code: 0, signal: null}},
			],
			running(),
		);
		expect(record.state).toBe('stopped');
	});
});

describe('crash and back-off', () => {
	it('a crash writes a report and restarts after 1 s, 2 s, 4 s ... capped at 60 s', () => {
		let record = running(1, 0);
		const delays: number[] = [];
		let now = 0;
		for (let pid = 1; pid <= 9; pid++) {
			now += 100; // crashes soon after each start: the back-off keeps growing
			const crashed = transition(record, crash(pid, now), policy);
			expect(crashed.record.state).toBe('backoff');
			expect(crashed.effects).toEqual([
				{type: 'killLeftovers', pid},
				expect.objectContaining({
					type: 'crashReport',
					pid,
					exit: expect.objectContaining({requested: false}),
				}),
			]);
			const restartAt = crashed.record.restartAt!;
			delays.push(restartAt - now);
			expect(transition(crashed.record, {type: 'tick', at: restartAt - 1}, policy).effects).toEqual(
				[],
			);
			const restarted = transition(crashed.record, {type: 'tick', at: restartAt}, policy);
			expect(restarted.effects).toEqual([{type: 'spawn'}]);
			now = restartAt;
			record = run(
				[{type: 'spawned', at: now, pid: pid + 1, startTime: 1, startedAt: now}],
				restarted.record,
			).record;
		}
		expect(delays).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000, 60_000]);
		expect(record.restarts).toBe(9);
	});

	it('the crash note carries the signal and the delay', () => {
		const step = transition(running(7, 0), crash(7, 50), policy);
		expect(step.notes).toEqual([
			{kind: 'crashed', detail: {signal: 'SIGABRT', restart_in_ms: 1000}},
		]);
	});

	it('the back-off starts over once the node stayed up 30 s', () => {
		// Two quick crashes: the next delay would be 4 s.
		let record = running(1, 0);
		record = transition(record, crash(1, 10), policy).record;
		record = transition(record, {type: 'tick', at: 1010}, policy).record;
		record = transition(
			record,
			{type: 'spawned', at: 1010, pid: 2, startedAt: 1010},
			policy,
		).record;
		record = transition(record, crash(2, 1020), policy).record;
		expect(record.restartAt).toBe(1020 + 2000);
		record = transition(record, {type: 'tick', at: 3020}, policy).record;
		record = transition(
			record,
			{type: 'spawned', at: 3020, pid: 3, startedAt: 3020},
			policy,
		).record;
		const longLived = transition(record, crash(3, 3020 + 30_000), policy);
		expect(longLived.record.restartAt).toBe(3020 + 30_000 + 1000);
		const shortLived = transition(record, crash(3, 3020 + 29_999), policy);
		expect(shortLived.record.restartAt).toBe(3020 + 29_999 + 4000);
	});

	it('stop and kill during back-off cancel the pending restart and leave the node stopped', () => {
		const backoff = transition(running(1, 0), crash(1, 10), policy).record;
		for (const event of [
			{type: 'stop', at: 20, stopTimeoutMs: STOP_MS},
			{type: 'kill', at: 20},
		] as NodeEvent[]) {
			const step = transition(backoff, event, policy);
			expect(step.effects).toEqual([]);
			expect(step.record).toMatchObject({state: 'stopped', restartAt: undefined});
			expect(step.notes).toEqual([{kind: 'stopped', detail: {restart: 'cancelled'}}]);
			// The old deadline passing does nothing now.
			expect(transition(step.record, {type: 'tick', at: 1_000_000}, policy).effects).toEqual([]);
		}
	});

	it('start during back-off starts now and resets the back-off', () => {
		let record = running(1, 0);
		record = transition(record, crash(1, 10), policy).record;
		record = transition(record, {type: 'tick', at: 1010}, policy).record;
		record = transition(
			record,
			{type: 'spawned', at: 1010, pid: 2, startedAt: 1010},
			policy,
		).record;
		record = transition(record, crash(2, 1020), policy).record;
		expect(record.nextBackoffMs).toBe(4000);
		const started = transition(record, {type: 'start', at: 1100}, policy);
		expect(started.effects).toEqual([{type: 'spawn'}]);
		expect(started.record).toMatchObject({state: 'starting', restartAt: undefined});
		const next = run(
			[{type: 'spawned', at: 1100, pid: 3, startedAt: 1100}, crash(3, 1200)],
			started.record,
		).record;
		expect(next.restartAt).toBe(1200 + 1000);
	});

	it('without restarts (while shutting down) a crash leaves the node crashed; start starts it', () => {
		const noRestart = {...policy, restartOnCrash: false};
		const crashed = transition(running(1, 0), crash(1, 10), noRestart);
		expect(crashed.record.state).toBe('crashed');
		expect(crashed.record.restartAt).toBeUndefined();
		expect(crashed.effects.map((effect) => effect.type)).toEqual(['killLeftovers', 'crashReport']);
		expect(transition(crashed.record, {type: 'start', at: 20}, policy).effects).toEqual([
			{type: 'spawn'},
		]);
		expect(
			transition(crashed.record, {type: 'stop', at: 20, stopTimeoutMs: 1}, policy).record.state,
		).toBe('stopped');
	});

	it('a spawn that failed before a pid existed is a crash too', () => {
		const {record, last} = run([
			{type: 'start', at: 0},
			{type: 'exited', at: 1, exit: {code: null, signal: null, error: 'spawn zeek ENOENT'}},
		]);
		expect(record.state).toBe('backoff');
		expect(last.notes[0]!.detail).toMatchObject({error: 'spawn zeek ENOENT', restart_in_ms: 1000});
	});

	it('keeps the last 10 exits', () => {
		let record = running(0, 0);
		for (let pid = 0; pid < 12; pid++) {
			record = transition(record, crash(pid, pid * 10), policy).record;
			record = transition(record, {type: 'start', at: pid * 10 + 1}, policy).record;
			record = transition(
				record,
				{type: 'spawned', at: pid * 10 + 1, pid: pid + 1, startedAt: 0},
				policy,
			).record;
		}
		expect(record.exits).toHaveLength(10);
		expect(record.exits[0]!.at).toBe(20);
	});
});

describe("the operator's word (kept in the state file across supervisors)", () => {
	const stop = (at: number, hold?: boolean): NodeEvent => ({
		type: 'stop',
		at,
		stopTimeoutMs: STOP_MS,
		...(hold ? {hold} : {}),
	});

	it('x holds the node: the cluster start leaves it stopped (and says so); s starts it', () => {
		const {record} = run(
			[stop(0, true), {type: 'exited', at: 1, pid: 100, exit: {code: 0, signal: null}}],
			running(),
		);
		expect(record).toMatchObject({state: 'stopped', held: true});
		expect(persistedRecord(record)).toEqual({held: true});
		const clusterStart = transition(record, {type: 'start', at: 2}, policy);
		expect(clusterStart.effects).toEqual([]);
		expect(clusterStart.record).toBe(record);
		expect(clusterStart.notes).toEqual([{kind: 'held', detail: expect.any(Object)}]);
		const operatorStart = transition(record, {type: 'start', at: 3, operator: true}, policy);
		expect(operatorStart.effects).toEqual([{type: 'spawn'}]);
		expect(operatorStart.record.held).toBe(false);
	});

	it("the cluster's own stop holds nothing; X holds; r lifts the hold", () => {
		const stopped = run(
			[stop(0), {type: 'exited', at: 1, pid: 100, exit: {code: 0, signal: null}}],
			running(),
		).record;
		expect(stopped.held).toBe(false);
		const killed = transition(running(), {type: 'kill', at: 0, hold: true}, policy).record;
		expect(killed.held).toBe(true);
		const restarted = transition(
			{...initialRecord(policy), held: true},
			{type: 'restart', at: 0, stopTimeoutMs: STOP_MS},
			policy,
		);
		expect(restarted.record.held).toBe(false);
		expect(restarted.effects).toEqual([{type: 'spawn'}]);
	});

	it('a held node recorded by the earlier supervisor starts held', () => {
		const record = initialRecord(policy, {held: true});
		expect(transition(record, {type: 'start', at: 0}, policy).effects).toEqual([]);
	});

	it('a stop in progress is recorded with its deadline; after a SIGKILL it is due at once', () => {
		const stopping = transition(running(), stop(10, true), policy).record;
		expect(persistedRecord(stopping)).toEqual({
			pid: 100,
			startTime: 5,
			held: true,
			killAt: 10 + STOP_MS,
		});
		const killed = transition(running(), {type: 'kill', at: 0}, policy).record;
		expect(persistedRecord(killed)).toEqual({pid: 100, startTime: 5, killAt: 0});
	});

	it('adopting a node whose stop was in progress finishes it: SIGKILL at the recorded deadline', () => {
		const adopted = transition(
			initialRecord(policy),
			{type: 'adopted', at: 100, pid: 7, startTime: 3, startedAt: 0, held: true, killAt: 500},
			policy,
		);
		expect(adopted.record).toMatchObject({
			state: 'stopping',
			pid: 7,
			killAt: 500,
			held: true,
			adopted: true,
			startAfterExit: false,
		});
		expect(adopted.effects).toEqual([]);
		expect(transition(adopted.record, {type: 'tick', at: 499}, policy).effects).toEqual([]);
		const due = transition(adopted.record, {type: 'tick', at: 500}, policy);
		expect(due.effects).toEqual([{type: 'signal', signal: 'SIGKILL'}]);
		const gone = transition(
			due.record,
			{type: 'exited', at: 501, pid: 7, exit: {code: null, signal: null}},
			policy,
		);
		expect(gone.record).toMatchObject({state: 'stopped', held: true});
		expect(gone.effects).toEqual([{type: 'killLeftovers', pid: 7}]);
	});

	it('a deadline already passed is SIGKILL at adoption; a stop that was not held starts again after', () => {
		const adopted = transition(
			initialRecord(policy),
			{type: 'adopted', at: 100, pid: 7, startTime: 3, startedAt: 0, killAt: 0},
			policy,
		);
		expect(adopted.record.state).toBe('stopping');
		expect(adopted.effects).toEqual([{type: 'signal', signal: 'SIGKILL'}]);
		const gone = transition(
			adopted.record,
			{type: 'exited', at: 101, pid: 7, exit: {code: null, signal: null}},
			policy,
		);
		expect(gone.record.state).toBe('starting');
		expect(gone.effects).toEqual([{type: 'killLeftovers', pid: 7}, {type: 'spawn'}]);
	});

	it('a live process adopted without a stop in progress is running: nothing of a hold is left', () => {
		const adopted = transition(
			initialRecord(policy, {held: true}),
			{type: 'adopted', at: 0, pid: 7, startTime: 3, startedAt: 0, held: true},
			policy,
		);
		expect(adopted.record).toMatchObject({state: 'starting', held: false});
	});
});
