// A node's children go with it (systemd's KillMode=control-group, supervisord's killasgroup):
// once a node's process is gone, what is left of its process group (children it forked) and what
// left the group (a grandchild that called setsid, found by the /proc scan: same cwd, same
// CLUSTER_NODE; or same CLUSTER_NODE and a file of the node's directory open) get SIGKILL, round after round, until a round finds nothing alive.
import {cgroupMembers, killCgroup} from './node-cgroup.js';
import {escapedFrom, groupMembers, leftoversOf, scanSpool} from './proc-scan.js';
import {readStat} from './process.js';

export type Sweep = {
	/** Found alive and sent SIGKILL so far. */
	killed: number[];
	/** Nothing was left in the last round. */
	done: boolean;
};

const ROUND_MS = 20;
const MAX_ROUNDS = 150;

/**
 * One round, synchronous: kills what is alive of the group `pgid` (the one the gone process led;
 * never zeek-tui's own), of the node's cgroup, and every other process of `node` the /proc scan
 * finds. `done` when there was none.
 */
export function killLeftoversOnce(
	spoolDir: string,
	node: string,
	pgid: number | undefined,
	cgroup?: string,
): Sweep {
	const self = processGroupOfSelf();
	const ours = (group: number) => group <= 1 || group === process.pid || group === self;
	const group = pgid === undefined || ours(pgid) ? [] : groupMembers(pgid);
	// Reading every process's environment is most of a round's cost; a cgroup finds them anyway.
	const daemons = cgroup === undefined ? escapedFrom(spoolDir, node) : [];
	const escaped = [...leftoversOf(scanSpool(spoolDir), node), ...daemons].map((each) => each.pid);
	const contained = cgroup === undefined ? [] : cgroupMembers(cgroup);
	const alive = [...new Set([...group, ...escaped, ...contained])];
	if (contained.length > 0) killCgroup(cgroup!);
	if (pgid !== undefined && group.length > 0) kill(-pgid);
	for (const pid of alive) {
		kill(pid);
		// An escaped process that leads a group of its own takes that group with it.
		if (!ours(pid)) kill(-pid);
	}
	return {killed: alive, done: alive.length === 0};
}

/** Rounds until one finds nothing (or ~3 s have passed); resolves with every pid killed. */
export async function killLeftovers(
	spoolDir: string,
	node: string,
	pgid: number | undefined,
	cgroup: string | undefined,
	first: Sweep = killLeftoversOnce(spoolDir, node, pgid, cgroup),
): Promise<number[]> {
	const killed = new Set(first.killed);
	let round = first;
	for (let count = 1; !round.done && count < MAX_ROUNDS; count++) {
		await new Promise((resolve) => setTimeout(resolve, ROUND_MS));
		round = killLeftoversOnce(spoolDir, node, pgid, cgroup);
		for (const pid of round.killed) killed.add(pid);
	}
	return [...killed];
}

function kill(target: number): void {
	try {
		process.kill(target, 'SIGKILL');
	} catch {
		// Gone already, or not a group.
	}
}

/** process.kill(-pgid) on zeek-tui's own group would take zeek-tui down. */
function processGroupOfSelf(): number | undefined {
	return readStat(process.pid)?.pgrp;
}
