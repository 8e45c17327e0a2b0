// 3: one worker writes N lines as fast as it can while its log pane is open. Every line must
// reach the disk, zeek-tui's memory must stay bounded, and the keys must still answer.
import {closeSync, openSync, readFileSync, readSync, statSync} from 'node:fs';
import path from 'node:path';
import {waitFor} from '../../test/helpers/processes.js';
import {percentile, sleep} from '../measure.js';
import {cpuTimes, memory} from '../proc.js';
import {atLeast, atMost, MB, type ScenarioResult} from '../report.js';
import {
	keyLatencies,
	PRESS_TIMEOUT_MS,
	quit,
	select,
	startTui,
	upCount,
	type TuiSession,
} from '../tui.js';

export type FloodOptions = {
	nodes: number;
	runs: number;
	floodLines: number;
	cpuProfileDir?: string;
};

const FLOODER = 'worker-1';
const NEIGHBOUR = 'worker-2';
const PRESSES = 20;

/**
 * Reads a growing stdout.log from where it stopped last time and checks the flood lines in it:
 * each `zeek-sim flood I/N` must follow I-1, none missing, none twice.
 */
class FloodCheck {
	lines = 0;
	outOfOrder = 0;
	/** Byte offset just past the last flood line, once it has been read. */
	endOffset?: number;
	private offset = 0;
	private partial = '';

	constructor(
		private file: string,
		private total: number,
	) {}

	read(): void {
		let fd: number;
		try {
			fd = openSync(this.file, 'r');
		} catch {
			return;
		}
		try {
			const buffer = Buffer.alloc(1 << 20);
			for (;;) {
				const count = readSync(fd, buffer, 0, buffer.length, this.offset);
				if (count === 0) break;
				const text = this.partial + buffer.toString('latin1', 0, count);
				const lastNewline = text.lastIndexOf('\n');
				const start = this.offset - Buffer.byteLength(this.partial, 'latin1');
				this.offset += count;
				this.partial = text.slice(lastNewline + 1);
				this.scan(text.slice(0, lastNewline + 1), start);
			}
		} finally {
			closeSync(fd);
		}
	}

	private scan(text: string, start: number): void {
		const pattern = /^zeek-sim flood (\d+)\/(\d+) /gm;
		for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
			const index = Number(match[1]);
			if (Number(match[2]) !== this.total || index !== this.lines + 1) this.outOfOrder++;
			this.lines++;
			if (index === this.total) this.endOffset = start + text.indexOf('\n', match.index) + 1;
		}
	}

	done(): boolean {
		return this.endOffset !== undefined;
	}
}

function statusOf(session: TuiSession, node: string): string {
	try {
		return readFileSync(path.join(session.spool, node, '.status'), 'utf8').trim();
	} catch {
		return '';
	}
}

