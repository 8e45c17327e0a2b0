// A yes/no question, or the notice that the cluster is stopping.
import {Box, Text} from 'ink';
import {useTheme} from './theme.js';

export const CONFIRM_HEIGHT = 3;

export function Confirm({text}: {text: string}) {
	const theme = useTheme();
	return (
		<Box borderStyle="round" borderColor={theme.paint('yellow')} paddingX={1} flexShrink={0}>
			<Text bold wrap="truncate-end">
				{text}
			</Text>
		</Box>
	);
}
