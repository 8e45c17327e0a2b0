// Which processes are nodes of a spool, by what the kernel says rather than what zeek-tui wrote
// down (a state file can be stale: a supervisor killed mid-spawn, a full disk): a live process
// whose working directory is `<spool>/<name>` and whose environment says `CLUSTER_NODE=<name>`.
// A node's children inherit both, so the scan also finds what a node left behind; one that left
// the directory too (a daemon's chdir("/")) still holds the node's stdout.log (escapedFrom).
import {readFileSync, readdirSync, readlinkSync, realpathSync} from 'node:fs';
import path from 'node:path';
import {readStat} from './process.js';

export type NodeProcess = {
	/** The node it belongs to: its directory's name and its CLUSTER_NODE. */
	node: string;
	pid: number;
	ppid: number;
	pgid: number;
	sid: number;
	/** Field 22 of /proc/PID/stat. */
	startTime: number;
};

/** Every live process of the spool's nodes, zeek-tui itself left out. */
export function scanSpool(spoolDir: string): NodeProcess[] {
	let root: string;
	try {
		root = realpathSync(spoolDir);
	} catch {
		return [];
	}
	const prefix = root.endsWith('/') ? root : `${root}/`;
	const found: NodeProcess[] = [];
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		const pid = Number(entry);
		if (pid === process.pid) continue;
		let cwd: string;
		try {
			cwd = readlinkSync(`/proc/${pid}/cwd`);
		} catch {
			continue; // Gone, or not ours to read.
		}
		if (!cwd.startsWith(prefix)) continue;
		const node = cwd.slice(prefix.length);
		if (node === '' || node.includes('/')) continue;
		if (readEnvironVariable(pid, 'CLUSTER_NODE') !== node) continue;
		const alive = liveProcess(node, pid);
		if (alive) found.push(alive);
	}
	return found;
}

/**
 * Processes with `CLUSTER_NODE=<node>` that left the node's directory but still hold a file of it
 * open (its stdout.log, inherited): a daemonized grandchild. Reads every process's environment:
 * for a stop, not for a poll.
 */
export function escapedFrom(spoolDir: string, node: string): NodeProcess[] {
	let nodeDir: string;
	try {
		nodeDir = realpathSync(path.join(spoolDir, node));
	} catch {
		return [];
	}
	const found: NodeProcess[] = [];
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		const pid = Number(entry);
		if (pid === process.pid || readEnvironVariable(pid, 'CLUSTER_NODE') !== node) continue;
		let cwd: string | undefined;
		try {
			cwd = readlinkSync(`/proc/${pid}/cwd`);
		} catch {
			continue;
		}
		if (cwd === nodeDir || !holdsFileIn(pid, `${nodeDir}/`)) continue;
		const alive = liveProcess(node, pid);
		if (alive) found.push(alive);
	}
	return found;
}

/** `pid` as a process of `node`, unless it is gone or a zombie. */
function liveProcess(node: string, pid: number): NodeProcess | undefined {
	const stat = readStat(pid);
	if (!stat || stat.state === 'Z' || stat.state === 'X') return undefined;
	return {
		node,
		pid,
		ppid: stat.ppid,
		pgid: stat.pgrp,
		sid: stat.session,
		startTime: stat.startTime,
	};
}

function holdsFileIn(pid: number, prefix: string): boolean {
	let fds: string[];
	try {
		fds = readdirSync(`/proc/${pid}/fd`);
	} catch {
		return false;
	}
	return fds.some((fd) => {
		try {
			return readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith(prefix);
		} catch {
			return false;
		}
	});
}

/** A variable of the environment the process was started with (/proc/PID/environ). */
export function readEnvironVariable(pid: number, name: string): string | undefined {
	let text: string;
	try {
		text = readFileSync(`/proc/${pid}/environ`, 'latin1');
	} catch {
		return undefined;
	}
	const key = `${name}=`;
	for (const line of text.split('\0')) if (line.startsWith(key)) return line.slice(key.length);
	return undefined;
}

/**
 * The processes of `node` that are not the live leader `keep` nor below it: what a node that is
 * gone left behind (its forked children, a grandchild that called setsid).
 */
export function leftoversOf(
	found: readonly NodeProcess[],
	node: string,
	keep?: number,
): NodeProcess[] {
	const members = found.filter((each) => each.node === node);
	const byPid = new Map(members.map((each) => [each.pid, each]));
	const underKeep = (process: NodeProcess): boolean => {
		if (keep === undefined) return false;
		if (process.sid === keep || process.pgid === keep) return true;
		// Bounded: a pid reused between two reads could make the chain loop.
		let at: NodeProcess | undefined = process;
		for (let step = 0; at && step <= members.length; step++, at = byPid.get(at.ppid)) {
			if (at.ppid === keep) return true;
		}
		return false;
	};
	return members.filter((each) => each.pid !== keep && !underKeep(each));
}

/** The live (not zombie) processes of process group `pgid`. */
export function groupMembers(pgid: number): number[] {
	const members: number[] = [];
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		const stat = readStat(Number(entry));
		if (stat && stat.pgrp === pgid && stat.state !== 'Z' && stat.state !== 'X')
			members.push(Number(entry));
	}
	return members;
}
