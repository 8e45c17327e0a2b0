// What a new supervisor does with what the /proc scan found, without processes.
import {describe, expect, it} from 'vitest';
import {planAdoption} from '../source/cluster/adoption.js';
import type {NodeProcess} from '../source/cluster/proc-scan.js';

/** A node process as zeek-tui spawns one: leader of its own session and group, under `ppid`. */
const leader = (node: string, pid: number, startTime = pid, ppid = 1): NodeProcess => ({
	node,
	pid,
	ppid,
	pgid: pid,
	sid: pid,
	startTime,
});
/** A child a node forked: in its parent's group and session. */
const child = (parent: NodeProcess, pid: number): NodeProcess => ({
	...parent,
	pid,
	ppid: parent.pid,
	startTime: parent.startTime + 1,
});

const pids = (list: readonly NodeProcess[]) => list.map((each) => each.pid);

describe('planAdoption', () => {
	it('adopts the one process of each planned node, with its children; nothing else to do', () => {
		const manager = leader('manager', 10);
		const worker = leader('worker-1', 20);
		const plan = planAdoption(
			['manager', 'worker-1', 'worker-2'],
			[manager, worker, child(worker, 21)],
			{},
		);
		expect(Object.fromEntries(plan.adopt)).toEqual({manager, 'worker-1': worker});
		expect(plan.extra).toEqual([]);
		expect(plan.unplanned.size).toBe(0);
	});

	it('of two copies keeps the one the state file names, and stops the other with its children', () => {
		const older = leader('worker-1', 20, 100);
		const newer = leader('worker-1', 30, 200);
		const plan = planAdoption(['worker-1'], [older, newer, child(older, 21)], {
			'worker-1': {pid: 30, startTime: 200},
		});
		expect(plan.adopt.get('worker-1')).toBe(newer);
		expect(pids(plan.extra).sort()).toEqual([20, 21]);
	});

	it('without a record (a stale state file) keeps the oldest; a record of a reused pid does not count', () => {
		const older = leader('worker-1', 40, 100);
		const newer = leader('worker-1', 30, 200);
		const plan = planAdoption(['worker-1'], [newer, older], {
			'worker-1': {pid: 30, startTime: 999},
		});
		expect(plan.adopt.get('worker-1')).toBe(older);
		expect(pids(plan.extra)).toEqual([30]);
	});

	it("what a gone node left (an orphan outside any node's tree) is stopped, not adopted", () => {
		const gone = leader('proxy-1', 50);
		const orphan = {...child(gone, 51), ppid: 1};
		const plan = planAdoption(['proxy-1'], [orphan], {});
		expect(plan.adopt.size).toBe(0);
		expect(plan.extra).toEqual([orphan]);
	});

	it('a grandchild that left the session but not the tree stays with its node', () => {
		const node = leader('manager', 60);
		const escaped = {...child(node, 61), pgid: 61, sid: 61};
		const plan = planAdoption(['manager'], [node, escaped], {});
		expect(plan.adopt.get('manager')).toBe(node);
		expect(plan.extra).toEqual([]);
	});

	it('live nodes the plan does not have are listed, their top processes only', () => {
		const three = leader('worker-3', 70);
		const four = leader('worker-4', 80);
		const plan = planAdoption(['worker-1'], [three, child(three, 71), four], {});
		expect(Object.fromEntries(plan.unplanned)).toEqual({'worker-3': [three], 'worker-4': [four]});
		expect(plan.adopt.size).toBe(0);
	});
});
