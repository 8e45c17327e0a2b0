// Figures of repeated runs, reduced to medians and printed as one table with the goals beside them.
import {median} from './measure.js';

/** One figure a scenario reports per run. */
export type Metric = {
	key: string;
	label: string;
	unit: string;
	digits?: number;
	/** The goal as written in the issue, and whether a value meets it. */
	goal?: {text: string; holds: (value: number) => boolean};
};

export type ScenarioResult = {
	scenario: string;
	metrics: Metric[];
	/** One record of raw figures per run. */
	runs: Array<Record<string, number>>;
	notes: string[];
};

export type Row = {
	scenario: string;
	label: string;
	value: string;
	runs: string;
	goal: string;
	verdict: string;
};

const MB = 2 ** 20;

export function format(value: number, metric: Metric): string {
	if (!Number.isFinite(value)) return 'n/a';
	const scaled = metric.unit === 'MB' ? value / MB : value;
	return `${scaled.toFixed(metric.digits ?? 1)} ${metric.unit}`.trim();
}

export function rows(result: ScenarioResult): Row[] {
	return result.metrics.map((metric) => {
		const values = result.runs
			.map((run) => run[metric.key])
			.filter((value): value is number => value !== undefined);
		const middle = median(values);
		const goal = metric.goal;
		return {
			scenario: result.scenario,
			label: metric.label,
			value: format(middle, metric),
			runs: values.map((value) => format(value, metric).replace(/ .*$/, '')).join(' '),
			goal: goal?.text ?? '',
			verdict: goal ? (Number.isFinite(middle) && goal.holds(middle) ? 'holds' : 'MISSED') : '',
		};
	});
}

export function table(allRows: Row[]): string {
	const header: Row = {
		scenario: 'scenario',
		label: 'figure',
		value: 'median',
		runs: 'runs',
		goal: 'goal',
		verdict: '',
	};
	const columns: Array<keyof Row> = ['scenario', 'label', 'value', 'runs', 'goal', 'verdict'];
	const width = (column: keyof Row) =>
		Math.max(...[header, ...allRows].map((row) => row[column].length));
	const line = (row: Row) =>
		columns
			.map((column) =>
				column === 'value'
					? row[column].padStart(width(column))
					: row[column].padEnd(width(column)),
			)
			.join('  ')
			.trimEnd();
	return [line(header), ...allRows.map(line)].join('\n');
}

export const atMost = (limit: number, text: string) => ({
	text,
	holds: (value: number) => value <= limit,
});
export const atLeast = (limit: number, text: string) => ({
	text,
	holds: (value: number) => value >= limit,
});
export {MB};
