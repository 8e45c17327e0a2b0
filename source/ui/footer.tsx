// Last two lines: the filter being typed or the latest message, then the main keys.
import {Text} from 'ink';
import {footerHints} from './key-help.js';
import {useTheme} from './theme.js';
import type {ScreenState} from './use-screen-state.js';

export function Footer({state, width}: {state: ScreenState; width: number}) {
	const theme = useTheme();
	let status = <Text> </Text>;
	if (state.filtering) {
		status = (
			<Text wrap="truncate-end">
				<Text bold>/{state.filter}</Text>
				<Text inverse> </Text>
				<Text dimColor>{'  Enter keeps the filter, Esc clears it'}</Text>
			</Text>
		);
	} else if (state.message) {
		const error = state.message.tone === 'error';
		status = (
			<Text wrap="truncate-end" color={theme.paint(error ? 'red' : 'cyan')}>
				{error ? `error: ${state.message.text}` : state.message.text}
			</Text>
		);
	} else if (state.filter) {
		status = (
			<Text wrap="truncate-end" dimColor>
				{`filter: ${state.filter}  (/ edits, Esc clears)`}
			</Text>
		);
	}
	return (
		<>
			{status}
			<Text wrap="truncate-end" dimColor>
				{footerHints(width)}
			</Text>
		</>
	);
}
