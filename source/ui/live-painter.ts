// Keeps the figures on screen current between Ink frames, at a fraction of a frame's cost.
//
// Why: Ink rebuilds and re-measures every character of the screen on every frame (about 60 ms of
// CPU for a 160x48 screen on a 2-core sensor), and CPU, memory, uptime and packet rates change
// every second. Drawing a frame a second for them cost 10-13 % of a core with 32 nodes, on the
// box that captures packets. So in a real terminal Ink draws a frame only when something other
// than a figure changes (a key, a state, a pid, a log line), and this painter rewrites the header
// and the visible table rows in place once a second, from the same segments the views draw:
// a handful of short writes, only for the lines whose text changed.
//
// How it stays in step with Ink: the App reports after each commit what it drew (LiveView);
// every write Ink makes goes through `stream`, and after one the painter repaints its lines over
// the new frame (the App drew them from the same snapshot, so nothing flickers). When the
// snapshot changes in a way only a frame can show (a state, a pid, the columns' widths), the
// painter asks the App for a frame instead of painting.
import type {ClusterClient, ClusterSnapshot, NodeSnapshot} from '../cluster/types.js';
import {headerSegments} from './header.js';
import {tableText} from './node-columns.js';
import {rowSegments} from './node-table.js';
import {segmentsToAnsi, segmentsWidth, type Segment} from './segments.js';
import type {Theme} from './theme.js';
import {createThrottle} from './throttle.js';

/** What the App drew, as the painter needs it. Rows are 0-based screen lines. */
export type LiveView = {
	width: number;
	theme: Theme;
	/** The header is on line 0. */
	header: boolean;
	table?: {
		/** Screen line of the first node row shown. */
		top: number;
		/** Every node the table lists (after the filter), in order. */
		names: readonly string[];
		/** Index in `names` of the first row shown, and how many rows fit. */
		first: number;
		viewport: number;
		selected?: string | undefined;
		focused: boolean;
		/** The column titles as drawn: new widths need a new frame. */
		titles: string;
	};
	/** structureKey() of the snapshot the frame was drawn from. */
	structure: string;
};

export type LivePainter = {
	/** The stream to give Ink: writes pass through, and the live lines are repainted after them. */
	stream: NodeJS.WriteStream;
	/** After each commit: what the App drew, and how to ask it for a new frame. */
	show(view: LiveView | undefined, requestFrame: () => void): void;
	stop(): void;
};

/** Everything about the nodes that a new frame has to show, figures left out. */
export function structureKey(snapshot: ClusterSnapshot): string {
	// Built in one string: this runs on every refresh and after every change.
	let key = '';
	for (const node of snapshot.nodes) {
		key += `${node.name}:${node.state}:${node.pid}:${node.restarts}:${node.exits.length}:`;
		key += `${node.killAt}:${node.restartAt}:${node.metrics ? 'm' : ''}:`;
		key += `${node.cpus?.join(',')}:${node.pin?.join(',')}|`;
	}
	return key;
}

type Line = {y: number; segments: Segment[]; inverse?: boolean};

/** The lines to paint now, or 'frame' when only a new frame can show what changed. */
export function liveLines(
	view: LiveView,
	snapshot: ClusterSnapshot,
	now: number,
): Line[] | 'frame' {
	if (structureKey(snapshot) !== view.structure) return 'frame';
	const lines: Line[] = [];
	if (view.header) lines.push({y: 0, segments: headerSegments(snapshot, view.theme)});
	const {table} = view;
	if (table) {
		const byName = new Map(snapshot.nodes.map((node) => [node.name, node]));
		const nodes: NodeSnapshot[] = [];
		for (const name of table.names) {
			const node = byName.get(name);
			if (!node) return 'frame';
			nodes.push(node);
		}
		const text = tableText(nodes, now, view.width);
		if (text.titles.join(' ') !== table.titles) return 'frame';
		const last = Math.min(nodes.length, table.first + table.viewport);
		for (let index = table.first; index < last; index++) {
			lines.push({
				y: table.top + index - table.first,
				segments: rowSegments(text, nodes, index, table.selected, view.theme),
				inverse: table.focused && nodes[index]!.name === table.selected,
			});
		}
	}
	return lines;
}

