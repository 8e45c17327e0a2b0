// The node table: one row per node, the selected one marked with › and (when focused) inverse.
import {Box, Text, Transform} from 'ink';
import type {NodeSnapshot} from '../cluster/types.js';
import {scrollToShow} from './layout.js';
import type {TableText} from './node-columns.js';
import {SegmentLine} from './segment-line.js';
import type {Segment} from './segments.js';
import {barsAsLetters, lettersAsBars} from './sparkline.js';
import {ALERT_COLOR, STATE_COLORS, type Theme, useTheme} from './theme.js';

type Props = {
	/** The rows to show (after the filter), in snapshot order. */
	nodes: readonly NodeSnapshot[];
	/** tableText(nodes, …) for the screen's width. */
	table: TableText;
	/** tableViewport(nodes, …): the rows shown. */
	first: number;
	viewport: number;
	selected?: string;
	/** The table has the keyboard focus. */
	focused: boolean;
	filter: string;
	/** Rows, the title row included. */
	height: number;
};

/** Which rows the table shows: the first one and how many, the selection kept in view. */
export function tableViewport(
	nodes: readonly NodeSnapshot[],
	selected: string | undefined,
	height: number,
	scroll: number,
): {first: number; viewport: number} {
	const viewport = height - 1;
	const selectedIndex = nodes.findIndex((node) => node.name === selected);
	return {
		first: scrollToShow(scroll, Math.max(0, selectedIndex), viewport, nodes.length),
		viewport,
	};
}

/** The row of `nodes[index]`: the selection mark, then the cells, coloured by state and alert. */
export function rowSegments(
	table: TableText,
	nodes: readonly NodeSnapshot[],
	index: number,
	selected: string | undefined,
	theme: Theme,
): Segment[] {
	const node = nodes[index]!;
	const segments: Segment[] = [{text: node.name === selected ? '› ' : '  '}];
	for (const [column, cell] of table.rows[index]!.entries()) {
		if (column > 0) segments.push({text: ' '});
		const color = cell.alert
			? theme.paint(ALERT_COLOR)
			: table.columns[column] === 'state'
				? theme.paint(STATE_COLORS[node.state])
				: undefined;
		segments.push({text: cell.text, color});
	}
	return segments;
}

export function NodeTable({
	nodes,
	table,
	first,
	viewport,
	selected,
	focused,
	filter,
	height,
}: Props) {
	const theme = useTheme();
	if (height <= 0) return null;
	const below = Math.max(0, nodes.length - first - viewport);
	const hasHistory = table.columns.at(-1) === 'cpu-history';
	const more = [first > 0 ? `↑${first}` : '', below > 0 ? `↓${below}` : '']
		.filter(Boolean)
		.join(' ');

	return (
		<Box flexDirection="column" height={height} flexShrink={0}>
			<Text wrap="truncate-end" bold>
				{`  ${table.titles.join(' ')}${more ? `  ${more}` : ''}`}
			</Text>
			{nodes.length === 0 && (
				<Text wrap="truncate-end" dimColor>
					{filter ? `  No node matches “${filter}” (Esc clears the filter)` : '  No nodes'}
				</Text>
			)}
			{nodes.slice(first, first + viewport).map((node, offset) => {
				const segments = rowSegments(table, nodes, first + offset, selected, theme);
				const inverse = node.name === selected && focused;
				if (!hasHistory)
					return <SegmentLine key={node.name} segments={segments} inverse={inverse} />;
				// The sparkline on its own and as letters until it is written out: Ink measures a
				// text with any non-ASCII character by grapheme (tens of ms a frame for 32 rows),
				// one of ASCII in one test.
				const sparkline = segments.at(-1)!;
				return (
					<Box key={node.name}>
						<SegmentLine segments={segments.slice(0, -1)} inverse={inverse} />
						<Transform transform={lettersAsBars}>
							<SegmentLine
								segments={[{...sparkline, text: barsAsLetters(sparkline.text)}]}
								inverse={inverse}
							/>
						</Transform>
					</Box>
				);
			})}
		</Box>
	);
}
