// Spawning real processes: what each node is started with, where its output goes, start order,
// readiness, restarts and a missing binary.
import {chmodSync, readFileSync, readlinkSync, statSync, writeFileSync, mkdirSync} from 'node:fs';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {createController, type ClusterEvent} from '../source/cluster/controller.js';
import {STATUS_GRACE_MS} from '../source/cluster/process.js';
import {waitFor} from './helpers/processes.js';
import {
	FAKE_ZEEK,
	FAST,
	LAYOUT_TEXT,
	SMALL_CLUSTER,
	Sandbox,
	fakeSpec,
	settled,
	starts,
} from './fixtures/cluster.js';

const sandbox = new Sandbox();
afterEach(() => sandbox.cleanup());

/** A one-node cluster whose binary is `argv0`, started, up to its first `crashed` event. */
async function firstCrash(spool: string, argv0: string) {
	const controller = sandbox.track(
		createController(fakeSpec(spool, [{name: 'manager'}], {argv0}), FAST),
	);
	const events: ClusterEvent[] = [];
	controller.onEvent((event) => events.push(event));
	await controller.start();
	const crashed = await waitFor(() => events.find((event) => event.kind === 'crashed'));
	return {controller, events, crashed};
}

describe('spawning a cluster', () => {
	it('starts every node in its own cwd, session and process group, with CLUSTER_NODE and the layout', async () => {
		const spool = sandbox.spool();
		const spec = fakeSpec(spool, SMALL_CLUSTER);
		spec.nodes[3]!.argv.push('-C', '-i', 'lo');
		const controller = sandbox.track(createController(spec, FAST));
		await controller.start();
		await settled(controller, spool);

		expect(readFileSync(path.join(spool, 'cluster-layout.zeek'), 'utf8')).toBe(LAYOUT_TEXT);
		for (const node of controller.snapshot().nodes) {
			const plan = spec.nodes.find((candidate) => candidate.name === node.name)!;
			const [run] = await waitFor(() => {
				const found = starts(spool, node.name);
				return found.length > 0 && found;
			});
			expect(run).toMatchObject({
				pid: node.pid,
				cwd: path.join(spool, node.name),
				clusterNode: node.name,
				argv: plan.argv,
				// Own session and group: a Ctrl-C at zeek-tui's terminal never reaches the node.
				pgid: node.pid,
				sid: node.pid,
			});
			expect(node.cwd).toBe(path.join(spool, node.name));
			expect(node.argv).toEqual(plan.argv);
			expect(readFileSync(path.join(node.cwd, 'cluster-layout.zeek'), 'utf8')).toBe(LAYOUT_TEXT);
			// Output goes straight to the files, never through a pipe to zeek-tui.
			expect(readlinkSync(`/proc/${node.pid}/fd/1`)).toBe(path.join(node.cwd, 'stdout.log'));
			expect(readlinkSync(`/proc/${node.pid}/fd/2`)).toBe(path.join(node.cwd, 'stderr.log'));
			expect(node.restarts).toBe(0);
		}
		expect(starts(spool, 'worker-1')[0]!.argv).toEqual([FAKE_ZEEK, 'local', '-C', '-i', 'lo']);
	});

	it("gives a node exactly zeek-tui's environment plus its own variables", async () => {
		const spool = sandbox.spool();
		const spec = fakeSpec(spool, [{name: 'manager', env: {FAKE_ZEEK_MARK: 'x y'}}]);
		const controller = sandbox.track(createController(spec, FAST));
		await controller.start();
		await settled(controller, spool);
		const {pid} = controller.snapshot().nodes[0]!;
		const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean);
		const expected = {...process.env, CLUSTER_NODE: 'manager', FAKE_ZEEK_MARK: 'x y'};
		expect(Object.fromEntries(environ.map((line) => line.split(/=(.*)/s, 2)))).toEqual(expected);
		// stdin /dev/null, stdout and stderr the log files.
		const fds = [0, 1, 2].map((fd) => readlinkSync(`/proc/${pid}/fd/${fd}`));
		expect(fds).toEqual([
			'/dev/null',
			path.join(spool, 'manager', 'stdout.log'),
			path.join(spool, 'manager', 'stderr.log'),
		]);
	});

	it('spawns in start order: loggers, manager, proxies, workers', async () => {
		const spool = sandbox.spool();
		const controller = sandbox.track(createController(fakeSpec(spool, SMALL_CLUSTER), FAST));
		const spawned: string[] = [];
		controller.onEvent((event) => {
			if (event.kind === 'spawned') spawned.push(event.node!);
		});
		await controller.start();
		expect(spawned).toEqual(['logger-1', 'manager', 'proxy-1', 'worker-1', 'worker-2']);
		// Fork order is spawn order: /proc start times never go backwards along it.
		await settled(controller, spool);
		const byName = new Map(controller.snapshot().nodes.map((node) => [node.name, node.pid!]));
		const forkTicks = spawned.map((name) => {
			const stat = readFileSync(`/proc/${byName.get(name)}/stat`, 'utf8');
			return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
		});
		expect([...forkTicks].sort((a, b) => a - b)).toEqual(forkTicks);
	});

	it('notifies subscribers of changes; the snapshot object is stable while nothing changes', async () => {
		const spool = sandbox.spool();
		const controller = sandbox.track(createController(fakeSpec(spool, [{name: 'manager'}]), FAST));
		let calls = 0;
		const unsubscribe = controller.subscribe(() => calls++);
		await controller.start();
		await settled(controller, spool);
		expect(calls).toBeGreaterThan(0);
		const snapshot = controller.snapshot();
		expect(controller.snapshot()).toBe(snapshot);
		expect(snapshot.nodes[0]).toMatchObject({name: 'manager', type: 'manager', state: 'running'});
		expect(snapshot.nodes[0]!.usage).toBeUndefined();
		expect(snapshot.nodes[0]!.metrics).toBeUndefined();
		const seen = calls;
		controller.stopNode('manager');
		await new Promise((resolve) => setImmediate(resolve));
		expect(calls).toBeGreaterThan(seen);
		expect(controller.snapshot()).not.toBe(snapshot);
		expect(controller.snapshot().nodes[0]!.state).toBe('stopping');
		unsubscribe();
		const final = calls;
		await waitFor(() => controller.snapshot().nodes[0]!.state === 'stopped');
		expect(calls).toBe(final);
	});

	it('keeps a node starting until its status file says RUNNING', async () => {
		const spool = sandbox.spool();
		const spec = fakeSpec(spool, [
			{name: 'manager', args: ['-U', '.status', 'local'], env: {FAKE_ZEEK_STATUS_DELAY_MS: '1500'}},
		]);
		// A RUNNING left behind by an earlier process is not this process's word.
		mkdirSync(path.join(spool, 'manager'));
		writeFileSync(path.join(spool, 'manager', '.status'), 'RUNNING [net_run]\n');
		const stale = new Date(Date.now() - 60_000);
		const {utimesSync} = await import('node:fs');
		utimesSync(path.join(spool, 'manager', '.status'), stale, stale);

		const controller = sandbox.track(createController(spec, FAST));
		await controller.start();
		await waitFor(() => starts(spool, 'manager').length === 1);
		const spawnedAt = Date.now();
		await waitFor(() => controller.snapshot().nodes[0]!.state === 'running', {what: 'running'});
		expect(Date.now() - spawnedAt).toBeGreaterThan(800);
		expect(readFileSync(path.join(spool, 'manager', '.status'), 'utf8')).toMatch(/^RUNNING/);
	});

	it('keeps a node starting past the grace while a fresh status file says INITIALIZING', async () => {
		const spool = sandbox.spool();
		const spec = fakeSpec(spool, [
			{
				name: 'manager',
				args: ['-U', '.status', 'local'],
				env: {FAKE_ZEEK_STATUS_DELAY_MS: '60000'},
			},
		]);
		const controller = sandbox.track(createController(spec, FAST));
		await controller.start();
		await waitFor(() => starts(spool, 'manager').length === 1);
		await new Promise((resolve) => setTimeout(resolve, STATUS_GRACE_MS + 800));
		expect(controller.snapshot().nodes[0]!.state).toBe('starting');
	});

	it('counts a zeek that writes no status file as running once it has lived the grace', async () => {
		const spool = sandbox.spool();
		// A "zeek" that takes `-U .status` and never writes it (sh ignores the extra arguments).
		const spec = fakeSpec(spool, [{name: 'manager'}]);
		spec.nodes[0]!.argv = ['/bin/sh', '-c', 'exec sleep 30', '-U', '.status'];
		const controller = sandbox.track(createController(spec, FAST));
		const spawnedAt = Date.now();
		await controller.start();
		await waitFor(() => controller.snapshot().nodes[0]!.state === 'running', {what: 'running'});
		expect(Date.now() - spawnedAt).toBeGreaterThan(STATUS_GRACE_MS - 500);
	});

	it('appends to stdout.log and stderr.log across restarts, never truncating', async () => {
		const spool = sandbox.spool();
		mkdirSync(path.join(spool, 'manager'));
		writeFileSync(path.join(spool, 'manager', 'stderr.log'), 'from an earlier incident\n');
		const controller = sandbox.track(createController(fakeSpec(spool, [{name: 'manager'}]), FAST));
		await controller.start();
		await settled(controller, spool);
		const firstPid = controller.snapshot().nodes[0]!.pid!;
		await waitFor(() =>
			readFileSync(path.join(spool, 'manager', 'stderr.log'), 'utf8').includes(`${firstPid}`),
		);

		controller.restartNode('manager');
		const node = await waitFor(() => {
			const current = controller.snapshot().nodes[0]!;
			return current.state === 'running' && current.pid !== firstPid && current;
		});
		expect(node.restarts).toBe(1);
		expect(node.exits.at(-1)).toMatchObject({requested: true, code: 0});
		await waitFor(() =>
			readFileSync(path.join(spool, 'manager', 'stderr.log'), 'utf8').includes(`${node.pid}`),
		);
		expect(readFileSync(path.join(spool, 'manager', 'stderr.log'), 'utf8')).toBe(
			[
				'from an earlier incident',
				`fake-zeek stderr pid=${firstPid}`,
				`fake-zeek stderr pid=${node.pid}`,
				'',
			].join('\n'),
		);
		expect(readFileSync(path.join(spool, 'manager', 'stdout.log'), 'utf8')).toBe(
			`fake-zeek stdout pid=${firstPid}\nfake-zeek stdout pid=${node.pid}\n`,
		);
		// The process the restart stopped got SIGTERM once and was gone before the new one started.
		const runs = starts(spool, 'manager');
		expect(runs.map((run) => run.pid)).toEqual([firstPid, node.pid]);
	});

	it('treats a missing binary as a crash with a report, not an unhandled rejection', async () => {
		const spool = sandbox.spool();
		const missing = path.join(spool, 'no-such-zeek');
		const {controller, events, crashed} = await firstCrash(spool, missing);
		expect(crashed.detail).toMatchObject({error: `spawn ${missing} ENOENT`, restart_in_ms: 200});
		const report = await waitFor(() => events.find((event) => event.kind === 'crash-report'));
		expect(readFileSync(String(report.detail.file), 'utf8')).toContain(
			`exit: failed: spawn ${missing} ENOENT`,
		);
		// The back-off keeps trying, with growing delays.
		await waitFor(() => events.filter((event) => event.kind === 'crashed').length >= 2);
		expect(events.filter((event) => event.kind === 'crashed')[1]!.detail.restart_in_ms).toBe(400);
		expect(controller.snapshot().nodes[0]!.state).toMatch(/backoff|starting/);
		// The node's cwd was still created, the layout copied.
		expect(statSync(path.join(spool, 'manager', 'cluster-layout.zeek')).isFile()).toBe(true);
	});

	it('treats a binary that is not executable as a crash with its reason, not an unhandled rejection', async () => {
		const spool = sandbox.spool();
		const notExecutable = path.join(spool, 'zeek-without-x');
		writeFileSync(notExecutable, '#!/bin/sh\n');
		chmodSync(notExecutable, 0o644);
		const {controller, crashed} = await firstCrash(spool, notExecutable);
		expect(crashed.detail).toMatchObject({error: `spawn ${notExecutable} EACCES`});
		expect(controller.snapshot().nodes[0]!.pid).toBeUndefined();
	});
});
