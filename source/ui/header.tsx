// First line: how the cluster is doing overall (nodes up, CPU, memory, the workers' packets), and
// where it lives.
import type {ClusterSnapshot} from '../cluster/types.js';
import {formatBytes, formatDropPercent, formatLag, formatPercent, formatRate} from './format.js';
import {ALERT_MARK, clusterTotals, dropAlert, lagAlert} from './packet-health.js';
import {SegmentLine} from './segment-line.js';
import type {Segment} from './segments.js';
import {ALERT_COLOR, type Theme, useTheme} from './theme.js';

export function headerSegments(snapshot: ClusterSnapshot, theme: Theme): Segment[] {
	const {nodes} = snapshot;
	const up = nodes.filter((node) => node.state === 'running').length;
	const cpu = nodes.reduce((sum, node) => sum + (node.usage?.cpu ?? 0), 0);
	const memory = nodes.reduce((sum, node) => sum + (node.usage?.memory ?? 0), 0);
	const totals = clusterTotals(nodes);
	const dropping = totals !== undefined && dropAlert(totals.dropPercent);
	const lagging = lagAlert(totals?.worstLagSeconds);
	const segments: Segment[] = [
		{text: 'zeek-tui', bold: true},
		{text: '  nodes '},
		{text: `${up}/${nodes.length}`, color: theme.paint(up === nodes.length ? 'green' : 'yellow')},
		{text: ` up  CPU ${formatPercent(cpu)}%  MEM ${formatBytes(memory)}`},
	];
	if (totals) {
		segments.push(
			{text: `  PKTS/S ${formatRate(totals.packetsPerSecond)}  DROP `},
			{
				text: `${formatDropPercent(totals.dropPercent)}%${dropping ? ALERT_MARK : ''}`,
				color: dropping ? theme.paint(ALERT_COLOR) : undefined,
			},
		);
	}
	if (lagging) {
		segments.push(
			{text: '  LAG '},
			{
				text: `${formatLag(totals!.worstLagSeconds!)}${ALERT_MARK}`,
				color: theme.paint(ALERT_COLOR),
			},
		);
	}
	segments.push({text: `  spool ${snapshot.spoolDir}`});
	return segments;
}

export function Header({snapshot}: {snapshot: ClusterSnapshot}) {
	return <SegmentLine segments={headerSegments(snapshot, useTheme())} />;
}
