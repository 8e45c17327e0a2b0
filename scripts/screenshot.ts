// Screenshots of the real program for the readme: the built zeek-tui runs --demo in a tmux
// server of its own, keys are typed like an operator's, the screen is captured with its colours
// (capture-pane -e) and drawn as SVG (and PNG, when rsvg-convert is installed).
//
//   npm run build && npx tsx scripts/screenshot.ts [--out DIR] [--ansi] [shot ...]
//
// Shots: zeek-tui-160x48, zeek-tui-80x24, help, affinity (all by default), written to media/.
//
// Every wait is bounded and names what it waited for. Whatever happens, the program is asked to
// quit (q y), then the tmux server and every process working inside the shot's temp directory
// are killed, and the directory is removed.
//
// The cluster runs on a layout of its own (`zeek-tui layout -m PORT`) whose metrics ports were
// free: with the default ports, another cluster on this machine would take them and its numbers
// would show up in the table.
import {execFileSync} from 'node:child_process';
import {existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {createServer} from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';
import {parseArgs} from 'node:util';
import stripAnsi from 'strip-ansi';
import {killProcessesIn, waitFor} from '../test/helpers/processes.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cliPath = path.join(repoRoot, 'dist/cli.js');

// ---------------------------------------------------------------------------------------------
// ANSI SGR -> SVG

/** A cell's look as the terminal stores it; colours are resolved to #rrggbb, undefined = default. */
type Style = {
	fg?: string;
	bg?: string;
	bold: boolean;
	dim: boolean;
	italic: boolean;
	underline: boolean;
	strike: boolean;
	inverse: boolean;
};

type Cell = {char: string; style: Style};

const PLAIN: Style = {
	bold: false,
	dim: false,
	italic: false,
	underline: false,
	strike: false,
	inverse: false,
};

// A dark theme close to common terminal defaults (VS Code's), so the image reads like a terminal.
const DEFAULT_FG = '#d4d4d4';
const DEFAULT_BG = '#1e1e1e';
const ANSI_16 = [
	'#000000',
	'#cd3131',
	'#0dbc79',
	'#e5e510',
	'#2472c8',
	'#bc3fbc',
	'#11a8cd',
	'#e5e5e5',
	'#767676',
	'#f14c4c',
	'#23d18b',
	'#f5f543',
	'#3b8eea',
	'#d670d6',
	'#29b8db',
	'#ffffff',
];

const hex = (r: number, g: number, b: number) =>
	'#' + [r, g, b].map((v) => Math.max(0, Math.min(255, v)).toString(16).padStart(2, '0')).join('');

/** xterm's 256 colours: 16 named, a 6x6x6 cube, 24 greys. */
function color256(n: number): string | undefined {
	if (!Number.isInteger(n) || n < 0 || n > 255) return undefined;
	if (n < 16) return ANSI_16[n];
	if (n < 232) {
		const level = (v: number) => (v === 0 ? 0 : 55 + v * 40);
		const i = n - 16;
		return hex(level(Math.floor(i / 36)), level(Math.floor(i / 6) % 6), level(i % 6));
	}
	const grey = 8 + (n - 232) * 10;
	return hex(grey, grey, grey);
}

/**
 * Applies one SGR sequence (the text between `ESC [` and `m`) to a style. Sub-parameters with
 * colons (`38:2::r:g:b`) are read like their semicolon forms.
 */
function applySgr(style: Style, parameters: string): Style {
	const next = {...style};
	const groups = (parameters === '' ? '0' : parameters).split(';');
	for (let index = 0; index < groups.length; index++) {
		const group = groups[index] ?? '';
		if (group.includes(':')) {
			const [code, ...rest] = group.split(':').map((part) => Number(part || 0));
			if (code === 38 || code === 48) {
				const value = extendedColor(
					rest[0] === 2 && rest.length >= 5 ? [2, ...rest.slice(-3)] : rest,
				);
				if (code === 38) next.fg = value.color;
				else next.bg = value.color;
			}
			continue;
		}
		const code = Number(group || 0);
		if (code === 38 || code === 48) {
			const rest = groups.slice(index + 1).map((part) => Number(part || 0));
			const value = extendedColor(rest);
			index += value.used;
			if (code === 38) next.fg = value.color;
			else next.bg = value.color;
			continue;
		}
		applyCode(next, code);
	}
	return next;
}

/** `5;n` or `2;r;g;b` after a 38 or 48: the colour and how many parameters it took. */
function extendedColor(rest: number[]): {color: string | undefined; used: number} {
	if (rest[0] === 5) return {color: color256(rest[1] ?? -1), used: 2};
	if (rest[0] === 2) return {color: hex(rest[1] ?? 0, rest[2] ?? 0, rest[3] ?? 0), used: 4};
	return {color: undefined, used: 0};
}

function applyCode(style: Style, code: number): void {
	if (code === 0) Object.assign(style, PLAIN, {fg: undefined, bg: undefined});
	else if (code === 1) style.bold = true;
	else if (code === 2) style.dim = true;
	else if (code === 3) style.italic = true;
	else if (code === 4) style.underline = true;
	else if (code === 7) style.inverse = true;
	else if (code === 9) style.strike = true;
	else if (code === 22) style.bold = style.dim = false;
	else if (code === 23) style.italic = false;
	else if (code === 24) style.underline = false;
	else if (code === 27) style.inverse = false;
	else if (code === 29) style.strike = false;
	else if (code >= 30 && code <= 37) style.fg = ANSI_16[code - 30];
	else if (code === 39) style.fg = undefined;
	else if (code >= 40 && code <= 47) style.bg = ANSI_16[code - 40];
	else if (code === 49) style.bg = undefined;
	else if (code >= 90 && code <= 97) style.fg = ANSI_16[code - 90 + 8];
	else if (code >= 100 && code <= 107) style.bg = ANSI_16[code - 100 + 8];
	// Anything else (blink, fonts, overline...) does not change how a screenshot looks here.
}

/** Columns a character takes, as terminals count them: 2 for East Asian wide and emoji. */
function charWidth(codePoint: number): number {
	if (codePoint < 0x1100) return 1;
	const wide =
		codePoint <= 0x115f ||
		(codePoint >= 0x2e80 && codePoint <= 0xa4cf && codePoint !== 0x303f) ||
		(codePoint >= 0xac00 && codePoint <= 0xd7a3) ||
		(codePoint >= 0xf900 && codePoint <= 0xfaff) ||
		(codePoint >= 0xfe30 && codePoint <= 0xfe4f) ||
		(codePoint >= 0xff00 && codePoint <= 0xff60) ||
		(codePoint >= 0xffe0 && codePoint <= 0xffe6) ||
		(codePoint >= 0x1f300 && codePoint <= 0x1f64f) ||
		(codePoint >= 0x1f900 && codePoint <= 0x1f9ff) ||
		(codePoint >= 0x20000 && codePoint <= 0x3fffd);
	return wide ? 2 : 1;
}

/**
 * The screen as a grid of cells from `tmux capture-pane -p -e` output. tmux emits only what
 * changes from one cell to the next, so the style carries over from one line to the following.
 */
function parseScreen(captured: string, columns: number, rows: number): Cell[][] {
	const blank = (): Cell => ({char: ' ', style: PLAIN});
	const grid = Array.from({length: rows}, () => Array.from({length: columns}, blank));
	let style: Style = PLAIN;
	const lines = captured.replace(/\n$/, '').split('\n');
	for (const [row, line] of lines.slice(0, rows).entries()) {
		let column = 0;
		for (let index = 0; index < line.length;) {
			if (line[index] === '\u001B') {
				// eslint-disable-next-line no-control-regex -- escape sequences are what is parsed here
				const csi = /^\u001B\[([0-9;:?]*)([@-~])/.exec(line.slice(index));
				if (csi) {
					if (csi[2] === 'm') style = applySgr(style, csi[1] ?? '');
					index += csi[0].length;
					continue;
				}
				// eslint-disable-next-line no-control-regex -- escape sequences are what is parsed here
				const osc = /^\u001B\][^\u0007\u001B]*(?:\u0007|\u001B\\)/.exec(line.slice(index));
				index += osc ? osc[0].length : 1;
				continue;
			}
			const codePoint = line.codePointAt(index) ?? 32;
			const char = String.fromCodePoint(codePoint);
			index += char.length;
			if (codePoint < 32 || codePoint === 127) continue;
			const width = charWidth(codePoint);
			const cells = grid[row]!;
			if (column + width > columns) break;
			cells[column] = {char, style};
			// The second column of a wide character holds nothing of its own.
			if (width === 2) cells[column + 1] = {char: '', style};
			column += width;
		}
	}
	return grid;
}

const escapeXml = (text: string) =>
	text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Mixes a colour towards another: what a terminal's "dim" looks like on a dark background. */
function mix(color: string, toward: string, amount: number): string {
	const channels = (value: string) => [1, 3, 5].map((at) => parseInt(value.slice(at, at + 2), 16));
	const from = channels(color);
	const to = channels(toward);
	return hex(
		...(from.map((v, i) => Math.round(v + ((to[i] ?? v) - v) * amount)) as [
			number,
			number,
			number,
		]),
	);
}

/** The colours a cell is drawn with once inverse and dim are applied. */
function paint(style: Style): {fg: string; bg: string | undefined} {
	let fg = style.fg ?? DEFAULT_FG;
	let bg = style.bg;
	if (style.inverse) [fg, bg] = [bg ?? DEFAULT_BG, fg];
	if (style.dim) fg = mix(fg, bg ?? DEFAULT_BG, 0.45);
	return {fg, bg};
}

const CELL_WIDTH = 8.4;
const CELL_HEIGHT = 17;
const FONT_SIZE = 14;
/** From the top of a row to the text's baseline, for a 14px font in a 17px row. */
const BASELINE = 13;
const PADDING = 14;

const styleKey = (style: Style) => JSON.stringify(paint(style)) + JSON.stringify(style);

/**
 * Box-drawing characters drawn as lines across the whole cell, as terminals draw them: a font's
 * glyphs are shorter than a 17px row and would leave gaps in every vertical border. Each shape is
 * a list of strokes through the cell's edge midpoints (Up, Down, Left, Right) and its Centre; a
 * `~` centre is rounded (the arcs of Ink's round borders).
 */
const BOX_SHAPES: Record<string, {strokes: string[]; heavy?: boolean}> = {
	'─': {strokes: ['LR']},
	'│': {strokes: ['UD']},
	'┌': {strokes: ['DCR']},
	'┐': {strokes: ['DCL']},
	'└': {strokes: ['UCR']},
	'┘': {strokes: ['UCL']},
	'├': {strokes: ['UD', 'CR']},
	'┤': {strokes: ['UD', 'CL']},
	'┬': {strokes: ['LR', 'CD']},
	'┴': {strokes: ['LR', 'CU']},
	'┼': {strokes: ['LR', 'UD']},
	'╭': {strokes: ['D~R']},
	'╮': {strokes: ['D~L']},
	'╯': {strokes: ['U~L']},
	'╰': {strokes: ['U~R']},
	'━': {strokes: ['LR'], heavy: true},
	'┃': {strokes: ['UD'], heavy: true},
	'┏': {strokes: ['DCR'], heavy: true},
	'┓': {strokes: ['DCL'], heavy: true},
	'┗': {strokes: ['UCR'], heavy: true},
	'┛': {strokes: ['UCL'], heavy: true},
};

/** The path of a box-drawing character in the cell whose top left corner is (left, top). */
function boxPath(shape: {strokes: string[]}, left: number, top: number): string {
	const cx = left + CELL_WIDTH / 2;
	const cy = top + CELL_HEIGHT / 2;
	const points: Record<string, [number, number]> = {
		U: [cx, top],
		D: [cx, top + CELL_HEIGHT],
		L: [left, cy],
		R: [left + CELL_WIDTH, cy],
		C: [cx, cy],
	};
	const at = ([x, y]: [number, number]) => `${x.toFixed(1)},${y.toFixed(1)}`;
	return shape.strokes
		.map((stroke) => {
			const ends = [...stroke].filter((name) => name !== '~').map((name) => points[name]!);
			if (!stroke.includes('~')) return 'M' + ends.map(at).join('L');
			// A quarter circle of half a cell's width, between straight bits to the two edges.
			const radius = CELL_WIDTH / 2;
			const [from, to] = [ends[0]!, ends[1]!];
			const near = ([x, y]: [number, number]): [number, number] => [
				cx + Math.sign(x - cx) * radius,
				cy + Math.sign(y - cy) * radius,
			];
			return `M${at(from)}L${at(near(from))}Q${at([cx, cy])} ${at(near(to))}L${at(to)}`;
		})
		.join('');
}

/**
 * Block elements (U+2580-U+2595: the sparklines' ▁▂▃▄▅▆▇█, halves, shades) as the rectangle they
 * fill, in fractions of the cell; like box drawing, a font's glyphs would not fill the row.
 */
function blockRect(
	char: string,
): {x: number; y: number; width: number; height: number; opacity: number} | undefined {
	const code = char.codePointAt(0) ?? 0;
	const rect = (x: number, y: number, width: number, height: number, opacity = 1) => ({
		x,
		y,
		width,
		height,
		opacity,
	});
	if (code === 0x2580) return rect(0, 0, 1, 1 / 2);
	if (code >= 0x2581 && code <= 0x2588) {
		const eighths = code - 0x2580;
		return rect(0, 1 - eighths / 8, 1, eighths / 8);
	}
	if (code >= 0x2589 && code <= 0x258f) return rect(0, 0, (0x2590 - code) / 8, 1);
	if (code === 0x2590) return rect(1 / 2, 0, 1 / 2, 1);
	if (code >= 0x2591 && code <= 0x2593) return rect(0, 0, 1, 1, (code - 0x2590) / 4);
	if (code === 0x2594) return rect(0, 0, 1, 1 / 8);
	if (code === 0x2595) return rect(7 / 8, 0, 1 / 8, 1);
	return undefined;
}

/** The captured screen as an SVG: one rect per run of background, one text per run of style. */
export function screenToSvg(
	captured: string,
	columns: number,
	rows: number,
	title: string,
): string {
	const grid = parseScreen(captured, columns, rows);
	const width = columns * CELL_WIDTH + 2 * PADDING;
	const height = rows * CELL_HEIGHT + 2 * PADDING;
	const backgrounds: string[] = [];
	const texts: string[] = [];
	const lines = new Map<string, string[]>();
	const blocks: string[] = [];
	const left = (column: number) => PADDING + column * CELL_WIDTH;
	const x = (column: number) => left(column).toFixed(1);
	for (const [row, cells] of grid.entries()) {
		const top = PADDING + row * CELL_HEIGHT;
		for (let start = 0; start < cells.length;) {
			const key = styleKey(cells[start]!.style);
			let end = start + 1;
			while (end < cells.length && styleKey(cells[end]!.style) === key) end++;
			const style = cells[start]!.style;
			const {fg, bg} = paint(style);
			// Wide characters get a text of their own: inside a run, a font's glyph for them may not
			// be two cells wide, and everything after it in the run would drift.
			const segments: {start: number; cells: number; text: string}[] = [];
			let segment = {start, cells: 0, text: ''};
			for (let column = start; column < end; column++) {
				const char = cells[column]!.char;
				if (char === '') continue; // The second cell of a wide character.
				if (cells[column + 1]?.char === '') {
					segments.push(segment, {start: column, cells: 2, text: char});
					segment = {start: column + 2, cells: 0, text: ''};
					continue;
				}
				segment.cells++;
				const shape = BOX_SHAPES[char];
				const block = blockRect(char);
				// Drawn as geometry, kept as a space in the text so the text still spans its cells.
				segment.text += shape || block ? ' ' : char;
				if (shape) {
					const lineKey = `${fg} ${shape.heavy ? 2.4 : 1.2}`;
					const paths = lines.get(lineKey) ?? [];
					paths.push(boxPath(shape, left(column), top));
					lines.set(lineKey, paths);
				}
				if (block) {
					const opacity = block.opacity < 1 ? ` fill-opacity="${block.opacity}"` : '';
					blocks.push(
						`<rect x="${(left(column) + block.x * CELL_WIDTH).toFixed(1)}" ` +
							`y="${(top + block.y * CELL_HEIGHT).toFixed(2)}" ` +
							`width="${(block.width * CELL_WIDTH).toFixed(2)}" ` +
							`height="${(block.height * CELL_HEIGHT).toFixed(2)}" fill="${fg}"${opacity}/>`,
					);
				}
			}
			segments.push(segment);
			if (bg !== undefined) {
				const runWidth = ((end - start) * CELL_WIDTH).toFixed(1);
				backgrounds.push(
					`<rect x="${x(start)}" y="${top}" width="${runWidth}" height="${CELL_HEIGHT}" fill="${bg}"/>`,
				);
			}
			for (const {start: column, cells: count, text} of segments) {
				if (count === 0 || (text.trim() === '' && !style.underline && !style.strike)) continue;
				const attributes = [
					`x="${x(column)}"`,
					`y="${top + BASELINE}"`,
					// Holds the text to its cells whatever the advance of the font that draws it.
					`textLength="${(count * CELL_WIDTH).toFixed(1)}"`,
					`fill="${fg}"`,
				];
				if (style.bold) attributes.push('font-weight="bold"');
				if (style.italic) attributes.push('font-style="italic"');
				const decorations = [style.underline && 'underline', style.strike && 'line-through'];
				if (style.underline || style.strike)
					attributes.push(`text-decoration="${decorations.filter(Boolean).join(' ')}"`);
				texts.push(`<text ${attributes.join(' ')}>${escapeXml(text)}</text>`);
			}
			start = end;
		}
	}
	const paths = [...lines].map(([key, parts]) => {
		const [color, strokeWidth] = key.split(' ');
		return `<path d="${parts.join('')}" stroke="${color}" stroke-width="${strokeWidth}"/>`;
	});
	return [
		`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ` +
			`viewBox="0 0 ${width} ${height}" xml:space="preserve" role="img">`,
		`<title>${escapeXml(title)}</title>`,
		`<rect width="100%" height="100%" rx="8" fill="${DEFAULT_BG}"/>`,
		...backgrounds,
		...blocks,
		`<g fill="none">`,
		...paths,
		'</g>',
		`<g font-family="'DejaVu Sans Mono', Menlo, Consolas, 'Liberation Mono', monospace" ` +
			`font-size="${FONT_SIZE}" style="white-space: pre">`,
		...texts,
		'</g>',
		'</svg>',
		'',
	].join('\n');
}

// ---------------------------------------------------------------------------------------------
// The program in a tmux of its own

const NODES = ['manager', 'logger-1', 'proxy-1', 'worker-1', 'worker-2', 'worker-3', 'worker-4'];
const START_TIMEOUT_MS = 90_000;
const STEP_TIMEOUT_MS = 20_000;
const EXIT_TIMEOUT_MS = 30_000;
const SETTLED_CPU_PERCENT = 25;

type Step = {keys: string[]; until: (screen: string) => boolean; what: string; timeoutMs?: number};

type Shot = {name: string; columns: number; rows: number; title: string; steps: Step[]};

const rowOf = (screen: string, node: string) =>
	screen.split('\n').find((line) => new RegExp(`^[› ] ${node} `).test(line));

const selectWorker1: Step = {
	keys: ['j', 'j', 'j'],
	until: (screen) => rowOf(screen, 'worker-1')?.startsWith('›') === true,
	what: 'worker-1 selected',
};

/**
 * The log pane of a node is open and full: every row from its title down to the footer (a message
 * line, then the key hints) holds a log line. The simulator writes about a line a second, so a
 * tall pane fills some seconds after the node started.
 */
const logPaneFull = (node: string): Step => ({
	keys: ['Enter'],
	until(screen) {
		const all = screen.trimEnd().split('\n');
		const title = all.findIndex((line) => line.includes(`─ ${node} ─`));
		const body = all.slice(title + 1, -2);
		return title >= 0 && body.length > 0 && body.every((line) => /^[ !] \S/.test(line));
	},
	what: `${node}'s log pane, full`,
	timeoutMs: 90_000,
});

const SHOTS: Shot[] = [
	{
		name: 'zeek-tui-160x48',
		columns: 160,
		rows: 48,
		title: 'zeek-tui --demo at 160x48: the cluster table and the log pane of worker-1',
		steps: [selectWorker1, logPaneFull('worker-1')],
	},
	{
		name: 'zeek-tui-80x24',
		columns: 80,
		rows: 24,
		title: 'zeek-tui --demo at 80x24: the cluster table and the log pane of worker-1',
		steps: [selectWorker1, logPaneFull('worker-1')],
	},
	{
		name: 'help',
		columns: 100,
		rows: 30,
		title: 'zeek-tui help (?): every key',
		steps: [
			{keys: ['?'], until: (screen) => screen.includes('Keys (? or Esc closes)'), what: 'help'},
		],
	},
	{
		name: 'affinity',
		columns: 100,
		rows: 30,
		title: 'zeek-tui CPU affinity editor (a) on worker-1',
		steps: [
			selectWorker1,
			{
				keys: ['a'],
				until: (screen) => screen.includes('CPU affinity of worker-1'),
				what: 'the affinity editor of worker-1',
			},
		],
	},
];

/** The cluster as it looks at rest: every node running, rates in, start-up CPU spent. */
function clusterReady(screen: string): boolean {
	const rows = NODES.map((node) => rowOf(screen, node));
	if (!rows.every((row) => row !== undefined && /\brunning\b/.test(row))) return false;
	// The metrics columns show once a metrics port answers; a worker's rate needs two scrapes.
	// The column is right-aligned under its title: read each worker's cell there.
	const titles = screen.split('\n').find((line) => /^ {2}NODE /.test(line)) ?? '';
	const at = titles.indexOf('PKTS/S');
	if (at < 0) return false;
	const workers = rows.filter((row) => /^[› ] worker-/.test(row!));
	if (workers.some((row) => !/\d/.test(row!.slice(at, at + 'PKTS/S'.length)))) return false;
	// Seven node processes starting at once show tens of percent until they idle.
	const cpu = /CPU (\d+(?:\.\d+)?)%/.exec(screen);
	return cpu !== null && Number(cpu[1]) < SETTLED_CPU_PERCENT;
}

/** A run of `count` consecutive TCP ports free on 127.0.0.1, so no other cluster's metrics show. */
async function freePorts(count: number): Promise<number> {
	const free = (port: number) =>
		new Promise<boolean>((resolve) => {
			const server = createServer();
			server.once('error', () => resolve(false));
			server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
		});
	for (let attempt = 0; attempt < 50; attempt++) {
		const base = 30_000 + Math.floor(Math.random() * 20_000);
		let ok = true;
		for (let port = base; port < base + count && ok; port++) ok = await free(port);
		if (ok) return base;
	}
	throw new Error(`no ${count} consecutive free ports found on 127.0.0.1`);
}

/** The environment of an operator's shell, minus whatever would change the screen. */
function screenEnv(): Record<string, string> {
	const env: Record<string, string> = {};
	for (const [key, value] of Object.entries(process.env)) {
		if (value === undefined || key.startsWith('ZEEK_') || key.startsWith('TMUX')) continue;
		if (key === 'NO_COLOR' || key === 'FORCE_COLOR' || key === 'COLUMNS' || key === 'LINES')
			continue;
		env[key] = value;
	}
	return env;
}

class TmuxScreen {
	private readonly socket = `zeek-tui-shot-${process.pid}-${Date.now()}`;

	private socketPath: string | undefined;

	constructor(private readonly env: Record<string, string>) {}

	run(...args: string[]): string {
		return execFileSync('tmux', ['-L', this.socket, ...args], {
			encoding: 'utf8',
			env: this.env,
			timeout: 10_000,
		});
	}

	start(command: string[], columns: number, rows: number, cwd: string): void {
		// remain-on-exit keeps the pane after the program exits: its death is then observable.
		this.run(
			'-f',
			'/dev/null',
			'start-server',
			';',
			'set-option',
			'-g',
			'remain-on-exit',
			'on',
			';',
			'new-session',
			'-d',
			'-s',
			'shot',
			'-x',
			String(columns),
			'-y',
			String(rows),
			'-c',
			cwd,
			'-e',
			'TERM=xterm-256color',
			'--',
			...command,
		);
		this.socketPath = this.run('display-message', '-p', '#{socket_path}').trim();
	}

	text(): string {
		return this.run('capture-pane', '-p', '-t', 'shot');
	}

	ansi(): string {
		return this.run('capture-pane', '-p', '-e', '-t', 'shot');
	}

	press(...keys: string[]): void {
		if (keys.length > 0) this.run('send-keys', '-t', 'shot', ...keys);
	}

	alive(): boolean {
		try {
			return this.run('display-message', '-p', '-t', 'shot', '#{pane_dead}').trim() === '0';
		} catch {
			return false; // No server: it never started, or it is gone.
		}
	}

	kill(): void {
		try {
			this.run('kill-server');
		} catch {
			// Already gone.
		}
		// tmux leaves its socket file behind.
		if (this.socketPath) rmSync(this.socketPath, {force: true});
	}
}

/** Waits for a condition on the screen; fails at once, showing the screen, if the program died. */
async function waitForScreen(
	tmux: TmuxScreen,
	until: (screen: string) => boolean,
	what: string,
	timeoutMs: number,
): Promise<string> {
	let last = '';
	try {
		return await waitFor(
			() => {
				last = tmux.text();
				if (until(last)) return last;
				if (!tmux.alive()) throw new Error(`zeek-tui exited while waiting for ${what}`);
				return undefined;
			},
			{timeoutMs, intervalMs: 200, what},
		);
	} catch (error) {
		throw new Error(`${(error as Error).message}; the screen was:\n${last}`);
	}
}

/**
 * q, then y, as an operator quits. A q typed in a dialog only closes the dialog, so q is typed
 * again until the question shows. (Esc is not used: Esc and q sent together read as Alt-q.)
 */
async function quit(tmux: TmuxScreen): Promise<void> {
	const asked = (screen: string) => screen.includes('Stop the cluster and quit? (y/n)');
	for (let attempt = 1; tmux.alive(); attempt++) {
		tmux.press('q');
		try {
			await waitForScreen(tmux, asked, 'the quit question', 5000);
		} catch (error) {
			if (attempt < 3) continue;
			throw error;
		}
		tmux.press('y');
		await waitFor(() => !tmux.alive(), {timeoutMs: EXIT_TIMEOUT_MS, what: 'zeek-tui to exit'});
	}
}

const cleanups = new Set<() => void>();

/** Cleanup also runs from a signal handler, where nothing asynchronous gets to run. */
function sleepSync(ms: number): void {
	Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

type Output = {dir: string; png: boolean; ansi: boolean};

async function takeShot(shot: Shot, output: Output): Promise<string[]> {
	const work = mkdtempSync(path.join(os.tmpdir(), 'zeek-tui-shot-'));
	const tmux = new TmuxScreen(screenEnv());
	const cleanup = () => {
		tmux.kill();
		// The nodes outlive their zeek-tui by design (adoption): find them by working directory.
		const deadline = Date.now() + 5000;
		while (killProcessesIn(work).length > 0 && Date.now() < deadline) sleepSync(100);
		try {
			rmSync(work, {recursive: true, force: true, maxRetries: 5, retryDelay: 100});
		} catch (error) {
			console.error(`screenshot: could not remove ${work}: ${(error as Error).message}`);
		}
	};
	cleanups.add(cleanup);
	let failure: unknown;
	let written: string[] = [];
	try {
		written = await shoot(shot, tmux, work, output);
	} catch (error) {
		failure = error;
	}
	try {
		await quit(tmux);
	} catch (error) {
		// After a failure, the first error is the one to tell.
		failure ??= error;
	} finally {
		cleanup();
		cleanups.delete(cleanup);
	}
	if (failure !== undefined) throw failure;
	return written;
}

/** Starts the demo in `work`, types the shot's keys and writes the images. */
async function shoot(
	shot: Shot,
	tmux: TmuxScreen,
	work: string,
	output: Output,
): Promise<string[]> {
	const layout = path.join(work, 'cluster-layout.zeek');
	const metricsBase = await freePorts(NODES.length);
	execFileSync(
		'node',
		[cliPath, 'layout', '-L', '1', '-P', '1', '-W', '4', '-m', String(metricsBase), '-o', layout],
		{env: screenEnv(), timeout: 20_000},
	);
	const spool = path.join(work, 'spool');
	const command = ['node', cliPath, '--demo', '--spool-dir', spool, '--layout', layout];
	tmux.start([...command, '--stop-timeout', '5'], shot.columns, shot.rows, work);
	await waitForScreen(tmux, clusterReady, 'every node running', START_TIMEOUT_MS);
	for (const step of shot.steps) {
		tmux.press(...step.keys);
		await waitForScreen(tmux, step.until, step.what, step.timeoutMs ?? STEP_TIMEOUT_MS);
	}
	// Ink may be mid-frame when tmux is asked: keep a capture only if it shows what was waited for.
	const ready = shot.steps.at(-1)?.until ?? clusterReady;
	const captured = await waitFor(
		() => {
			const ansi = tmux.ansi();
			return ready(stripAnsi(ansi)) ? ansi : undefined;
		},
		{timeoutMs: STEP_TIMEOUT_MS, intervalMs: 200, what: `a settled frame for ${shot.name}`},
	);
	const file = (extension: string) => path.join(output.dir, `${shot.name}.${extension}`);
	const written = [file('svg')];
	writeFileSync(file('svg'), screenToSvg(captured, shot.columns, shot.rows, shot.title));
	if (output.png) {
		execFileSync('rsvg-convert', ['-o', file('png'), file('svg')], {timeout: 30_000});
		written.push(file('png'));
	}
	if (output.ansi) {
		writeFileSync(file('ansi'), captured);
		written.push(file('ansi'));
	}
	return written;
}

function hasCommand(name: string): boolean {
	try {
		execFileSync('sh', ['-c', `command -v ${name}`], {stdio: 'ignore'});
		return true;
	} catch {
		return false;
	}
}

async function main(): Promise<void> {
	// Ctrl-C or a kill of this script still takes the cluster down with it.
	// Ctrl-C comes twice under tsx (from the terminal and relayed by its wrapper): clean up once.
	let exiting = false;
	for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
		process.on(signal, () => {
			if (exiting) return;
			exiting = true;
			console.error(`screenshot: ${signal}, cleaning up`);
			// The cleanup blocks; first let tsx's wrapper hear that the signal is handled (it
			// SIGKILLs a child that does not say so within 30 ms).
			setTimeout(() => {
				for (const cleanup of cleanups) cleanup();
				process.exit(128 + os.constants.signals[signal]);
			}, 100);
		});
	}
	const {values, positionals} = parseArgs({
		options: {
			out: {type: 'string', default: path.join(repoRoot, 'media')},
			// The raw capture beside each image: to see what the converter was given.
			ansi: {type: 'boolean', default: false},
		},
		allowPositionals: true,
	});
	const unknown = positionals.filter((name) => !SHOTS.some((shot) => shot.name === name));
	if (unknown.length > 0) {
		throw new Error(
			`unknown shot ${unknown.join(', ')}; shots: ${SHOTS.map((shot) => shot.name).join(', ')}`,
		);
	}
	if (!existsSync(cliPath)) throw new Error(`${cliPath} is missing: run npm run build first`);
	if (!hasCommand('tmux')) throw new Error('tmux is not installed: it is the terminal captured');
	const png = hasCommand('rsvg-convert');
	if (!png) console.error('rsvg-convert not found (apt-get install librsvg2-bin): SVG only');
	const output: Output = {dir: path.resolve(values.out), png, ansi: values.ansi};
	mkdirSync(output.dir, {recursive: true});
	const shots =
		positionals.length > 0 ? SHOTS.filter((shot) => positionals.includes(shot.name)) : SHOTS;
	for (const shot of shots) {
		const started = Date.now();
		const written = await takeShot(shot, output);
		const seconds = ((Date.now() - started) / 1000).toFixed(1);
		console.log(`${shot.name} (${shot.columns}x${shot.rows}, ${seconds}s): ${written.join(' ')}`);
	}
}

// Run as a script; imported (the converter alone), it does nothing.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
	main().catch((error: unknown) => {
		console.error(`screenshot: ${error instanceof Error ? error.message : String(error)}`);
		process.exitCode = 1;
	});
}
