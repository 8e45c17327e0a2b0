// Zeek's numbers on screen, without a terminal: sparklines, thresholds and totals, the table's
// fitting to the width with its marks, and the lines of the node details.
import {describe, expect, test} from 'vitest';
import type {NodeSnapshot} from '../source/cluster/types.js';
import {formatLag, stateLabel} from '../source/ui/format.js';
import {detailLines, wrapWords, type DetailLine} from '../source/ui/node-detail.js';
import {ROW_PREFIX_WIDTH, tableText, type ColumnId} from '../source/ui/node-columns.js';
import {clusterTotals, dropAlert, lagAlert} from '../source/ui/packet-health.js';
import {barsAsLetters, cpuSparkline, lettersAsBars, sparkline} from '../source/ui/sparkline.js';
import {fakeNode} from './fake-cluster-client.js';

const NOW = 1_700_000_000_000;

describe('sparkline', () => {
	test('scales from 0 to the largest value shown, one bar per value', () => {
		expect(sparkline([0, 1, 2, 3, 4, 5, 6, 7], 8)).toBe('▁▂▃▄▅▆▇█');
		expect(sparkline([10, 5, 0], 3)).toBe('█▅▁');
	});

	test('shows the newest values that fit; shorter while the series is', () => {
		expect(sparkline([7, 0, 0, 7], 2)).toBe('▁█');
		expect(sparkline([7], 5)).toBe('█');
		expect(sparkline([], 5)).toBe('');
		expect(sparkline([1, 2], 0)).toBe('');
	});

	test('all zero, negative or not a number: the lowest bar', () => {
		expect(sparkline([0, 0, 0], 3)).toBe('▁▁▁');
		expect(sparkline([Number.NaN, -5, 4], 3)).toBe('▁▁█');
		// An infinite scale still draws one bar per value.
		expect(sparkline([1, 2], 2, Number.POSITIVE_INFINITY)).toBe('▁▁');
		expect(cpuSparkline([Number.POSITIVE_INFINITY, 50, 100], 3)).toBe('█▅█');
	});

	test('a fixed maximum caps; CPU is drawn against 100 % so that rows compare', () => {
		expect(sparkline([50, 200], 2, 100)).toBe('▅█');
		expect(cpuSparkline([0, 50, 100], 3)).toBe('▁▅█');
		expect(cpuSparkline([1, 2, 3], 3)).toBe('▁▁▁');
		// Several threads busy: the peak becomes the scale.
		expect(cpuSparkline([100, 200], 2)).toBe('▅█');
	});

	test('bars travel through Ink as ASCII letters of the same width and come back as bars', () => {
		const bars = '▁▂▃▄▅▆▇█▁';
		const letters = barsAsLetters(bars);
		expect(letters).toMatch(/^[\u0020-\u007E]+$/);
		expect(letters).toHaveLength(bars.length);
		expect(lettersAsBars(letters)).toBe(bars);
		// As Ink writes the text out: coloured, inverse, cut with an ellipsis.
		const styled = `\u001B[7m\u001B[33m${letters.slice(0, 4)}…\u001B[39m\u001B[27m`;
		expect(lettersAsBars(styled)).toBe('\u001B[7m\u001B[33m▁▂▃▄…\u001B[39m\u001B[27m');
	});
});

