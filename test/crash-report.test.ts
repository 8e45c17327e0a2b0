// Crash reports stay bounded (the newest CRASH_REPORTS_KEPT per node) and are written safely: 0600,
// never through a link, and a stderr.log that is a FIFO never blocks the report.
import {mkdirSync, readFileSync, readdirSync, statSync} from 'node:fs';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {CRASH_DIR, createController} from '../source/cluster/controller.js';
import {
	CRASH_REPORTS_KEPT,
	crashReportName,
	tailLines,
	writeCrashReport,
	type CrashReport,
} from '../source/cluster/crash-report.js';
import {FifoGuards, makeFifo} from './helpers/fifo.js';
import {waitFor} from './helpers/processes.js';
import {FAST, Sandbox, fakeSpec, starts} from './fixtures/cluster.js';

const sandbox = new Sandbox();
const fifos = new FifoGuards();
afterEach(() => {
	fifos.stop();
	sandbox.cleanup();
});

const T0 = Date.parse('2026-12-01T00:00:00.000Z');

function report(node: string, at: number, stderrLog: string): CrashReport {
	return {
		node,
		at,
		exit: {code: 1, signal: null},
		adopted: false,
		argv: ['zeek', 'local'],
		cwd: path.dirname(stderrLog),
		stderrLog,
	};
}

describe('crash reports', () => {
	it(`keeps the newest ${CRASH_REPORTS_KEPT} of each node, 0600 in a 0700 directory`, () => {
		const spool = sandbox.spool();
		const dir = path.join(spool, '.zeek-tui', CRASH_DIR);
		const stderrLog = path.join(spool, 'worker-1', 'stderr.log');
		const count = CRASH_REPORTS_KEPT + 5;
		for (let index = 0; index < count; index++)
			writeCrashReport(dir, report('worker-1', T0 + index * 60_000, stderrLog));
		// A node whose name extends another's keeps its own count.
		for (let index = 0; index < 3; index++)
			writeCrashReport(dir, report('worker-1-b', T0 + index * 1000, stderrLog));

		const names = readdirSync(dir).sort();
		const kept = Array.from({length: CRASH_REPORTS_KEPT}, (_, index) =>
			crashReportName('worker-1', T0 + (index + 5) * 60_000),
		);
		const others = [0, 1, 2].map((index) => crashReportName('worker-1-b', T0 + index * 1000));
		expect(names).toEqual([...kept, ...others].sort());
		for (const name of names) expect(statSync(path.join(dir, name)).mode & 0o777).toBe(0o600);
		expect(statSync(dir).mode & 0o777).toBe(0o700);
	});

	it('a node crashing over and over leaves no more than the bound', async () => {
		const spool = sandbox.spool();
		const spec = fakeSpec(spool, [
			{name: 'manager', env: {FAKE_ZEEK_CRASH_AFTER_MS: '0', FAKE_ZEEK_EXIT_CODE: '1'}},
		]);
		const controller = sandbox.track(
			createController(spec, {...FAST, backoff: {initialMs: 20, maxMs: 20, resetAfterMs: 30_000}}),
		);
		await controller.start();
		await waitFor(() => starts(spool, 'manager').length >= CRASH_REPORTS_KEPT + 5, {
			timeoutMs: 25_000,
			what: `${CRASH_REPORTS_KEPT + 5} starts`,
		});
		await controller.stopAll();
		const reports = readdirSync(path.join(spool, '.zeek-tui', CRASH_DIR));
		expect(reports).toHaveLength(CRASH_REPORTS_KEPT);
		const log = readFileSync(path.join(spool, '.zeek-tui', 'zeek-tui.log'), 'utf8');
		// Every crash is still a line in zeek-tui.log.
		expect(log.match(/ manager crashed /g)!.length).toBeGreaterThanOrEqual(CRASH_REPORTS_KEPT + 4);
	});

	it('a stderr.log that is a FIFO gives an empty tail at once', () => {
		const spool = sandbox.spool();
		mkdirSync(path.join(spool, 'manager'));
		const fifo = path.join(spool, 'manager', 'stderr.log');
		makeFifo(fifo);
		// Releases a regression's blocked open after 3 s, so it fails instead of hanging.
		fifos.guard(fifo);
		const began = Date.now();
		expect(tailLines(fifo, 50)).toEqual([]);
		const file = writeCrashReport(path.join(spool, 'crashes'), report('manager', T0, fifo));
		expect(Date.now() - began).toBeLessThan(1000);
		expect(readFileSync(file, 'utf8')).toContain(`--- last 50 lines of ${fifo} ---\n`);
	});
});
