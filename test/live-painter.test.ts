// The live painter: which lines it paints where, when it asks for a frame instead, and what it
// writes to the terminal (a recording stream; the real terminal is in e2e-tui.test.ts).
import {Writable} from 'node:stream';
import {setTimeout as delay} from 'node:timers/promises';
import {afterEach, describe, expect, test, vi} from 'vitest';
import stripAnsi from 'strip-ansi';
import type {ClusterSnapshot} from '../source/cluster/types.js';
import {
	createLivePainter,
	type LivePainter,
	liveLines,
	type LiveView,
	structureKey,
} from '../source/ui/live-painter.js';
import {tableText} from '../source/ui/node-columns.js';
import {segmentsToAnsi} from '../source/ui/segments.js';
import {createTheme} from '../source/ui/theme.js';
import {sampleSnapshot} from './fake-cluster-client.js';

const NOW = 1_700_000_000_000;
const WIDTH = 100;

function withFigures(snapshot: ClusterSnapshot, cpu = 1.5): ClusterSnapshot {
	return {
		...snapshot,
		nodes: snapshot.nodes.map((node) =>
			node.pid === undefined
				? node
				: {...node, startedAt: NOW - 65_000, usage: {cpu, memory: 40 * 1024 * 1024}},
		),
	};
}

function viewOf(snapshot: ClusterSnapshot, table: Partial<NonNullable<LiveView['table']>> = {}) {
	const names = snapshot.nodes.map((node) => node.name);
	return {
		width: WIDTH,
		theme: createTheme(true),
		header: true,
		table: {
			top: 2,
			names,
			first: 0,
			viewport: names.length,
			selected: names[0],
			focused: true,
			titles: tableText(snapshot.nodes, NOW, WIDTH).titles.join(' '),
			...table,
		},
		structure: structureKey(snapshot),
	} satisfies LiveView;
}

const plain = (lines: ReturnType<typeof liveLines>) =>
	lines === 'frame'
		? 'frame'
		: lines.map((line) => ({
				y: line.y,
				text: line.segments.map((segment) => segment.text).join(''),
				inverse: line.inverse,
			}));

describe('liveLines', () => {
	test('the header on line 0 and each visible row on its own line, the selection inverse', () => {
		const snapshot = withFigures(sampleSnapshot());
		const lines = plain(liveLines(viewOf(snapshot, {first: 1, viewport: 3}), snapshot, NOW));
		expect(lines).not.toBe('frame');
		if (lines === 'frame') return;
		expect(lines.map((line) => line.y)).toEqual([0, 2, 3, 4]);
		expect(lines[0]!.text).toMatch(/^zeek-tui {2}nodes \d+\/5 up {2}CPU /);
		// Rows 1..3 of the table: logger-1, proxy-1, worker-1; the selection (manager) is off view.
		expect(lines.slice(1).map((line) => line.text.slice(2).split(' ')[0])).toEqual([
			'logger-1',
			'proxy-1',
			'worker-1',
		]);
		expect(lines.slice(1).every((line) => !line.inverse)).toBe(true);
		expect(lines[1]!.text).toContain('1m05s');
	});

	test('a figure changes the line; a state, a pid, a missing node or wider columns need a frame', () => {
		const snapshot = withFigures(sampleSnapshot());
		const view = viewOf(snapshot);
		const busier = withFigures(sampleSnapshot(), 7.5);
		const lines = plain(liveLines(view, busier, NOW + 1000));
		expect(lines).not.toBe('frame');
		expect(JSON.stringify(lines)).toContain('7.5');
		expect(JSON.stringify(lines)).toContain('1m06s');

		const crashed = {
			...snapshot,
			nodes: snapshot.nodes.map((node, index) =>
				index === 3 ? {...node, state: 'crashed' as const, pid: undefined} : node,
			),
		};
		expect(liveLines(view, crashed, NOW)).toBe('frame');
		const gone = {...snapshot, nodes: snapshot.nodes.slice(1)};
		expect(liveLines({...view, structure: structureKey(gone)}, gone, NOW)).toBe('frame');
		const wide = {
			...snapshot,
			nodes: snapshot.nodes.map((node) =>
				node.usage ? {...node, usage: {cpu: 1234.5, memory: 1024}} : node,
			),
		};
		expect(liveLines(view, wide, NOW)).toBe('frame');
	});
});

/** A terminal stand-in that records what is written to it. */
function recordingStdout() {
	const chunks: string[] = [];
	const stream = new Writable({
		write(chunk: Buffer, _encoding, callback) {
			chunks.push(chunk.toString());
			callback();
		},
	}) as unknown as NodeJS.WriteStream;
	return {stream, chunks, take: () => chunks.splice(0).join('')};
}

