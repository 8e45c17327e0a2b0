// One node in full (`i`): how it runs, what it said about packets lately, how it ended before,
// and its crash reports. The lines are built by a pure function; the view draws a window of them.
import {useMemo} from 'react';
import {Text} from 'ink';
import stripAnsi from 'strip-ansi';
import {formatCpuList} from '../cluster/affinity.js';
import type {ClusterClient, CrashReportFile, ExitRecord, NodeSnapshot} from '../cluster/types.js';
import {
	formatBytes,
	formatDropPercent,
	formatLag,
	formatPercent,
	formatRate,
	formatUptime,
	isUp,
	sanitizeLogText,
	stateLabel,
} from './format.js';
import {ALERT_MARK, capturesPackets, dropAlert, lagAlert} from './packet-health.js';
import {cpuSparkline, sparkline} from './sparkline.js';
import {DialogFrame} from './dialog-frame.js';
import {ALERT_COLOR, STATE_COLORS, useTheme} from './theme.js';

/** A run of text in one style. */
export type Segment = {text: string; tone?: 'alert' | 'dim' | 'bold' | 'state'};
export type DetailLine = Segment[];

/** Crash reports read for the view: the newest few are what an operator looks at first. */
export const DETAIL_CRASH_REPORTS = 3;
/** Exits listed, newest first. */
const DETAIL_EXITS = 5;
/** Lines the command line may take before it is cut. */
const ARGV_LINES = 4;
const LABEL_WIDTH = 10;
/** Room kept right of a sparkline for its numbers. */
const SPARK_VALUE_WIDTH = 26;
const SPARK_MAX = 60;

/** Border and padding of the box on each side. */
const CHROME_WIDTH = 4;
/** Border lines and the title line. */
const CHROME_HEIGHT = 3;

/** Lines of details the view shows at once in a body of `height` rows. */
export function detailPage(height: number): number {
	return Math.max(1, height - CHROME_HEIGHT);
}

const label = (name: string): Segment => ({text: name.padEnd(LABEL_WIDTH), tone: 'dim'});
const indent: Segment = {text: ' '.repeat(LABEL_WIDTH)};

/** Greedy word wrap; a word longer than a line is split; the last line ends in … when cut. */
export function wrapWords(text: string, width: number, maxLines: number): string[] {
	const lines: string[] = [];
	let current = '';
	for (const word of text.split(' ')) {
		let rest = word;
		while (rest.length > 0) {
			const gap = current === '' ? 0 : 1;
			if (current.length + gap + rest.length <= width) {
				current += (gap ? ' ' : '') + rest;
				rest = '';
			} else if (current === '') {
				lines.push(rest.slice(0, width));
				rest = rest.slice(width);
			} else {
				lines.push(current);
				current = '';
			}
		}
	}
	if (current !== '') lines.push(current);
	if (lines.length <= maxLines) return lines;
	const kept = lines.slice(0, maxLines);
	const last = kept[maxLines - 1]!;
	kept[maxLines - 1] = `${last.slice(0, Math.max(0, width - 1))}…`;
	return kept;
}

function describeExit(exit: ExitRecord, now: number): string {
	const how =
		exit.signal !== null
			? `signal ${exit.signal}`
			: exit.code !== null
				? `code ${exit.code}`
				: 'unknown status';
	const when = new Date(exit.at).toISOString().replace('T', ' ').slice(0, 19);
	return `${when}  ${how}${exit.requested ? ', requested' : ''}  (${formatUptime(now - exit.at)} ago)`;
}

