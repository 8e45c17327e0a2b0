// The whole screen through Ink (ink-testing-library), against the FAKE in-memory ClusterClient.
import {afterEach, describe, expect, test, vi} from 'vitest';
import {cleanup, render} from 'ink-testing-library';
import {setTimeout as delay} from 'node:timers/promises';
import chalk from 'chalk';
import stripAnsi from 'strip-ansi';
import {App} from '../source/app.js';
import {KEY_HELP} from '../source/ui/key-help.js';
import {INFO_MESSAGE_MS} from '../source/ui/use-screen-state.js';
import {FakeClusterClient, fakeNode, sampleSnapshot} from './fake-cluster-client.js';
import {eventually, frameLines, KEY, press} from './ui-helpers.js';

afterEach(() => {
	cleanup();
});

const NOW = 1_700_000_000_000;
const clock = () => NOW;

function renderApp(client = new FakeClusterClient(), size = {columns: 100, rows: 30}) {
	const view = render(
		<App client={client} columns={size.columns} rows={size.rows} clock={clock} />,
	);
	return {client, ...view, lines: () => frameLines(view.lastFrame())};
}

/** Makes the client's stopAll hang until the returned function is called. */
function stopsWhenTold(client: FakeClusterClient): () => void {
	let finish = () => {};
	client.stopAllResult = () => new Promise<void>((resolve) => (finish = resolve));
	return () => finish();
}

/** The table row of `node` (its first cell is the node name, after the selection marker). */
const rowOf = (lines: string[], node: string) =>
	lines.find((line) => line.slice(2).startsWith(`${node} `));