/** The screen lines a painter write addresses (1-based, as the escape says), with their text. */
const addressed = (output: string) =>
	// eslint-disable-next-line no-control-regex
	[...output.matchAll(/\u001B\[(\d+);1H(.*?)(?=\u001B\[\d+;1H|\u001B\[K|\u001B8)/g)].map(
		(match) => [Number(match[1]), stripAnsi(match[2]!)] as const,
	);

describe('createLivePainter', () => {
	let painter: LivePainter | undefined;
	afterEach(() => {
		painter?.stop();
	});

	test('paints changed lines in place once per interval, repaints after Ink writes, asks for frames', async () => {
		const stdout = recordingStdout();
		let snapshot = withFigures(sampleSnapshot());
		let now = NOW;
		const listeners = new Set<() => void>();
		painter = createLivePainter({
			stdout: stdout.stream,
			client: {
				snapshot: () => snapshot,
				subscribe(listener) {
					listeners.add(listener);
					return () => listeners.delete(listener);
				},
			},
			clock: () => now,
			intervalMs: 30,
		});
		const requestFrame = vi.fn();
		painter.show(viewOf(snapshot), requestFrame);

		// First tick: every live line, each addressed to its row, the cursor saved and restored.
		await delay(60);
		let output = stdout.take();
		expect(output.startsWith('\u001B7')).toBe(true);
		expect(output.endsWith('\u001B8')).toBe(true);
		expect(addressed(output).map(([row]) => row)).toEqual([1, 3, 4, 5, 6, 7]);
		expect(addressed(output)[1]![1]).toMatch(/^› manager /);
		// The selected, focused row is drawn inverse, like the frame draws it.
		expect(output).toContain('\u001B[7m› manager');

		// Nothing changed: nothing written.
		await delay(60);
		expect(stdout.take()).toBe('');

		// One second later: the uptimes change on every row, the header stays.
		now += 1000;
		await delay(60);
		output = stdout.take();
		expect(addressed(output).map(([row]) => row)).toEqual([3, 4, 5, 6, 7]);
		expect(addressed(output)[0]![1]).toContain('1m06s');

		// Ink writes a frame through the stream: it passes through, then every live line again.
		painter.stream.write('frame');
		await Promise.resolve();
		output = stdout.take();
		expect(output.startsWith('frame')).toBe(true);
		expect(addressed(output).map(([row]) => row)).toEqual([1, 3, 4, 5, 6, 7]);

		// A state changes: a frame is asked for and nothing is painted.
		snapshot = {
			...snapshot,
			nodes: snapshot.nodes.map((node, index) =>
				index === 1 ? {...node, state: 'stopping' as const} : node,
			),
		};
		await delay(60);
		expect(requestFrame).toHaveBeenCalled();
		expect(stdout.take()).toBe('');

		// Between ticks too: a restart notified by the client asks for its frame at once.
		const slow = createLivePainter({
			stdout: recordingStdout().stream,
			client: {
				snapshot: () => snapshot,
				subscribe: (listener) => (listeners.add(listener), () => listeners.delete(listener)),
			},
			intervalMs: 60_000,
		});
		const slowFrame = vi.fn();
		slow.show(viewOf(snapshot), slowFrame);
		snapshot = {
			...snapshot,
			nodes: snapshot.nodes.map((node, index) => (index === 2 ? {...node, pid: 4242} : node)),
		};
		for (const listener of listeners) listener();
		expect(slowFrame).toHaveBeenCalledTimes(1);
		slow.stop();
		expect(listeners.size).toBe(1);

		// Stopped: silent, and no longer listening.
		painter.stop();
		expect(listeners.size).toBe(0);
		painter.stream.write('after');
		await delay(60);
		expect(stdout.take()).toBe('after');
	});

	test('lines are cut to the width, never wrapped; short ones clear the rest of the line', () => {
		const line = segmentsToAnsi([{text: 'abcdef'}, {text: 'ghij', color: 'red'}], {width: 8});
		expect(stripAnsi(line)).toBe('abcdefg…');
		expect(line).toBe('abcdef\u001B[31mg\u001B[39m\u001B[31m…\u001B[39m');
		expect(segmentsToAnsi([{text: 'ab', bold: true}], {width: 8, inverse: true})).toBe(
			'\u001B[7m\u001B[1mab\u001B[22m\u001B[27m',
		);
	});
});
