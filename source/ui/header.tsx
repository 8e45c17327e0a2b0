// First line: where the cluster lives and how it is doing overall.
import {Text} from 'ink';
import type {ClusterSnapshot} from '../cluster/types.js';
import {formatBytes, formatPercent} from './format.js';
import {useTheme} from './theme.js';

export function Header({snapshot}: {snapshot: ClusterSnapshot}) {
	const theme = useTheme();
	const {nodes} = snapshot;
	const up = nodes.filter((node) => node.state === 'running').length;
	const cpu = nodes.reduce((sum, node) => sum + (node.usage?.cpu ?? 0), 0);
	const memory = nodes.reduce((sum, node) => sum + (node.usage?.memory ?? 0), 0);
	return (
		<Text wrap="truncate-end">
			<Text bold>zeek-tui</Text>
			{'  nodes '}
			<Text color={theme.paint(up === nodes.length ? 'green' : 'yellow')}>
				{up}/{nodes.length}
			</Text>
			{` up  CPU ${formatPercent(cpu)}%  MEM ${formatBytes(memory)}  spool ${snapshot.spoolDir}`}
		</Text>
	);
}