describe('thresholds and cluster totals', () => {
	test('a drop rate over 1 % and a lag over 5 s are marked; at the threshold they are not', () => {
		expect(dropAlert(1)).toBe(false);
		expect(dropAlert(1.01)).toBe(true);
		expect(dropAlert(undefined)).toBe(false);
		expect(lagAlert(5)).toBe(false);
		expect(lagAlert(5.5)).toBe(true);
		expect(lagAlert(undefined)).toBe(false);
	});

	test('packets summed over the workers, drops as a share of everything offered, worst lag', () => {
		const nodes = [
			// A manager's zeros never count.
			fakeNode('manager', 'manager', {
				metrics: {at: NOW, packetsPerSecond: 0, dropPercent: 0, lagSeconds: 99},
			}),
			fakeNode('worker-1', 'worker', {
				metrics: {
					at: NOW,
					packetsPerSecond: 1000,
					droppedPerSecond: 0,
					dropPercent: 0,
					lagSeconds: 1,
				},
			}),
			fakeNode('worker-2', 'worker', {
				metrics: {
					at: NOW,
					packetsPerSecond: 3000,
					droppedPerSecond: 1000,
					dropPercent: 25,
					lagSeconds: 7,
				},
			}),
			// Only gauges yet (first scrape): no rate to add, but its lag counts.
			fakeNode('worker-3', 'worker', {metrics: {at: NOW, lagSeconds: 2}}),
			fakeNode('worker-4', 'worker'),
		];
		expect(clusterTotals(nodes)).toEqual({
			packetsPerSecond: 4000,
			dropPercent: 20,
			worstLagSeconds: 7,
		});
		// Without droppedPerSecond (an older client), the percent gives it back.
		const fromPercent = clusterTotals([
			fakeNode('w', 'worker', {metrics: {at: NOW, packetsPerSecond: 990, dropPercent: 1}}),
		]);
		expect(fromPercent!.dropPercent).toBeCloseTo(1);
		expect(clusterTotals([fakeNode('w', 'worker', {metrics: {at: NOW, lagSeconds: 1}})])).toBe(
			undefined,
		);
	});
});

test('formatLag and the short countdowns', () => {
	expect(formatLag(0.004)).toBe('0.00s');
	expect(formatLag(7.256)).toBe('7.26s');
	expect(formatLag(12.34)).toBe('12.3s');
	expect(formatLag(125.4)).toBe('125s');
	const stopping = fakeNode('w', 'worker', {state: 'stopping', killAt: NOW + 60_000});
	expect(stateLabel(stopping, NOW)).toBe('stopping 60s');
	expect(stateLabel(stopping, NOW, true)).toBe('stop 60s');
	const backoff = fakeNode('w', 'worker', {state: 'backoff', restartAt: NOW + 8_500});
	expect(stateLabel(backoff, NOW, true)).toBe('retry 9s');
});

/** A busy sensor: long pids, nine-character names, a countdown, every worker measured. */
function busyCluster(): NodeSnapshot[] {
	const base = (name: string, type: NodeSnapshot['type'], pid: number): NodeSnapshot =>
		fakeNode(name, type, {
			pid,
			startedAt: NOW - 3 * 86_400_000,
			usage: {cpu: 99.5, memory: 1.5 * 1024 ** 3},
			cpus: [0, 2, 4, 6, 8, 10],
			restarts: 12,
			metrics: {at: NOW, packetsPerSecond: 0, dropPercent: 0, lagSeconds: 0},
		});
	return [
		base('manager', 'manager', 4_194_301),
		base('logger-1', 'logger', 4_194_302),
		base('proxy-1', 'proxy', 4_194_303),
		{
			...base('worker-10', 'worker', 4_194_304),
			state: 'stopping',
			killAt: NOW + 60_000,
			metrics: {at: NOW, packetsPerSecond: 123_456, dropPercent: 12.5, lagSeconds: 0.01},
		},
		{
			...base('worker-11', 'worker', 4_194_305),
			metrics: {at: NOW, packetsPerSecond: 999, dropPercent: 0.5, lagSeconds: 6.5},
		},
	];
}

const cellOf = (table: ReturnType<typeof tableText>, row: number, column: ColumnId) =>
	table.rows[row]![table.columns.indexOf(column)];

