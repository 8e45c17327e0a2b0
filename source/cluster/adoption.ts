// What a new supervisor does with the live processes of its spool (from proc-scan.ts), decided
// without touching them: adopt exactly one process per planned node, stop second copies and what
// dead nodes left behind, and refuse the start while nodes the plan does not have still run.
import type {NodeProcess} from './proc-scan.js';

export type AdoptionPlan = {
	/** Planned node -> its one live process. */
	adopt: Map<string, NodeProcess>;
	/** Second copies of planned nodes and leftovers of gone ones, to stop before the start. */
	extra: NodeProcess[];
	/** Live nodes the plan does not have -> their top processes: the start is refused. */
	unplanned: Map<string, NodeProcess[]>;
};

type Recorded = {pid?: number; startTime?: number};

const oldestFirst = (a: NodeProcess, b: NodeProcess) => a.startTime - b.startTime || a.pid - b.pid;

/**
 * A node's process is one zeek-tui spawned: a session leader whose parent is not of the node. Of
 * several, the one the state file names is kept, else the oldest. A process below another of the
 * same node is that one's child and goes with it.
 */
export function planAdoption(
	planned: readonly string[],
	found: readonly NodeProcess[],
	recorded: Readonly<Record<string, Recorded | undefined>>,
): AdoptionPlan {
	const plan: AdoptionPlan = {adopt: new Map(), extra: [], unplanned: new Map()};
	const names = new Set(found.map((each) => each.node));
	for (const node of [...names].sort()) {
		const members = found.filter((each) => each.node === node).sort(oldestFirst);
		const rootOf = rootFinder(members);
		const roots = members.filter((each) => rootOf(each) === each);
		if (!planned.includes(node)) {
			plan.unplanned.set(node, roots);
			continue;
		}
		const wanted = recorded[node];
		const isRecorded = (each: NodeProcess) =>
			each.pid === wanted?.pid && each.startTime === wanted.startTime;
		const leaders = roots.filter((each) => each.sid === each.pid);
		const chosen = roots.find(isRecorded) ?? leaders[0];
		if (chosen) plan.adopt.set(node, chosen);
		plan.extra.push(...members.filter((each) => rootOf(each) !== chosen));
	}
	return plan;
}

/** The topmost process of the same node above each one (itself when its parent is not one). */
function rootFinder(members: readonly NodeProcess[]): (process: NodeProcess) => NodeProcess {
	const byPid = new Map(members.map((each) => [each.pid, each]));
	return (process) => {
		let root = process;
		// Bounded: a pid reused between two reads could make the chain loop.
		for (let step = 0; step < members.length; step++) {
			const parent = byPid.get(root.ppid);
			if (!parent) break;
			root = parent;
		}
		return root;
	};
}
