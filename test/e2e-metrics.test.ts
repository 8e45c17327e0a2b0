// Zeek's own numbers on a real screen: the built program in tmux over simulated zeek nodes that
// serve known packet rates on their metrics ports (ZEEK_SIM_PPS, ZEEK_SIM_DROP, no jitter).
import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {createServer} from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {cliPath, cleanEnv, runCli} from './helpers/cli.js';
import {killProcessesIn, processesIn, waitFor} from './helpers/processes.js';
import {openTerminal, type Terminal} from './helpers/tmux.js';
import {removeNodeCgroupsIn} from './fixtures/cluster.js';

const PPS = 1000;
const DROP_PERCENT = 1;
/** manager, logger-1, proxy-1, worker-1, worker-2: one metrics port each, from the base on. */
const NODE_COUNT = 5;

let work: string;
let terminal: Terminal | undefined;

beforeEach(() => {
	work = mkdtempSync(path.join(os.tmpdir(), 'zeek-tui-e2e-metrics-'));
});

afterEach(async () => {
	terminal?.close();
	terminal = undefined;
	// zeek-tui runs in `work`, its nodes in the spool below it: all of them go, pass or fail.
	killProcessesIn(work);
	await removeNodeCgroupsIn(work);
	rmSync(work, {recursive: true, force: true});
});

function portIsFree(port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const server = createServer();
		server.once('error', () => resolve(false));
		server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
	});
}

/**
 * A base for NODE_COUNT consecutive free ports, away from the defaults (9991, 27760) that other
 * clusters on a shared test box use (a simulated node whose port is taken exits 1, as zeek does).
 */
async function freePortBase(): Promise<number> {
	for (let attempt = 0; attempt < 50; attempt++) {
		const base = 30_000 + Math.floor(Math.random() * 9_000);
		const ports = Array.from({length: NODE_COUNT}, (_, index) => base + index);
		const free = await Promise.all(ports.map(portIsFree));
		if (free.every(Boolean)) return base;
	}
	throw new Error('no run of free ports found');
}

type WorkerReading = {
	row: string;
	/** undefined while the cell shows `-`. */
	packetsPerSecond?: number;
	dropPercent?: number;
	/** The cells as shown, for the failure message. */
	cells: [string, string];
};

/** `1.0k` -> 1000, `995` -> 995, `1.2M`, a trailing `!` mark ignored; `-` -> undefined. */
function parseCell(text: string): number | undefined {
	const value = text.replace(/!$/, '');
	if (value === '-') return undefined;
	const match = /^(-?\d+(?:\.\d+)?)([kM]?)$/.exec(value);
	if (!match) throw new Error(`not a number cell: ${text}`);
	const scale = match[2] === 'k' ? 1000 : match[2] === 'M' ? 1_000_000 : 1;
	return Number(match[1]) * scale;
}

/**
 * The worker's packet cells, when the table shows them. At 80 columns PKTS/S and DROP% are the
 * last two columns (no LAG, no history column): the last two cells of the row, which holds even
 * when the STATE cell is two words (`stopping 59s`).
 */
