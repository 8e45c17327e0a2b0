// 1 and 2: the cost of watching a cluster whose nodes each print a line a second, zeek-tui
// against pm2 (daemon + `pm2 monit`) on the same workload, one after the other.
import {measureUsage, percentile, sleep} from '../measure.js';
import {startPm2} from '../pm2.js';
import {atMost, MB, type Metric, type ScenarioResult} from '../report.js';
import {keyLatencies, quit, startTui, upCount, waitAllRunning} from '../tui.js';

export type WatchOptions = {
	nodes: number[];
	runs: number;
	seconds: number;
	settleSeconds: number;
	pm2: boolean;
	cpuProfileDir?: string;
};

const SIM_ENV = {ZEEK_SIM_LINES_PER_SEC: '1'};

function metricsFor(nodes: number, pm2: boolean): Metric[] {
	const cpuGoal =
		nodes === 32 ? atMost(1, '≤ 1 %') : nodes === 128 ? atMost(3, '≤ 3 %') : undefined;
	const rssGoal = nodes === 32 ? atMost(120 * MB, '≤ 120 MB') : undefined;
	const metrics: Metric[] = [
		{key: 'tuiCpu', label: 'zeek-tui CPU', unit: '%', digits: 2, goal: cpuGoal},
		{key: 'tuiMainCpu', label: '  of which main thread', unit: '%', digits: 2},
		{key: 'tuiSysCpu', label: '  of which kernel (sys)', unit: '%', digits: 2},
		{key: 'tuiRss', label: 'zeek-tui RSS (median)', unit: 'MB', goal: rssGoal},
		// VmHWM, start-up included: a harness that reads the peak sees this one.
		{key: 'tuiPeak', label: 'zeek-tui RSS peak', unit: 'MB', goal: rssGoal},
		{key: 'startSeconds', label: 'all nodes running after', unit: 's'},
		{key: 'keyP50', label: 'keypress to screen p50', unit: 'ms', digits: 0},
		{key: 'keyP95', label: 'keypress to screen p95', unit: 'ms', digits: 0},
	];
	if (pm2) {
		metrics.push(
			{key: 'pm2DaemonCpu', label: 'pm2 daemon CPU', unit: '%', digits: 2},
			{key: 'pm2MonitCpu', label: 'pm2 monit CPU', unit: '%', digits: 2},
			{key: 'pm2Cpu', label: 'pm2 daemon + monit CPU', unit: '%', digits: 2},
			{key: 'pm2Rss', label: 'pm2 daemon + monit RSS', unit: 'MB'},
			{
				key: 'ratio',
				label: 'zeek-tui CPU / pm2 CPU',
				unit: '',
				digits: 3,
				goal: atMost(0.2, '≤ 0.2'),
			},
		);
	}
	return metrics;
}

async function watchTui(
	nodes: number,
	options: WatchOptions,
	run: number,
): Promise<Record<string, number>> {
	const session = await startTui({
		nodes,
		simEnv: SIM_ENV,
		label: `watch${nodes}`,
		cpuProfileDir: options.cpuProfileDir,
	});
	try {
		const startMs = await waitAllRunning(session, 30_000 + nodes * 1000);
		await sleep(options.settleSeconds * 1000);
		const [usage] = await measureUsage([session.pid], options.seconds);
		const count = upCount(session.terminal.screen());
		if (!count || count.up !== nodes) {
			throw new Error(
				`run ${run}: only ${count?.up}/${nodes} nodes running at the end of the window`,
			);
		}
		// After the window, so the presses do not count in it.
		const presses = await keyLatencies(session, {above: 'manager', below: 'logger-1', presses: 20});
		const latencies = presses.map((press) => press.ms);
		await quit(session, 60_000 + nodes * 500);
		return {
			tuiCpu: usage!.cpuPercent,
			tuiMainCpu: usage!.mainThreadPercent,
			tuiSysCpu: usage!.systemPercent,
			tuiRss: usage!.rss,
			tuiPeak: usage!.peak,
			startSeconds: startMs / 1000,
			keyP50: percentile(latencies, 50),
			keyP95: percentile(latencies, 95),
		};
	} finally {
		await session.close();
	}
}

async function watchPm2(nodes: number, options: WatchOptions): Promise<Record<string, number>> {
	const session = await startPm2({nodes, simEnv: SIM_ENV, label: `watch${nodes}`});
	try {
		await sleep(options.settleSeconds * 1000);
		const [daemon, monit] = await measureUsage(
			[session.daemonPid, session.monitPid],
			options.seconds,
		);
		return {
			pm2DaemonCpu: daemon!.cpuPercent,
			pm2MonitCpu: monit!.cpuPercent,
			pm2Cpu: daemon!.cpuPercent + monit!.cpuPercent,
			pm2Rss: daemon!.rss + monit!.rss,
		};
	} finally {
		await session.close();
	}
}

export async function watch(
	options: WatchOptions,
	log: (line: string) => void,
): Promise<ScenarioResult[]> {
	const results = new Map<number, ScenarioResult>();
	for (const nodes of options.nodes) {
		results.set(nodes, {
			scenario: `watch ${nodes} nodes`,
			metrics: metricsFor(nodes, options.pm2),
			runs: [],
			notes: [],
		});
	}
	// Runs interleave node counts, so a slow spell of the shared machine spreads over all of them.
	for (let run = 1; run <= options.runs; run++) {
		for (const nodes of options.nodes) {
			const figures = await watchTui(nodes, options, run);
			log(
				`watch ${nodes} nodes, run ${run}: zeek-tui ${figures.tuiCpu!.toFixed(2)} % CPU, ${(figures.tuiRss! / MB).toFixed(1)} MB`,
			);
			if (options.pm2) {
				Object.assign(figures, await watchPm2(nodes, options));
				figures.ratio = figures.tuiCpu! / figures.pm2Cpu!;
				log(
					`watch ${nodes} nodes, run ${run}: pm2 ${figures.pm2Cpu!.toFixed(2)} % CPU (daemon ${figures.pm2DaemonCpu!.toFixed(2)}, monit ${figures.pm2MonitCpu!.toFixed(2)})`,
				);
			}
			results.get(nodes)!.runs.push(figures);
		}
	}
	return [...results.values()];
}
