// The fast frame stage draws exactly what Ink's own Output.get() draws: every frame of the App,
// through every view, computed both ways and compared; and the fast way is the one taken.
import {createRequire} from 'node:module';
import path from 'node:path';
import {pathToFileURL} from 'node:url';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {cleanup, render} from 'ink-testing-library';
import {createElement} from 'react';
import stripAnsi from 'strip-ansi';
import {App} from '../source/app.js';
import {fastFrame} from '../source/ui/ink-fast-output.js';
import {FakeClusterClient, sampleSnapshot} from './fake-cluster-client.js';
import {KEY, press} from './ui-helpers.js';

type Result = {output: string; height: number};
type OutputInstance = Parameters<typeof fastFrame>[0];
type OutputClass = {
	new (options: {width: number; height: number}): OutputInstance & {
		write(x: number, y: number, text: string, options: {transformers: unknown[]}): void;
		clip(clip: object): void;
		unclip(): void;
		get(): Result;
	};
	prototype: {get(this: OutputInstance): Result};
};

const inkEntry = createRequire(import.meta.url).resolve('ink');
const {default: Output} = (await import(
	pathToFileURL(path.join(path.dirname(inkEntry), 'output.js')).href
)) as {default: OutputClass};
const inkGet = Output.prototype.get;

/** Every frame Ink drew while the wrapper was on: Ink's result and the fast one. */
const frames: Array<{ink: Result; fast: Result | undefined}> = [];

beforeAll(() => {
	Output.prototype.get = function (this: OutputInstance) {
		const ink = inkGet.call(this);
		const fast = fastFrame(this);
		frames.push({ink, fast});
		return ink;
	};
});
afterAll(() => {
	Output.prototype.get = inkGet;
	cleanup();
});

describe('fastFrame', () => {
	test('every frame of every view is drawn the same, and the fast way', async () => {
		const snapshot = sampleSnapshot();
		snapshot.nodes = snapshot.nodes.map((node, index) => ({
			...node,
			...(node.pid === undefined
				? {}
				: {
						startedAt: Date.now() - 90_000,
						usage: {cpu: index * 1.5, memory: (index + 1) * 30 * 1024 * 1024},
						history: {cpu: [1, 5, 9, 3, 0.5, 7], memory: [], packetsPerSecond: []},
					}),
		}));
		const client = new FakeClusterClient(snapshot);
		for (let line = 0; line < 60; line++)
			client.addLog('worker-1', line % 3 ? 'stdout' : 'stderr', `line ${line} ${'x'.repeat(line)}`);
		const view = render(createElement(App, {client, columns: 100, rows: 30}));
		// The table, a log pane and its focus, help, the detail view, the affinity editor, a
		// confirmation, the filter, and a narrow terminal.
		await press(view.stdin, 'j', 'j', 'j', KEY.enter, KEY.tab, KEY.pageUp, KEY.tab);
		await press(view.stdin, '?');
		await press(view.stdin, KEY.escape, 'i');
		await press(view.stdin, KEY.escape, 'a');
		await press(view.stdin, KEY.space, KEY.escape, 'q');
		await press(view.stdin, 'n', '/', 'w', 'o');
		await press(view.stdin, KEY.escape);
		view.rerender(createElement(App, {client, columns: 80, rows: 24}));
		await press(view.stdin, 'k');
		view.unmount();

		expect(frames.length).toBeGreaterThan(15);
		for (const {ink, fast} of frames) {
			expect(fast).toBeDefined();
			expect(fast!.height).toBe(ink.height);
			expect(fast!.output).toBe(ink.output);
		}
	});

	test('colours pass through; overlapping writes and sideways clips are left to Ink', () => {
		const colored = new Output({width: 20, height: 2});
		colored.write(0, 0, '\u001B[31mred\u001B[39m', {transformers: []});
		colored.write(5, 0, 'plain', {transformers: []});
		colored.write(2, 1, 'x', {
			transformers: [(line: unknown) => `\u001B[1m${String(line)}\u001B[22m`],
		});
		const fast = fastFrame(colored)!;
		expect(fast.output).toBe('\u001B[31mred\u001B[39m  plain\n  \u001B[1mx\u001B[22m');
		expect(stripAnsi(fast.output)).toBe(stripAnsi(inkGet.call(colored).output));

		const overlapping = new Output({width: 20, height: 1});
		overlapping.write(0, 0, 'abcdef', {transformers: []});
		overlapping.write(2, 0, 'XY', {transformers: []});
		expect(fastFrame(overlapping)).toBeUndefined();

		const clipped = new Output({width: 20, height: 1});
		clipped.clip({x1: 0, x2: 3, y1: undefined, y2: undefined});
		clipped.write(0, 0, 'abcdef', {transformers: []});
		clipped.unclip();
		expect(fastFrame(clipped)).toBeUndefined();
	});
});