/**
 * How often the figures are repainted: like top's refresh (3 s), often enough to watch, rarely
 * enough to cost nothing; the sampler measures CPU over the same 2 s. A countdown on screen
 * (a stop's SIGKILL, a back-off's restart) is repainted every second.
 */
export const REFRESH_INTERVAL_MS = 2000;
export const COUNTDOWN_INTERVAL_MS = 1000;
const STRUCTURE_CHECK_MS = 1000;

const countsDown = (snapshot: ClusterSnapshot) =>
	snapshot.nodes.some((node) => node.killAt !== undefined || node.restartAt !== undefined);

const SAVE_CURSOR = '\u001B7';
const RESTORE_CURSOR = '\u001B8';
const CLEAR_TO_END_OF_LINE = '\u001B[K';
const moveTo = (y: number) => `\u001B[${y + 1};1H`;

export function createLivePainter(options: {
	stdout: NodeJS.WriteStream;
	client: Pick<ClusterClient, 'snapshot' | 'subscribe'>;
	clock?: () => number;
	/** Default REFRESH_INTERVAL_MS, or COUNTDOWN_INTERVAL_MS while a countdown is shown. */
	intervalMs?: number;
}): LivePainter {
	const {stdout, client, clock = Date.now} = options;
	const interval = () =>
		options.intervalMs ??
		(countsDown(client.snapshot()) ? COUNTDOWN_INTERVAL_MS : REFRESH_INTERVAL_MS);
	let view: LiveView | undefined;
	let requestFrame: () => void = () => undefined;
	/** Text last written per screen line; cleared when Ink draws over everything. */
	let painted = new Map<number, string>();
	let repaintQueued = false;
	let stopped = false;
	let timer: NodeJS.Timeout | undefined;

	const paint = () => {
		if (stopped || !view) return;
		const lines = liveLines(view, client.snapshot(), clock());
		if (lines === 'frame') {
			// The frame's commit reports the new view; at worst this asks once a tick.
			requestFrame();
			return;
		}
		let output = '';
		for (const line of lines) {
			const text = segmentsToAnsi(line.segments, {width: view.width, inverse: line.inverse});
			if (painted.get(line.y) === text) continue;
			painted.set(line.y, text);
			const short = segmentsWidth(line.segments) < view.width;
			output += moveTo(line.y) + text + (short ? CLEAR_TO_END_OF_LINE : '');
		}
		if (output) stdout.write(SAVE_CURSOR + output + RESTORE_CURSOR);
	};

	// A state or a pid that changes (a crash, a restart) gets its frame at once, not at the next
	// tick: the check (a merge and a string compare) is made at most every STRUCTURE_CHECK_MS, however often
	// samples and scrapes arrive.
	const structureCheck = createThrottle(() => {
		if (!stopped && view && structureKey(client.snapshot()) !== view.structure) requestFrame();
	}, STRUCTURE_CHECK_MS);
	const unsubscribe = client.subscribe(structureCheck.schedule);

	const tick = () => {
		paint();
		if (!stopped) timer = setTimeout(tick, interval());
		timer?.unref();
	};
	timer = setTimeout(tick, interval());
	timer.unref();

	const afterInkWrite = () => {
		if (repaintQueued) return;
		repaintQueued = true;
		// After the commit that wrote the frame has finished (its layout effects report the view).
		queueMicrotask(() => {
			repaintQueued = false;
			painted = new Map();
			paint();
		});
	};

	const write = (...args: Parameters<NodeJS.WriteStream['write']>) => {
		const written = stdout.write(...(args as [string]));
		afterInkWrite();
		return written;
	};
	const stream = new Proxy(stdout, {
		get(target, key) {
			if (key === 'write') return write;
			const value: unknown = Reflect.get(target, key, target);
			return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
		},
	});

	return {
		stream,
		show(next, request) {
			view = next;
			requestFrame = request;
		},
		stop() {
			stopped = true;
			view = undefined;
			clearTimeout(timer);
			structureCheck.cancel();
			unsubscribe();
		},
	};
}
