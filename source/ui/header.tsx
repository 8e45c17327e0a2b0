// First line: how the cluster is doing overall (nodes up, CPU, memory, the workers' packets), and
// where it lives.
import {Text} from 'ink';
import type {ClusterSnapshot} from '../cluster/types.js';
import {formatBytes, formatDropPercent, formatLag, formatPercent, formatRate} from './format.js';
import {ALERT_MARK, clusterTotals, dropAlert, lagAlert} from './packet-health.js';
import {ALERT_COLOR, useTheme} from './theme.js';

export function Header({snapshot}: {snapshot: ClusterSnapshot}) {
	const theme = useTheme();
	const {nodes} = snapshot;
	const up = nodes.filter((node) => node.state === 'running').length;
	const cpu = nodes.reduce((sum, node) => sum + (node.usage?.cpu ?? 0), 0);
	const memory = nodes.reduce((sum, node) => sum + (node.usage?.memory ?? 0), 0);
	const totals = clusterTotals(nodes);
	const dropping = totals !== undefined && dropAlert(totals.dropPercent);
	const lagging = lagAlert(totals?.worstLagSeconds);
	return (
		<Text wrap="truncate-end">
			<Text bold>zeek-tui</Text>
			{'  nodes '}
			<Text color={theme.paint(up === nodes.length ? 'green' : 'yellow')}>
				{up}/{nodes.length}
			</Text>
			{` up  CPU ${formatPercent(cpu)}%  MEM ${formatBytes(memory)}`}
			{totals && (
				<>
					{`  PKTS/S ${formatRate(totals.packetsPerSecond)}  DROP `}
					<Text color={dropping ? theme.paint(ALERT_COLOR) : undefined}>
						{`${formatDropPercent(totals.dropPercent)}%${dropping ? ALERT_MARK : ''}`}
					</Text>
				</>
			)}
			{lagging && (
				<>
					{'  LAG '}
					<Text color={theme.paint(ALERT_COLOR)}>
						{`${formatLag(totals!.worstLagSeconds!)}${ALERT_MARK}`}
					</Text>
				</>
			)}
			{`  spool ${snapshot.spoolDir}`}
		</Text>
	);
}
