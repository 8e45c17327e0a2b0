// zeek-tui --headless as a real process (test/fixtures/run-headless.ts calls runHeadless): its
// output, and every way it ends: SIGTERM, SIGHUP, kill -9, a second SIGINT, a bug.
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {
	SpoolBusyError,
	createController,
	formatEventJson,
	formatEventText,
} from '../source/cluster/controller.js';
import {readStateFile} from '../source/cluster/state-file.js';
import type {ClusterSpec} from '../source/cluster/types.js';
import {runHeadless} from '../source/headless.js';
import {waitFor} from './helpers/processes.js';
import {
	FAST,
	SMALL_CLUSTER,
	Sandbox,
	isRunning,
	fakeSpec,
	settled,
	starts,
} from './fixtures/cluster.js';
import {PassThrough} from 'node:stream';
import {headless as startHeadless, upUnder} from './fixtures/headless-child.js';

const sandbox = new Sandbox();
afterEach(() => sandbox.cleanup());

const LINE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \S+ \S+( [a-z_]+=("[^"]*"|\S+))*$/;

const headless = (spec: ClusterSpec, env: Record<string, string> = {}) =>
	startHeadless(sandbox, spec, env);

const eventLog = (spool: string) =>
	readFileSync(path.join(spool, '.zeek-tui', 'zeek-tui.log'), 'utf8');

describe('event lines', () => {
	it('text: ISO time, node, kind, key=value; durations in s or ms; values with spaces quoted', () => {
		const at = Date.parse('2026-11-28T01:02:03.456Z');
		expect(
			formatEventText({
				at,
				node: 'worker-2',
				kind: 'crashed',
				detail: {signal: 'SIGABRT', restart_in_ms: 2000},
			}),
		).toBe('2026-11-28T01:02:03.456Z worker-2 crashed signal=SIGABRT restart_in=2s');
		expect(
			formatEventText({at, node: 'x', kind: 'crashed', detail: {code: 1, restart_in_ms: 250}}),
		).toBe('2026-11-28T01:02:03.456Z x crashed code=1 restart_in=250ms');
		expect(formatEventText({at, kind: 'fatal', detail: {message: 'a b', kill_in_ms: 1500}})).toBe(
			'2026-11-28T01:02:03.456Z zeek-tui fatal message="a b" kill_in=1.5s',
		);
		expect(
			JSON.parse(
				formatEventJson({
					at,
					node: 'worker-2',
					kind: 'crashed',
					detail: {signal: 'SIGABRT', restart_in_ms: 2000},
				}),
			),
		).toEqual({
			at: '2026-11-28T01:02:03.456Z',
			node: 'worker-2',
			kind: 'crashed',
			signal: 'SIGABRT',
			restart_in_ms: 2000,
		});
	});
});

describe('zeek-tui --headless', () => {
	it('SIGTERM stops the cluster in order and exits 0; stdout and zeek-tui.log carry the same lines', async () => {
		const spool = sandbox.spool();
		const spec = fakeSpec(spool, [
			...SMALL_CLUSTER.slice(0, 4),
			{name: 'worker-2', env: {FAKE_ZEEK_CRASH_AFTER_MS: '200', FAKE_ZEEK_CRASH_ONCE: '1'}},
		]);
		const child = headless(spec);
		const pids = await upUnder(child.pid!, spec);
		// worker-2 crashed once and came back.
		await waitFor(
			() => starts(spool, 'worker-2').length === 2 && readStateFile(spool)!.nodes['worker-2']!.pid,
		);
		await upUnder(child.pid!, spec);
		child.kill('SIGTERM');
		const result = await child;

		expect(result.exitCode).toBe(0);
		for (const pid of Object.values(pids)) expect(isRunning(pid)).toBe(false);
		const lines = String(result.stdout).split('\n');
		for (const line of lines) expect(line).toMatch(LINE);
		expect(`${result.stdout}\n`).toBe(eventLog(spool));
		const body = lines.map((line) => line.slice(25));
		expect(body[0]).toBe(`zeek-tui started spool=${spool} pid=${child.pid} nodes=5`);
		expect(body).toContain('worker-2 crashed signal=SIGABRT restart_in=200ms');
		expect(body).toContainEqual(
			expect.stringMatching(
				/^worker-2 crash-report file=\S+\/\.zeek-tui\/crashes\/worker-2-\S+\.txt$/,
			),
		);
		expect(body).toContain('zeek-tui signal signal=SIGTERM action=stop-all');
		expect(body).toContain('zeek-tui stopping-all timeout=3s');
		expect(body).toContainEqual(
			expect.stringMatching(/^manager stopping pid=\d+ signal=SIGTERM kill_in=3s$/),
		);
		const stoppedOrder = body
			.filter((line) => / stopped code=0$/.test(line))
			.map((line) => line.split(' ')[0]);
		expect(stoppedOrder.slice(0, 2).sort()).toEqual(['worker-1', 'worker-2']);
		expect(stoppedOrder.slice(2)).toEqual(['proxy-1', 'manager', 'logger-1']);
		expect(body.at(-1)).toBe('zeek-tui stopped-all');
	});

	it('--json writes one JSON object per event', async () => {
		const spool = sandbox.spool();
		const spec = fakeSpec(spool, [{name: 'manager'}]);
		const child = headless(spec, {RUN_HEADLESS_JSON: '1'});
		await upUnder(child.pid!, spec);
		child.kill('SIGINT');
		const result = await child;
		expect(result.exitCode).toBe(0);
		const events = String(result.stdout)
			.split('\n')
			.map((line) => JSON.parse(line) as Record<string, unknown>);
		expect(events[0]).toMatchObject({node: null, kind: 'started', spool, nodes: 1});
		expect(events).toContainEqual(
			expect.objectContaining({node: 'manager', kind: 'spawned', pid: expect.any(Number)}),
		);
		expect(events).toContainEqual(
			expect.objectContaining({kind: 'signal', signal: 'SIGINT', action: 'stop-all'}),
		);
		for (const event of events)
			expect(event.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
	});

	it('kill -9 leaves the nodes running; the next zeek-tui adopts them, no second copy', async () => {
		const spool = sandbox.spool();
		const spec = fakeSpec(spool, SMALL_CLUSTER);
		const child = headless(spec);
		const pids = await upUnder(child.pid!, spec);
		child.kill('SIGKILL');
		await child;
		for (const pid of Object.values(pids)) expect(isRunning(pid)).toBe(true);

		const next = sandbox.track(createController(spec, FAST));
		await next.start();
		expect(Object.fromEntries(next.snapshot().nodes.map((node) => [node.name, node.pid]))).toEqual(
			pids,
		);
		await settled(next, spool);
		for (const {name} of SMALL_CLUSTER) expect(starts(spool, name)).toHaveLength(1);
		await next.stopAll();
		for (const pid of Object.values(pids)) expect(isRunning(pid)).toBe(false);
	});

	it('SIGHUP detaches: exit 0, nodes left running and recorded for the next zeek-tui', async () => {
		const spool = sandbox.spool();
		const spec = fakeSpec(spool, SMALL_CLUSTER);
		const child = headless(spec);
		const pids = await upUnder(child.pid!, spec);
		child.kill('SIGHUP');
		const result = await child;
		expect(result.exitCode).toBe(0);
		expect(String(result.stdout)).toMatch(/ zeek-tui detached left_running=5$/);
		for (const pid of Object.values(pids)) expect(isRunning(pid)).toBe(true);

		const next = sandbox.track(createController(spec, FAST));
		await next.start();
		expect(Object.fromEntries(next.snapshot().nodes.map((node) => [node.name, node.pid]))).toEqual(
			pids,
		);
		await next.stopAll();
	});

	it('refuses a spool another zeek-tui supervises, while that one runs', async () => {
		const spool = sandbox.spool();
		const spec = fakeSpec(spool, [{name: 'manager'}]);
		const child = headless(spec);
		await upUnder(child.pid!, spec);
		const listeners = process.listenerCount('SIGINT');
		await expect(
			runHeadless(spec, {json: false, out: new PassThrough(), controllerOptions: FAST}),
		).rejects.toThrow(SpoolBusyError);
		expect(process.listenerCount('SIGINT')).toBe(listeners);
		expect(starts(spool, 'manager')).toHaveLength(1);
		child.kill('SIGTERM');
		expect((await child).exitCode).toBe(0);
	});

	it('a second SIGINT while stopping kills every node at once', async () => {
		const spool = sandbox.spool();
		const stuck = {FAKE_ZEEK_IGNORE_TERM: '1'};
		const spec = fakeSpec(
			spool,
			SMALL_CLUSTER.map((node) => ({...node, env: stuck})),
			{stopTimeoutMs: 60_000},
		);
		const child = headless(spec);
		const pids = await upUnder(child.pid!, spec);
		child.kill('SIGINT');
		await waitFor(() => / worker-2 stopping /.test(eventLog(spool)));
		const began = Date.now();
		child.kill('SIGINT');
		const result = await child;
		expect(Date.now() - began).toBeLessThan(10_000);
		expect(result.exitCode).toBe(0);
		expect(String(result.stdout)).toContain('zeek-tui signal signal=SIGINT action=kill-all');
		for (const pid of Object.values(pids)) expect(isRunning(pid)).toBe(false);
	});

	it('an uncaught exception is logged, the cluster stopped in order, exit 1', async () => {
		const spool = sandbox.spool();
		const spec = fakeSpec(spool, SMALL_CLUSTER);
		const child = headless(spec, {RUN_HEADLESS_THROW_AFTER_MS: '1500'});
		const pids = await upUnder(child.pid!, spec);
		const result = await child;
		expect(result.exitCode).toBe(1);
		expect(String(result.stderr)).toContain(
			'zeek-tui: uncaught exception: Error: boom: a bug in zeek-tui',
		);
		expect(String(result.stdout)).toContain(
			'zeek-tui fatal what="uncaught exception" message="boom: a bug in zeek-tui"',
		);
		expect(String(result.stdout)).toMatch(/ zeek-tui stopped-all$/);
		for (const pid of Object.values(pids)) expect(isRunning(pid)).toBe(false);
	});
});
