import {afterEach, describe, expect, test, vi} from 'vitest';
import {
	formatBytes,
	formatDropPercent,
	formatLag,
	formatPercent,
	formatRate,
	formatUptime,
	sanitizeLogText,
	stateLabel,
} from '../source/ui/format.js';
import {headerSegments} from '../source/ui/header.js';
import {createTheme} from '../source/ui/theme.js';
import {computeLayout, isTooSmall, scrollToShow} from '../source/ui/layout.js';
import {fitCell, showsMetrics, tableText} from '../source/ui/node-columns.js';
import {createThrottle} from '../source/ui/throttle.js';
import {footerHints} from '../source/ui/key-help.js';
import {fakeNode} from './fake-cluster-client.js';

describe('formatUptime', () => {
	test.each([
		[0, '0s'],
		[45_000, '45s'],
		[59_999, '59s'],
		[60_000, '1m00s'],
		[12 * 60_000 + 3_000, '12m03s'],
		[3 * 3_600_000 + 4 * 60_000 + 59_000, '3h04m'],
		[2 * 86_400_000 + 3 * 3_600_000, '2d03h'],
		[-5_000, '0s'],
	])('%i ms -> %s', (ms, text) => {
		expect(formatUptime(ms)).toBe(text);
	});
});

describe('formatBytes', () => {
	test.each([
		[0, '0B'],
		[1023, '1023B'],
		[1024, '1.0K'],
		[48.2 * 1024 * 1024, '48.2M'],
		[1024 * 1024 - 1, '1.0M'],
		[1.5 * 1024 ** 3, '1.5G'],
	])('%d -> %s', (bytes, text) => {
		expect(formatBytes(bytes)).toBe(text);
	});
});

test('rates and drop percentages stay short', () => {
	expect(formatRate(850)).toBe('850');
	expect(formatRate(949.4)).toBe('949');
	// About 1000, measured a little under or over, reads the same.
	expect(formatRate(996)).toBe('1.0k');
	expect(formatRate(1003)).toBe('1.0k');
	expect(formatRate(12_345)).toBe('12.3k');
	expect(formatRate(999_960)).toBe('1.0M');
	expect(formatRate(1_200_000)).toBe('1.2M');
	expect(formatDropPercent(0.034)).toBe('0.03');
	expect(formatDropPercent(12.34)).toBe('12.3');
});