function metricsLine(node: NodeSnapshot): DetailLine {
	const metrics = node.metrics;
	if (!metrics) {
		return [
			label('zeek'),
			{
				text: isUp(node) ? 'no metrics: its metrics port does not answer' : 'no metrics',
				tone: 'dim',
			},
		];
	}
	const line: DetailLine = [label('zeek')];
	const add = (name: string, value: string, alert = false) => {
		if (line.length > 1) line.push({text: '  '});
		line.push({text: `${name} `});
		line.push(alert ? {text: `${value}${ALERT_MARK}`, tone: 'alert'} : {text: value});
	};
	if (capturesPackets(node)) {
		add(
			'PKTS/S',
			metrics.packetsPerSecond === undefined ? '-' : formatRate(metrics.packetsPerSecond),
		);
		add(
			'DROP',
			metrics.dropPercent === undefined ? '-' : `${formatDropPercent(metrics.dropPercent)}%`,
			dropAlert(metrics.dropPercent),
		);
	}
	if (metrics.lagSeconds !== undefined) {
		add(
			'LAG',
			formatLag(metrics.lagSeconds),
			capturesPackets(node) && lagAlert(metrics.lagSeconds),
		);
	}
	if (metrics.activeSessions !== undefined) add('sessions', String(metrics.activeSessions));
	return line;
}

const WHY_LINES = 3;

/** Why a running worker shows no packet figures (zeek has to count them, and to see traffic). */
export function missingPacketFigures(node: NodeSnapshot): string | undefined {
	if (!capturesPackets(node) || !isUp(node)) return undefined;
	const metrics = node.metrics;
	if (!metrics) {
		return "no packet figures without metrics: not scraped yet (every 15 s), no $metrics_port in the layout, metrics on another machine's address, or zeek cannot serve them (see its stderr.log)";
	}
	if (metrics.packetsPerSecond === undefined) {
		return 'no packet rate yet: it takes two scrapes 15 s apart, and zeek counts packets only with policy/misc/stats loaded (local.zeek loads it)';
	}
	if (metrics.dropPercent === undefined || metrics.lagSeconds === undefined) {
		return 'drops and lag come only from a live packet source with traffic on it';
	}
	return undefined;
}

function historyLine(
	name: string,
	values: readonly number[],
	width: number,
	draw: (values: readonly number[], width: number) => string,
	format: (value: number) => string,
): DetailLine {
	if (values.length === 0) return [label(name), {text: 'no samples yet', tone: 'dim'}];
	const shown = values.slice(-width);
	return [
		label(name),
		{text: draw(shown, width).padEnd(width)},
		{text: `  now ${format(values.at(-1)!)}  peak ${format(Math.max(...shown))}`, tone: 'dim'},
	];
}

/** Every line of the details of `node`, for a box `width` columns wide. */
export function detailLines(
	node: NodeSnapshot,
	reports: readonly CrashReportFile[],
	now: number,
	width: number,
): DetailLine[] {
	const inner = Math.max(20, width - CHROME_WIDTH);
	const lines: DetailLine[] = [];
	const uptime =
		isUp(node) && node.startedAt !== undefined ? formatUptime(now - node.startedAt) : '-';
	lines.push([
		label('state'),
		{text: stateLabel(node, now), tone: 'state'},
		{text: `  pid ${node.pid ?? '-'}  uptime ${uptime}  restarts ${node.restarts}`},
	]);
	const cpus = node.cpus && node.cpus.length > 0 ? formatCpuList(node.cpus) : '-';
	const pin =
		node.pin && node.pin.length > 0 ? `pinned to ${formatCpuList(node.pin)}` : 'not pinned';
	lines.push([label('cpus'), {text: `${cpus}  (${pin})`}]);
	lines.push([label('cwd'), {text: node.cwd}]);
	const argv = wrapWords(node.argv.join(' '), inner - LABEL_WIDTH, ARGV_LINES);
	argv.forEach((text, index) => lines.push([index === 0 ? label('argv') : indent, {text}]));

	lines.push(metricsLine(node));
	const why = missingPacketFigures(node);
	if (why !== undefined) {
		for (const text of wrapWords(why, inner - LABEL_WIDTH, WHY_LINES))
			lines.push([indent, {text, tone: 'dim'}]);
	}
	const sparkWidth = Math.max(10, Math.min(SPARK_MAX, inner - LABEL_WIDTH - SPARK_VALUE_WIDTH));
	const history = node.history;
	lines.push(
		historyLine(
			'CPU%',
			history?.cpu ?? [],
			sparkWidth,
			cpuSparkline,
			(value) => `${formatPercent(value)}%`,
		),
	);
	lines.push(historyLine('MEM', history?.memory ?? [], sparkWidth, sparkline, formatBytes));
	if (capturesPackets(node)) {
		lines.push(
			historyLine('PKTS/S', history?.packetsPerSecond ?? [], sparkWidth, sparkline, formatRate),
		);
	}

	const exits = node.exits.slice(-DETAIL_EXITS).reverse();
	if (exits.length === 0) lines.push([label('exits'), {text: 'none', tone: 'dim'}]);
	exits.forEach((exit, index) =>
		lines.push([
			index === 0 ? label('exits') : indent,
			{text: describeExit(exit, now), ...(exit.requested ? {} : {tone: 'alert' as const})},
		]),
	);

	if (reports.length === 0) {
		lines.push([label('crashes'), {text: 'no crash report', tone: 'dim'}]);
		return lines;
	}
	lines.push([
		label('crashes'),
		{
			text: reports.length === 1 ? '1 report' : `the ${reports.length} most recent, newest first`,
		},
	]);
	for (const report of reports) {
		const name = report.file.split('/').at(-1)!;
		lines.push([
			{text: `── ${name} ${'─'.repeat(Math.max(0, inner - name.length - 4))}`, tone: 'bold'},
		]);
		const text = report.text.endsWith('\n') ? report.text.slice(0, -1) : report.text;
		for (const line of text.split('\n')) lines.push([{text: sanitizeLogText(stripAnsi(line))}]);
	}
	return lines;
}

