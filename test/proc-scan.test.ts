// The /proc scan on real processes: which ones are a spool's nodes (cwd and CLUSTER_NODE), their
// children, and the members of a process group.
import {readFileSync, symlinkSync} from 'node:fs';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {
	escapedFrom,
	groupMembers,
	leftoversOf,
	readEnvironVariable,
	scanSpool,
} from '../source/cluster/proc-scan.js';
import {readStartTime} from '../source/cluster/process.js';
import {startDetached, waitFor} from './helpers/processes.js';
import {Sandbox} from './fixtures/cluster.js';

const sandbox = new Sandbox();
afterEach(() => sandbox.cleanup());

/** `sleep 60` (or `script` run by sh) in `cwd` with `env`, in a session of its own. */
function start(cwd: string, env: Record<string, string>, script = 'exec sleep 60') {
	const pid = startDetached(['sh', '-c', script], cwd, {PATH: process.env['PATH']!, ...env});
	sandbox.trackPid(pid);
	return pid;
}

/** Past its exec: /proc shows the environment and cwd it runs with. */
const execed = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('sleep');

describe('scanSpool', () => {
	it('finds a process whose cwd is <spool>/<name> and whose CLUSTER_NODE is <name>', async () => {
		const spool = sandbox.spool();
		const pid = start(path.join(spool, 'worker-1'), {CLUSTER_NODE: 'worker-1'});
		const found = await waitFor(() => scanSpool(spool).find((each) => each.pid === pid));
		expect(found).toEqual({
			node: 'worker-1',
			pid,
			ppid: process.pid,
			pgid: pid,
			sid: pid,
			startTime: readStartTime(pid),
		});
		expect(readEnvironVariable(pid, 'CLUSTER_NODE')).toBe('worker-1');
	});

	it('ignores another CLUSTER_NODE, none, the spool itself, a subdirectory, another spool', async () => {
		const spool = sandbox.spool();
		const other = sandbox.spool();
		const pids = [
			start(path.join(spool, 'worker-1'), {CLUSTER_NODE: 'worker-2'}),
			start(path.join(spool, 'worker-1'), {}),
			start(spool, {CLUSTER_NODE: 'worker-1'}),
			start(path.join(spool, 'worker-1', 'sub'), {CLUSTER_NODE: 'worker-1'}),
			start(path.join(other, 'worker-1'), {CLUSTER_NODE: 'worker-1'}),
		];
		const control = start(path.join(spool, 'manager'), {CLUSTER_NODE: 'manager'});
		await waitFor(() => scanSpool(spool).some((each) => each.pid === control));
		for (const pid of pids) await waitFor(() => execed(pid));
		expect(scanSpool(spool).map((each) => each.pid)).toEqual([control]);
	});

	it('finds them through a spool path that is a symlink', async () => {
		const spool = sandbox.spool();
		const link = path.join(sandbox.spool(), 'link');
		symlinkSync(spool, link);
		const pid = start(path.join(spool, 'manager'), {CLUSTER_NODE: 'manager'});
		await waitFor(() => scanSpool(link).some((each) => each.pid === pid));
	});

	it("finds a node's children too; leftoversOf keeps the live leader's, groupMembers lists the group", async () => {
		const spool = sandbox.spool();
		const leader = start(
			path.join(spool, 'proxy-1'),
			{CLUSTER_NODE: 'proxy-1'},
			'sleep 60 & sleep 61 & wait',
		);
		const found = await waitFor(() => {
			const all = scanSpool(spool);
			return all.length === 3 && all;
		});
		expect(found.filter((each) => each.pid !== leader).map((each) => each.ppid)).toEqual([
			leader,
			leader,
		]);
		expect(found.every((each) => each.pgid === leader && each.sid === leader)).toBe(true);
		expect(leftoversOf(found, 'proxy-1', leader)).toEqual([]);
		expect(leftoversOf(found, 'proxy-1').map((each) => each.pid)).toEqual(
			found.map((each) => each.pid),
		);
		expect(leftoversOf(found, 'manager')).toEqual([]);
		expect(groupMembers(leader).sort()).toEqual(found.map((each) => each.pid).sort());
	});

	it('escapedFrom: a daemon that moved to / but holds a file of the node directory open', async () => {
		const spool = sandbox.spool();
		const log = path.join(spool, 'worker-1', 'stdout.log');
		start(path.join(spool, 'worker-1'), {}); // makes the directory
		const daemon = start('/', {CLUSTER_NODE: 'worker-1'}, `exec sleep 60 >> ${log}`);
		const stranger = start('/', {}, `exec sleep 60 >> ${log}`);
		const elsewhere = start('/', {CLUSTER_NODE: 'worker-1'});
		for (const pid of [daemon, stranger, elsewhere]) await waitFor(() => execed(pid));
		expect(escapedFrom(spool, 'worker-1').map((each) => each.pid)).toEqual([daemon]);
		expect(escapedFrom(spool, 'manager')).toEqual([]);
		expect(scanSpool(spool)).toEqual([]);
	});
});
