// One node's log under the table: a title line, then the newest lines that fit (or older ones
// while scrolled back, frozen so they hold still while the operator reads).
import {Box, Text} from 'ink';
import type {LogLine, LogSource} from '../cluster/types.js';
import {sanitizeLogText} from './format.js';
import {useTheme} from './theme.js';
import {useThrottledSource} from './use-throttled-source.js';

type Props = {
	node: string;
	source: LogSource;
	/** Rows, the title line included. */
	height: number;
	width: number;
	/** Lines scrolled back from the tail; 0 follows. */
	scroll: number;
	focused: boolean;
};

// A copy: a ring buffer may hand out the same array, changed in place.
const readLines = (source: LogSource): readonly LogLine[] => [...source.lines()];

export function LogPane({node, source, height, width, scroll, focused}: Props) {
	const theme = useTheme();
	const lines = useThrottledSource(source, readLines, {paused: scroll > 0});
	const visibleCount = Math.max(0, height - 1);
	const back = Math.min(scroll, Math.max(0, lines.length - visibleCount));
	const end = lines.length - back;
	const shown = lines.slice(Math.max(0, end - visibleCount), end);
	const status = back > 0 ? `${back} lines back, f follows` : 'following';
	const title = `${focused ? '▶' : '─'} ${node} ─ ${status} `;

	return (
		<Box flexDirection="column" height={height} flexShrink={0} overflowY="hidden">
			<Text wrap="truncate-end" bold={focused} color={theme.paint(focused ? 'cyan' : 'gray')}>
				{title + '─'.repeat(Math.max(0, width - title.length))}
			</Text>
			{lines.length === 0 && <Text dimColor>{'  (no output yet)'}</Text>}
			{shown.map((line, index) => (
				<Text key={index} wrap="truncate-end">
					{line.stream === 'stderr' ? <Text color={theme.paint('red')}>!</Text> : ' '}{' '}
					{sanitizeLogText(line.text)}
				</Text>
			))}
		</Box>
	);
}
