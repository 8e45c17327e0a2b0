// The node table's columns and cell texts, fitted to the terminal's width. Pure: the view only
// lays the strings out and colours them.
import type {NodeSnapshot} from '../cluster/types.js';
import {formatCpuList} from '../cluster/affinity.js';
import {
	formatBytes,
	formatDropPercent,
	formatLag,
	formatPercent,
	formatRate,
	formatUptime,
	isUp,
	stateLabel,
} from './format.js';
import {ALERT_MARK, capturesPackets, dropAlert, lagAlert} from './packet-health.js';
import {cpuSparkline} from './sparkline.js';

export type ColumnId =
	| 'node'
	| 'type'
	| 'state'
	| 'pid'
	| 'cpu'
	| 'memory'
	| 'uptime'
	| 'restarts'
	| 'cpus'
	| 'packets'
	| 'drops'
	| 'lag'
	| 'cpu-history';

export type TableCell = {
	/** Fitted to the column's width. */
	text: string;
	/** Over a threshold: drawn in colour, and the text carries ALERT_MARK. */
	alert: boolean;
};

/** How much a narrow terminal takes away, decided per table (every row the same). */
type Fit = {
	lagColumn: boolean;
	cpusMaxWidth: number;
	shortState: boolean;
	cpusColumn: boolean;
	uptimeColumn: boolean;
};

type CellValue = string | {text: string; alert: boolean};

type Column = {
	id: ColumnId;
	title: string;
	align: 'left' | 'right';
	/** Keeps the column from jittering as values change width. */
	minWidth: number;
	/** Long names and CPU lists are cut rather than push the other columns off the screen. */
	maxWidth?: number;
	cell(node: NodeSnapshot, now: number): CellValue;
};

const NONE = '-';

/**
 * A node's CPU list changes only when its affinity does, and the controller then gives it a new
 * array: formatted once per array, not at every refresh of every row.
 */
const cpuListTexts = new WeakMap<readonly number[], string>();
function cpuListText(cpus: readonly number[]): string {
	let text = cpuListTexts.get(cpus);
	if (text === undefined) {
		text = formatCpuList(cpus);
		cpuListTexts.set(cpus, text);
	}
	return text;
}

/**
 * Columns whose values can be marked keep one character after the value for the mark, so that
 * marked and unmarked values line up.
 */
const markable = (text: string, alert: boolean): CellValue => ({
	text: `${text}${alert ? ALERT_MARK : ' '}`,
	alert,
});

/** The worker's metrics while its port answers; nothing for the other nodes. */
const packetMetrics = (node: NodeSnapshot) => (capturesPackets(node) ? node.metrics : undefined);

function baseColumns(fit: Fit): Column[] {
	const columns: Column[] = [
		{
			id: 'node',
			title: 'NODE',
			align: 'left',
			minWidth: 8,
			maxWidth: 24,
			cell: (node) => node.name,
		},
		{id: 'type', title: 'TYPE', align: 'left', minWidth: 7, cell: (node) => node.type},
		{
			id: 'state',
			title: 'STATE',
			align: 'left',
			minWidth: 8,
			cell: (node, now) => stateLabel(node, now, fit.shortState),
		},
		{
			id: 'pid',
			title: 'PID',
			align: 'right',
			minWidth: 5,
			cell: (node) => (node.pid === undefined ? NONE : String(node.pid)),
		},
		{
			id: 'cpu',
			title: 'CPU%',
			align: 'right',
			minWidth: 5,
			cell: (node) => (node.usage?.cpu === undefined ? NONE : formatPercent(node.usage.cpu)),
		},
		{
			id: 'memory',
			title: 'MEM',
			align: 'right',
			minWidth: 6,
			cell: (node) => (node.usage ? formatBytes(node.usage.memory) : NONE),
		},
		{
			id: 'uptime',
			title: 'UPTIME',
			align: 'right',
			minWidth: 6,
			cell: (node, now) =>
				isUp(node) && node.startedAt !== undefined ? formatUptime(now - node.startedAt) : NONE,
		},
		{
			id: 'restarts',
			title: 'RESTARTS',
			align: 'right',
			minWidth: 8,
			cell: (node) => String(node.restarts),
		},
		{
			id: 'cpus',
			title: 'CPUS',
			align: 'left',
			minWidth: 4,
			maxWidth: fit.cpusMaxWidth,
			cell: (node) => (node.cpus && node.cpus.length > 0 ? cpuListText(node.cpus) : NONE),
		},
	];
	return columns.filter(
		(column) =>
			(column.id !== 'cpus' || fit.cpusColumn) && (column.id !== 'uptime' || fit.uptimeColumn),
	);
}

