// The node table: one row per node, the selected one marked with › and (when focused) inverse.
import {Fragment} from 'react';
import {Box, Text} from 'ink';
import type {NodeSnapshot} from '../cluster/types.js';
import {scrollToShow} from './layout.js';
import {tableText, type TableCell} from './node-columns.js';
import {ALERT_COLOR, STATE_COLORS, useTheme} from './theme.js';

type Props = {
	/** The rows to show (after the filter), in snapshot order. */
	nodes: readonly NodeSnapshot[];
	selected?: string;
	/** The table has the keyboard focus. */
	focused: boolean;
	filter: string;
	/** Rows, the title row included. */
	height: number;
	/** Columns: the table drops or narrows columns to fit, it never wraps. */
	width: number;
	/** First row wanted; corrected here so the selected row stays visible after a resize. */
	scroll: number;
	now: number;
};

export function NodeTable({nodes, selected, focused, filter, height, width, scroll, now}: Props) {
	const theme = useTheme();
	if (height <= 0) return null;
	const {columns, titles, rows} = tableText(nodes, now, width);
	const viewport = height - 1;
	const selectedIndex = nodes.findIndex((node) => node.name === selected);
	const first = scrollToShow(scroll, Math.max(0, selectedIndex), viewport, nodes.length);
	const below = Math.max(0, nodes.length - first - viewport);
	const more = [first > 0 ? `↑${first}` : '', below > 0 ? `↓${below}` : '']
		.filter(Boolean)
		.join(' ');
	const colorOf = (node: NodeSnapshot, cell: TableCell, index: number) => {
		if (cell.alert) return theme.paint(ALERT_COLOR);
		return columns[index] === 'state' ? theme.paint(STATE_COLORS[node.state]) : undefined;
	};

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
						{cells.map((cell, column) => (
							<Fragment key={columns[column]}>
								{column > 0 && ' '}
								<Text color={colorOf(node, cell, column)}>{cell.text}</Text>
							</Fragment>
						))}
					</Text>
				);
			})}
		</Box>
	);
}
