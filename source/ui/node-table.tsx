// The node table: one row per node, the selected one marked with › and (when focused) inverse.
import {Box, Text} from 'ink';
import type {NodeSnapshot} from '../cluster/types.js';
import {scrollToShow} from './layout.js';
import {STATE_COLUMN, tableText} from './node-columns.js';
import {STATE_COLORS, useTheme} from './theme.js';

type Props = {
	/** The rows to show (after the filter), in snapshot order. */
	nodes: readonly NodeSnapshot[];
	selected?: string;
	/** The table has the keyboard focus. */
	focused: boolean;
	filter: string;
	/** Rows, the title row included. */
	height: number;
	/** First row wanted; corrected here so the selected row stays visible after a resize. */
	scroll: number;
	now: number;
};

export function NodeTable({nodes, selected, focused, filter, height, scroll, now}: Props) {
	const theme = useTheme();
	if (height <= 0) return null;
	const {titles, rows} = tableText(nodes, now);
	const viewport = height - 1;
	const selectedIndex = nodes.findIndex((node) => node.name === selected);
	const first = scrollToShow(scroll, Math.max(0, selectedIndex), viewport, nodes.length);
	const below = Math.max(0, nodes.length - first - viewport);
	const more = [first > 0 ? `↑${first}` : '', below > 0 ? `↓${below}` : '']
		.filter(Boolean)
		.join(' ');

	return (
		<Box flexDirection="column" height={height} flexShrink={0}>
			<Text wrap="truncate-end" bold>
				{`  ${titles.join(' ')}${more ? `  ${more}` : ''}`}
			</Text>
			{nodes.length === 0 && (
				<Text wrap="truncate-end" dimColor>
					{filter ? `  No node matches “${filter}” (Esc clears the filter)` : '  No nodes'}
				</Text>
			)}
			{nodes.slice(first, first + viewport).map((node, index) => {
				const cells = rows[first + index]!;
				const isSelected = node.name === selected;
				return (
					<Text key={node.name} wrap="truncate-end" inverse={isSelected && focused}>
						{isSelected ? '› ' : '  '}
						{cells.slice(0, STATE_COLUMN).join(' ')}{' '}
						<Text color={theme.paint(STATE_COLORS[node.state])}>{cells[STATE_COLUMN]}</Text>{' '}
						{cells.slice(STATE_COLUMN + 1).join(' ')}
					</Text>
				);
			})}
		</Box>
	);
}