describe('the table fits the width', () => {
	test('at 80 columns every row fits, PKTS/S and DROP% whole; narrower columns gave way', () => {
		const table = tableText(busyCluster(), NOW, 80);
		expect(table.width + ROW_PREFIX_WIDTH).toBeLessThanOrEqual(80);
		for (const row of table.rows) {
			const text = row.map((cell) => cell.text).join(' ');
			expect(text.length).toBe(table.width);
		}
		expect(table.columns).toEqual(expect.arrayContaining(['node', 'state', 'packets', 'drops']));
		expect(table.columns).not.toContain('lag');
		expect(cellOf(table, 3, 'packets')!.text.trim()).toBe('123.5k');
		expect(cellOf(table, 3, 'drops')!.text.trim()).toBe('12.5!');
		expect(cellOf(table, 3, 'state')!.text.trim()).toBe('stop 60s');
		for (const row of table.rows) {
			expect(row[table.columns.indexOf('packets')]!.text).not.toContain('…');
			expect(row[table.columns.indexOf('drops')]!.text).not.toContain('…');
		}
	});

	test('columns give way in order: LAG, long CPU lists, countdown words, CPUS, UPTIME', () => {
		const nodes = busyCluster();
		const columnsAt = (width: number) => tableText(nodes, NOW, width).columns;
		const wide = tableText(nodes, NOW, 119);
		expect(wide.columns).toContain('lag');
		expect(cellOf(wide, 3, 'state')!.text.trim()).toBe('stopping 60s');
		expect(cellOf(wide, 0, 'cpus')!.text.trim()).toBe('0,2,4,6,8,10');
		// Narrower and narrower (down to 73, where only the node names are left to cut; the screen
		// needs 80 anyway): each column, once gone, stays gone, and they go in this order.
		const widths = Array.from({length: 47}, (_, index) => 119 - index);
		const goneAt = (column: ColumnId) => {
			const present = widths.map((width) => {
				const table = tableText(nodes, NOW, width);
				expect(table.width + ROW_PREFIX_WIDTH).toBeLessThanOrEqual(width);
				return table.columns.includes(column);
			});
			const first = present.indexOf(false);
			expect(first === -1 ? [] : present.slice(first)).not.toContain(true);
			return first === -1 ? 0 : widths[first]!;
		};
		const shortensAt = widths.find(
			(width) => cellOf(tableText(nodes, NOW, width), 3, 'state')!.text.trim() === 'stop 60s',
		)!;
		expect(goneAt('lag')).toBeGreaterThan(shortensAt);
		expect(shortensAt).toBeGreaterThan(goneAt('cpus'));
		expect(goneAt('cpus')).toBeGreaterThan(goneAt('uptime'));
		expect(goneAt('uptime')).toBeGreaterThan(0);
		expect(columnsAt(80)).not.toContain('cpus');
		// NODE, TYPE, STATE, PID, CPU%, MEM, RESTARTS and the packets always stay.
		for (const width of widths) {
			expect(columnsAt(width)).toEqual(
				expect.arrayContaining([
					'node',
					'type',
					'state',
					'pid',
					'cpu',
					'memory',
					'restarts',
					'packets',
					'drops',
				]),
			);
		}
	});

	test('when nothing else gives, long node names are cut with …, never the numbers', () => {
		const nodes = busyCluster().map((node) => ({
			...node,
			name: `${node.name}-on-a-long-host-name`,
		}));
		const table = tableText(nodes, NOW, 80);
		expect(table.width + ROW_PREFIX_WIDTH).toBeLessThanOrEqual(80);
		expect(cellOf(table, 0, 'node')!.text).toMatch(/…$/);
		expect(cellOf(table, 3, 'drops')!.text.trim()).toBe('12.5!');
	});
});

