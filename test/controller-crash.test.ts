// Crashes of real processes: the report left in the spool and the back-off before each restart.
import {readFileSync, readdirSync, writeFileSync, mkdirSync} from 'node:fs';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {createController, type ClusterEvent} from '../source/cluster/controller.js';
import {waitFor} from './helpers/processes.js';
import {FAKE_ZEEK, FAST, Sandbox, fakeSpec, settled, starts} from './fixtures/cluster.js';

const sandbox = new Sandbox();
afterEach(() => sandbox.cleanup());

describe('a crash', () => {
	it('leaves a report with time, exit, argv, cwd and the last 50 lines of stderr.log', async () => {
		const spool = sandbox.spool();
		const cwd = path.join(spool, 'worker-1');
		mkdirSync(cwd, {recursive: true});
		const earlier = Array.from({length: 100}, (_, index) => `old line ${index + 1}`);
		writeFileSync(path.join(cwd, 'stderr.log'), `${earlier.join('\n')}\n`);
		const spec = fakeSpec(spool, [
			{
				name: 'worker-1',
				args: ['-C', '-i', 'lo', 'local'],
				env: {FAKE_ZEEK_CRASH_AFTER_MS: '300', FAKE_ZEEK_CRASH_ONCE: '1', FAKE_ZEEK_EXIT_CODE: '3'},
			},
		]);
		const controller = sandbox.track(createController(spec, FAST));
		const events: ClusterEvent[] = [];
		controller.onEvent((event) => events.push(event));
		await controller.start();
		const crashed = await waitFor(() => events.find((event) => event.kind === 'crashed'));
		expect(crashed.detail).toEqual({code: 3, restart_in_ms: 200});
		const reportEvent = await waitFor(() => events.find((event) => event.kind === 'crash-report'));
		const file = String(reportEvent.detail.file);
		expect(path.dirname(file)).toBe(path.join(spool, '.zeek-tui', 'crashes'));
		expect(path.basename(file)).toMatch(/^worker-1-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}Z\.txt$/);
		expect(readdirSync(path.dirname(file))).toEqual([path.basename(file)]);

		const pid = starts(spool, 'worker-1')[0]!.pid;
		const lines = readFileSync(file, 'utf8').split('\n');
		expect(lines.slice(0, 7)).toEqual([
			'node: worker-1',
			`time: ${new Date(crashed.at).toISOString()}`,
			'exit: code 3',
			`pid: ${pid}`,
			expect.stringMatching(/^uptime: \d+\.\ds$/),
			`cwd: ${cwd}`,
			`argv: ${JSON.stringify([FAKE_ZEEK, '-C', '-i', 'lo', 'local'])}`,
		]);
		const tail = lines.slice(
			lines.indexOf(`--- last 50 lines of ${path.join(cwd, 'stderr.log')} ---`) + 1,
			-1,
		);
		// Written at the exit, before the back-off lets a new process add to the file.
		expect(tail).toEqual([
			...earlier.slice(-48),
			`fake-zeek stderr pid=${pid}`,
			'fake-zeek: crashing on request',
		]);

		// Restarted after the back-off; the exit is in the node's history as not requested.
		await settled(controller, spool);
		const node = controller.snapshot().nodes[0]!;
		expect(node.restarts).toBe(1);
		expect(node.exits).toEqual([
			expect.objectContaining({code: 3, signal: null, requested: false}),
		]);
	});

	it('restarts with back-off growing about 1x, 2x, 4x the base', async () => {
		const spool = sandbox.spool();
		const spec = fakeSpec(spool, [{name: 'manager', env: {FAKE_ZEEK_CRASH_AFTER_MS: '100'}}]);
		const base = 300;
		const controller = sandbox.track(
			createController(spec, {
				...FAST,
				backoff: {initialMs: base, maxMs: 10_000, resetAfterMs: 30_000},
			}),
		);
		const events: ClusterEvent[] = [];
		controller.onEvent((event) => events.push(event));
		await controller.start();
		await waitFor(() => starts(spool, 'manager').length >= 4, {
			timeoutMs: 20_000,
			what: '4 starts',
		});
		controller.stopNode('manager');

		const exits = controller.snapshot().nodes[0]!.exits;
		expect(exits.slice(0, 3).map((exit) => exit.signal)).toEqual(['SIGABRT', 'SIGABRT', 'SIGABRT']);
		// From each crash seen to the next spawn: the back-off, measured on real timers (the
		// process start that follows is the machine's business, not the supervisor's).
		const crashes = events.filter((event) => event.kind === 'crashed');
		const spawns = events.filter((event) => event.kind === 'spawned').slice(1);
		const gaps = [0, 1, 2].map((index) => spawns[index]!.at - crashes[index]!.at);
		const expected = [base, 2 * base, 4 * base];
		gaps.forEach((gap, index) => {
			expect(gap).toBeGreaterThanOrEqual(expected[index]!);
			expect(gap).toBeLessThan(expected[index]! + 500);
		});
		// Each restart a real process: one start record per spawn.
		expect(starts(spool, 'manager').length).toBeGreaterThanOrEqual(4);
		expect(gaps[1]! / gaps[0]!).toBeGreaterThan(1.3);
		expect(gaps[2]! / gaps[1]!).toBeGreaterThan(1.3);
	});
});
