// Every key, from the one list the footer hints are drawn from too.
import {Box, Text} from 'ink';
import {KEY_HELP} from './key-help.js';

const KEYS_WIDTH = Math.max(...KEY_HELP.map((entry) => entry.keys.length)) + 2;

export function Help({height}: {height: number}) {
	return (
		<Box flexDirection="column" borderStyle="round" paddingX={1} height={height} overflow="hidden">
			<Text bold wrap="truncate-end">
				Keys (? or Esc closes)
			</Text>
			{KEY_HELP.map((entry) => (
				<Text key={entry.keys} wrap="truncate-end">
					<Text bold>{entry.keys.padEnd(KEYS_WIDTH)}</Text>
					{entry.action}
				</Text>
			))}
		</Box>
	);
}