describe('figures from outside: marked `?` when they are none, clamped when too large', () => {
	// Number.MAX_VALUE is the 1.8e308 s lag a hostile metrics port sent.
	const huge = [Number.MAX_VALUE, Infinity, 1e301];
	test.each([
		['formatPercent', formatPercent, [9999.9, '9999.9'], '>9999'],
		['formatBytes', formatBytes, [999.9 * 1024 ** 5, '999.9P'], '>999P'],
		['formatRate', formatRate, [999_900_000, '999.9M'], '>999M'],
		['formatLag', formatLag, [999.4, '999s'], '>999d'],
		['formatUptime', formatUptime, [999 * 86_400_000, '999d00h'], '>999d'],
	] as const)('%s', (_name, format, [largest, shown], clamped) => {
		const formatted = format as (value: number) => string;
		expect(formatted(largest)).toBe(shown);
		for (const value of huge) expect(formatted(value)).toBe(clamped);
		expect(formatted(Number.NaN)).toBe('?');
	});

	test('negative counts, rates and shares are no figures; a negative uptime is 0s', () => {
		for (const format of [formatPercent, formatBytes, formatRate, formatLag, formatDropPercent])
			expect(format(-1)).toBe('?');
		expect(formatUptime(-1)).toBe('0s');
		expect(formatUptime(-Infinity)).toBe('0s');
	});

	test('a drop share is 0-100; beyond that, or not a number, it is no figure', () => {
		expect(formatDropPercent(100)).toBe('100.0');
		for (const value of [100.1, ...huge, Number.NaN]) expect(formatDropPercent(value)).toBe('?');
	});

	test('a lag over 999 s reads in one larger unit, never wider than 5 characters', () => {
		expect(formatLag(9.996)).toBe('10.0s');
		expect(formatLag(99.96)).toBe('100s');
		expect(formatLag(1000)).toBe('16m');
		expect(formatLag(99 * 3600)).toBe('99h');
		expect(formatLag(100 * 3600)).toBe('4d');
		expect(formatLag(999 * 86_400)).toBe('999d');
		for (const seconds of [0, 9.996, 99.96, 999.4, 1000, 86_400 * 500, Number.MAX_VALUE])
			expect(formatLag(seconds).length).toBeLessThanOrEqual(5);
	});

	test('the header totals stay short too', () => {
		const nodes = [Infinity, Number.NaN].map((value, index) =>
			fakeNode(`worker-${index}`, 'worker', {
				usage: {cpu: value, memory: value},
				metrics: {at: 0, packetsPerSecond: value, dropPercent: value, lagSeconds: value},
			}),
		);
		const text = headerSegments({spoolDir: '/spool', nodes}, createTheme(false))
			.map((segment) => segment.text)
			.join('');
		expect(text).toBe(
			'zeek-tui  nodes 2/2 up  CPU ?%  MEM ?  PKTS/S ?  DROP ?%  LAG >999d!  spool /spool',
		);
	});

	test('no CPU figure yet (a first sample) reads -', () => {
		expect(formatPercent(undefined)).toBe('-');
	});

	test('hostile figures never widen a column: the table is as wide as an idle one', () => {
		const NOW = 1_700_000_000_000;
		const node = (name: string, usage: {cpu: number; memory: number}, metrics: object) =>
			fakeNode(name, 'worker', {
				pid: 1234,
				startedAt: NOW - 5000,
				usage,
				metrics: {at: NOW, ...metrics},
			});
		const idle = [node('worker-1', {cpu: 0, memory: 0}, {packetsPerSecond: 0, dropPercent: 0})];
		const idleLag = [{...idle[0]!, metrics: {...idle[0]!.metrics!, lagSeconds: 0}}];
		const hostile = [
			[Infinity, 1e301, Number.MAX_VALUE, Number.MAX_VALUE, -Infinity],
			[Number.NaN, Number.NaN, Number.NaN, Number.NaN, Number.NaN],
			[-5, -1e301, -1, -3, -1],
			[1e301, Infinity, Infinity, 1e301, NOW + 1e301],
		].map(([cpu, memory, packetsPerSecond, dropPercent, lagSeconds], index) => ({
			...node(`worker-${index + 2}`, {cpu: cpu!, memory: memory!}, {}),
			startedAt: NOW - (index === 3 ? 1e301 : 5000),
			metrics: {at: NOW, packetsPerSecond, dropPercent, lagSeconds},
		}));
		for (const width of [80, 100, 160]) {
			const sane = tableText([...idleLag, ...idle], NOW, width);
			const table = tableText([...idleLag, ...hostile], NOW, width);
			expect(table.titles).toEqual(sane.titles);
			expect(table.width).toBe(sane.width);
		}
		const row = tableText(hostile, NOW, 160).rows.map((cells) =>
			cells.map((cell) => cell.text.trim()),
		);
		// Not a share at all: `?`, and no alert mark (a lag over the threshold keeps its own).
		expect(row[0]).toEqual(expect.arrayContaining(['>9999', '>999P', '>999M', '?']));
		expect(row[0]).not.toContain('?!');
		expect(row[3]).toContain('>999d');
	});
});

describe('stateLabel', () => {
	const now = 1_000_000;
	test('counts down to SIGKILL while stopping, rounding up', () => {
		expect(
			stateLabel(fakeNode('w', 'worker', {state: 'stopping', killAt: now + 11_200}), now),
		).toBe('stopping 12s');
	});
	test('counts down to the restart while backing off, never below 0', () => {
		expect(
			stateLabel(fakeNode('w', 'worker', {state: 'backoff', restartAt: now + 4_000}), now),
		).toBe('backoff 4s');
		expect(stateLabel(fakeNode('w', 'worker', {state: 'backoff', restartAt: now - 500}), now)).toBe(
			'backoff 0s',
		);
	});
	test('other states are their name', () => {
		expect(stateLabel(fakeNode('w', 'worker', {state: 'crashed'}), now)).toBe('crashed');
	});
});