describe('header and node table', () => {
	test('rows in snapshot order, columns in the contract order, first row selected', () => {
		const snapshot = sampleSnapshot();
		snapshot.nodes[0] = {
			...snapshot.nodes[0]!,
			startedAt: NOW - (12 * 60_000 + 3_000),
			usage: {cpu: 10, memory: 40 * 1024 * 1024},
			cpus: [0, 1],
		};
		snapshot.nodes[2] = {...snapshot.nodes[2]!, state: 'crashed', pid: undefined, restarts: 3};
		snapshot.nodes[4] = {...snapshot.nodes[4]!, state: 'stopping', killAt: NOW + 11_500};
		snapshot.nodes[3] = {...snapshot.nodes[3]!, usage: {cpu: 2.5, memory: 8.2 * 1024 * 1024}};
		const {lines} = renderApp(new FakeClusterClient(snapshot));
		const frame = lines();

		expect(frame[0]).toContain('nodes 3/5 up');
		expect(frame[0]).toContain('CPU 12.5%');
		expect(frame[0]).toContain('MEM 48.2M');
		expect(frame[0]).toContain('/var/spool/zeek');
		expect(frame[1]!.trim().split(/\s+/)).toEqual([
			'NODE',
			'TYPE',
			'STATE',
			'PID',
			'CPU%',
			'MEM',
			'UPTIME',
			'RESTARTS',
			'CPUS',
		]);
		expect(frame.slice(2, 7).map((line) => line.slice(2).split(' ')[0])).toEqual([
			'manager',
			'logger-1',
			'proxy-1',
			'worker-1',
			'worker-2',
		]);
		expect(frame[2]!.startsWith('› manager')).toBe(true);
		expect(frame.filter((line) => line.startsWith('›'))).toHaveLength(1);
		expect(rowOf(frame, 'manager')!.split(/\s+/).slice(1)).toEqual([
			'manager',
			'manager',
			'running',
			'1001',
			'10.0',
			'40.0M',
			'12m03s',
			'0',
			'0-1',
		]);
		expect(rowOf(frame, 'proxy-1')).toMatch(/proxy\s+crashed\s+-\s+-\s+-\s+-\s+3\s+-$/);
		expect(rowOf(frame, 'worker-2')).toContain('stopping 12s');
		expect(frame.at(-1)).toContain('q quit');
	});

	test('PKTS/S and DROP% appear once a worker has metrics, with - for the others', async () => {
		const client = new FakeClusterClient();
		const {lines} = renderApp(client, {columns: 80, rows: 24});
		expect(lines()[1]).not.toContain('PKTS/S');
		// The manager's metrics port answers too, with zeros that mean nothing: still `-`.
		client.updateNode('manager', {metrics: {at: NOW, packetsPerSecond: 0, dropPercent: 0}});
		client.updateNode('worker-1', {metrics: {at: NOW, packetsPerSecond: 1500, dropPercent: 0.25}});
		await eventually(() => {
			const frame = lines();
			expect(frame[1]!.trim().split(/\s+/).slice(-2)).toEqual(['PKTS/S', 'DROP%']);
			expect(rowOf(frame, 'worker-1')).toMatch(/1\.5k\s+0\.25$/);
			expect(rowOf(frame, 'manager')).toMatch(/running.*-\s+-$/);
			expect(rowOf(frame, 'worker-2')).toMatch(/running.*-\s+-$/);
		});
	});

	test('the header sums the workers; drops over 1 % and lag over 5 s are marked in text and colour', async () => {
		const level = chalk.level;
		chalk.level = 1;
		try {
			const client = new FakeClusterClient();
			client.updateNode('manager', {metrics: {at: NOW, packetsPerSecond: 0, dropPercent: 0}});
			client.updateNode('worker-1', {
				metrics: {at: NOW, packetsPerSecond: 1000, droppedPerSecond: 0, dropPercent: 0},
			});
			client.updateNode('worker-2', {
				metrics: {
					at: NOW,
					packetsPerSecond: 2960,
					droppedPerSecond: 40,
					dropPercent: 40 / 30,
					lagSeconds: 7.5,
				},
			});
			// Without colour (NO_COLOR) the marks are still there.
			const plain = render(<App client={client} columns={80} rows={24} clock={clock} noColor />);
			await eventually(() => {
				const frame = frameLines(stripAnsi(plain.lastFrame() ?? ''));
				// eslint-disable-next-line no-control-regex -- looking for colour codes is the point
				expect(plain.lastFrame()).not.toMatch(/\u001B\[(3\d|9\d)m/);
				expect(frame[0]).toContain('PKTS/S 4.0k  DROP 1.00%  LAG 7.50s!');
				// At 80 columns there is no LAG column: the lagging worker's rate carries the mark.
				expect(rowOf(frame, 'worker-2')).toMatch(/3\.0k! +1\.33!$/);
				expect(rowOf(frame, 'worker-1')).toMatch(/1\.0k +0\.00$/);
			});
			// Over 1 % for the cluster as a whole: the header's drop share is marked too.
			client.updateNode('worker-1', {
				metrics: {at: NOW, packetsPerSecond: 1000, droppedPerSecond: 40, dropPercent: 40 / 10.4},
			});
			await eventually(() =>
				expect(stripAnsi(plain.lastFrame() ?? '')).toContain('PKTS/S 4.0k  DROP 1.98%!  LAG'),
			);
			const wide = render(<App client={client} columns={120} rows={30} clock={clock} noColor />);
			await eventually(() => {
				const frame = frameLines(stripAnsi(wide.lastFrame() ?? ''));
				expect(frame[1]!.trim().split(/\s+/).slice(-3)).toEqual(['PKTS/S', 'DROP%', 'LAG']);
				expect(rowOf(frame, 'worker-2')).toMatch(/3\.0k +1\.33! +7\.50s!$/);
			});
			const coloured = render(<App client={client} columns={120} rows={30} clock={clock} />);
			await eventually(() => {
				expect(coloured.lastFrame()).toContain('\u001B[31m1.33!');
				expect(coloured.lastFrame()).toContain('\u001B[31m7.50s!');
			});
		} finally {
			chalk.level = level;
		}
	});

	test('the selected row is marked and kept in view when the table scrolls', async () => {
		const snapshot = sampleSnapshot();
		for (let index = 3; index <= 40; index++)
			snapshot.nodes.push(fakeNode(`worker-${index}`, 'worker'));
		const {stdin, lines} = renderApp(new FakeClusterClient(snapshot), {columns: 100, rows: 24});
		expect(lines()).toHaveLength(23);
		expect(rowOf(lines(), 'worker-40')).toBeUndefined();
		await press(stdin, '\u001B[F');
		await eventually(() => {
			expect(rowOf(lines(), 'worker-40')?.startsWith('›')).toBe(true);
			expect(rowOf(lines(), 'manager')).toBeUndefined();
			expect(lines()[1]).toMatch(/↑\d+$/);
		});
		expect(lines()).toHaveLength(23);
	});

	test('state colours, and none under NO_COLOR while the selection stays inverse', () => {
		const level = chalk.level;
		chalk.level = 1;
		try {
			const client = new FakeClusterClient();
			client.updateNode('worker-1', {state: 'crashed'});
			const coloured = render(<App client={client} columns={100} rows={30} clock={clock} />);
			expect(coloured.lastFrame()).toContain('\u001B[32mrunning');
			expect(coloured.lastFrame()).toContain('\u001B[31mcrashed');
			const plain = render(<App client={client} columns={100} rows={30} clock={clock} noColor />);
			// eslint-disable-next-line no-control-regex -- looking for control characters is the point
			expect(plain.lastFrame()).not.toMatch(/\u001B\[(3\d|9\d)m/);
			expect(plain.lastFrame()).toContain('\u001B[7m› manager');
		} finally {
			chalk.level = level;
		}
	});
});

describe('clock', () => {
	test('x with a 60 s timeout: the countdown starts at 60s, never above, even mid-second', async () => {
		// The render clock is most of a second past the last tick when the stop lands.
		let now = NOW;
		const client = new FakeClusterClient();
		client.updateNode('worker-1', {startedAt: NOW - 10_000});
		const view = render(<App client={client} columns={100} rows={30} clock={() => now} />);
		now += 999;
		client.updateNode('worker-1', {state: 'stopping', killAt: now + 60_000});
		const seen = new Set<string>();
		const countdown = () => {
			const match = /stopping (\d+)s/.exec(rowOf(frameLines(view.lastFrame()), 'worker-1') ?? '');
			if (match) seen.add(match[1]!);
			return match?.[1];
		};
		await eventually(() => expect(countdown()).toBe('60'));
		for (const step of [1, 400, 600, 1]) {
			now += step;
			client.updateNode('worker-2', {restarts: step});
			await eventually(() =>
				expect(rowOf(frameLines(view.lastFrame()), 'worker-2')).toMatch(` ${step} `),
			);
			countdown();
		}
		expect([...seen]).toEqual(['60', '59']);
	});

	test('uptimes and countdowns tick once a second while shown', async () => {
		let now = NOW;
		const client = new FakeClusterClient();
		client.updateNode('manager', {startedAt: NOW - 44_000});
		client.updateNode('worker-1', {state: 'backoff', restartAt: NOW + 8_000});
		const view = render(<App client={client} columns={100} rows={30} clock={() => now} />);
		const lines = () => frameLines(view.lastFrame());
		expect(rowOf(lines(), 'manager')).toContain(' 44s ');
		expect(rowOf(lines(), 'worker-1')).toContain('backoff 8s');
		now += 2_000;
		await eventually(() => {
			expect(rowOf(lines(), 'manager')).toContain(' 46s ');
			expect(rowOf(lines(), 'worker-1')).toContain('backoff 6s');
		});
	});

	test('a render for a new snapshot reads the clock afresh (countdowns never lag)', async () => {
		let now = NOW;
		const client = new FakeClusterClient();
		client.updateNode('worker-1', {state: 'stopping', killAt: NOW + 5_000});
		const view = render(<App client={client} columns={100} rows={30} clock={() => now} />);
		expect(rowOf(frameLines(view.lastFrame()), 'worker-1')).toContain('stopping 5s');
		now += 600;
		client.updateNode('worker-2', {restarts: 1});
		await eventually(() => expect(rowOf(frameLines(view.lastFrame()), 'worker-2')).toMatch(/ 1 /));
		expect(rowOf(frameLines(view.lastFrame()), 'worker-1')).toContain('stopping 5s');
		now += 500;
		client.updateNode('worker-2', {restarts: 2});
		await eventually(() => expect(rowOf(frameLines(view.lastFrame()), 'worker-2')).toMatch(/ 2 /));
		expect(rowOf(frameLines(view.lastFrame()), 'worker-1')).toContain('stopping 4s');
	});

	test('nothing re-renders on its own when no uptime or countdown is on screen', async () => {
		const snapshot = sampleSnapshot();
		snapshot.nodes = snapshot.nodes.map((node) => ({...node, state: 'stopped', pid: undefined}));
		const {frames} = render(
			<App client={new FakeClusterClient(snapshot)} columns={100} rows={30} clock={Date.now} />,
		);
		await delay(100);
		const settled = frames.length;
		await delay(1_500);
		expect(frames.length).toBe(settled);
	});
});

describe('keys send commands for the selected node', () => {
	test('r s x X go to the selected node; j j j selects the fourth row', async () => {
		const client = new FakeClusterClient();
		client.updateNode('worker-1', {state: 'stopped'});
		const {stdin, lines} = renderApp(client);
		await press(stdin, 'r');
		await press(stdin, 'j', 'j', 'j');
		await eventually(() => expect(rowOf(lines(), 'worker-1')?.startsWith('›')).toBe(true));
		await press(stdin, 's');
		client.updateNode('worker-1', {state: 'running'});
		await press(stdin, 'r', 'x');
		client.updateNode('worker-1', {state: 'stopping'});
		await press(stdin, 'X');
		expect(client.commands).toEqual([
			{command: 'restart', node: 'manager'},
			{command: 'start', node: 'worker-1'},
			{command: 'restart', node: 'worker-1'},
			{command: 'stop', node: 'worker-1'},
			{command: 'kill', node: 'worker-1'},
		]);
		await eventually(() => expect(lines().at(-2)).toContain('Killing worker-1'));
	});

	test('keys arriving in one read (fast typing, key repeat) each count', async () => {
		const {client, stdin, lines} = renderApp();
		await press(stdin, 'jjjr');
		expect(client.commands).toEqual([{command: 'restart', node: 'worker-1'}]);
		await press(stdin, '/xq\r');
		expect(client.commands).toHaveLength(1);
		// Esc clears the filter; Enter, Tab and Ctrl-C inside a run of text count too.
		await press(stdin, KEY.escape, 'jjk\r\t');
		await eventually(() =>
			expect(lines().some((line) => line.startsWith('▶ logger-1 ─'))).toBe(true),
		);
		await press(stdin, 'x\u0003y');
		expect(client.commands).toEqual([
			{command: 'restart', node: 'worker-1'},
			{command: 'stop', node: 'logger-1'},
			{command: 'stopAll'},
		]);
	});

	test('an info message goes away after a while; an error stays until the next key', async () => {
		const client = new FakeClusterClient();
		client.restart = () => {
			throw new Error('no such node');
		};
		const {stdin, lines} = renderApp(client);
		vi.useFakeTimers({toFake: ['setTimeout', 'clearTimeout']});
		try {
			await press(stdin, 'x');
			await eventually(() => expect(lines().at(-2)).toContain('Stopping manager…'));
			vi.advanceTimersByTime(INFO_MESSAGE_MS);
			await eventually(() => expect(lines().at(-2)).toBe(''));
			await press(stdin, 'r');
			await eventually(() => expect(lines().at(-2)).toContain('error: no such node'));
			vi.advanceTimersByTime(INFO_MESSAGE_MS * 2);
			await delay(50);
			expect(lines().at(-2)).toContain('error: no such node');
		} finally {
			vi.useRealTimers();
		}
	});

	test('arrow keys select too; s on a running node explains instead of sending', async () => {
		const {client, stdin, lines} = renderApp();
		await press(stdin, KEY.down, KEY.down, KEY.up);
		await press(stdin, 's');
		expect(client.commands).toEqual([]);
		await eventually(() => expect(lines().at(-2)).toContain('logger-1 is running'));
	});
});

describe('node details', () => {
	const detailed = () => {
		const client = new FakeClusterClient();
		client.updateNode('worker-1', {
			pid: 4242,
			restarts: 2,
			startedAt: NOW - 65_000,
			cpus: [1],
			pin: [1],
			argv: ['taskset', '-c', '1', '/usr/bin/zeek', '-i', 'af_packet::eth0', '-C', 'local'],
			cwd: '/var/spool/zeek/worker-1',
			usage: {cpu: 40, memory: 300 * 1024 ** 2},
			metrics: {
				at: NOW,
				packetsPerSecond: 1000,
				dropPercent: 0.5,
				lagSeconds: 0.01,
				activeSessions: 151,
			},
			history: {
				cpu: [0, 20, 40, 60, 80, 100],
				memory: [100, 200, 300].map((mb) => mb * 1024 ** 2),
				packetsPerSecond: [500, 1000],
			},
			exits: [
				{at: NOW - 600_000, code: 0, signal: null, requested: true},
				{at: NOW - 70_000, code: null, signal: 'SIGABRT', requested: false},
			],
		});
		client.crashReportFiles['worker-1'] = [
			{
				file: '/var/spool/zeek/.zeek-tui/crashes/worker-1-2023-11-14T22-12-10.000Z.txt',
				at: NOW - 70_000,
				text: [
					'node: worker-1',
					'exit: signal SIGABRT',
					'--- last 50 lines of stderr.log ---',
					...Array.from({length: 40}, (_, index) => `stderr line ${index + 1}`),
				].join('\n'),
			},
		];
		return client;
	};

	test('i shows argv, cwd, pid, CPUs, exits, metrics, sparklines and the crash report; Esc closes', async () => {
		const {client, stdin, lines} = renderApp(detailed(), {columns: 80, rows: 24});
		await press(stdin, 'j', 'j', 'j', 'i');
		await eventually(() => expect(lines().join('\n')).toContain('worker-1 (worker)'));
		const frame = lines().join('\n');
		expect(frame).toContain('state     running  pid 4242  uptime 1m05s  restarts 2');
		expect(frame).toContain('cpus      1  (pinned to 1)');
		expect(frame).toContain('cwd       /var/spool/zeek/worker-1');
		expect(frame).toContain('argv      taskset -c 1 /usr/bin/zeek -i af_packet::eth0 -C local');
		expect(frame).toContain('PKTS/S 1.0k  DROP 0.50%  LAG 0.01s  sessions 151');
		expect(frame).toMatch(/CPU% +▁▂▄▅▇█ +now 100\.0%/);
		expect(frame).toMatch(/MEM +▃▆█ +now 300\.0M/);
		expect(frame).toContain('signal SIGABRT  (1m10s ago)');
		expect(frame).toContain('code 0, requested  (10m00s ago)');
		expect(frame).toContain('worker-1-2023-11-14T22-12-10.000Z.txt');
		expect(frame).toContain('exit: signal SIGABRT');
		expect(client.crashReportReads).toContain('worker-1');
		expect(lines()).toHaveLength(23);
		for (const line of lines()) expect(line.length).toBeLessThanOrEqual(80);
		// The table is covered; the report scrolls to its end.
		expect(rowOf(lines(), 'manager')).toBeUndefined();
		expect(frame).not.toContain('stderr line 40');
		await press(stdin, KEY.pageDown, KEY.pageDown, KEY.pageDown, KEY.pageDown);
		await eventually(() => expect(lines().join('\n')).toContain('stderr line 40'));

		// Keys inside send nothing to the cluster; Esc goes back to the table, selection kept.
		await press(stdin, 'r', 'x', KEY.escape);
		await eventually(() => expect(rowOf(lines(), 'worker-1')?.startsWith('›')).toBe(true));
		expect(lines().join('\n')).not.toContain('worker-1 (worker)');
		expect(client.commands).toEqual([]);
	});

	test('q and i close the details too; q never quits from there', async () => {
		const {client, stdin, lines} = renderApp(detailed());
		for (const key of ['q', 'i']) {
			await press(stdin, 'i');
			await eventually(() => expect(lines().join('\n')).toContain('manager (manager)'));
			expect(lines().join('\n')).toContain('no crash report');
			await press(stdin, key);
			await eventually(() => expect(rowOf(lines(), 'manager')).toBeDefined());
			expect(lines().join('\n')).not.toContain('Stop the cluster and quit?');
		}
		expect(client.commands).toEqual([]);
	});

	test('a crash while the details are open brings its report in', async () => {
		const client = detailed();
		const {stdin, lines} = renderApp(client);
		await press(stdin, 'j', 'j', 'j', 'j', 'i');
		await eventually(() => expect(lines().join('\n')).toContain('no crash report'));
		client.crashReportFiles['worker-2'] = [
			{
				file: '/x/worker-2-2023-11-14T22-13-19.000Z.txt',
				at: NOW - 1000,
				text: 'exit: signal SIGSEGV',
			},
		];
		client.updateNode('worker-2', {
			state: 'backoff',
			restartAt: NOW + 2000,
			exits: [{at: NOW - 1000, code: null, signal: 'SIGSEGV', requested: false}],
		});
		await eventually(() => {
			const frame = lines().join('\n');
			expect(frame).toContain('exit: signal SIGSEGV');
			expect(frame).toContain('backoff 2s');
		});
	});

	test('i is in the help and, with room, in the footer', async () => {
		const {stdin, lines} = renderApp(new FakeClusterClient(), {columns: 120, rows: 30});
		expect(lines().at(-1)).toContain('i detail');
		await press(stdin, '?');
		await eventually(() =>
			expect(lines().join('\n')).toMatch(
				/│ i +details: argv, cwd, exits, crash reports, history; Esc closes/,
			),
		);
		expect(lines().join('\n')).toContain('! marks drops over 1% or a lag over 5 s');
	});

	test('help still fits at 80x24 with the new key', async () => {
		const {stdin, lines} = renderApp(new FakeClusterClient(), {columns: 80, rows: 24});
		await press(stdin, '?');
		await eventually(() => expect(lines().join('\n')).toContain('Ctrl-C'));
		for (const entry of KEY_HELP) expect(lines().join('\n')).toContain(entry.action);
		expect(lines()).toHaveLength(23);
	});
});

describe('history in the table', () => {
	test('at 120 columns a CPU history column with sparklines; not at 80', async () => {
		const client = new FakeClusterClient();
		client.updateNode('manager', {history: {cpu: [0, 50, 100], memory: [], packetsPerSecond: []}});
		const wide = renderApp(client, {columns: 120, rows: 30});
		await eventually(() => expect(wide.lines()[1]).toMatch(/CPUS +CPU HISTORY$/));
		expect(rowOf(wide.lines(), 'manager')).toMatch(/ ▁▅█$/);
		const narrow = render(<App client={client} columns={80} rows={24} clock={clock} />);
		expect(frameLines(narrow.lastFrame())[1]).not.toContain('HISTORY');
	});
});

describe('dialogs', () => {
	test('q asks, q inside the dialog closes it, y shows the stop and calls stopAll, then exits', async () => {
		const {client, stdin, lines} = renderApp();
		const finishStop = stopsWhenTold(client);

		await press(stdin, 'q');
		await eventually(() =>
			expect(lines().join('\n')).toContain('Stop the cluster and quit? (y/n)'),
		);
		await press(stdin, 'q');
		await eventually(() => expect(lines().join('\n')).not.toContain('Stop the cluster and quit?'));
		await press(stdin, 'q', 'n');
		await eventually(() => expect(lines().join('\n')).not.toContain('Stop the cluster and quit?'));
		expect(client.commands).toEqual([]);

		await press(stdin, 'q', 'y');
		await eventually(() =>
			expect(lines().join('\n')).toContain('Stopping the cluster… Ctrl-C kills now.'),
		);
		expect(client.commands).toEqual([{command: 'stopAll'}]);
		// Still stopping: other keys do nothing, the app is still there.
		await press(stdin, 'r', 'q', 'y');
		expect(client.commands).toEqual([{command: 'stopAll'}]);
		expect(client.listenerCount).toBe(1);
		finishStop();
		// Exiting unmounts the app, which unsubscribes from the client.
		await eventually(() => expect(client.listenerCount).toBe(0));
	});

	test('Ctrl-C asks what q asks; y stops the cluster and exits, closing the open logs', async () => {
		const {client, stdin, lines} = renderApp();
		await press(stdin, KEY.enter);
		await eventually(() => expect(client.openLogsOf('manager')).toHaveLength(1));
		await press(stdin, KEY.ctrlC);
		await eventually(() =>
			expect(lines().join('\n')).toContain('Stop the cluster and quit? (y/n)'),
		);
		await press(stdin, KEY.ctrlC);
		expect(client.commands).toEqual([]);
		await press(stdin, 'y');
		expect(client.commands).toEqual([{command: 'stopAll'}]);
		await eventually(() => expect(client.listenerCount).toBe(0));
		expect(client.openedLogs.every((source) => source.closed)).toBe(true);
	});

	test('while stopping: the stage, the seconds to SIGKILL, and Ctrl-C kills what is left', async () => {
		const client = new FakeClusterClient();
		const finishStop = stopsWhenTold(client);
		const {stdin, lines} = renderApp(client, {columns: 80, rows: 24});
		await press(stdin, 'q', 'y');
		for (const worker of ['worker-1', 'worker-2'])
			client.updateNode(worker, {state: 'stopping', killAt: NOW + 57_000});
		await eventually(() =>
			expect(lines().join('\n')).toContain(
				'Stopping workers (2 left): SIGKILL in 57s. Ctrl-C kills now.',
			),
		);
		client.updateNode('worker-1', {state: 'stopped', pid: undefined, killAt: undefined});
		await eventually(() =>
			expect(lines().join('\n')).toContain('Stopping workers (1 left): SIGKILL in 57s.'),
		);
		await press(stdin, KEY.ctrlC);
		expect(client.commands).toEqual([{command: 'stopAll'}, {command: 'killAll'}]);
		await eventually(() => expect(lines().join('\n')).toContain('Killing every node (1 left)…'));
		await press(stdin, KEY.ctrlC, 'q', 'y');
		expect(client.commands).toEqual([{command: 'stopAll'}, {command: 'killAll'}]);
		finishStop();
		await eventually(() => expect(client.listenerCount).toBe(0));
	});

	test('R asks first, then restarts the whole cluster; Esc declines', async () => {
		const {client, stdin, lines} = renderApp();
		await press(stdin, 'R');
		await eventually(() =>
			expect(lines().join('\n')).toContain('Restart the whole cluster? (y/n)'),
		);
		await press(stdin, KEY.escape);
		await eventually(() => expect(lines().join('\n')).not.toContain('Restart the whole cluster?'));
		await press(stdin, 'R', 'y');
		expect(client.commands).toEqual([{command: 'restartAll'}]);
	});

	test('? lists every key and closes with ? or Esc; keys inside do nothing', async () => {
		const {client, stdin, lines} = renderApp();
		await press(stdin, '?');
		await eventually(() => {
			const frame = lines().join('\n');
			for (const entry of KEY_HELP) expect(frame).toContain(entry.action);
		});
		await press(stdin, 'r');
		await press(stdin, '?');
		await eventually(() => expect(lines().join('\n')).not.toContain('Keys (? or Esc closes)'));
		await press(stdin, '?', KEY.escape);
		await eventually(() => expect(lines().join('\n')).not.toContain('Keys (? or Esc closes)'));
		expect(client.commands).toEqual([]);
	});

	test('/ filters as you type; typed keys are not commands; Enter keeps, Esc clears', async () => {
		const {client, stdin, lines} = renderApp();
		await press(stdin, '/', 'w', 'o', 'r', 'k', 'e', 'r', '-', '2');
		await eventually(() => {
			expect(rowOf(lines(), 'worker-2')?.startsWith('›')).toBe(true);
			expect(rowOf(lines(), 'manager')).toBeUndefined();
			expect(rowOf(lines(), 'worker-1')).toBeUndefined();
		});
		await press(stdin, KEY.backspace, KEY.backspace, KEY.enter);
		await eventually(() => {
			expect(rowOf(lines(), 'worker-1')).toBeDefined();
			expect(rowOf(lines(), 'worker-2')).toBeDefined();
			expect(rowOf(lines(), 'proxy-1')).toBeUndefined();
			expect(lines().at(-2)).toContain('filter: worker');
		});
		// The filter is kept and keys are commands again: x stops the selected match.
		await press(stdin, 'x');
		expect(client.commands).toEqual([{command: 'stop', node: 'worker-2'}]);
		await press(stdin, KEY.escape);
		await eventually(() => expect(rowOf(lines(), 'manager')).toBeDefined());

		await press(stdin, '/', 'z', 'z', 'z');
		await eventually(() => expect(lines().join('\n')).toContain('No node matches “zzz”'));
		await press(stdin, 'x', 'q', KEY.escape);
		await eventually(() => expect(rowOf(lines(), 'manager')).toBeDefined());
		expect(client.commands).toEqual([{command: 'stop', node: 'worker-2'}]);
	});
});

describe('affinity editor', () => {
	const pinnedClient = () => {
		const client = new FakeClusterClient();
		client.online = [0, 1, 2, 3];
		client.updateNode('worker-1', {cpus: [1, 2]});
		return client;
	};

	test('a opens boxes ticked as the node runs now; Space and Enter pin the ticked CPUs', async () => {
		const {client, stdin, lines} = renderApp(pinnedClient());
		await press(stdin, 'j', 'j', 'j', 'a');
		await eventually(() => {
			const frame = lines().join('\n');
			expect(frame).toContain('CPU affinity of worker-1: 1-2');
			expect(frame).toMatch(/\[ \] 0 +›\[x\] 1 +\[x\] 2 +\[ \] 3/);
		});
		// Untick 1, move to 3 and tick it.
		await press(stdin, KEY.space, KEY.right, 'j', KEY.space, KEY.enter);
		await eventually(() =>
			expect(client.commands).toEqual([{command: 'pin', node: 'worker-1', cpus: [2, 3]}]),
		);
		await eventually(() => {
			expect(lines().join('\n')).not.toContain('CPU affinity of');
			expect(lines().at(-2)).toContain('worker-1 pinned to CPUs 2-3');
		});
	});

	test('an empty selection is refused; Esc cancels without pinning', async () => {
		const {client, stdin, lines} = renderApp(pinnedClient());
		await press(stdin, 'j', 'j', 'j', 'a', KEY.space, KEY.right, KEY.space, KEY.enter);
		await eventually(() => expect(lines().join('\n')).toContain('Tick at least one CPU.'));
		await press(stdin, 'q');
		await eventually(() => expect(lines().join('\n')).not.toContain('CPU affinity of'));
		await press(stdin, 'a', KEY.escape);
		await eventually(() => expect(lines().join('\n')).not.toContain('CPU affinity of'));
		expect(client.commands).toEqual([]);
	});

	test('an error from pin is shown in the editor, which stays open', async () => {
		const client = pinnedClient();
		client.pinResult = () => Promise.reject(new Error('taskset: failed to set pid 1004'));
		const {stdin, lines} = renderApp(client);
		await press(stdin, 'j', 'j', 'j', 'a', KEY.enter);
		await eventually(() => {
			const frame = lines().join('\n');
			expect(frame).toContain('error: taskset: failed to set pid 1004');
			expect(frame).toContain('CPU affinity of worker-1');
		});
	});
});

describe('log panes', () => {
	test('Enter opens the selected node log, stderr marked, text cleaned; Enter closes it', async () => {
		const client = new FakeClusterClient();
		client.addLog('manager', 'stdout', 'listening on 127.0.0.1:27760');
		client.addLog('manager', 'stderr', 'warning:\tsomething odd\u001B\u0007');
		client.addLog('manager', 'stdout', `long ${'x'.repeat(300)} end`);
		const {stdin, lines, lastFrame} = renderApp(client);
		await press(stdin, KEY.enter);
		await eventually(() => {
			const frame = lines();
			expect(frame.some((line) => line.includes('manager ─ following'))).toBe(true);
			expect(frame).toContain('  listening on 127.0.0.1:27760');
			expect(frame).toContain('! warning:        something odd');
		});
		// eslint-disable-next-line no-control-regex -- looking for control characters is the point
		expect(lastFrame()).not.toMatch(/[\u0000-\u0009\u000B-\u001F]/);
		expect(Math.max(...lines().map((line) => line.length))).toBeLessThanOrEqual(100);
		expect(lines().find((line) => line.startsWith('  long'))).toMatch(/…$/);
		expect(lines()).toHaveLength(29);
		expect(client.openLogsOf('manager')).toHaveLength(1);

		await press(stdin, 'l');
		await eventually(() => expect(lines().some((line) => line.includes('manager ─'))).toBe(false));
		expect(client.openLogsOf('manager')).toHaveLength(0);
		expect(client.openedLogs[0]!.closed).toBe(true);
	});

	test('several panes share the space; Tab focuses, PgUp scrolls back and holds, f follows', async () => {
		const client = new FakeClusterClient();
		for (let index = 1; index <= 40; index++) client.addLog('worker-1', 'stdout', `line ${index}`);
		const {stdin, lines} = renderApp(client, {columns: 100, rows: 24});
		await press(stdin, KEY.enter, 'j', 'j', 'j', KEY.enter);
		await eventually(() => {
			expect(lines().some((line) => line.startsWith('─ manager ─'))).toBe(true);
			expect(lines().some((line) => line.startsWith('─ worker-1 ─'))).toBe(true);
			expect(lines()).toContain('  line 40');
		});
		expect(lines()).toHaveLength(23);

		await press(stdin, KEY.tab, KEY.tab);
		await eventually(() =>
			expect(lines().some((line) => line.startsWith('▶ worker-1 ─'))).toBe(true),
		);
		await press(stdin, KEY.pageUp);
		await eventually(() => {
			expect(lines().some((line) => /worker-1 ─ \d+ lines back, f follows/.test(line))).toBe(true);
			expect(lines()).not.toContain('  line 40');
		});
		// Scrolled back, the pane holds still while new lines arrive (following, it would move).
		const logLines = () => lines().filter((line) => /^ {2}line \d+$/.test(line));
		const held = logLines();
		expect(held.length).toBeGreaterThan(2);
		client.addLog('worker-1', 'stdout', 'line 41');
		await delay(600);
		expect(logLines()).toEqual(held);
		await press(stdin, 'f');
		await eventually(() => {
			expect(lines()).toContain('  line 41');
			expect(lines().some((line) => line.startsWith('▶ worker-1 ─ following'))).toBe(true);
		});
	});

	test('a burst of log lines and snapshots costs a few renders, and the last one lands', async () => {
		const client = new FakeClusterClient();
		const {stdin, lines, frames} = renderApp(client);
		await press(stdin, KEY.enter);
		await eventually(() =>
			expect(lines().some((line) => line.includes('manager ─ following'))).toBe(true),
		);
		const before = frames.length;
		const started = Date.now();
		// Each change in its own turn of the event loop, as real notifications arrive.
		for (let index = 1; index <= 200; index++) {
			client.addLog('manager', 'stdout', `burst ${index}`);
			client.updateNode('worker-1', {restarts: index});
			await delay(2);
		}
		const elapsed = Date.now() - started;
		await eventually(() => {
			expect(lines()).toContain('  burst 200');
			expect(rowOf(lines(), 'worker-1')).toMatch(/ 200 /);
		});
		// Two throttled sources, each at most one render per 250 ms plus its trailing one.
		const allowed = 2 * (Math.ceil(elapsed / 250) + 1);
		expect(frames.length - before).toBeLessThanOrEqual(allowed);
		expect(allowed).toBeLessThan(100);
	});
});

describe('terminal size', () => {
	test('below 80x24 only a message naming the minimum, the current size, and that q quits', () => {
		for (const size of [
			{columns: 79, rows: 30},
			{columns: 100, rows: 23},
		]) {
			const {lines} = renderApp(new FakeClusterClient(), size);
			const text = lines().filter((line) => line !== '');
			expect(text).toEqual([
				`Terminal too small: ${size.columns}x${size.rows}. zeek-tui needs at least 80x24; q quits.`,
			]);
		}
	});

	test('at exactly 80x24, with metrics, a pane and long cells, no line is wider than 80', async () => {
		const snapshot = sampleSnapshot();
		snapshot.nodes = snapshot.nodes.map((node) => ({
			...node,
			name: `${node.name}-with-a-rather-long-name`,
			pid: 4_194_301,
			usage: {cpu: 123.4, memory: 1.5 * 1024 ** 3},
			startedAt: NOW - 3 * 86_400_000,
			cpus: [0, 2, 4, 6, 8, 10, 12, 14],
			metrics: {at: NOW, packetsPerSecond: 1_234_567, dropPercent: 12.5},
		}));
		snapshot.nodes[1] = {...snapshot.nodes[1]!, state: 'stopping', killAt: NOW + 300_000};
		const client = new FakeClusterClient(snapshot);
		client.addLog(snapshot.nodes[0]!.name, 'stderr', 'e'.repeat(500));
		const {stdin, lines} = renderApp(client, {columns: 80, rows: 24});
		await press(stdin, KEY.enter);
		await eventually(() => expect(lines().some((line) => line.startsWith('! eee'))).toBe(true));
		expect(lines()).toHaveLength(23);
		for (const line of lines()) expect(line.length).toBeLessThanOrEqual(80);
		// Nothing was cut at the screen's edge: the rows were made to fit, the numbers are whole.
		for (const node of snapshot.nodes) {
			const row = lines().find((line) => line.slice(2).startsWith(node.name.slice(0, 8)));
			expect(row).toBeDefined();
			expect(row!.length).toBeLessThanOrEqual(80);
			expect(row).toMatch(node.type === 'worker' ? / 1\.2M +12\.5!$/ : / -\s+-$/);
		}
		expect(lines().find((line) => line.includes('stop 300s'))).toBeDefined();
	});

	test('at 80 columns the metrics columns fit beside a stop countdown, without wrapping', async () => {
		const snapshot = sampleSnapshot();
		snapshot.nodes = snapshot.nodes.map((node, index) => ({
			...node,
			name: node.type === 'worker' ? `worker-1${index}` : node.name,
			pid: 123_456 + index,
			usage: {cpu: 12.5, memory: 320 * 1024 ** 2},
			startedAt: NOW - 3_600_000,
			cpus: [0, 1],
			metrics: {at: NOW, packetsPerSecond: 1000, dropPercent: 1},
		}));
		snapshot.nodes[3] = {...snapshot.nodes[3]!, state: 'stopping', killAt: NOW + 60_000};
		const {lines} = renderApp(new FakeClusterClient(snapshot), {columns: 80, rows: 24});
		for (const line of lines()) expect(line.length).toBeLessThanOrEqual(80);
		expect(lines()[1]!.trim().split(/\s+/).slice(-2)).toEqual(['PKTS/S', 'DROP%']);
		expect(rowOf(lines(), 'worker-14')).toMatch(/worker-14 worker {2}running .* 1\.0k +1\.00$/);
		expect(rowOf(lines(), 'worker-13')).toMatch(/stop(ping)? 60s .* 1\.0k +1\.00$/);
		// Table titles and rows: nothing cut (the header may cut the spool path at the edge).
		expect(lines().slice(1, 7).join('\n')).not.toContain('…');
	});

	test('follows a resize: the root stays one row shorter than the terminal', async () => {
		const client = new FakeClusterClient();
		const view = render(<App client={client} columns={100} rows={30} clock={clock} />);
		expect(frameLines(view.lastFrame())).toHaveLength(29);
		view.rerender(<App client={client} columns={100} rows={20} clock={clock} />);
		await eventually(() => expect(view.lastFrame()).toContain('Terminal too small: 100x20'));
		view.rerender(<App client={client} columns={120} rows={40} clock={clock} />);
		await eventually(() => expect(frameLines(view.lastFrame())).toHaveLength(39));
	});

	test('at 70x20: other keys do nothing, q asks, n declines, q y stops and quits', async () => {
		const client = new FakeClusterClient();
		const finishStop = stopsWhenTold(client);
		const {stdin, lines} = renderApp(client, {columns: 70, rows: 20});
		await press(stdin, 'r', 'x', 'y', 'j');
		expect(client.commands).toEqual([]);
		await press(stdin, 'q');
		await eventually(() =>
			expect(lines().join('\n')).toContain('Stop the cluster and quit? (y/n)'),
		);
		await press(stdin, 'n');
		await eventually(() => expect(lines().join('\n')).not.toContain('Stop the cluster'));
		await press(stdin, 'q', 'y');
		expect(client.commands).toEqual([{command: 'stopAll'}]);
		client.updateNode('worker-2', {state: 'stopping', killAt: NOW + 9000});
		await eventually(() =>
			expect(lines().join('\n')).toContain('Stopping workers (1 left): SIGKILL in 9s.'),
		);
		await press(stdin, KEY.ctrlC);
		expect(client.commands).toEqual([{command: 'stopAll'}, {command: 'killAll'}]);
		finishStop();
		await eventually(() => expect(client.listenerCount).toBe(0));
	});
});