async function floodRun(options: FloodOptions, run: number, log: (line: string) => void) {
	// The flooder stays INITIALIZING until its pane is open: the flood starts once it is RUNNING.
	const initMs = 10_000 + options.nodes * 500;
	const session = await startTui({
		nodes: options.nodes,
		label: 'flood',
		cpuProfileDir: options.cpuProfileDir,
		simEnv: {
			ZEEK_SIM_LINES_PER_SEC: `${FLOODER}=0,*=1`,
			ZEEK_SIM_FLOOD: FLOODER,
			ZEEK_SIM_FLOOD_LINES: String(options.floodLines),
			ZEEK_SIM_INIT_MS: `${FLOODER}=${initMs},*=200`,
		},
	});
	try {
		const {terminal, pid} = session;
		await waitFor(() => (upCount(terminal.screen())?.up ?? 0) >= options.nodes - 1, {
			timeoutMs: initMs,
			what: `every node but ${FLOODER} running`,
		});
		await select(session, FLOODER);
		terminal.press('Enter');
		await terminal.waitForText(new RegExp(`${FLOODER} ─ following`), 10_000);
		if (statusOf(session, FLOODER) === 'RUNNING')
			throw new Error(`${FLOODER} started flooding before its pane was open`);
		const file = path.join(session.spool, FLOODER, 'stdout.log');
		await waitFor(() => statusOf(session, FLOODER) === 'RUNNING', {
			timeoutMs: initMs + 10_000,
			intervalMs: 5,
			what: `${FLOODER} to start flooding`,
		});
		const floodStart = performance.now();
		const cpuAtStart = cpuTimes(pid)!.own;

		// The file's size every 20 ms, to tell afterwards which presses came while the flood was
		// still being written and when it ended.
		const sizes: Array<{at: number; size: number}> = [];
		const sampleSize = () => sizes.push({at: performance.now(), size: statSync(file).size});
		const sizeTimer = setInterval(sampleSize, 20);
		const lastLine = `zeek-sim flood ${options.floodLines}/${options.floodLines} `;
		let caughtUp: number | undefined;
		let cpuAtCatchUp = 0;
		const noticeCatchUp = (screen: string) => {
			if (caughtUp === undefined && screen.includes(lastLine)) {
				caughtUp = performance.now();
				cpuAtCatchUp = cpuTimes(pid)!.own;
			}
		};
		let presses: Awaited<ReturnType<typeof keyLatencies>>;
		const check = new FloodCheck(file, options.floodLines);
		try {
			// Keypress to screen while the flood goes on: j moves to the neighbour, k back.
			presses = await keyLatencies(session, {
				above: FLOODER,
				below: NEIGHBOUR,
				presses: PRESSES,
				onScreen: noticeCatchUp,
			});
			await waitFor(
				() => {
					check.read();
					return check.done();
				},
				{
					timeoutMs: 180_000,
					intervalMs: 250,
					what: `all ${options.floodLines} flood lines on disk`,
				},
			);
		} finally {
			clearInterval(sizeTimer);
		}
		sampleSize();
		// zeek-tui has caught up when its pane shows the flood's last line.
		if (caughtUp === undefined) {
			await terminal.waitForText(lastLine, 60_000);
			noticeCatchUp(terminal.screen());
		}
		const floodEnd = sizes.find((sample) => sample.size >= check.endOffset!)!.at;
		const latencies = presses.map((press) => press.ms);
		const duringFlood = presses.filter((press) => press.sentAt < floodEnd).length;
		for (const [index, press] of presses.entries()) {
			if (!press.answered)
				log(`flood run ${run}: press ${index + 1} not answered in ${PRESS_TIMEOUT_MS} ms`);
		}
		await sleep(3000);
		const mem = memory(pid)!;
		await quit(session, 60_000);
		return {
			lines: check.lines,
			outOfOrder: check.outOfOrder,
			tuiPeak: mem.peak,
			tuiRssAfter: mem.rss,
			p50: percentile(latencies, 50),
			p95: percentile(latencies, 95),
			maxLatency: Math.max(...latencies),
			duringFlood,
			floodSeconds: (floodEnd - floodStart) / 1000,
			catchUpSeconds: (caughtUp! - floodStart) / 1000,
			tuiCpuSeconds: cpuAtCatchUp - cpuAtStart,
		};
	} finally {
		await session.close();
	}
}

export async function flood(
	options: FloodOptions,
	log: (line: string) => void,
): Promise<ScenarioResult> {
	const total = options.floodLines;
	const result: ScenarioResult = {
		scenario: `flood ${total} lines, ${options.nodes} nodes`,
		metrics: [
			{
				key: 'lines',
				label: 'flood lines on disk',
				unit: '',
				digits: 0,
				goal: atLeast(total, `= ${total}`),
			},
			{
				key: 'outOfOrder',
				label: 'lines missing/out of order',
				unit: '',
				digits: 0,
				goal: atMost(0, '= 0'),
			},
			{key: 'tuiPeak', label: 'zeek-tui RSS peak', unit: 'MB', goal: atMost(150 * MB, '≤ 150 MB')},
			{key: 'tuiRssAfter', label: 'zeek-tui RSS after', unit: 'MB'},
			{key: 'p50', label: 'keypress to screen p50', unit: 'ms', digits: 0},
			{
				key: 'p95',
				label: 'keypress to screen p95',
				unit: 'ms',
				digits: 0,
				goal: atMost(150, '≤ 150 ms'),
			},
			{key: 'duringFlood', label: `presses while writing (of ${PRESSES})`, unit: '', digits: 0},
			{key: 'floodSeconds', label: 'flood on disk after', unit: 's'},
			{key: 'catchUpSeconds', label: 'pane shows last line after', unit: 's'},
			{key: 'tuiCpuSeconds', label: 'zeek-tui CPU time to catch up', unit: 's', digits: 2},
		],
		runs: [],
		notes: [],
	};
	for (let run = 1; run <= options.runs; run++) {
		const figures = await floodRun(options, run, log);
		log(
			`flood run ${run}: ${figures.lines} lines, peak ${(figures.tuiPeak / MB).toFixed(1)} MB, ` +
				`p50 ${figures.p50.toFixed(0)} ms, p95 ${figures.p95.toFixed(0)} ms, ${figures.duringFlood}/${PRESSES} presses while writing`,
		);
		result.runs.push(figures);
	}
	return result;
}