describe('marks and dashes', () => {
	test('PKTS/S and DROP% only for workers: `-` for the others and for a worker whose port is silent', () => {
		const nodes = [
			fakeNode('manager', 'manager', {metrics: {at: NOW, packetsPerSecond: 0, dropPercent: 0}}),
			fakeNode('proxy-1', 'proxy', {metrics: {at: NOW, packetsPerSecond: 0, dropPercent: 0}}),
			fakeNode('worker-1', 'worker', {metrics: {at: NOW, packetsPerSecond: 1000, dropPercent: 1}}),
			fakeNode('worker-2', 'worker'),
			// Answered once: no rate yet.
			fakeNode('worker-3', 'worker', {metrics: {at: NOW, lagSeconds: 0.1}}),
		];
		const table = tableText(nodes, NOW, 80);
		const cells = (column: ColumnId) =>
			table.rows.map((row) => row[table.columns.indexOf(column)]!.text.trim());
		expect(cells('packets')).toEqual(['-', '-', '1.0k', '-', '-']);
		// Exactly 1 % is not over the threshold.
		expect(cells('drops')).toEqual(['-', '-', '1.00', '-', '-']);
	});

	test('CPU% is `-` until a process has a CPU figure (its second sample); MEM from the first', () => {
		const nodes = [
			fakeNode('manager', 'manager', {pid: 10, usage: {memory: 2 * 1024 ** 2}}),
			fakeNode('proxy-1', 'proxy', {pid: 11, usage: {cpu: 0, memory: 2 * 1024 ** 2}}),
		];
		const table = tableText(nodes, NOW, 100);
		const cells = (column: ColumnId) =>
			table.rows.map((row) => row[table.columns.indexOf(column)]!.text.trim());
		expect(cells('cpu')).toEqual(['-', '0.0']);
		expect(cells('memory')[0]).toBe(cells('memory')[1]);
		expect(cells('memory')[0]).not.toBe('-');
	});

	test('drops over 1 % and lags over 5 s carry ! and the alert flag; values still line up', () => {
		const nodes = [
			fakeNode('worker-1', 'worker', {
				metrics: {at: NOW, packetsPerSecond: 2000, dropPercent: 1.5, lagSeconds: 6},
			}),
			fakeNode('worker-2', 'worker', {
				metrics: {at: NOW, packetsPerSecond: 2000, dropPercent: 0.5, lagSeconds: 0.5},
			}),
		];
		const narrow = tableText(nodes, NOW, 80);
		expect(narrow.columns).not.toContain('lag');
		// No LAG column: the lag's mark sits on the packet rate.
		expect(cellOf(narrow, 0, 'packets')).toEqual({text: ' 2.0k!', alert: true});
		expect(cellOf(narrow, 1, 'packets')).toEqual({text: ' 2.0k ', alert: false});
		expect(cellOf(narrow, 0, 'drops')).toEqual({text: '1.50!', alert: true});
		expect(cellOf(narrow, 1, 'drops')).toEqual({text: '0.50 ', alert: false});
		const wide = tableText(nodes, NOW, 100);
		expect(cellOf(wide, 0, 'lag')).toEqual({text: '6.00s!', alert: true});
		expect(cellOf(wide, 1, 'lag')).toEqual({text: '0.50s ', alert: false});
		expect(cellOf(wide, 0, 'packets')!.alert).toBe(false);
	});

	test('a CPU history column on wide terminals only, once there is history', () => {
		const nodes = [
			fakeNode('worker-1', 'worker', {
				history: {cpu: [0, 50, 100], memory: [], packetsPerSecond: []},
			}),
			fakeNode('worker-2', 'worker'),
		];
		expect(tableText(nodes, NOW, 119).columns).not.toContain('cpu-history');
		const wide = tableText(nodes, NOW, 120);
		expect(wide.columns.at(-1)).toBe('cpu-history');
		expect(wide.titles.at(-1)!.trim()).toBe('CPU HISTORY');
		expect(cellOf(wide, 0, 'cpu-history')!.text.trim()).toBe('▁▅█');
		expect(cellOf(wide, 1, 'cpu-history')!.text.trim()).toBe('');
		expect(wide.width + ROW_PREFIX_WIDTH).toBeLessThanOrEqual(120);
		expect(tableText([fakeNode('w', 'worker')], NOW, 200).columns).not.toContain('cpu-history');
	});
});

