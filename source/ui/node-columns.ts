// The node table's columns and cell texts. Pure: the view only lays the strings out and colours.
import type {NodeSnapshot} from '../cluster/types.js';
import {formatCpuList} from '../cluster/affinity.js';
import {
	formatBytes,
	formatDropPercent,
	formatPercent,
	formatRate,
	formatUptime,
	isUp,
	stateLabel,
} from './format.js';

type Column = {
	title: string;
	align: 'left' | 'right';
	/** Keeps the column from jittering as values change width. */
	minWidth: number;
	/** Long names and CPU lists are cut rather than push the other columns off the screen. */
	maxWidth?: number;
	cell(node: NodeSnapshot, now: number): string;
};

const NONE = '-';

const BASE_COLUMNS: Column[] = [
	{title: 'NODE', align: 'left', minWidth: 8, maxWidth: 24, cell: (node) => node.name},
	{title: 'TYPE', align: 'left', minWidth: 7, cell: (node) => node.type},
	{title: 'STATE', align: 'left', minWidth: 8, cell: (node, now) => stateLabel(node, now)},
	{
		title: 'PID',
		align: 'right',
		minWidth: 5,
		cell: (node) => (node.pid === undefined ? NONE : String(node.pid)),
	},
	{
		title: 'CPU%',
		align: 'right',
		minWidth: 5,
		cell: (node) => (node.usage ? formatPercent(node.usage.cpu) : NONE),
	},
	{
		title: 'MEM',
		align: 'right',
		minWidth: 6,
		cell: (node) => (node.usage ? formatBytes(node.usage.memory) : NONE),
	},
	{
		title: 'UPTIME',
		align: 'right',
		minWidth: 6,
		cell: (node, now) =>
			isUp(node) && node.startedAt !== undefined ? formatUptime(now - node.startedAt) : NONE,
	},
	{title: 'RESTARTS', align: 'right', minWidth: 8, cell: (node) => String(node.restarts)},
	{
		title: 'CPUS',
		align: 'left',
		minWidth: 4,
		maxWidth: 16,
		cell: (node) => (node.cpus && node.cpus.length > 0 ? formatCpuList(node.cpus) : NONE),
	},
];

const METRICS_COLUMNS: Column[] = [
	{
		title: 'PKTS/S',
		align: 'right',
		minWidth: 6,
		cell: (node) =>
			node.metrics?.packetsPerSecond === undefined
				? NONE
				: formatRate(node.metrics.packetsPerSecond),
	},
	{
		title: 'DROP%',
		align: 'right',
		minWidth: 5,
		cell: (node) =>
			node.metrics?.dropPercent === undefined ? NONE : formatDropPercent(node.metrics.dropPercent),
	},
];

/** Index of the STATE column, the one cell drawn in colour. */
export const STATE_COLUMN = 2;

/** PKTS/S and DROP% appear once some worker's metrics port answered. */
export function showsMetrics(nodes: readonly NodeSnapshot[]): boolean {
	return nodes.some(
		(node) =>
			node.type === 'worker' &&
			(node.metrics?.packetsPerSecond !== undefined || node.metrics?.dropPercent !== undefined),
	);
}

/** Pads or cuts `text` to exactly `width` columns (node data is ASCII: one char, one column). */
export function fitCell(text: string, width: number, align: 'left' | 'right'): string {
	if (text.length > width)
		return width <= 1 ? text.slice(0, width) : `${text.slice(0, width - 1)}…`;
	return align === 'left' ? text.padEnd(width) : text.padStart(width);
}

export type TableText = {
	/** Column titles, each fitted to its width. */
	titles: string[];
	/** One entry per node, same order, cells fitted to the column widths. */
	rows: string[][];
};

/**
 * The cells of every given node, sized to the widest value of each column so that all rows
 * (also those scrolled out of view) line up the same way.
 */
export function tableText(nodes: readonly NodeSnapshot[], now: number): TableText {
	const columns = showsMetrics(nodes) ? [...BASE_COLUMNS, ...METRICS_COLUMNS] : BASE_COLUMNS;
	const raw = nodes.map((node) => columns.map((column) => column.cell(node, now)));
	const widths = columns.map((column, index) => {
		const widest = Math.max(
			column.title.length,
			column.minWidth,
			...raw.map((row) => row[index]!.length),
		);
		return column.maxWidth === undefined ? widest : Math.min(widest, column.maxWidth);
	});
	const fit = (cells: string[]) =>
		cells.map((text, index) => fitCell(text, widths[index]!, columns[index]!.align));
	return {titles: fit(columns.map((column) => column.title)), rows: raw.map(fit)};
}
