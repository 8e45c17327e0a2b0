// Tick boxes over the online CPUs for one node's affinity.
import {Text} from 'ink';
import {formatCpuList} from '../cluster/affinity.js';
import {scrollToShow} from './layout.js';
import {DialogFrame} from './dialog-frame.js';
import {useTheme} from './theme.js';
import type {AffinityDialog} from './use-screen-state.js';

/** `›[x] 12 `: cursor, box, CPU number up to three digits, gap. */
const CELL_WIDTH = 9;
/** Border (2), title line, status line. */
const CHROME_HEIGHT = 4;

const cellsPerRow = (width: number) => Math.max(1, Math.floor((width - 4) / CELL_WIDTH));

/** Rows the editor wants at this width: every CPU on screen at once when it can. */
export function affinityEditorHeight(dialog: AffinityDialog, width: number): number {
	return CHROME_HEIGHT + Math.ceil(dialog.online.length / cellsPerRow(width));
}

type Props = {dialog: AffinityDialog; width: number; height: number};

export function AffinityEditor({dialog, width, height}: Props) {
	const theme = useTheme();
	const perRow = cellsPerRow(width);
	const gridRows: number[][] = [];
	for (let index = 0; index < dialog.online.length; index += perRow) {
		gridRows.push(dialog.online.slice(index, index + perRow));
	}
	// Big machines: the grid scrolls to keep the cursor's row in view.
	const visibleRows = Math.max(1, height - CHROME_HEIGHT);
	const cursorRow = Math.floor(dialog.cursor / perRow);
	const first = scrollToShow(0, cursorRow, visibleRows, gridRows.length);
	const ticked = dialog.ticked.length > 0 ? formatCpuList(dialog.ticked) : 'none';

	let status = <Text dimColor>{'Space ticks  ←→ moves  Enter applies  Esc cancels'}</Text>;
	if (dialog.busy) status = <Text color={theme.paint('yellow')}>Applying…</Text>;
	if (dialog.error) status = <Text color={theme.paint('red')}>{`error: ${dialog.error}`}</Text>;

	return (
		<DialogFrame height={height}>
			<Text bold wrap="truncate-end">
				{`CPU affinity of ${dialog.node}: ${ticked}`}
			</Text>
			{gridRows.slice(first, first + visibleRows).map((cpus, row) => (
				<Text key={first + row} wrap="truncate-end">
					{cpus.map((cpu, column) => {
						const index = (first + row) * perRow + column;
						const atCursor = index === dialog.cursor;
						const box = dialog.ticked.includes(cpu) ? '[x]' : '[ ]';
						return (
							<Text key={cpu} inverse={atCursor}>
								{`${atCursor ? '›' : ' '}${box} ${String(cpu).padEnd(3)} `}
							</Text>
						);
					})}
				</Text>
			))}
			<Text wrap="truncate-end">{status}</Text>
		</DialogFrame>
	);
}
