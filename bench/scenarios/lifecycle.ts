// 4: how long the operator waits for the cluster to come up, for one node's restart and for a
// full stop, and what each costs zeek-tui itself next to what it costs the simulated nodes.
import {waitFor} from '../../test/helpers/processes.js';
import {sleep} from '../measure.js';
import {CpuAccount, cpuTimes, processesUnder} from '../proc.js';
import {atMost, type ScenarioResult} from '../report.js';
import {isRunning, quit, rowOf, select, startTui, waitAllRunning, type TuiSession} from '../tui.js';

export type LifecycleOptions = {nodes: number; runs: number; cpuProfileDir?: string};

const RESTARTED = 'worker-1';

/** Polls zeek-tui's own CPU time and the nodes' (every process in the spool) every 20 ms. */
class Poller {
	tui = 0;
	nodes: CpuAccount;
	private timer?: NodeJS.Timeout;

	constructor(
		private session: TuiSession,
		fromZero: boolean,
	) {
		this.nodes = new CpuAccount({fromZero});
		this.poll();
		const tick = () => {
			this.poll();
			this.timer = setTimeout(tick, 20);
		};
		this.timer = setTimeout(tick, 20);
	}

	poll(): void {
		const times = cpuTimes(this.session.pid);
		if (times) this.tui = times.own;
		this.nodes.poll(processesUnder(this.session.spool));
	}

	stop(): void {
		clearTimeout(this.timer);
		this.poll();
	}
}

/** NODE TYPE STATE PID ... of a table row. */
function parseRow(row: string | undefined): {state: string; pid: number} | undefined {
	if (!row) return undefined;
	const [, , state, pid] = row.slice(2).trim().split(/\s+/);
	return state ? {state, pid: Number(pid)} : undefined;
}

async function lifecycleRun(options: LifecycleOptions) {
	const session = await startTui({
		nodes: options.nodes,
		label: 'lifecycle',
		cpuProfileDir: options.cpuProfileDir,
		simEnv: {ZEEK_SIM_LINES_PER_SEC: '1'},
	});
	try {
		const {terminal} = session;
		// Start: zeek-tui's time counts from its birth (loading included), the nodes' from theirs.
		const starting = new Poller(session, true);
		const startMs = await waitAllRunning(session, 30_000 + options.nodes * 1000);
		starting.stop();
		const start = {tui: starting.tui, nodes: starting.nodes.seconds()};
		await sleep(3000);

		await select(session, RESTARTED);
		const before = parseRow(rowOf(terminal.screen(), RESTARTED));
		if (before?.state !== 'running')
			throw new Error(`${RESTARTED} is not running before its restart`);
		const restarting = new Poller(session, false);
		const tuiBefore = restarting.tui;
		const restartStart = performance.now();
		terminal.press('r');
		await waitFor(
			() => {
				const now = parseRow(rowOf(terminal.screen(), RESTARTED));
				return now?.state === 'running' && now.pid !== before.pid;
			},
			{timeoutMs: 30_000, intervalMs: 10, what: `${RESTARTED} running again with a new pid`},
		);
		const restartMs = performance.now() - restartStart;
		restarting.stop();
		const restart = {tui: restarting.tui - tuiBefore, nodes: restarting.nodes.seconds()};
		await sleep(2000);

		const stopping = new Poller(session, false);
		const tuiBeforeStop = stopping.tui;
		const {ms: stopMs} = await quit(session, 60_000 + options.nodes * 500);
		stopping.stop();
		const stop = {tui: stopping.tui - tuiBeforeStop, nodes: stopping.nodes.seconds()};
		const left = processesUnder(session.spool).length + (isRunning(session.pid) ? 1 : 0);
		return {
			startSeconds: startMs / 1000,
			startTuiCpu: start.tui,
			startNodesCpu: start.nodes,
			restartSeconds: restartMs / 1000,
			restartTuiCpu: restart.tui,
			restartNodesCpu: restart.nodes,
			stopSeconds: stopMs / 1000,
			stopTuiCpu: stop.tui,
			stopNodesCpu: stop.nodes,
			left,
		};
	} finally {
		await session.close();
	}
}

export async function lifecycle(
	options: LifecycleOptions,
	log: (line: string) => void,
): Promise<ScenarioResult> {
	const result: ScenarioResult = {
		scenario: `lifecycle ${options.nodes} nodes`,
		metrics: [
			{key: 'startSeconds', label: 'launch to all running', unit: 's', digits: 2},
			{key: 'startTuiCpu', label: '  zeek-tui CPU time', unit: 's', digits: 2},
			{key: 'startNodesCpu', label: '  nodes CPU time', unit: 's', digits: 2},
			{key: 'restartSeconds', label: `r to ${RESTARTED} running again`, unit: 's', digits: 2},
			{key: 'restartTuiCpu', label: '  zeek-tui CPU time', unit: 's', digits: 2},
			{key: 'restartNodesCpu', label: '  nodes CPU time', unit: 's', digits: 2},
			{key: 'stopSeconds', label: 'q y to zeek-tui exited', unit: 's', digits: 2},
			{key: 'stopTuiCpu', label: '  zeek-tui CPU time', unit: 's', digits: 2},
			{key: 'stopNodesCpu', label: '  nodes CPU time', unit: 's', digits: 2},
			{
				key: 'left',
				label: 'processes left after exit',
				unit: '',
				digits: 0,
				goal: atMost(0, '= 0'),
			},
		],
		runs: [],
		notes: [
			'CPU times are polled every 20 ms: a node that exits loses at most its last 20 ms; ' +
				"zeek-tui's time at start includes loading node and its modules.",
		],
	};
	for (let run = 1; run <= options.runs; run++) {
		const figures = await lifecycleRun(options);
		log(
			`lifecycle run ${run}: start ${figures.startSeconds.toFixed(2)} s, restart ${figures.restartSeconds.toFixed(2)} s, ` +
				`stop ${figures.stopSeconds.toFixed(2)} s`,
		);
		result.runs.push(figures);
	}
	return result;
}