function metricsColumns(fit: Fit): Column[] {
	const columns: Column[] = [
		{
			id: 'packets',
			title: 'PKTS/S',
			align: 'right',
			minWidth: 6,
			cell(node) {
				const metrics = packetMetrics(node);
				if (metrics?.packetsPerSecond === undefined) return markable(NONE, false);
				// Without a LAG column, a lagging worker's packet rate carries the lag's mark.
				const alert = !fit.lagColumn && lagAlert(metrics.lagSeconds);
				return markable(formatRate(metrics.packetsPerSecond), alert);
			},
		},
		{
			id: 'drops',
			title: 'DROP%',
			align: 'right',
			minWidth: 5,
			cell(node) {
				const percent = packetMetrics(node)?.dropPercent;
				if (percent === undefined) return markable(NONE, false);
				return markable(formatDropPercent(percent), dropAlert(percent));
			},
		},
	];
	if (fit.lagColumn) {
		columns.push({
			id: 'lag',
			title: 'LAG',
			align: 'right',
			minWidth: 6,
			cell(node) {
				const lag = packetMetrics(node)?.lagSeconds;
				return lag === undefined ? markable(NONE, false) : markable(formatLag(lag), lagAlert(lag));
			},
		});
	}
	return columns;
}

/**
 * The history column comes only on wide terminals, where the packet columns appearing later
 * cannot push it out again.
 */
export const HISTORY_COLUMN_MIN_TERMINAL = 120;
/** At most this many CPU samples in the table's history column. */
const HISTORY_COLUMN_MAX = 30;
const HISTORY_TITLE = 'CPU HISTORY';

const historyColumn = (width: number): Column => ({
	id: 'cpu-history',
	title: HISTORY_TITLE,
	align: 'left',
	minWidth: width,
	maxWidth: width,
	cell: (node) => cpuSparkline(node.history?.cpu ?? [], width),
});

/** From everything shown to the least; the first that fits the width is taken. */
const FITS: readonly Fit[] = [
	{lagColumn: true, cpusMaxWidth: 16, shortState: false, cpusColumn: true, uptimeColumn: true},
	{lagColumn: false, cpusMaxWidth: 16, shortState: false, cpusColumn: true, uptimeColumn: true},
	{lagColumn: false, cpusMaxWidth: 8, shortState: false, cpusColumn: true, uptimeColumn: true},
	{lagColumn: false, cpusMaxWidth: 8, shortState: true, cpusColumn: true, uptimeColumn: true},
	{lagColumn: false, cpusMaxWidth: 8, shortState: true, cpusColumn: false, uptimeColumn: true},
	{lagColumn: false, cpusMaxWidth: 8, shortState: true, cpusColumn: false, uptimeColumn: false},
];

/** `› ` or two blanks before every row. */
export const ROW_PREFIX_WIDTH = 2;

/** PKTS/S and DROP% appear once some worker's metrics port answered. */
export function showsMetrics(nodes: readonly NodeSnapshot[]): boolean {
	return nodes.some((node) => packetMetrics(node) !== undefined);
}

/** Pads or cuts `text` to exactly `width` columns (node data is ASCII: one char, one column). */
export function fitCell(text: string, width: number, align: 'left' | 'right'): string {
	if (text.length > width)
		return width <= 1 ? text.slice(0, width) : `${text.slice(0, width - 1)}…`;
	return align === 'left' ? text.padEnd(width) : text.padStart(width);
}