describe('node details', () => {
	const text = (lines: DetailLine[]) => lines.map((line) => line.map((part) => part.text).join(''));

	test('wrapWords wraps at blanks, splits long words, and marks a cut', () => {
		expect(wrapWords('a bb ccc dddd', 6, 5)).toEqual(['a bb', 'ccc', 'dddd']);
		expect(wrapWords('abcdefghij', 4, 5)).toEqual(['abcd', 'efgh', 'ij']);
		expect(wrapWords('one two three four', 5, 2)).toEqual(['one', 'two…']);
	});

	test('state, cpus, cwd, argv, metrics, history, exits newest first, then the reports', () => {
		const node = fakeNode('worker-1', 'worker', {
			pid: 4242,
			startedAt: NOW - 65_000,
			restarts: 2,
			cpus: [1],
			pin: [1],
			argv: ['taskset', '-c', '1', '/usr/bin/zeek', '-i', 'af_packet::eth0', 'local'],
			cwd: '/spool/worker-1',
			metrics: {
				at: NOW,
				packetsPerSecond: 1000,
				dropPercent: 2.5,
				lagSeconds: 0.5,
				activeSessions: 151,
			},
			history: {cpu: [10, 60], memory: [1024, 2048], packetsPerSecond: [900, 1000]},
			exits: [
				{at: NOW - 600_000, code: 0, signal: null, requested: true},
				{at: NOW - 70_000, code: null, signal: 'SIGABRT', requested: false},
			],
		});
		const reports = [
			{
				file: '/spool/.zeek-tui/crashes/worker-1-2023-11-14T22-12-10.000Z.txt',
				at: NOW - 70_000,
				text: 'node: worker-1\nexit: signal SIGABRT\n\u001B[31minternal error\u001B[0m\n',
			},
		];
		const lines = detailLines(node, reports, NOW, 80);
		const shown = text(lines);
		expect(shown[0]).toBe('state     running  pid 4242  uptime 1m05s  restarts 2');
		expect(shown[1]).toBe('cpus      1  (pinned to 1)');
		expect(shown[2]).toBe('cwd       /spool/worker-1');
		expect(shown[3]).toBe('argv      taskset -c 1 /usr/bin/zeek -i af_packet::eth0 local');
		expect(shown[4]).toBe('zeek      PKTS/S 1.0k  DROP 2.50%!  LAG 0.50s  sessions 151');
		expect(lines[4]!.find((part) => part.text === '2.50%!')!.tone).toBe('alert');
		expect(shown[5]).toMatch(/^CPU% {6}▂▅ +now 60\.0% {2}peak 60\.0%$/);
		expect(shown[6]).toMatch(/^MEM {7}▅█ +now 2\.0K {2}peak 2\.0K$/);
		expect(shown[7]).toMatch(/^PKTS\/S {4}▇█ +now 1\.0k {2}peak 1\.0k$/);
		expect(shown[8]).toBe('exits     2023-11-14 22:12:10  signal SIGABRT  (1m10s ago)');
		expect(shown[9]).toBe('          2023-11-14 22:03:20  code 0, requested  (10m00s ago)');
		expect(shown[10]).toBe('crashes   1 report');
		expect(shown[11]).toMatch(/^── worker-1-2023-11-14T22-12-10\.000Z\.txt ─+$/);
		// Report text as written, without its colours.
		expect(shown.slice(12)).toEqual(['node: worker-1', 'exit: signal SIGABRT', 'internal error']);
		for (const line of shown) expect(line.length).toBeLessThanOrEqual(76);
	});

	test('a stopped manager: no packet lines, no metrics, no exits, no reports', () => {
		const shown = text(
			detailLines(fakeNode('manager', 'manager', {state: 'stopped'}), [], NOW, 80),
		);
		expect(shown).toContain('zeek      no metrics');
		expect(shown.some((line) => line.startsWith('PKTS/S'))).toBe(false);
		expect(shown).toContain('CPU%      no samples yet');
		expect(shown).toContain('exits     none');
		expect(shown.at(-1)).toBe('crashes   no crash report');
	});
});