test('sanitizeLogText expands tabs and drops control characters', () => {
	expect(sanitizeLogText('a\tb')).toBe('a       b');
	expect(sanitizeLogText('12345678\tx')).toBe('12345678        x');
	expect(sanitizeLogText('bell\u0007 cr\r esc\u001B del\u007F c1\u009B ok')).toBe(
		'bell cr esc del c1 ok',
	);
	expect(sanitizeLogText('ünïcødé ✓')).toBe('ünïcødé ✓');
});

describe('node columns', () => {
	const now = 10_000_000;
	test('titles in the contract order, metrics only when a worker has them', () => {
		const plain = [fakeNode('manager', 'manager'), fakeNode('worker-1', 'worker')];
		expect(tableText(plain, now, 80).titles.map((title) => title.trim())).toEqual([
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
		const measured = [
			...plain,
			fakeNode('worker-2', 'worker', {metrics: {at: now, dropPercent: 0}}),
		];
		expect(showsMetrics(measured)).toBe(true);
		expect(
			tableText(measured, now, 80)
				.titles.slice(-2)
				.map((title) => title.trim()),
		).toEqual(['PKTS/S', 'DROP%']);
		// With room to spare, the lag gets a column of its own.
		expect(
			tableText(measured, now, 100)
				.titles.slice(-3)
				.map((title) => title.trim()),
		).toEqual(['PKTS/S', 'DROP%', 'LAG']);
		// A manager's metrics do not bring packet columns: only workers capture packets.
		expect(
			showsMetrics([fakeNode('m', 'manager', {metrics: {at: now, packetsPerSecond: 5}})]),
		).toBe(false);
	});

	test('cells are formatted, aligned, and the same width in every row', () => {
		const nodes = [
			fakeNode('worker-1', 'worker', {
				pid: 4242,
				startedAt: now - 45_000,
				usage: {cpu: 12.34, memory: 48.2 * 1024 * 1024},
				cpus: [0, 1, 2, 3, 8],
				restarts: 2,
				metrics: {at: now, packetsPerSecond: 12_345, dropPercent: 0.5, lagSeconds: 0.25},
			}),
			fakeNode('worker-10', 'worker', {state: 'stopped'}),
		];
		const {rows} = tableText(nodes, now, 100);
		expect(rows[0]!.map((cell) => cell.text.trim())).toEqual([
			'worker-1',
			'worker',
			'running',
			'4242',
			'12.3',
			'48.2M',
			'45s',
			'2',
			'0-3,8',
			'12.3k',
			'0.50',
			'0.25s',
		]);
		expect(rows[1]!.map((cell) => cell.text.trim())).toEqual([
			'worker-10',
			'worker',
			'stopped',
			'-',
			'-',
			'-',
			'-',
			'0',
			'-',
			'-',
			'-',
			'-',
		]);
		expect(rows[0]!.map((cell) => cell.text.length)).toEqual(
			rows[1]!.map((cell) => cell.text.length),
		);
	});

	test('fitCell pads by alignment and cuts with an ellipsis', () => {
		expect(fitCell('ab', 4, 'left')).toBe('ab  ');
		expect(fitCell('ab', 4, 'right')).toBe('  ab');
		expect(fitCell('abcdef', 4, 'left')).toBe('abc…');
	});
});

describe('layout', () => {
	test('80x24 is the minimum', () => {
		expect(isTooSmall({columns: 80, rows: 24})).toBe(false);
		expect(isTooSmall({columns: 79, rows: 24})).toBe(true);
		expect(isTooSmall({columns: 80, rows: 23})).toBe(true);
	});

	test('every row of the body is used, and the root stays one row short of the terminal', () => {
		const layout = computeLayout({rows: 24, nodeCount: 7, paneCount: 2});
		// 24 rows - 1 (root) - 1 header - 2 footer.
		expect(layout.bodyHeight).toBe(20);
		expect(layout.tableHeight).toBe(8);
		expect(layout.paneHeights).toEqual([6, 6]);
	});

	test('a long table gives up half the body to panes, a short one only what it needs', () => {
		expect(computeLayout({rows: 24, nodeCount: 40, paneCount: 0}).tableHeight).toBe(20);
		const withPane = computeLayout({rows: 24, nodeCount: 40, paneCount: 1});
		expect(withPane.tableHeight).toBe(10);
		expect(withPane.paneHeights).toEqual([10]);
	});

	test('panes that do not fit get no rows', () => {
		const layout = computeLayout({rows: 24, nodeCount: 4, paneCount: 8});
		expect(layout.maxPanes).toBe(5);
		expect(layout.paneHeights.filter((height) => height > 0)).toHaveLength(5);
		expect(layout.paneHeights.every((height) => height === 0 || height >= 3)).toBe(true);
		expect(layout.tableHeight + layout.paneHeights.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(
			20,
		);
	});

	test('a dialog sits below the table, which keeps at least its minimum', () => {
		expect(computeLayout({rows: 24, nodeCount: 5, paneCount: 1, dialog: 3}).tableHeight).toBe(6);
		expect(computeLayout({rows: 24, nodeCount: 40, paneCount: 0, dialog: 30}).tableHeight).toBe(3);
		expect(computeLayout({rows: 24, nodeCount: 5, paneCount: 0, dialog: 'full'}).tableHeight).toBe(
			0,
		);
	});

	test('scrollToShow moves the window only as far as needed', () => {
		expect(scrollToShow(0, 3, 5, 20)).toBe(0);
		expect(scrollToShow(0, 5, 5, 20)).toBe(1);
		expect(scrollToShow(10, 4, 5, 20)).toBe(4);
		// After a resize the window never runs past the end.
		expect(scrollToShow(18, 19, 5, 20)).toBe(15);
		expect(scrollToShow(3, 0, 5, 2)).toBe(0);
	});
});

describe('createThrottle', () => {
	afterEach(() => {
		vi.useRealTimers();
	});

	test('runs the first change at once, a burst once more at the end, and the last one lands', () => {
		vi.useFakeTimers();
		let value = 0;
		const seen: number[] = [];
		const throttle = createThrottle(
			() => seen.push(value),
			250,
			() => Date.now(),
		);
		value = 1;
		throttle.schedule();
		expect(seen).toEqual([1]);
		for (value = 2; value <= 50; value++) throttle.schedule();
		value = 50;
		expect(seen).toEqual([1]);
		vi.advanceTimersByTime(249);
		expect(seen).toEqual([1]);
		vi.advanceTimersByTime(1);
		expect(seen).toEqual([1, 50]);
		// Quiet for longer than the interval: the next change shows at once again.
		vi.advanceTimersByTime(1000);
		value = 51;
		throttle.schedule();
		expect(seen).toEqual([1, 50, 51]);
	});

	test('cancel drops the pending run', () => {
		vi.useFakeTimers();
		let runs = 0;
		const throttle = createThrottle(
			() => runs++,
			250,
			() => Date.now(),
		);
		throttle.schedule();
		throttle.schedule();
		throttle.cancel();
		vi.advanceTimersByTime(1000);
		expect(runs).toBe(1);
	});
});

test('footer hints fit the width and always end with help and quit', () => {
	for (const width of [20, 80, 100, 200]) {
		const hints = footerHints(width);
		expect(hints.endsWith('? help  q quit')).toBe(true);
		if (width >= 20) expect(hints.length).toBeLessThanOrEqual(width);
	}
	expect(footerHints(80).startsWith('↑↓ select  ⏎ log  r restart')).toBe(true);
	expect(footerHints(200)).toContain('R restart all');
});
