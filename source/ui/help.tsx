// Every key, from the one list the footer hints are drawn from too.
import {Box, Text} from 'ink';
import {KEY_HELP} from './key-help.js';
import {ALERT_MARK, DROP_ALERT_PERCENT, LAG_ALERT_SECONDS} from './packet-health.js';

const KEYS_WIDTH = Math.max(...KEY_HELP.map((entry) => entry.keys.length)) + 2;

export function Help({height}: {height: number}) {
	return (
		<Box flexDirection="column" borderStyle="round" paddingX={1} height={height} overflowY="hidden">
			<Text wrap="truncate-end">
				<Text bold>Keys (? or Esc closes)</Text>
				<Text dimColor>
					{`   ${ALERT_MARK} marks drops over ${DROP_ALERT_PERCENT}% or a lag over ${LAG_ALERT_SECONDS} s`}
				</Text>
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