/**
 * The node's crash reports, read again when its exits change (a new crash may have written one).
 * Empty when the client keeps none.
 */
export function useCrashReports(
	client: ClusterClient,
	node: NodeSnapshot | undefined,
): readonly CrashReportFile[] {
	const name = node?.name;
	const exitCount = node?.exits.length ?? 0;
	const lastExit = node?.exits.at(-1)?.at;
	return useMemo(
		() => (name === undefined ? [] : (client.crashReports?.(name, DETAIL_CRASH_REPORTS) ?? [])),
		// Reading is keyed by the exits: every crash adds one, and with it (perhaps) a report.
		// eslint-disable-next-line react-hooks/exhaustive-deps
		[client, name, exitCount, lastExit],
	);
}

type Props = {
	node: NodeSnapshot | undefined;
	name: string;
	lines: readonly DetailLine[];
	scroll: number;
	height: number;
};

export function NodeDetail({node, name, lines, scroll, height}: Props) {
	const theme = useTheme();
	const page = detailPage(height);
	const first = Math.max(0, Math.min(scroll, lines.length - page));
	const below = Math.max(0, lines.length - first - page);
	const position = [first > 0 ? `↑${first}` : '', below > 0 ? `↓${below}` : '']
		.filter(Boolean)
		.join(' ');
	const colorOf = (segment: Segment) => {
		if (segment.tone === 'alert') return theme.paint(ALERT_COLOR);
		if (segment.tone === 'state' && node) return theme.paint(STATE_COLORS[node.state]);
		return undefined;
	};
	return (
		<DialogFrame height={height}>
			<Text wrap="truncate-end">
				<Text bold>{node ? `${name} (${node.type})` : name}</Text>
				<Text
					dimColor
				>{`  ↑↓ PgUp PgDn scroll, i or Esc closes${position ? `  ${position}` : ''}`}</Text>
			</Text>
			{!node && <Text dimColor>{'No such node any more.'}</Text>}
			{lines.slice(first, first + page).map((line, index) => (
				<Text key={first + index} wrap="truncate-end">
					{line.map((segment, part) => (
						<Text
							key={part}
							color={colorOf(segment)}
							dimColor={segment.tone === 'dim'}
							bold={segment.tone === 'bold'}
						>
							{segment.text}
						</Text>
					))}
				</Text>
			))}
		</DialogFrame>
	);
}