function readWorker(screen: string, node: string): WorkerReading | undefined {
	const lines = screen.split('\n');
	const titles = lines
		.find((line) => /^ {2}NODE /.test(line))
		?.trim()
		.split(/\s+/);
	if (!titles || titles.at(-2) !== 'PKTS/S' || titles.at(-1) !== 'DROP%') return undefined;
	const row = lines.find((line) => new RegExp(`^[› ] ${node} `).test(line));
	if (!row) return undefined;
	const cells = row.trim().split(/\s+/).slice(-2) as [string, string];
	return {
		row,
		cells,
		packetsPerSecond: parseCell(cells[0]),
		dropPercent: parseCell(cells[1]),
	};
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function workerPid(spool: string): number | undefined {
	try {
		const state = JSON.parse(readFileSync(path.join(spool, '.zeek-tui/state.json'), 'utf8')) as {
			nodes: Record<string, {pid?: number}>;
		};
		return state.nodes['worker-1']?.pid;
	} catch {
		// Being rewritten.
		return undefined;
	}
}

/** manager, logger-1, proxy-1, worker-1, worker-2 with metrics ports from `base` on. */
async function demoLayout(): Promise<{spool: string; layout: string; base: number}> {
	const spool = path.join(work, 'spool');
	const layout = path.join(work, 'cluster-layout.zeek');
	const base = await freePortBase();
	// Cluster ports too: a logger binds its own, the manager the ZeroMQ proxy's above them.
	const clusterBase = await freePortBase();
	const generated = await runCli([
		'layout',
		'-p',
		String(clusterBase),
		'-L',
		'1',
		'-P',
		'1',
		'-W',
		'2',
		'-m',
		String(base),
		'-b',
		'127.0.0.1',
		'-o',
		layout,
	]);
	expect(generated.exitCode, generated.stderr).toBe(0);
	return {spool, layout, base};
}

/** The built zeek-tui --demo at 80x24 on `layout`, the simulated workers at PPS without jitter. */
function openDemo(layout: string, spool: string, env: Record<string, string> = {}): Terminal {
	return openTerminal(
		['node', cliPath, '--demo', '--layout', layout, '--spool-dir', spool, '--stop-timeout', '5'],
		{
			columns: 80,
			rows: 24,
			cwd: work,
			env: cleanEnv({
				TERM: 'xterm-256color',
				ZEEK_SIM_PPS: String(PPS),
				ZEEK_SIM_JITTER: '0',
				ZEEK_SIM_LINES_PER_SEC: '0',
				...env,
			}),
		},
	);
}

/** q y: everything stops and zeek-tui exits. */
async function quitAndWait(screen: Terminal): Promise<void> {
	screen.press('q');
	await screen.waitForText('Stop the cluster and quit? (y/n)');
	screen.press('y');
	await waitFor(() => processesIn(work).length === 0, {
		timeoutMs: 30_000,
		what: 'everything stopped',
	});
}

describe('packet rates on screen', () => {
	it('shows a worker at about 1.0k packets/s and 1% dropped within 15 s of the start (a rate needs two scrapes, 2 s apart); a restart shows no negative or inflated rate, and the rate again within 12 s', async () => {
		const {spool, layout, base} = await demoLayout();
		expect(readFileSync(layout, 'utf8')).toContain(`$metrics_port=${base + 3}/tcp`);

		const startedAt = Date.now();
		terminal = openDemo(layout, spool, {ZEEK_SIM_DROP: String(DROP_PERCENT / 100)});

		// Within 15 s of the start (the nodes start in stages, then two scrapes 2 s apart): about
		// 1.0k packets/s and 1 % dropped.
		const steady = await waitFor(
			() => {
				const reading = readWorker(terminal!.screen(), 'worker-1');
				return reading?.packetsPerSecond !== undefined && reading.dropPercent !== undefined
					? reading
					: undefined;
			},
			{timeoutMs: 30_000, intervalMs: 200, what: 'worker-1 PKTS/S and DROP% on screen'},
		);
		expect(Date.now() - startedAt).toBeLessThan(15_000);
		expect(steady.packetsPerSecond, steady.row).toBeGreaterThanOrEqual(PPS * 0.9);
		expect(steady.packetsPerSecond, steady.row).toBeLessThanOrEqual(PPS * 1.1);
		expect(steady.dropPercent, steady.row).toBeGreaterThanOrEqual(DROP_PERCENT * 0.9);
		expect(steady.dropPercent, steady.row).toBeLessThanOrEqual(DROP_PERCENT * 1.1);
		expect(steady.cells[0]).toBe('1.0k');
		// The header sums both workers.
		await terminal.waitForText(/PKTS\/S 2\.0k {2}DROP (0\.99|1\.00|1\.01)%/, 10_000);
		// The other nodes capture nothing: `-`, never a misleading 0.
		const screen = terminal.screen();
		for (const node of ['manager', 'logger-1', 'proxy-1']) {
			const cells = readWorker(screen, node)!.cells;
			expect(cells, node).toEqual(['-', '-']);
		}

		// r on worker-1 (the fourth row), then the row sampled every 200 ms for 8 s.
		const pidBefore = workerPid(spool);
		expect(pidBefore).toBeGreaterThan(0);
		terminal.press('j', 'j', 'j');
		await waitFor(() => /^› worker-1 /m.test(terminal!.screen()), {what: 'worker-1 selected'});
		terminal.press('r');
		const restartedAt = Date.now();
		const samples: WorkerReading[] = [];
		const sampleUntil = Date.now() + 8_000;
		while (Date.now() < sampleUntil) {
			const reading = readWorker(terminal.screen(), 'worker-1');
			if (reading) samples.push(reading);
			await sleep(200);
		}
		expect(samples.length).toBeGreaterThan(20);
		for (const sample of samples) {
			// Shown either as `-` (no rate yet) or as about the real rate: never below 0, never
			// a spike from counting since the new process started, never a dip from mixing both.
			if (sample.packetsPerSecond !== undefined) {
				expect(sample.packetsPerSecond, sample.row).toBeGreaterThanOrEqual(PPS * 0.7);
				expect(sample.packetsPerSecond, sample.row).toBeLessThanOrEqual(PPS * 1.3);
			}
			if (sample.dropPercent !== undefined) {
				expect(sample.dropPercent, sample.row).toBeGreaterThanOrEqual(0);
				expect(sample.dropPercent, sample.row).toBeLessThanOrEqual(DROP_PERCENT * 1.5);
			}
		}
		// The restart did happen while sampling: a new process, and the gap showed as `-`.
		const pidAfter = await waitFor(() => {
			const pid = workerPid(spool);
			return pid !== undefined && pid !== pidBefore ? pid : undefined;
		});
		expect(pidAfter).not.toBe(pidBefore);
		expect(samples.some((sample) => sample.cells[0] === '-')).toBe(true);
		// ... and the rate came back.
		const back = await waitFor(
			() => {
				const reading = readWorker(terminal!.screen(), 'worker-1');
				return reading?.packetsPerSecond !== undefined && reading.row.includes(String(pidAfter))
					? reading
					: undefined;
			},
			{timeoutMs: 30_000, intervalMs: 200, what: 'worker-1 rate after the restart'},
		);
		expect(Date.now() - restartedAt).toBeLessThan(12_000);
		expect(back.packetsPerSecond).toBeGreaterThanOrEqual(PPS * 0.7);
		expect(back.packetsPerSecond).toBeLessThanOrEqual(PPS * 1.3);

		await quitAndWait(terminal);
	}, 120_000);

	it("a metrics port's hostile answer (200,000 samples, 6 MB) is a logged failed scrape: the cluster and zeek-tui run on", async () => {
		const {spool, layout, base} = await demoLayout();
		// worker-1's own metrics port answers every scrape with 200,000 lag samples (6 MB).
		terminal = openDemo(layout, spool, {ZEEK_SIM_METRICS_FLOOD: 'worker-1=200000'});
		const log = path.join(spool, '.zeek-tui', 'zeek-tui.log');
		await waitFor(() => existsSync(log) && readFileSync(log, 'utf8').includes('scrape-failed'), {
			timeoutMs: 30_000,
			what: 'the failed scrape in zeek-tui.log',
		});
		// Three scrapes later: still logged once.
		await new Promise((resolve) => setTimeout(resolve, 10_000));
		const failures = readFileSync(log, 'utf8')
			.split('\n')
			.filter((line) => line.includes('scrape-failed'));
		// Logged once for the reason, not once per scrape.
		expect(failures).toHaveLength(1);
		expect(failures[0]).toContain(
			`node=worker-1 error="http://127.0.0.1:${base + 3}/metrics sent more than 10000 samples of the metrics read"`,
		);
		expect(terminal.alive()).toBe(true);
		// worker-2's own port still gives its rate; every node still runs.
		await waitFor(() => readWorker(terminal!.screen(), 'worker-2')?.packetsPerSecond, {
			timeoutMs: 20_000,
			what: 'worker-2 rate',
		});
		const state = JSON.parse(readFileSync(path.join(spool, '.zeek-tui/state.json'), 'utf8')) as {
			nodes: Record<string, {pid?: number}>;
		};
		const pids = Object.values(state.nodes).map((entry) => entry.pid);
		expect(pids).toHaveLength(NODE_COUNT);
		for (const pid of pids) expect(() => process.kill(pid!, 0)).not.toThrow();
		await quitAndWait(terminal);
	}, 120_000);
});
