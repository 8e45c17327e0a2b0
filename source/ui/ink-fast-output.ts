// A faster last stage for Ink's frames, for the frames zeek-tui draws (a key, a log pane).
//
// Ink 6.8's Output.get() builds every frame as a grid of one object per character cell, parses
// every written line into styled characters (@alcalzone/ansi-tokenize) and prints the grid back
// into text: more than half of a frame's CPU, tens of milliseconds for a 160x48 screen on a
// sensor's small cores, and so the delay between a key and its answer. When what was written to
// a row does not overlap and nothing is clipped sideways, which is every frame zeek-tui draws,
// the row is the written texts in order with blanks between them, and that is what this draws.
// Anything else (overlapping writes, a horizontal clip) goes to Ink's own get(), unchanged.
//
// Ink is pinned to ~6.8.0 in package.json: Output is internal, and test/ink-fast-output.test.ts
// checks, frame by frame, that this draws exactly what Ink draws.
import {createRequire} from 'node:module';
import path from 'node:path';
import {pathToFileURL} from 'node:url';
import stringWidth from 'string-width';

type Transformer = (line: string, index: number) => string;
type Clip = {x1?: number; x2?: number; y1?: number; y2?: number};
type Operation =
	| {type: 'write'; x: number; y: number; text: string; transformers: Transformer[]}
	| {type: 'clip'; clip: Clip}
	| {type: 'unclip'};
type OutputLike = {width: number; height: number; operations: Operation[]};
type Result = {output: string; height: number};
type OutputClass = {prototype: {get(this: OutputLike): Result}};

type Fragment = {x: number; text: string; width: number};

/** Widths of the texts seen lately: the same cells come back frame after frame. */
const widths = new Map<string, number>();
const WIDTH_CACHE_LIMIT = 5000;
function widthOf(text: string): number {
	let width = widths.get(text);
	if (width === undefined) {
		if (widths.size >= WIDTH_CACHE_LIMIT) widths.clear();
		width = stringWidth(text);
		widths.set(text, width);
	}
	return width;
}

/** The frame's rows, or undefined when only Ink's own get() draws it right. */
export function fastFrame(output: OutputLike): Result | undefined {
	const rows: Fragment[][] = Array.from({length: output.height}, () => []);
	const clips: Clip[] = [];
	for (const operation of output.operations) {
		if (operation.type === 'clip') {
			if (typeof operation.clip.x1 === 'number' || typeof operation.clip.x2 === 'number')
				return undefined;
			clips.push(operation.clip);
			continue;
		}
		if (operation.type === 'unclip') {
			clips.pop();
			continue;
		}
		if (!operation.text) continue;
		let lines = operation.text.split('\n');
		let {y} = operation;
		const clip = clips.at(-1);
		if (clip && typeof clip.y1 === 'number' && typeof clip.y2 === 'number') {
			if (y + lines.length < clip.y1 || y > clip.y2) continue;
			const from = y < clip.y1 ? clip.y1 - y : 0;
			const to = y + lines.length > clip.y2 ? clip.y2 - y : lines.length;
			lines = lines.slice(from, to);
			if (y < clip.y1) y = clip.y1;
		}
		for (const [index, original] of lines.entries()) {
			const row = rows[y + index];
			if (!row) continue;
			let line = original;
			for (const transformer of operation.transformers) line = transformer(line, index);
			const width = widthOf(line);
			// Ink writes no cell for an empty line (the last line of a border's side, say).
			if (width > 0) row.push({x: operation.x, text: line, width});
		}
	}

	const text: string[] = [];
	for (const row of rows) {
		row.sort((a, b) => a.x - b.x);
		let line = '';
		let column = 0;
		for (const fragment of row) {
			if (fragment.x < column) return undefined;
			line += ' '.repeat(fragment.x - column) + fragment.text;
			column = fragment.x + fragment.width;
		}
		text.push(line.trimEnd());
	}
	return {output: text.join('\n'), height: rows.length};
}

let installed = false;

/** Makes Ink's Output draw through fastFrame (once per process; later calls do nothing). */
export async function installFastOutput(): Promise<void> {
	if (installed) return;
	installed = true;
	const inkEntry = createRequire(import.meta.url).resolve('ink');
	const module = (await import(
		pathToFileURL(path.join(path.dirname(inkEntry), 'output.js')).href
	)) as {default: OutputClass};
	const Output = module.default;
	const inkGet = Output.prototype.get;
	Output.prototype.get = function (this: OutputLike) {
		return fastFrame(this) ?? inkGet.call(this);
	};
}