export type TableText = {
	columns: ColumnId[];
	/** Column titles, each fitted to its width. */
	titles: string[];
	/** One entry per node, same order, cells fitted to the column widths. */
	rows: TableCell[][];
	/** Of a row without its prefix: the cells and one blank between each two. */
	width: number;
};

type Measured = {columns: Column[]; raw: {text: string; alert: boolean}[][]; widths: number[]};

function measure(columns: Column[], nodes: readonly NodeSnapshot[], now: number): Measured {
	const raw = nodes.map((node) =>
		columns.map((column) => {
			const value = column.cell(node, now);
			return typeof value === 'string' ? {text: value, alert: false} : value;
		}),
	);
	const widths = columns.map((column, index) => {
		const widest = Math.max(
			column.title.length,
			column.minWidth,
			...raw.map((row) => row[index]!.text.length),
		);
		return column.maxWidth === undefined ? widest : Math.min(widest, column.maxWidth);
	});
	return {columns, raw, widths};
}

const rowWidth = (widths: readonly number[]) =>
	widths.reduce((sum, width) => sum + width, 0) + Math.max(0, widths.length - 1);

/**
 * The cells of every given node, sized to the widest value of each column so that all rows
 * (also those scrolled out of view) line up the same way, and together no wider than `width`
 * (the terminal's columns): a narrow terminal first loses the LAG column, then cuts long CPU
 * lists, shortens the countdowns, drops CPUS, drops UPTIME, and at last cuts node names. A wide
 * one (HISTORY_COLUMN_MIN_TERMINAL) gains a CPU history column.
 */
export function tableText(nodes: readonly NodeSnapshot[], now: number, width: number): TableText {
	const available = width - ROW_PREFIX_WIDTH;
	const metrics = showsMetrics(nodes);
	const build = (fit: Fit) =>
		measure([...baseColumns(fit), ...(metrics ? metricsColumns(fit) : [])], nodes, now);

	let measured: Measured | undefined;
	for (const [index, fit] of FITS.entries()) {
		const candidate = build(fit);
		if (rowWidth(candidate.widths) <= available) {
			// Everything is shown: the history column may come on top, if there is room for it.
			measured =
				index === 0 && width >= HISTORY_COLUMN_MIN_TERMINAL
					? withHistory(candidate, nodes, now, available)
					: candidate;
			break;
		}
	}
	if (!measured) {
		// Still too wide: node names give way, down to NODE's own minimum.
		measured = build(FITS.at(-1)!);
		const over = rowWidth(measured.widths) - available;
		const node = measured.columns.findIndex((column) => column.id === 'node');
		measured.widths[node] = Math.max(
			measured.columns[node]!.minWidth,
			measured.widths[node]! - over,
		);
	}

	const {columns, raw, widths} = measured;
	const fit = (text: string, index: number) => fitCell(text, widths[index]!, columns[index]!.align);
	return {
		columns: columns.map((column) => column.id),
		titles: columns.map((column, index) => fit(column.title, index)),
		rows: raw.map((cells) =>
			cells.map((cell, index) => ({text: fit(cell.text, index), alert: cell.alert})),
		),
		width: rowWidth(widths),
	};
}

/** Adds the CPU history column when it has room to say something. */
function withHistory(
	measured: Measured,
	nodes: readonly NodeSnapshot[],
	now: number,
	available: number,
): Measured {
	const hasHistory = nodes.some((node) => (node.history?.cpu.length ?? 0) > 0);
	const room = available - rowWidth(measured.widths) - 1;
	if (!hasHistory || room < HISTORY_TITLE.length) return measured;
	const column = historyColumn(Math.min(HISTORY_COLUMN_MAX, room));
	const extra = measure([column], nodes, now);
	return {
		columns: [...measured.columns, column],
		raw: measured.raw.map((row, index) => [...row, extra.raw[index]![0]!]),
		widths: [...measured.widths, ...extra.widths],
	};
}
