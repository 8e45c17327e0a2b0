// The frame every fixed-height dialog (affinity editor, node detail) is drawn in.
import {Box} from 'ink';
import type {ReactNode} from 'react';
import {useTheme} from './theme.js';

export function DialogFrame({height, children}: {height: number; children: ReactNode}) {
	const theme = useTheme();
	return (
		<Box
			flexDirection="column"
			borderStyle="round"
			borderColor={theme.paint('cyan')}
			paddingX={1}
			height={height}
			flexShrink={0}
			overflowY="hidden"
		>
			{children}
		</Box>
	);
}
