// Pure text formatting for the views: durations, sizes, rates, state labels, log text.
import type {NodeSnapshot} from '../cluster/types.js';

const pad2 = (value: number): string => String(value).padStart(2, '0');

// Figures come from outside (a metrics port, /proc): whatever they say, a cell stays as narrow
// as a sane figure's. One that is no figure at all (NaN, a negative count) reads NOT_A_FIGURE;
// one beyond what a cell shows (up to Infinity) reads as that bound after a `>`: `>999M`.
export const NOT_A_FIGURE = '?';
/** Longest time a cell shows (uptime, lag): 999 days. */
const MAX_DAYS = 999;
const MAX_DURATION_S = (MAX_DAYS + 1) * 86_400;
const BEYOND_DAYS = `>${MAX_DAYS}d`;

/** `45s`, `12m03s`, `3h04m`, `2d03h`: two units at most, so the column stays narrow. */
export function formatUptime(ms: number): string {
	if (Number.isNaN(ms)) return NOT_A_FIGURE;
	if (ms / 1000 >= MAX_DURATION_S) return BEYOND_DAYS;
	const seconds = Math.max(0, Math.floor(ms / 1000));
	if (seconds < 60) return `${seconds}s`;
	const minutes = Math.floor(seconds / 60);
	if (minutes < 60) return `${minutes}m${pad2(seconds % 60)}s`;
	const hours = Math.floor(minutes / 60);
	if (hours < 24) return `${hours}h${pad2(minutes % 60)}m`;
	return `${Math.floor(hours / 24)}d${pad2(hours % 24)}h`;
}

const BYTE_UNITS = ['K', 'M', 'G', 'T', 'P'];
const LAST_BYTE_UNIT = BYTE_UNITS.at(-1)!;

const isNoFigure = (value: number) => Number.isNaN(value) || value < 0;

/** Binary units with one decimal, like top: `512B`, `48.2M`, `1.5G`; at most `>999P`. */
export function formatBytes(bytes: number): string {
	if (isNoFigure(bytes)) return NOT_A_FIGURE;
	if (bytes < 1024) return `${Math.round(bytes)}B`;
	let value = bytes;
	for (const unit of BYTE_UNITS) {
		value /= 1024;
		// Round first: 1023.96K must read 1.0M, not 1024.0K.
		const rounded = Number(value.toFixed(1));
		if (unit !== LAST_BYTE_UNIT && rounded < 1024) return `${value.toFixed(1)}${unit}`;
		if (unit === LAST_BYTE_UNIT && rounded < 1000) return `${value.toFixed(1)}${unit}`;
	}
	return `>999${LAST_BYTE_UNIT}`;
}

/** Percent of one core, `12.5`; `-` before a node's first CPU figure; at most `>9999`. */
export function formatPercent(percent: number | undefined): string {
	if (percent === undefined) return '-';
	if (isNoFigure(percent)) return NOT_A_FIGURE;
	return percent < 9_999.95 ? percent.toFixed(1) : '>9999';
}

/** Small drop rates matter on a sensor: keep two decimals below 10 %. A share is 0-100. */
export function formatDropPercent(percent: number): string {
	if (isNoFigure(percent) || percent > 100) return NOT_A_FIGURE;
	return percent < 10 ? percent.toFixed(2) : percent.toFixed(1);
}

/**
 * `850`, `1.0k`, `12.3k`, `1.2M`. A unit is taken as soon as the value rounds to 1.0 of it, so a
 * rate measured at 998 one time and 1003 the next reads `1.0k` both times instead of flipping
 * between two shapes.
 */
export function formatRate(perSecond: number): string {
	if (isNoFigure(perSecond)) return NOT_A_FIGURE;
	const rate = perSecond;
	if (rate < 950) return String(Math.round(rate));
	if (rate < 999_950) return `${(rate / 1000).toFixed(1)}k`;
	if (rate < 999_950_000) return `${(rate / 1_000_000).toFixed(1)}M`;
	return '>999M';
}

/** Whole seconds left until `at`, rounded up so `0s` only shows once the moment has come. */
export function secondsUntil(at: number, now: number): number {
	return Math.max(0, Math.ceil((at - now) / 1000));
}

/** Zeek's packet lag: `0.01s`, `7.25s`, `12.3s`, `125s`, then one unit: `17m`, `5h`, `12d`. */
export function formatLag(seconds: number): string {
	if (isNoFigure(seconds)) return NOT_A_FIGURE;
	if (seconds < 9.995) return `${seconds.toFixed(2)}s`;
	if (seconds < 99.95) return `${seconds.toFixed(1)}s`;
	if (seconds < 999.5) return `${Math.round(seconds)}s`;
	if (seconds < 100 * 60) return `${Math.floor(seconds / 60)}m`;
	if (seconds < 100 * 3600) return `${Math.floor(seconds / 3600)}h`;
	if (seconds < MAX_DURATION_S) return `${Math.floor(seconds / 86_400)}d`;
	return BEYOND_DAYS;
}

/**
 * The STATE cell: the state, plus the countdown to SIGKILL or to the next restart. `short` fits
 * the countdowns into the width of the plain states (`stop 60s`, `retry 9s`) for narrow screens.
 */
export function stateLabel(node: NodeSnapshot, now: number, short = false): string {
	if (node.state === 'stopping' && node.killAt !== undefined) {
		return `${short ? 'stop' : 'stopping'} ${secondsUntil(node.killAt, now)}s`;
	}
	if (node.state === 'backoff' && node.restartAt !== undefined) {
		return `${short ? 'retry' : 'backoff'} ${secondsUntil(node.restartAt, now)}s`;
	}
	return node.state;
}

/** States in which the node has a live process whose uptime means something. */
export function isUp(node: NodeSnapshot): boolean {
	return node.state === 'running' || node.state === 'starting' || node.state === 'stopping';
}

const TAB_WIDTH = 8;

/**
 * Makes one log line safe to print inside a box: tabs expanded (a raw tab moves the terminal
 * cursor by a width Ink cannot measure) and every other control character dropped (ANSI codes
 * are stripped by the log source already; a stray ESC or CR would still move the cursor).
 */
export function sanitizeLogText(text: string): string {
	let out = '';
	for (const char of text) {
		const code = char.codePointAt(0)!;
		if (char === '\t') {
			out += ' '.repeat(TAB_WIDTH - (out.length % TAB_WIDTH));
		} else if (code >= 0x20 && code !== 0x7f && (code < 0x80 || code > 0x9f)) {
			out += char;
		}
	}
	return out;
}
