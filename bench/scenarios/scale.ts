// 5: a big box: 256 nodes, mostly workers. The table must scroll (↓N marker, the selection kept
// in view past the viewport), and sampling plus rendering must stay cheap.
import {measureUsage, sleep} from '../measure.js';
import {atLeast, atMost, MB, type ScenarioResult} from '../report.js';
import {quit, rowOf, select, selectedNode, startTui, upCount, waitAllRunning} from '../tui.js';

export type ScaleOptions = {
	nodes: number;
	runs: number;
	seconds: number;
	settleSeconds: number;
	cpuProfileDir?: string;
};

/** What the table shows: its visible rows and the scroll markers of its title line. */
function tableView(screen: string, names: readonly string[]) {
	const title = screen.split('\n').find((line) => /^\s+NODE\s+TYPE\s+STATE/.test(line)) ?? '';
	const visible = names.filter((name) => rowOf(screen, name) !== undefined);
	return {
		above: Number(/↑(\d+)/.exec(title)?.[1] ?? 0),
		below: Number(/↓(\d+)/.exec(title)?.[1] ?? 0),
		visible,
	};
}

async function scaleRun(options: ScaleOptions, run: number, log: (line: string) => void) {
	const session = await startTui({
		nodes: options.nodes,
		label: `scale${options.nodes}`,
		cpuProfileDir: options.cpuProfileDir,
		simEnv: {ZEEK_SIM_LINES_PER_SEC: '1'},
	});
	try {
		const {terminal, names} = session;
		const startMs = await waitAllRunning(session, 60_000 + options.nodes * 1000);
		await sleep(options.settleSeconds * 1000);
		const [usage] = await measureUsage([session.pid], options.seconds);
		const count = upCount(terminal.screen());
		if (count?.up !== options.nodes)
			throw new Error(`only ${count?.up}/${options.nodes} running after the window`);

		// The first screen: the top of the table and a ↓N marker for the rows below it.
		const top = tableView(terminal.screen(), names);
		const markerRight = top.below > 0 && top.below === names.length - top.visible.length;
		// j, one press at a time, to a node five rows past the viewport: it must be on screen and
		// selected, with ↑N now counting the rows scrolled off the top.
		const target = names[Math.min(names.length - 1, top.visible.length + 5)]!;
		await select(session, target, 120_000);
		const screen = terminal.screen();
		const scrolled = tableView(screen, names);
		const followed =
			selectedNode(screen) === target && scrolled.visible.includes(target) && scrolled.above > 0;
		if (!markerRight || !followed) {
			log(
				`scale run ${run}: marker ↓${top.below} with ${top.visible.length} rows shown; after j to ${target}: ↑${scrolled.above}, selected ${selectedNode(screen)}`,
			);
		}
		const {ms: stopMs} = await quit(session, 120_000 + options.nodes * 500);
		return {
			tuiCpu: usage!.cpuPercent,
			tuiMainCpu: usage!.mainThreadPercent,
			tuiSysCpu: usage!.systemPercent,
			tuiRss: usage!.rss,
			tuiPeak: usage!.peak,
			startSeconds: startMs / 1000,
			rowsShown: top.visible.length,
			marker: markerRight ? 1 : 0,
			followed: followed ? 1 : 0,
			stopSeconds: stopMs / 1000,
		};
	} finally {
		await session.close();
	}
}

export async function scale(
	options: ScaleOptions,
	log: (line: string) => void,
): Promise<ScenarioResult> {
	const result: ScenarioResult = {
		scenario: `scale ${options.nodes} nodes`,
		metrics: [
			{key: 'tuiCpu', label: 'zeek-tui CPU', unit: '%', digits: 2, goal: atMost(5, '< 5 %')},
			{key: 'tuiMainCpu', label: '  of which main thread', unit: '%', digits: 2},
			{key: 'tuiSysCpu', label: '  of which kernel (sys)', unit: '%', digits: 2},
			{key: 'tuiRss', label: 'zeek-tui RSS (median)', unit: 'MB'},
			{key: 'tuiPeak', label: 'zeek-tui RSS peak', unit: 'MB'},
			{key: 'startSeconds', label: 'all nodes running after', unit: 's'},
			{key: 'rowsShown', label: 'table rows on screen', unit: '', digits: 0},
			{
				key: 'marker',
				label: '↓N marker = rows below (1 = yes)',
				unit: '',
				digits: 0,
				goal: atLeast(1, '= 1'),
			},
			{
				key: 'followed',
				label: 'j past viewport keeps selection (1 = yes)',
				unit: '',
				digits: 0,
				goal: atLeast(1, '= 1'),
			},
			{key: 'stopSeconds', label: 'q y to zeek-tui exited', unit: 's'},
		],
		runs: [],
		notes: [],
	};
	for (let run = 1; run <= options.runs; run++) {
		const figures = await scaleRun(options, run, log);
		log(
			`scale run ${run}: zeek-tui ${figures.tuiCpu.toFixed(2)} % CPU, ${(figures.tuiRss / MB).toFixed(1)} MB, scroll ${figures.marker && figures.followed ? 'ok' : 'FAILED'}`,
		);
		result.runs.push(figures);
	}
	return result;
}
